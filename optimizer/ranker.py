"""One request against every shelter at once: `rules.rank`'s answer from the batch tables.

`Ranker(instance)` builds `batch.py`'s tables over the instance's shelters once. Each
`ranker.rank(request)` then runs every rule's batch form (they agree exactly with the one-pair
checks: a test holds them equal), builds each distinct exclusion's sentences once and shares
them among the shelters it excludes, and orders the options with numpy. Its answer is
`rules.rank(instance, request.id, relaxations=...)`'s (a test holds them equal); the options
come as arrays in rank order (`Ranked`), so a caller that shows a page builds only that page.
The batch explanation of unplaced requests (`unassigned.py`) is its exclusions and relaxations.

Only the instance's shelters and policy are read: a request need not be one of its requests (the
service keeps one ranker per network and ranks each request it is asked about).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields

import numpy as np

from .batch import Geometry, PersonRules, RoomRules, groups
from .hard.base import Rule
from .hard.h1_beds import bed_relaxation_rooms, beds_added
from .registry import (
    ADMITS,
    BEDS_ADDED_ALWAYS_WORK,
    FITS,
    PLACE,
    RELAXABLE,
    ROOM_RELAXABLE,
    relaxed,
    room_key,
    room_preference_columns,
    room_reasons,
    shelter_verdict,
)
from .relax import offer, works
from .rules import Option, Ranking
from .types import Exclusion, Id, Instance, Relaxation, Request, Unassigned


def _unroomed(shelter) -> tuple:
    """Everything of a shelter but its rooms: what the profile and place tables read."""
    return tuple(getattr(shelter, f.name) for f in fields(shelter) if f.name != "rooms")


# Distinct exclusions (rules and sentences) a ranker keeps before it forgets them all (each holds
# an array over every shelter, and a long-lived ranker meets ever more suspects' radii), and
# kinds of request its tables keep answers for (arrays over every shelter or room).
CONTENTS_KEPT = 512
KINDS_KEPT = 256


@dataclass(frozen=True, eq=False)
class Ranked:
    """A request ranked against every shelter: the exclusions in shelter order, the checked
    relaxations (when asked), and the options in rank order as parallel arrays, one row per
    (shelter, room): the shelter's index in the instance, the room's row in the ranker's room
    table, the L2 parts and the L3 travel."""

    request: Id
    excluded: tuple[Exclusion, ...]
    relaxations: tuple[Relaxation, ...]
    shelter: np.ndarray
    room: np.ndarray
    language: np.ndarray
    needs: np.ndarray
    km: np.ndarray
    ranker: Ranker

    def __len__(self) -> int:
        return len(self.room)

    def option(self, row: int) -> Option:
        """The option at one row (a position in rank order)."""
        ranker = self.ranker
        language, needs = int(self.language[row]), int(self.needs[row])
        return Option(ranker.shelter_ids[int(self.shelter[row])],
                      ranker.room_ids[int(self.room[row])], language + needs, language, needs,
                      int(self.km[row]))

    def options(self, rows=None) -> tuple[Option, ...]:
        """The options at these rows (all of them by default), in the order given."""
        rows = range(len(self)) if rows is None else rows
        return tuple(self.option(int(row)) for row in rows)

    def ranking(self) -> Ranking:
        """The answer as `rules.rank` gives it, every option built."""
        return Ranking(self.request, self.options(), self.excluded, self.relaxations)


class Ranker:
    def __init__(self, instance: Instance):
        self.instance = instance
        self.people = PersonRules(instance)
        self.geometry = Geometry(instance)
        self.rooms = RoomRules(instance)
        self.shelter_ids = [s.id for s in instance.shelters]
        self._room_objects = [room for s in instance.shelters for room in s.rooms]
        self.room_ids = [room.id for room in self._room_objects]
        starts = np.cumsum([0] + [len(s.rooms) for s in instance.shelters])
        # Each room's place in its shelter's list, and what the room preference reads of it.
        self._position = np.arange(len(self.room_ids)) - starts[self.rooms.shelter]
        self._preference = room_preference_columns(self.rooms)
        # A place rule's sentence reads the fields it declares (`says_reads`) besides its code.
        self._says = [groups([tuple(getattr(s, name) for name in rule.says_reads)
                               for s in instance.shelters])[0] for rule in PLACE]
        self._takes: dict[tuple, np.ndarray] = {}
        self._forget()

    def following(self, instance: Instance) -> Ranker:
        """A ranker of `instance`: this one's network after some shelters changed. When the
        same shelters stand in the same order under the same policy, and only rooms and beds
        changed (the other shelters the very same objects), only the changed shelters' rooms
        are read again; otherwise the ranker is built anew."""
        old, new = self.instance.shelters, instance.shelters
        if instance.policy != self.instance.policy or len(old) != len(new):
            return Ranker(instance)
        changed = [k for k, (a, b) in enumerate(zip(old, new, strict=True)) if a is not b]
        if any(_unroomed(old[k]) != _unroomed(new[k]) for k in changed):
            return Ranker(instance)
        rooms = self.rooms.with_rooms_of(instance, changed)
        if rooms is None:
            return Ranker(instance)
        # The profile and place tables (and their memo of answers per kind of request) are
        # shared with this ranker on purpose: the shelters' own fields did not change. Two
        # threads on the two rankers may write the same memo entry, with the same value.
        made = copy.copy(self)
        made.instance, made.rooms = instance, rooms
        made._room_objects, made.room_ids = list(self._room_objects), list(self.room_ids)
        for k in changed:
            rows = slice(rooms.starts[k], rooms.starts[k + 1])
            made._room_objects[rows] = new[k].rooms
            made.room_ids[rows] = [room.id for room in new[k].rooms]
        made._preference = room_preference_columns(rooms)
        made._takes = {}
        made._forget()
        return made

    def _forget(self):
        self._person_ids: dict[tuple, int] = {(): 0}
        self._person_reasons: list[dict[str, str]] = [{}]
        self._content_ids: dict[tuple, int] = {}
        self._contents: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self._exclusions: list[np.ndarray] = []  # per content: Exclusion by shelter
        self._built: list[np.ndarray] = []

    # -- the answers ----------------------------------------------------------------------

    def rank(self, request: Request, *, relaxations: bool | None = None) -> Ranked:
        """`rules.rank(instance, request.id, relaxations=relaxations)`, options as arrays."""
        self._bound()
        codes, parts = self._codes(request)
        excluded, relaxable = self._excluded(request, codes, parts)
        rows = np.nonzero(self._room_takes(request) & (codes == 0)[self.rooms.shelter])[0]
        shelters = self.rooms.shelter[rows]
        language, needs = self.people.language(request), self.people.needs(request)
        feasible = np.unique(shelters)
        km = np.zeros(len(self.shelter_ids), dtype=np.int64)
        km[feasible] = self.geometry.travel(request, feasible)
        language, needs, km = language[shelters], needs[shelters], km[shelters]
        # rules.rank's order: fit down, travel up, shelter order, then the shelter's rooms by
        # the registry's room preference (a stable sort: rooms in their listed order on ties).
        order = np.lexsort((self._position[rows],
                            *(column[rows] for column in self._preference),
                            shelters, km, -(language + needs)))
        if relaxations is None:
            relaxations = not len(rows)
        found = self._relaxations(request, relaxable) if relaxations else ()
        return Ranked(request.id, excluded, found, shelters[order], rows[order],
                      language[order], needs[order], km[order], self)

    def explain(self, request: Request) -> Unassigned:
        """Why no shelter takes the request as things are, and what would: `rank`'s exclusions
        and relaxations, without the options."""
        self._bound()
        codes, parts = self._codes(request)
        excluded, relaxable = self._excluded(request, codes, parts)
        return Unassigned(request.id, excluded, self._relaxations(request, relaxable))

    # -- how ---------------------------------------------------------------------------------

    def _bound(self):
        """A ranker lives as long as its network stands: keep its memory bounded."""
        if len(self._contents) > CONTENTS_KEPT:
            self._forget()
        if self.people.remembered() > KINDS_KEPT:
            self.people = PersonRules(self.instance)
        if self.rooms.remembered() + len(self._takes) > KINDS_KEPT:
            self.rooms.forget()
            self._takes = {}

    def _room_takes(self, request: Request) -> np.ndarray:
        """Per room of the table: does it take the request as it stands (H5 admits it, H1
        fits it; `registry.room_takes` for every room)?"""
        key = room_key(request)
        found = self._takes.get(key)
        if found is None:
            found = self._takes[key] = (ADMITS.room_check(self.rooms, request)
                                        & FITS.room_check(self.rooms, request))
        return found

    def _excluded(self, request: Request, codes: np.ndarray, parts: tuple):
        """Every excluded shelter's Exclusion, in shelter order, and which of them a single
        relaxable rule excludes."""
        excluded = np.nonzero(codes)[0]
        if not len(excluded):
            return (), []
        unique, first, inverse = np.unique(codes[excluded], return_index=True,
                                           return_inverse=True)
        exclusions = np.empty(len(excluded), dtype=object)
        relaxable = np.zeros(len(excluded), dtype=bool)
        for k, example in enumerate(excluded[first].tolist()):
            content = self._content(request, example, parts)
            shared = self._exclusions[content]
            mine = inverse == k
            shelters = excluded[mine]
            built = self._built[content]
            rules, reasons = self._contents[content]
            for s in shelters[~built[shelters]].tolist():
                shared[s] = Exclusion(self.shelter_ids[s], rules, reasons)
            built[shelters] = True
            exclusions[mine] = shared[shelters]
            if len(rules) == 1 and rules[0] in RELAXABLE:
                relaxable[mine] = True
        exclusions = tuple(exclusions.tolist())
        return exclusions, [exclusions[k] for k in np.nonzero(relaxable)[0]]

    def _codes(self, request: Request) -> tuple[np.ndarray, tuple]:
        """One integer per shelter (0: no rule excludes it); shelters with the same integer are
        excluded by the same rules with the same sentences. Also the parts it is made of:
        profile reasons per shelter, each place rule's codes, the room codes."""
        person_ids = np.array([self._person_id(r) for r in self.people.reasons(request)] or [0],
                              dtype=np.int64)
        person = person_ids[self.people.trait_of] if len(self.shelter_ids) else \
            np.zeros(0, dtype=np.int64)
        place = self.geometry.codes(request)
        rooms = self.rooms.codes(request)
        columns = [person]
        for codes, says in zip(place, self._says, strict=True):
            columns += [codes, np.where(codes > 0, says, 0)]
        columns.append(rooms)
        combined = np.zeros(len(self.shelter_ids), dtype=np.int64)
        for column in columns:
            span = int(column.max()) + 1 if len(column) else 1
            combined = combined * span + column
        return combined, (person, place, rooms)

    def _person_id(self, reasons: dict[str, str]) -> int:
        key = tuple(reasons.items())
        found = self._person_ids.get(key)
        if found is None:
            found = self._person_ids[key] = len(self._person_reasons)
            self._person_reasons.append(reasons)
        return found

    def _content(self, request: Request, example: int, parts: tuple) -> int:
        """The id of the (rules, sentences) excluding one shelter, which every shelter with its
        code shares: the rules' own one-pair checks on that shelter."""
        person, place, rooms = parts
        shelter = self.instance.shelters[example]
        reasons = dict(self._person_reasons[person[example]])
        rule: Rule
        for rule, codes in zip(PLACE, place, strict=True):
            if codes[example]:
                reasons[rule.code] = rule.check(self.instance.policy, request, shelter)
        if rooms[example]:
            reasons.update(room_reasons(request, shelter)[1])
        reasons = dict(sorted(reasons.items()))
        key = (tuple(reasons), tuple(reasons.values()))
        found = self._content_ids.get(key)
        if found is None:
            found = self._content_ids[key] = len(self._contents)
            self._contents.append(key)
            self._exclusions.append(np.full(len(self.shelter_ids), None, dtype=object))
            self._built.append(np.zeros(len(self.shelter_ids), dtype=bool))
        return found

    def _relaxations(self, request: Request, exclusions: list[Exclusion]) -> tuple:
        """Checked relaxations for exclusions by a single relaxable rule, in shelter order."""
        found = []
        beds = None
        policies: dict[tuple, object] = {}
        for exclusion in exclusions:
            rule = exclusion.rules[0]
            if rule in ROOM_RELAXABLE:
                if beds is None:
                    beds = bed_relaxation_rooms(self.rooms, request,
                                                ADMITS.room_check(self.rooms, request))
                relaxation = self._beds_added(request, rule, exclusion.shelter, beds)
            else:
                relaxation = offer(self.instance, request, exclusion)
                if relaxation and not self._works(request, relaxation, policies):
                    relaxation = None
            if relaxation:
                found.append(relaxation)
        return tuple(found)

    def _works(self, request: Request, relaxation: Relaxation, policies: dict) -> bool:
        """`relax.works`, building a relaxed policy once for all the relaxations that change
        only the policy, to the same value (H6's distance, at many shelters alike): the
        registry's `relaxed` leaves their shelter as it is."""
        shelter = self.instance.shelter(relaxation.shelter)
        key = (relaxation.rule, relaxation.parameter, relaxation.relaxed)
        policy = policies.get(key)
        if policy is None:
            policy, changed = relaxed(self.instance.policy, shelter, relaxation)
            if changed is not shelter:  # it changes the shelter: nothing to share
                return bool(shelter_verdict(policy, request, changed)[0])
            policies[key] = policy
        return bool(shelter_verdict(policy, request, shelter)[0])

    def _beds_added(self, request: Request, rule: str, shelter_id, beds: np.ndarray):
        """The room rule's relaxation at one shelter (`h1_beds.bed_relaxation`, from the batch
        form's room), checked where the registry says it must be."""
        row = int(beds[self.instance.shelter_index[shelter_id]])
        if row < 0:
            return None
        room = self._room_objects[row]
        relaxation = beds_added(rule, shelter_id, room, request.size - room.free)
        if not BEDS_ADDED_ALWAYS_WORK and not works(self.instance, request, relaxation):
            return None
        return relaxation
