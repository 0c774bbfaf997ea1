"""Concurrency: a request never gets more than two holds, however many arrive at once."""

import threading

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Bed, Hold
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 28, "role": "primary", "languages": ["sq"]}]
SHELTERS = ("dv-prishtine", "dv-gjilan", "dv-mitrovice", "dv-prizren")
CLIENTS = 8


@pytest.mark.parametrize("round_", range(2))
def test_eight_holds_at_once_on_one_request_give_two(app, client, network, make_user, round_):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    # The test's own session read the answer after its commit: end that transaction, or on
    # SQLite (BEGIN IMMEDIATE) it keeps the write lock from every thread.
    db.session.rollback()
    barrier = threading.Barrier(CLIENTS)
    statuses = [None] * CLIENTS

    def hold(index):
        local = app.test_client()
        barrier.wait()
        response = local.post(f"/api/v1/placement-requests/{request['id']}/holds",
                              json={"shelter_id": network[SHELTERS[index % len(SHELTERS)]]},
                              headers=case_manager.headers)
        statuses[index] = response.status_code

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201, 201] + [409] * (CLIENTS - 2), statuses
    db.session.expire_all()
    active = list(db.session.scalars(sa.select(Hold).where(Hold.status == "active")))
    assert len(active) == 2 and len({h.shelter_id for h in active}) == 2
    held = db.session.scalar(sa.select(sa.func.count(Bed.id)).where(Bed.status == "held"))
    assert held == 2


@pytest.mark.parametrize("round_", range(3))
def test_two_shelters_accepting_crossed_holds_at_once_both_succeed(
        app, client, network, make_user, round_):
    """R1 and R2 each hold at both shelters; each shelter accepts a different request at once.
    Each acceptance releases the request's hold at the other shelter: without one lock order
    over shelters, the two transactions wait on each other (a deadlock on PostgreSQL)."""
    case_manager = make_user("case_manager")
    managers = [make_user("shelter_manager", shelters=[code]) for code in SHELTERS[:2]]
    requests = [open_request(client, case_manager, persons=WOMAN, suspects=[])[1]
                for _ in range(2)]
    holds = {}
    for request in requests:
        for code in SHELTERS[:2]:
            answer = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                                 json={"shelter_id": network[code]}, headers=case_manager.headers)
            holds[request["id"], code] = answer.get_json()["id"]
    db.session.rollback()
    # The manager of the first shelter accepts the first request; the second, the second.
    chosen = [(managers[0], holds[requests[0]["id"], SHELTERS[0]]),
              (managers[1], holds[requests[1]["id"], SHELTERS[1]])]
    barrier = threading.Barrier(2)
    statuses = [None, None]

    def accept(index):
        local = app.test_client()
        manager, hold_id = chosen[index]
        barrier.wait()
        statuses[index] = local.post(f"/api/v1/holds/{hold_id}/accept",
                                     headers=manager.headers).status_code

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200, 200]
    db.session.expire_all()
    held = db.session.scalar(sa.select(sa.func.count(Bed.id)).where(Bed.status == "held"))
    assert held == 2
