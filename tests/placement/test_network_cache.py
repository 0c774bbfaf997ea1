"""Proposals from the cached network: every change is seen by the very next call, whichever app
instance made it, and a long answer comes counted by rule and a page at a time."""

import contextlib

import pytest
import sqlalchemy as sa

from placement import create_app
from placement.extensions import db
from placement.models import Bed
from tests.placement.conftest import _base_config
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
# 40 km due north of the public anchor of dv-prishtine (radius 3 km): outside the default
# high-risk threshold (30 + 3 km), inside a threshold of 45 (45 + 3 km).
SUSPECT_40_KM = {"lat": 42.64 + 40 / 111.2, "lon": 21.10}


def _proposals(client, caller, request_id, query=""):
    answer = client.get(f"/api/v1/placement-requests/{request_id}/proposals{query}",
                        headers=caller.headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def _offered(body):
    return {(o["shelter"]["id"], o["room"]) for o in body["options"]}


def _first_option(body):
    return body["options"][0]["shelter"]["id"], body["options"][0]["travel"]


def _excluded(body):
    return {e["shelter"]["id"]: e["rules"] for e in body["excluded"]}


def _second_app(app):
    """Another instance of the service (another worker process) on the same database."""
    return create_app(_base_config(app.config["SQLALCHEMY_DATABASE_URI"]))


def test_an_admin_shelter_change_is_seen_by_the_next_call(client, network, make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    shelter = network["dv-prishtine"]
    assert shelter in {s for s, _room in _offered(_proposals(client, case_manager,
                                                             request["id"]))}
    etag = client.get(f"/api/v1/shelters/{shelter}", headers=admin.headers).headers["ETag"]
    changed = client.patch(f"/api/v1/shelters/{shelter}", json={"gender_policy": "men"},
                           headers={**admin.headers, "If-Match": etag})
    assert changed.status_code == 200, changed.get_json()
    body = _proposals(client, case_manager, request["id"])
    assert shelter not in {s for s, _room in _offered(body)}
    assert "H4" in _excluded(body)[shelter]


def test_a_bed_out_of_service_is_seen_by_the_next_call(app, client, network, make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    before = _offered(_proposals(client, case_manager, request["id"]))
    shelter, room = sorted(before)[0]
    free = db.session.scalars(sa.select(Bed.id).where(
        Bed.room_id == room, Bed.status == "available", Bed.removed_at.is_(None))).all()
    assert free
    for bed in free:
        taken = client.patch(f"/api/v1/beds/{bed}", json={"status": "out_of_service",
                                                           "reason": "leak"},
                             headers=admin.headers)
        assert taken.status_code == 200, taken.get_json()
    body = _proposals(client, case_manager, request["id"])
    assert (shelter, room) not in _offered(body)
    # Word for word what an instance that never cached anything answers.
    fresh = _second_app(app)
    try:
        assert _proposals(fresh.test_client(), case_manager, request["id"]) == body
    finally:
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_policy_change_is_seen_by_the_next_call(client, network, make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    shelter = network["dv-prishtine"]
    _case, request = open_request(client, case_manager, municipality="fushe-kosove",
                                  persons=WOMAN, risk="high", suspects=[SUSPECT_40_KM])
    assert shelter in {s for s, _room in _offered(_proposals(client, case_manager,
                                                             request["id"]))}
    tag = client.get("/api/v1/policy", headers=admin.headers).headers["ETag"]
    changed = client.patch("/api/v1/policy", json={"min_suspect_distance_km": {"high": 45},
                                                   "reason": "new assessment"},
                           headers={**admin.headers, "If-Match": tag})
    assert changed.status_code == 200, changed.get_json()
    body = _proposals(client, case_manager, request["id"])
    assert _excluded(body)[shelter] == ["H6"]


def _change_policy(client, admin, high_km):
    tag = client.get("/api/v1/policy", headers=admin.headers).headers["ETag"]
    changed = client.patch("/api/v1/policy", json={"min_suspect_distance_km": {"high": high_km},
                                                   "reason": "new assessment"},
                           headers={**admin.headers, "If-Match": tag})
    assert changed.status_code == 200, changed.get_json()


def _reads_of_the_policy(engine, call):
    """call()'s answer, and how many of its statements read a policy version's settings."""
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        answer = call()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return answer, len([s for s in statements if "policy_versions.settings" in s])


def test_a_policy_version_committed_by_another_instance_is_seen_by_the_next_call(
        app, client, network, make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    shelter = network["dv-prishtine"]
    _case, request = open_request(client, case_manager, municipality="fushe-kosove",
                                  persons=WOMAN, risk="high", suspects=[SUSPECT_40_KM])
    # No version stored: the defaults (30 km) apply, and this instance keeps them.
    for _call in range(2):
        assert shelter in {s for s, _room in _offered(_proposals(client, case_manager,
                                                                 request["id"]))}
    other = _second_app(app)
    try:
        _change_policy(other.test_client(), admin, 45)
        assert _excluded(_proposals(client, case_manager, request["id"]))[shelter] == ["H6"]
        _change_policy(other.test_client(), admin, 30)
        assert shelter in {s for s, _room in _offered(_proposals(client, case_manager,
                                                                 request["id"]))}
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_the_policy_is_read_again_only_when_a_version_is_added(app, client, network,
                                                                 make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    shelter = network["dv-prishtine"]
    _case, request = open_request(client, case_manager, municipality="fushe-kosove",
                                  persons=WOMAN, risk="high", suspects=[SUSPECT_40_KM])

    def proposals():
        return _proposals(client, case_manager, request["id"])

    _proposals(client, case_manager, request["id"])
    body, reads = _reads_of_the_policy(db.engine, proposals)
    assert reads == 0
    assert shelter in {s for s, _room in _offered(body)}
    _change_policy(client, admin, 45)
    body, reads = _reads_of_the_policy(db.engine, proposals)
    assert reads == 1
    assert _excluded(body)[shelter] == ["H6"]
    assert _reads_of_the_policy(db.engine, proposals) == (body, 0)


def test_a_policy_version_rolled_back_never_reaches_the_cache(app, client, network, make_user):
    from placement.models import User
    from placement.services import policy, proposals
    from placement.services.requests import visible_request

    case_manager = make_user("case_manager")
    admin = make_user("admin")
    shelter = network["dv-prishtine"]
    _case, request = open_request(client, case_manager, municipality="fushe-kosove",
                                  persons=WOMAN, risk="high", suspects=[SUSPECT_40_KM])
    # A version read inside its own transaction, which then rolls back: on SQLite the next
    # version committed takes the same id, with other settings.
    policy.change({"min_suspect_distance_km": {"high": 45}}, "not kept")
    user = db.session.get(User, case_manager.user_id)
    inside = proposals.proposals_for(visible_request(user, request["id"]))
    assert shelter in {e["shelter"]["id"] for e in inside["excluded"]}
    db.session.rollback()
    _change_policy(client, admin, 35)
    assert shelter in {s for s, _room in _offered(_proposals(client, case_manager,
                                                             request["id"]))}


def test_a_municipality_moved_by_a_network_load_is_seen_by_the_next_call(app, client, network,
                                                                         make_user):
    """A request travels from its municipality's centroid, which `flask network load` (another
    process) can move while workers answer."""
    from placement.services.network import default_network, load_network

    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, municipality="obiliq",
                                  persons=WOMAN, suspects=[])
    before = _proposals(client, case_manager, request["id"])
    moved = default_network()
    for municipality in moved["municipalities"]:
        if municipality["code"] == "obiliq":  # to Prizren's centroid, 60 km away
            municipality.update(lat=42.21, lon=20.74)
    other = _second_app(app)
    try:
        with other.app_context():
            load_network(moved)
            db.session.commit()
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert _first_option(before) == (network["dv-prishtine"], "under 30 minutes")
    assert _first_option(_proposals(client, case_manager, request["id"])) == (
        network["dv-prizren"], "under 30 minutes")


def test_another_instance_never_answers_from_a_stale_cache(app, client, network, make_user):
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    other = _second_app(app)
    other_client = other.test_client()
    try:
        # Both instances hold the network now.
        first = _proposals(client, case_manager, request["id"])
        assert _proposals(other_client, case_manager, request["id"]) == first
        shelter, room = sorted(_offered(first))[0]
        # This instance changes the network three ways; the other sees each on its next call.
        etag = client.get(f"/api/v1/shelters/{shelter}", headers=admin.headers).headers["ETag"]
        assert client.patch(f"/api/v1/shelters/{shelter}", json={"gender_policy": "men"},
                            headers={**admin.headers, "If-Match": etag}).status_code == 200
        seen = _proposals(other_client, case_manager, request["id"])
        assert shelter not in {s for s, _r in _offered(seen)}
        assert seen == _proposals(client, case_manager, request["id"])

        held = sorted(_offered(seen))[0]
        hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                           json={"shelter_id": held[0], "room_id": held[1]},
                           headers=case_manager.headers)
        assert hold.status_code == 201, hold.get_json()
        seen = _proposals(other_client, case_manager, request["id"])
        assert seen == _proposals(client, case_manager, request["id"])

        closed = sorted(_offered(seen))[-1]
        for bed in db.session.scalars(sa.select(Bed.id).where(
                Bed.room_id == closed[1], Bed.status == "available",
                Bed.removed_at.is_(None))).all():
            assert client.patch(f"/api/v1/beds/{bed}", json={
                "status": "out_of_service", "reason": "closed"},
                headers=admin.headers).status_code == 200
        seen = _proposals(other_client, case_manager, request["id"])
        assert closed not in _offered(seen)
        assert seen == _proposals(client, case_manager, request["id"])
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def _savepoint(outcome):
    """A savepoint inside the writing transaction, released or rolled back (a run's holds are
    each in one): either way the outer transaction's writes stay uncommitted."""
    if outcome == "released":
        with db.session.begin_nested():
            pass
    elif outcome == "rolled back":
        with contextlib.suppress(LookupError), db.session.begin_nested():
            raise LookupError


@pytest.mark.parametrize("savepoint", [None, "released", "rolled back"])
def test_a_write_rolled_back_never_reaches_the_cache(app, client, network, make_user,
                                                     savepoint):
    from placement.services import capacity, proposals
    from placement.services.requests import visible_request

    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    before = _proposals(client, case_manager, request["id"])
    shelter, room = sorted(_offered(before))[0]
    # In one transaction: every free bed of the room out of service, a proposal read, then
    # a rollback. The next call must answer from the database, not from that transaction.
    free = db.session.scalars(sa.select(Bed).where(
        Bed.room_id == room, Bed.status == "available", Bed.removed_at.is_(None))).all()
    for bed in free:
        capacity.set_bed_status(bed, "out_of_service", "test", None)
    _savepoint(savepoint)
    from placement.models import User

    user = db.session.get(User, case_manager.user_id)
    inside = proposals.proposals_for(visible_request(user, request["id"]))
    assert (shelter, room) not in {(o["shelter"]["id"], o["room"]) for o in inside["options"]}
    db.session.rollback()
    # Committed changes that bring the shelter's version to what that transaction had seen
    # (one bump per bed) must not revive what it read.
    admin = make_user("admin")
    for _bed in free:
        assert client.post(f"/api/v1/shelters/{shelter}/confirm",
                           headers=admin.headers).status_code == 200
    after = _proposals(client, case_manager, request["id"])
    assert (shelter, room) in _offered(after)
    fresh = _second_app(app)
    try:
        assert _proposals(fresh.test_client(), case_manager, request["id"]) == after
    finally:
        with fresh.app_context():
            db.session.remove()
            db.engine.dispose()


def test_exclusions_are_counted_by_rule_and_listed_a_page_at_a_time(client, network,
                                                                    make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager)
    body = _proposals(client, case_manager, request["id"])
    # Kosovo's whole list comes inline by default, with the options and their total.
    assert body["excluded_total"] == len(body["excluded"]) > 2
    assert body["options_total"] == len(body["options"])
    assert body["relaxations_total"] == len(body["relaxations"])
    counted = {}
    for exclusion in body["excluded"]:
        for rule in exclusion["rules"]:
            counted.setdefault(rule, []).append(exclusion["shelter"])
    assert [s["rule"] for s in body["excluded_by_rule"]] == sorted(counted,
                                                                   key=lambda r: int(r[1:]))
    for summary in body["excluded_by_rule"]:
        assert summary["shelters"] == len(counted[summary["rule"]])
        assert summary["examples"] == counted[summary["rule"]][:3]
    # Any page of the list is the same slice of it; the summary and total stay whole.
    page = _proposals(client, case_manager, request["id"],
                      "?excluded_limit=2&excluded_offset=1&options_limit=1")
    assert page["excluded"] == body["excluded"][1:3]
    assert page["excluded_total"] == body["excluded_total"]
    assert page["excluded_by_rule"] == body["excluded_by_rule"]
    assert page["options"] == body["options"][:1]
    assert page["options_total"] == body["options_total"]
    past = _proposals(client, case_manager, request["id"], "?excluded_offset=100")
    assert past["excluded"] == [] and past["excluded_total"] == body["excluded_total"]


def test_relaxations_are_listed_a_page_at_a_time(client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, risk="medium",
                                  suspects=[{"municipality": "suhareke"}])
    body = _proposals(client, case_manager, request["id"])
    assert body["relaxations_total"] == len(body["relaxations"]) >= 1
    page = _proposals(client, case_manager, request["id"],
                      "?relaxations_limit=1&relaxations_offset=0")
    assert page["relaxations"] == body["relaxations"][:1]
    assert page["relaxations_total"] == body["relaxations_total"]


def test_a_bad_page_names_the_field(client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager)
    for query, field in (("excluded_limit=0", "excluded_limit"),
                         ("excluded_limit=501", "excluded_limit"),
                         ("excluded_offset=-1", "excluded_offset"),
                         ("options_limit=x", "options_limit"),
                         ("relaxations_offset=-2", "relaxations_offset")):
        answer = client.get(f"/api/v1/placement-requests/{request['id']}/proposals?{query}",
                            headers=case_manager.headers)
        assert answer.status_code == 422, query
        assert field in answer.get_json()["errors"]["query"], answer.get_json()


def test_the_openapi_document_describes_the_new_fields(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    proposals = next(v for k, v in schemas.items() if k.startswith("Proposals"))
    for name in ("excluded_total", "excluded_by_rule", "options_total", "relaxations_total"):
        assert proposals["properties"][name]["description"]
    parameters = {p["name"] for p in spec["paths"][
        "/api/v1/placement-requests/{request_id}/proposals"]["get"]["parameters"]}
    assert {"excluded_limit", "excluded_offset", "options_limit", "options_offset",
            "relaxations_limit", "relaxations_offset"} <= parameters


def test_a_warmed_worker_reads_no_shelter_for_its_first_proposals(app, client, network,
                                                                  make_user):
    from placement.services import network_cache

    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    fresh = _second_app(app)  # a worker just started: nothing cached
    network_cache.warm(fresh)
    statements = []
    with fresh.app_context():
        engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        answer = fresh.test_client().get(
            f"/api/v1/placement-requests/{request['id']}/proposals",
            headers=case_manager.headers)
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
    assert answer.status_code == 200
    assert answer.get_json()["options"]
    assert not [s for s in statements if "FROM rooms" in s or "FROM beds" in s]


def test_warming_a_database_not_yet_migrated_leaves_it_to_the_first_request(tmp_path):
    from placement.services import network_cache

    empty = create_app(_base_config(f"sqlite:///{tmp_path / 'empty.db'}"))
    network_cache.warm(empty)  # no error: the first request reads the network itself
    with empty.app_context():
        db.engine.dispose()
    assert empty.extensions.get(network_cache.EXTENSION) is None or \
        empty.extensions[network_cache.EXTENSION].listing is None


def test_gunicorn_workers_warm_the_cache_and_freeze_it_before_serving(app, client, network):
    import gc
    import importlib.util
    import types
    from pathlib import Path

    from placement.services import network_cache

    path = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("streha_gunicorn_conf", path)
    settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(settings)
    fresh = _second_app(app)
    try:
        settings.post_worker_init(types.SimpleNamespace(wsgi=fresh))
        assert fresh.extensions[network_cache.EXTENSION].listing is not None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        with fresh.app_context():
            db.engine.dispose()
