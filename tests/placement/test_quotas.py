"""Quotas on work in progress: requests and active holds per case manager and per organisation."""

import threading

import sqlalchemy as sa

from placement.config import build_config
from placement.extensions import db
from placement.models import Hold

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
DV = ("dv-prishtine", "dv-gjilan", "dv-mitrovice", "dv-prizren", "dv-peje")


def _request(client, caller):
    case = client.post("/api/v1/cases", headers=caller.headers, json={
        "category": "dv", "risk": "low", "persons": WOMAN, "referral_source": "police",
        "identifying_authority": "police"})
    assert case.status_code == 201
    return client.post("/api/v1/placement-requests", headers=caller.headers, json={
        "case_id": case.get_json()["id"], "urgency": "urgent",
        "current_municipality": "prishtine"})


def _hold(client, caller, request_id, code, network):
    return client.post(f"/api/v1/placement-requests/{request_id}/holds",
                       json={"shelter_id": network[code]}, headers=caller.headers)


def test_a_case_manager_has_at_most_15_requests_in_progress(client, network, make_user):
    manager = make_user("case_manager")
    for _ in range(15):
        assert _request(client, manager).status_code == 201
    refused = _request(client, manager)
    assert refused.status_code == 409
    assert refused.get_json()["errors"] == {"limit": "open_requests_per_account", "allowed": 15}
    # A colleague in the same organisation still can: the organisation's quota is larger.
    assert _request(client, make_user("case_manager")).status_code == 201


def test_a_case_manager_has_at_most_8_active_holds(client, network, make_user):
    manager = make_user("case_manager")
    requests = [_request(client, manager).get_json()["id"] for _ in range(5)]
    for index, request_id in enumerate(requests[:4]):
        for code in (DV[index], DV[index + 1]):
            assert _hold(client, manager, request_id, code, network).status_code == 201
    refused = _hold(client, manager, requests[4], "dv-prishtine", network)
    assert refused.status_code == 409
    assert refused.get_json()["errors"] == {"limit": "active_holds_per_account", "allowed": 8}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Hold.id))) == 8

    first = db.session.scalar(sa.select(Hold.id).order_by(Hold.id))
    cancel = client.post(f"/api/v1/holds/{first}/cancel", headers=manager.headers)
    assert cancel.status_code == 200
    assert _hold(client, manager, requests[4], "dv-prishtine", network).status_code == 201


def test_the_organisation_quota_counts_every_case_manager_of_it(app, client, network, make_user):
    app.config.update(QUOTA_ACTIVE_HOLDS_PER_ORGANISATION=3,
                      QUOTA_OPEN_REQUESTS_PER_ORGANISATION=4)
    first, second = make_user("case_manager"), make_user("case_manager")
    other = make_user("case_manager", organisation="org-b")
    mine = [_request(client, first).get_json()["id"] for _ in range(2)]
    theirs = [_request(client, second).get_json()["id"] for _ in range(2)]
    refused = _request(client, second)
    assert refused.status_code == 409
    assert refused.get_json()["errors"]["limit"] == "open_requests_per_organisation"
    assert _request(client, other).status_code == 201

    assert _hold(client, first, mine[0], "dv-gjilan", network).status_code == 201
    assert _hold(client, first, mine[1], "dv-gjilan", network).status_code == 201
    assert _hold(client, second, theirs[0], "dv-gjilan", network).status_code == 201
    refused = _hold(client, second, theirs[1], "dv-gjilan", network)
    assert refused.status_code == 409
    assert refused.get_json()["errors"] == {"limit": "active_holds_per_organisation",
                                            "allowed": 3}


def test_holds_arriving_together_stay_within_the_quota(app, client, network, make_user):
    app.config["QUOTA_ACTIVE_HOLDS_PER_ACCOUNT"] = 3
    manager = make_user("case_manager")
    requests = [_request(client, manager).get_json()["id"] for _ in range(10)]
    db.session.rollback()
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def hold(index):
        local = app.test_client()
        barrier.wait()
        statuses[index] = _hold(local, manager, requests[index], DV[index % len(DV)],
                                network).status_code

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * 3 + [409] * 7, statuses
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Hold.id))) == 3


def test_quotas_are_set_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("QUOTA_ACTIVE_HOLDS_PER_ACCOUNT", "4")
    monkeypatch.setenv("QUOTA_OPEN_REQUESTS_PER_ORGANISATION", "0")
    config = build_config(tmp_path)
    assert config["QUOTA_ACTIVE_HOLDS_PER_ACCOUNT"] == 4
    assert config["QUOTA_OPEN_REQUESTS_PER_ORGANISATION"] == 0
    assert config["QUOTA_OPEN_REQUESTS_PER_ACCOUNT"] == 15
