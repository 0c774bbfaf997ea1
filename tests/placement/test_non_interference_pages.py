"""Non-interference for occupancy, unmet need, the HSDS feed, the OpenAPI document and the pages.

Same two installs as test_non_interference (every exact point 97% of its privacy radius north of
its anchor in one, south in the other); the script (tests/placement/privacy_pages.py) does some
work, then reads every occupancy endpoint and CSV as every role, and signs in through /login as
every role to read every page it reaches. Pages and CSV are compared as text with only CSRF tokens,
nonces and clock readings blanked.
"""

from placement.services import occupancy
from tests.placement.privacy_pages import pages_script
from tests.placement.privacy_script import exact_points, reads, run_install


def _differences(first, second):
    return [(a[:5], a[6][:400], b[6][:400]) for a, b in zip(first, second, strict=True)
            if a != b]


def test_pages_and_exports_answer_alike_whatever_the_exact_points(_database):
    script = pages_script()
    north, _ = run_install(_database, exact_points(0), script)
    south, _ = run_install(_database, exact_points(180), script)
    assert [a[4] for a in north if a[1].startswith("page_")].count(200) > 60
    assert _differences(north, south) == []


def test_the_page_comparison_sees_a_leak_into_occupancy(_database, monkeypatch):
    # Let the exact point's latitude order the shelters of every occupancy view: the map pages,
    # CSV and feeds built on it must then differ between the installs.
    from placement.services.network import shelter_location

    plain = occupancy.occupancy

    def leaky(user, region=None, *args, **kwargs):
        view = plain(user, region, *args, **kwargs)
        from placement.extensions import db
        from placement.models import Shelter
        where = {s["id"]: shelter_location(db.session.get(Shelter, s["id"]))[0]
                 for s in view["shelters"]}
        view["shelters"].sort(key=lambda s: where[s["id"]] * (1 if s["id"] % 2 else -1))
        return view

    monkeypatch.setattr(occupancy, "occupancy", leaky)
    script = [s for s in pages_script() if "csv" in s.path or s.path.startswith("/map")]
    script = [*pages_script()[:20], *script]
    north, _ = run_install(_database, exact_points(0), script)
    south, _ = run_install(_database, exact_points(180), script)
    assert _differences(north, south), "the page script cannot tell an exact point from its area"


def _high_security_shelter_in(town):
    """Patch an install: the region-level shelter's (secret) municipality becomes `town`, by a
    plain UPDATE so that nothing else about the row (its version, its ETag) changes."""
    import sqlalchemy as sa

    from placement.extensions import db
    from placement.models import Shelter

    def before(_app):
        db.session.execute(sa.update(Shelter).where(Shelter.code == "thb-high")
                           .values(municipality_code=town))
        db.session.commit()
    return before


# Who may know a region-level shelter's municipality: the administrator and its own managers (the
# script's shelter manager runs every shelter). Every other role must not be able to tell.
KNOWERS = ("admin", "shelter_manager", "page_admin", "page_shelter_manager")


def test_a_region_level_shelters_municipality_is_unobservable_by_coordinators_and_case_managers(
        _database):
    script = [*reads(), *pages_script()]
    lipjan, _ = run_install(_database, exact_points(0), script, _high_security_shelter_in("lipjan"))
    podujeve, _ = run_install(_database, exact_points(0), script,
                              _high_security_shelter_in("podujeve"))
    differing = _differences(lipjan, podujeve)
    assert differing, "the script cannot see the municipality even where it is shown"
    assert {d[0][1] for d in differing} <= set(KNOWERS), differing[:3]
