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
