"""Non-interference: what users observe is a function of public information only.

Two installs of the Kosovo network differ only in where each shelter exactly is: every exact
point lies 97% of its privacy radius from its anchor, due north in one install and due south in
the other (6 km apart for a municipality-level shelter, 68 km for a region-level one). The same
script of reads, cases with suspects placed to split the exact H6 rule, requests from every
municipality, proposals, holds, accept, decline, cancel and optimizer runs, played by every role
without the administrator's exact-location tooling, must get the same answers.
"""

from placement.services import instances
from tests.placement.privacy_script import (
    build_script,
    exact_points,
    run_install,
    suspect_probes,
    travel_probes,
)


def _differences(first, second):
    return [(a[:5], a[6][:300], b[6][:300]) for a, b in zip(first, second, strict=True)
            if a != b]


def test_two_installs_that_differ_only_in_exact_points_answer_alike(_database):
    script = build_script()
    north, _ = run_install(_database, exact_points(0), script)
    south, _ = run_install(_database, exact_points(180), script)
    assert len(north) == len(script)
    assert _differences(north, south) == []


def test_the_comparison_fails_when_an_answer_depends_on_the_exact_point(_database, monkeypatch):
    # Feed the exact point into the optimizer's instance, as the service did before areas.
    from placement.services.network import shelter_location

    plain = instances._shelter_dict

    def leaky(shelter, rooms):
        entry = plain(shelter, rooms)
        entry["lat"], entry["lon"] = shelter_location(shelter)
        entry["location_radius_km"] = 0.0
        return entry

    monkeypatch.setattr(instances, "_shelter_dict", leaky)
    script = [*suspect_probes(), *travel_probes(["prishtine", "peje", "prizren", "gjilan"])]
    north, _ = run_install(_database, exact_points(0), script)
    south, _ = run_install(_database, exact_points(180), script)
    differing = _differences(north, south)
    assert differing, "the script cannot tell an exact point from its area"
    assert any("/proposals" in d[0][3] for d in differing)
