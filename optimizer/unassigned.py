"""Explanations for every request a batch leaves unplaced, all at once.

The answer is the one `rank(residual, request, relaxations=True)` gives request by request (a
test holds them equal), but the rules run over all shelters with numpy (`batch.py`), identical
exclusions are built once and shared, and a bed relaxation, which depends only on the shelter
and the group's shape, is found and checked once per shelter and shape.
"""

from __future__ import annotations

import numpy as np

from .batch import Geometry, PersonRules, RoomRules, groups
from .explain import residual_instance
from .registry import PLACE, RELAXABLE, ROOM_RELAXABLE, room_key, room_reasons
from .relax import offer, works
from .types import Exclusion, Instance, Relaxation, Request, Unassigned


def explain_unassigned(instance: Instance, assignments) -> tuple[Unassigned, ...]:
    """For every request the assignments leave out: exclusions and relaxations, after them."""
    placed = {a.request for a in assignments}
    if len(placed) == len(instance.requests):
        return ()
    residual = residual_instance(instance, assignments)
    explainer = _Explainer(residual)
    return tuple(explainer.explain(request) for request in residual.requests)


class _Explainer:
    def __init__(self, instance: Instance):
        self.instance = instance
        self.people = PersonRules(instance)
        self.geometry = Geometry(instance)
        self.rooms = RoomRules(instance)
        self.ids = [s.id for s in instance.shelters]
        # A place rule's sentence reads the fields it declares (`says_reads`) besides its code.
        self._says = [groups([tuple(getattr(s, name) for name in rule.says_reads)
                               for s in instance.shelters])[0] for rule in PLACE]
        self._person_ids: dict[tuple, int] = {(): 0}
        self._person_reasons: list[dict[str, str]] = [{}]
        self._content_ids: dict[tuple, int] = {}
        self._contents: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self._exclusions: list[np.ndarray] = []  # per content: Exclusion by shelter
        self._built: list[np.ndarray] = []
        self._beds: dict[tuple, Relaxation | None] = {}

    def explain(self, request: Request) -> Unassigned:
        codes, parts = self._codes(request)
        excluded = np.nonzero(codes)[0]
        if not len(excluded):
            return Unassigned(request.id, (), ())
        found = codes[excluded]
        unique, first, inverse = np.unique(found, return_index=True, return_inverse=True)
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
                shared[s] = Exclusion(self.ids[s], rules, reasons)
            built[shelters] = True
            exclusions[mine] = shared[shelters]
            if len(rules) == 1 and rules[0] in RELAXABLE:
                relaxable[mine] = True
        exclusions = exclusions.tolist()
        relaxations = self._relaxations(request, [exclusions[k] for k in np.nonzero(relaxable)[0]])
        return Unassigned(request.id, tuple(exclusions), relaxations)

    def _codes(self, request: Request) -> tuple[np.ndarray, tuple]:
        """One integer per shelter (0: no rule excludes it); shelters with the same integer are
        excluded by the same rules with the same sentences. Also the parts it is made of:
        profile reasons per shelter, each place rule's codes, the room codes."""
        person_ids = np.array([self._person_id(r) for r in self.people.reasons(request)] or [0],
                              dtype=np.int64)
        person = person_ids[self.people.trait_of] if len(self.ids) else \
            np.zeros(0, dtype=np.int64)
        place = self.geometry.codes(request)
        rooms = self.rooms.codes(request)
        columns = [person]
        for codes, says in zip(place, self._says, strict=True):
            columns += [codes, np.where(codes > 0, says, 0)]
        columns.append(rooms)
        combined = np.zeros(len(self.ids), dtype=np.int64)
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
            self._exclusions.append(np.full(len(self.ids), None, dtype=object))
            self._built.append(np.zeros(len(self.ids), dtype=bool))
        return found

    def _relaxations(self, request: Request, exclusions: list[Exclusion]) -> tuple:
        """Checked relaxations for exclusions by a single relaxable rule, in shelter order."""
        found = []
        key = room_key(request)
        for exclusion in exclusions:
            if exclusion.rules[0] in ROOM_RELAXABLE:
                relaxation = self._bed_relaxation(request, key, exclusion)
            else:
                relaxation = offer(self.instance, request, exclusion)
                if relaxation and not works(self.instance, request, relaxation):
                    relaxation = None
            if relaxation:
                found.append(relaxation)
        return tuple(found)

    def _bed_relaxation(self, request: Request, key: tuple, exclusion: Exclusion):
        """A room rule's relaxation depends only on the shelter and what the room rules read
        from the request: with it the only rule, every other rule passes, so one check holds
        for all."""
        cache_key = (key, exclusion.shelter, exclusion.rules)
        if cache_key not in self._beds:
            relaxation = offer(self.instance, request, exclusion)
            if relaxation and not works(self.instance, request, relaxation):
                relaxation = None
            self._beds[cache_key] = relaxation
        return self._beds[cache_key]
