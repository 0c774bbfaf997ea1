"""Random sequences of capacity changes keep counts sane and the bed history replayable."""

import itertools

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models import Bed, BedEvent, Room, Shelter
from placement.services import capacity
from placement.services.network import load_network
from tests.placement.conftest import remember_coordinate
from tests.placement.workflow_helpers import hold_bed, release_bed

LOCATION = (42.661234, 20.291234)
FREE = ("available", "out_of_service")
_serial = itertools.count(1)


def _network(code):
    return {
        "regions": [{"code": "peje", "name": "Pejë"}],
        "municipalities": [
            {"code": "peje", "name": "Pejë", "region": "peje", "lat": 42.66, "lon": 20.29}
        ],
        "shelters": [
            {
                "id": code,
                "name": "Property test shelter",
                "kind": "dv",
                "region": "peje",
                "municipality": "peje",
                "lat": LOCATION[0],
                "lon": LOCATION[1],
                "gender_policy": "any",
                "rooms": [
                    {"id": "A", "kind": "adult", "gender": "female", "beds": 2},
                    {"id": "F", "kind": "family", "gender": "any", "beds": 2},
                    {"id": "M", "kind": "minor", "gender": "any", "beds": 1},
                ],
            }
        ],
    }


OCCUPANTS = st.fixed_dictionaries(
    {
        "gender": st.sampled_from(["female", "male"]),
        "age": st.integers(0, 90),
        "group": st.sampled_from(["g1", "g2"]),
    }
)


class CapacityMachine(RuleBasedStateMachine):
    """Drives the capacity services; `expected` is what each bed's status must now be."""

    def __init__(self):
        super().__init__()
        self.code = f"prop-{next(_serial)}"
        load_network(_network(self.code))
        db.session.commit()
        self.shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == self.code))
        self.rooms = list(
            db.session.scalars(sa.select(Room).where(Room.shelter_id == self.shelter.id))
        )
        self.expected = {bed.id: bed.status for bed in self._beds()}

    def _beds(self):
        return list(
            db.session.scalars(
                sa.select(Bed)
                .join(Room)
                .where(Room.shelter_id == self.shelter.id, Bed.removed_at.is_(None))
                .order_by(Bed.id)
            )
        )

    def _pick(self, index):
        beds = self._beds()
        return beds[index % len(beds)]

    def _attempt(self, bed, allowed, to_status, change, refusals=(Conflict,)):
        """Run `change`; it must succeed exactly when the bed's state allows it."""
        before = bed.status
        try:
            change()
        except refusals as error:
            db.session.rollback()
            if isinstance(error, Conflict):
                assert before not in allowed, f"{before} -> {to_status} refused: {error.message}"
            return
        db.session.commit()
        assert before in allowed, f"{before} -> {to_status} was allowed"
        if to_status == "removed":
            del self.expected[bed.id]
        else:
            self.expected[bed.id] = to_status

    @rule(room=st.integers(0, 2), count=st.integers(1, 2))
    def add_beds(self, room, count):
        for bed in capacity.add_beds(self.rooms[room], count, actor=None):
            self.expected[bed.id] = "available"
        db.session.commit()

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50))
    def remove_bed(self, index):
        bed = self._pick(index)
        self._attempt(bed, FREE, "removed", lambda: capacity.remove_bed(bed, actor=None))

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50), status=st.sampled_from(["out_of_service", "available"]))
    def set_status(self, index, status):
        bed = self._pick(index)
        allowed = {"out_of_service": ("available",), "available": ("out_of_service",)}[status]
        if bed.status == status:
            allowed = (status,)  # asking for the state a bed is in changes nothing
        self._attempt(
            bed,
            allowed,
            status,
            lambda: capacity.set_bed_status(bed, status, "property test", actor=None),
        )

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50), occupant=OCCUPANTS)
    def admit(self, index, occupant):
        bed = self._pick(index)
        self._attempt(
            bed,
            ("available",),
            "occupied",
            lambda: capacity.admit_resident(bed, occupant, "walk-in", actor=None),
            refusals=(Conflict, RuleViolation),
        )

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50))
    def depart(self, index):
        bed = self._pick(index)
        self._attempt(
            bed, ("occupied",), "available", lambda: capacity.record_departure(bed, "left", None)
        )

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50))
    def hold(self, index):
        bed = self._pick(index)
        self._attempt(
            bed,
            ("available",),
            "held",
            lambda: hold_bed(bed),
        )

    @precondition(lambda self: self.expected)
    @rule(index=st.integers(0, 50))
    def release(self, index):
        bed = self._pick(index)
        self._attempt(
            bed,
            ("held",),
            "available",
            lambda: release_bed(bed),
        )

    @invariant()
    def beds_are_as_expected(self):
        assert {bed.id: bed.status for bed in self._beds()} == self.expected

    @invariant()
    def counts_stay_within_capacity(self):
        by_kind = capacity.counts_by_room_kind([self.shelter.id])[self.shelter.id]
        total = capacity.shelter_totals(by_kind)
        for counts in [*by_kind.values(), total]:
            assert min(counts.occupied, counts.held, counts.out_of_service) >= 0
            assert counts.available >= 0
            assert counts.occupied + counts.held + counts.out_of_service <= counts.total
            assert counts.available == counts.in_service - counts.occupied - counts.held
        statuses = list(self.expected.values())
        assert total.total == len(statuses)
        assert total.available == statuses.count("available")
        assert total.occupied == statuses.count("occupied")
        assert total.held == statuses.count("held")

    @invariant()
    def history_replays_to_the_current_beds(self):
        beds = db.session.scalars(
            sa.select(Bed).join(Room).where(Room.shelter_id == self.shelter.id)
        ).all()
        for bed in beds:
            events = db.session.scalars(
                sa.select(BedEvent).where(BedEvent.bed_id == bed.id).order_by(BedEvent.id)
            ).all()
            state, occupant = None, None
            for event in events:
                assert event.from_status == state, (bed.id, event.id)
                state = event.to_status
                occupant = (event.occupant_gender, event.occupant_age, event.occupant_group)
                if state == "removed":
                    state = None
            if bed.removed_at is not None:
                assert events[-1].to_status == "removed"
                continue
            assert state == bed.status
            if bed.status == "occupied":
                assert occupant == (bed.occupant_gender, bed.occupant_age, bed.occupant_group)


def test_capacity_changes_keep_counts_and_history_consistent(app):
    for value in LOCATION:
        remember_coordinate(value)
    CapacityMachine.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    CapacityMachine.TestCase().runTest()
