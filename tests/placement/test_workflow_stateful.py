"""Random sequences of workflow actions, with the bed and status invariants checked after each.

The actions are the services the views call (one transaction each, rolled back on a domain
error); the clock moves instead of sleeping. Each example opens its own cases and, at its end,
discharges and closes them, so the next one finds the beds free again.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from placement import clock
from placement.errors import DomainError
from placement.extensions import db
from placement.models import Case, Hold, Placement, PlacementRequest, User
from placement.services import cases, holds, placements, requests
from tests.placement.workflow_helpers import MOTHER_WITH_TWO

SHELTERS = ("dv-prishtine", "dv-gjilan", "dv-mitrovice")
PEOPLE = (
    [{"gender": "female", "age": 30, "role": "primary"}],
    [{"gender": "female", "age": 30, "role": "primary"},
     {"gender": "female", "age": 24, "role": "adult"}],
    MOTHER_WITH_TWO,
)
pick = st.integers(min_value=0, max_value=50)
# Weighted: holds and acceptances often, closing a case (which ends everything) rarely.
ACTIONS = ("hold",) * 4 + ("accept",) * 3 + ("arrive",) * 2 + ("time_passes",) * 2 + (
    "decline", "cancel", "no_show", "discharge", "transfer", "close")


def _rows(sql):
    return db.session.execute(sa.text(sql)).all()


def check_invariants():
    """Beds, holds, placements and request statuses agree with each other."""
    persons = {case_id: len(people) for case_id, people in
               db.session.execute(sa.select(Case.id, Case.persons)).all()}
    case_of = dict(db.session.execute(
        sa.select(PlacementRequest.id, PlacementRequest.case_id)).all())
    holds_by_id = {h.id: h for h in db.session.scalars(sa.select(Hold))}
    placement_of_hold = {p.hold_id: p for p in db.session.scalars(sa.select(Placement))}
    beds = _rows("SELECT id, status, hold_id, placement_id FROM beds WHERE removed_at IS NULL")
    held_by, occupied_by = {}, {}
    for bed_id, status, hold_id, placement_id in beds:
        if status == "held":
            hold = holds_by_id.get(hold_id)
            assert hold is not None, f"bed {bed_id} held without a hold"
            live = hold.status == "active" or (
                hold.status == "accepted" and placement_of_hold[hold.id].status == "accepted")
            assert live, f"bed {bed_id} held for hold {hold_id}, which is {hold.status}"
            held_by[hold_id] = held_by.get(hold_id, 0) + 1
        else:
            assert hold_id is None, f"bed {bed_id} is {status} yet names hold {hold_id}"
        if placement_id is not None:
            assert status == "occupied", f"bed {bed_id} is {status} for placement {placement_id}"
            occupied_by[placement_id] = occupied_by.get(placement_id, 0) + 1
    for hold in holds_by_id.values():
        placement = placement_of_hold.get(hold.id)
        expects_beds = hold.status == "active" or (
            hold.status == "accepted" and placement.status == "accepted")
        want = persons[case_of[hold.request_id]] if expects_beds else 0
        assert held_by.get(hold.id, 0) == want, f"hold {hold.id} ({hold.status}) beds"
    for placement in placement_of_hold.values():
        want = persons[case_of[placement.request_id]] if placement.status == "placed" else 0
        assert occupied_by.get(placement.id, 0) == want, f"placement {placement.id} beds"
    _check_statuses(holds_by_id.values(), placement_of_hold.values(), case_of)


def _check_statuses(all_holds, all_placements, case_of):
    active, live, placed_per_case = {}, {}, {}
    for hold in all_holds:
        if hold.status == "active":
            active[hold.request_id] = active.get(hold.request_id, 0) + 1
    for placement in all_placements:
        if placement.status in ("accepted", "placed"):
            assert placement.request_id not in live, f"request {placement.request_id}: 2 live"
            live[placement.request_id] = placement.status
        if placement.status == "placed":
            case_id = case_of[placement.request_id]
            placed_per_case[case_id] = placed_per_case.get(case_id, 0) + 1
    assert all(n <= 1 for n in placed_per_case.values()), f"placed twice: {placed_per_case}"
    for request_id, status in db.session.execute(
            sa.select(PlacementRequest.id, PlacementRequest.status)):
        n_active = active.get(request_id, 0)
        assert n_active <= 2, f"request {request_id} has {n_active} active holds"
        expected = {"open": (0, None), "accepted": (0, "accepted"), "placed": (0, "placed"),
                    "ended": (0, None)}.get(status)
        if status == "held":
            assert n_active >= 1 and request_id not in live, f"request {request_id} held"
        else:
            assert (n_active, live.get(request_id)) == expected, (request_id, status)


class Workflow(RuleBasedStateMachine):
    """One example: a few cases of one organisation and what can happen to them."""

    def __init__(self, users, shelter_ids):
        super().__init__()
        self.users = users
        self.shelter_ids = shelter_ids
        self.offset = clock._offset or timedelta(0)
        self.cases = []
        self.requests = []
        for people in PEOPLE:
            body = {"category": "dv", "risk": "low", "persons": people, "suspects": [],
                    "referral_source": "police", "identifying_authority": "police"}
            case = cases.create_case(users["case"], body)
            self.cases.append(case.id)
            self.requests.append(
                requests.create_request(users["case"], case, "urgent", "prishtine").id)
        db.session.commit()

    def _act(self, action, *args):
        try:
            action(*args)
        except DomainError:
            db.session.rollback()
        else:
            db.session.commit()

    def _mine(self, model, choice, *statuses):
        query = sa.select(model).join(PlacementRequest, PlacementRequest.id == model.request_id)
        query = query.where(PlacementRequest.case_id.in_(self.cases), model.status.in_(statuses))
        found = list(db.session.scalars(query.order_by(model.id)))
        return found[choice % len(found)] if found else None

    @rule(action=st.sampled_from(ACTIONS), first=pick, second=pick)
    def step(self, action, first, second):
        """One action by whoever would take it; `first` and `second` choose its objects."""
        getattr(self, action)(first, second)

    def hold(self, request, shelter):
        ids = list(db.session.scalars(sa.select(PlacementRequest.id).where(
            PlacementRequest.case_id.in_(self.cases)).order_by(PlacementRequest.id)))
        target = db.session.get(PlacementRequest, ids[request % len(ids)])
        self._act(holds.create_hold, self.users["case"], target,
                  self.shelter_ids[shelter % len(self.shelter_ids)])

    def _on_hold(self, choice, act):
        hold = self._mine(Hold, choice, "active", "accepted")
        if hold is not None:
            self._act(act, hold)

    def accept(self, choice, _):
        self._on_hold(choice, lambda hold: holds.accept_hold(self.users["shelter"], hold))

    def decline(self, choice, _):
        self._on_hold(choice, lambda hold: holds.decline_hold(self.users["shelter"], hold, "other"))

    def cancel(self, choice, _):
        self._on_hold(choice, lambda hold: holds.cancel_hold(self.users["case"], hold))

    def time_passes(self, choice, _):
        """The clock moves on 20 or 50 minutes and the expiry job runs."""
        self.offset += timedelta(minutes=(20, 50)[choice % 2])
        clock.set_offset(self.offset)
        self._act(holds.release_expired_holds)

    def _on_placement(self, choice, act):
        placement = self._mine(Placement, choice, "accepted", "placed")
        if placement is not None:
            self._act(act, placement)

    def arrive(self, choice, _):
        self._on_placement(choice, lambda p: placements.arrive(self.users["shelter"], p))

    def no_show(self, choice, _):
        self._on_placement(choice, lambda p: placements.no_show(self.users["shelter"], p))

    def discharge(self, choice, _):
        self._on_placement(
            choice, lambda p: placements.discharge(self.users["shelter"], p, "other"))

    def transfer(self, choice, _):
        self._on_placement(
            choice, lambda p: placements.transfer(self.users["case"], p, "routine", None))

    def close(self, choice, _):
        case = db.session.get(Case, self.cases[choice % len(self.cases)])
        self._act(placements.close_case, self.users["case"], case, "closed in test")

    @invariant()
    def consistent(self):
        db.session.expire_all()
        check_invariants()
        db.session.rollback()

    def teardown(self):
        """Discharge whoever is placed and close every case: the beds are free again."""
        db.session.rollback()
        while placement := self._mine(Placement, 0, "placed"):
            placements.discharge(self.users["shelter"], placement, "other")
            db.session.commit()
        for case_id in self.cases:
            case = db.session.get(Case, case_id)
            if case.status == "open":
                placements.close_case(self.users["case"], case, "end of example")
                db.session.commit()
        check_invariants()
        db.session.rollback()


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_random_workflow_sequences_keep_beds_and_statuses_consistent(network, make_user):
    users = {
        "case": db.session.get(User, make_user("case_manager").user_id),
        "shelter": db.session.get(User, make_user("shelter_manager", shelters=SHELTERS).user_id),
    }
    shelter_ids = [network[code] for code in SHELTERS]
    run_state_machine_as_test(
        lambda: Workflow(users, shelter_ids),
        # No shrinking: the examples share one database, so a replayed one meets other beds.
        settings=settings(max_examples=20, stateful_step_count=30, deadline=None,
                          suppress_health_check=list(HealthCheck), database=None,
                          phases=(Phase.explicit, Phase.generate)),
    )
