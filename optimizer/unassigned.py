"""Explanations for every request a batch leaves unplaced, all at once.

The answer is the one `rank(residual, request, relaxations=True)` gives request by request (a
test holds them equal), but the rules run over all shelters with numpy (`batch.py`), identical
exclusions are built once and shared, and a bed relaxation, which depends only on the shelter
and the group's shape, is found and checked once per shelter and shape.
"""

from __future__ import annotations

import numpy as np

from .batch import Geometry, PersonRules, RoomRules, room_reason
from .explain import residual_instance
from .hard import h6_suspects, h7_apart
from .registry import RELAXABLE, room_key
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
        # H6 sentences depend on the shelter's area: one class per distinct (radius, has area).
        kinds = [(s.location_radius_km, s.has_area) for s in instance.shelters]
        self._area_kinds = sorted(set(kinds))
        self._area_kind = np.array([self._area_kinds.index(k) for k in kinds] or [0],
                                   dtype=np.int64)[:len(kinds)]
        self._example = {k: instance.shelters[kinds.index(k)] for k in self._area_kinds}
        self._h6_span = 1 + 2 * len(self._area_kinds)
        self._person_ids: dict[tuple, int] = {(): 0}
        self._person_reasons: list[dict[str, str]] = [{}]
        self._content_ids: dict[tuple, int] = {}
        self._contents: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        self._exclusions: list[np.ndarray] = []  # per content: Exclusion by shelter
        self._built: list[np.ndarray] = []
        self._beds: dict[tuple, Relaxation | None] = {}

    def explain(self, request: Request) -> Unassigned:
        codes, person = self._codes(request)
        excluded = np.nonzero(codes)[0]
        if not len(excluded):
            return Unassigned(request.id, (), ())
        found = codes[excluded]
        unique, inverse = np.unique(found, return_inverse=True)
        exclusions = np.empty(len(excluded), dtype=object)
        relaxable = np.zeros(len(excluded), dtype=bool)
        for k, code in enumerate(unique.tolist()):
            content = self._content(request, code, person)
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

    def _codes(self, request: Request) -> tuple[np.ndarray, list[dict[str, str]]]:
        """One integer per shelter naming the set of rules that exclude it (0: none)."""
        person_ids = np.array([self._person_id(r) for r in self.people.reasons(request)] or [0],
                              dtype=np.int64)
        same_town, near = self.geometry.suspects(request)
        # 0: H6 holds; 1 + 2k: municipality, 2 + 2k: distance, for area class k.
        h6 = np.where(same_town, 1, np.where(near, 2, 0))
        h6 = np.where(h6 > 0, h6 + 2 * self._area_kind, 0)
        h7 = self.geometry.kept_apart(request).astype(np.int64)
        room = self.rooms.codes(request)
        person = person_ids[self.people.trait_of] if len(self.ids) else h7
        return ((person * self._h6_span + h6) * 2 + h7) * 4 + room, self._person_reasons

    def _person_id(self, reasons: dict[str, str]) -> int:
        key = tuple(reasons.items())
        found = self._person_ids.get(key)
        if found is None:
            found = self._person_ids[key] = len(self._person_reasons)
            self._person_reasons.append(reasons)
        return found

    def _content(self, request: Request, code: int, person: list[dict[str, str]]) -> int:
        """The id of the (rules, sentences) that a code stands for, for this request."""
        code, room = divmod(code, 4)
        code, h7 = divmod(code, 2)
        person_id, h6 = divmod(code, self._h6_span)
        reasons = dict(person[person_id])
        if h6:
            kind, distance = divmod(h6 - 1, 2)
            shelter = self._example[self._area_kinds[kind]]
            reasons["H6"] = (h6_suspects.distance_sentence(self.instance.policy, request, shelter)
                             if distance else h6_suspects.municipality_sentence(shelter))
        if h7:
            reasons["H7"] = h7_apart.SENTENCE
        reasons.update(room_reason(request, room))
        ordered = dict(sorted(reasons.items()))
        key = (tuple(ordered), tuple(ordered.values()))
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
            if exclusion.rules in (("H1",), ("H2",)):
                relaxation = self._bed_relaxation(request, key, exclusion)
            else:
                relaxation = offer(self.instance, request, exclusion)
                if relaxation and not works(self.instance, request, relaxation):
                    relaxation = None
            if relaxation:
                found.append(relaxation)
        return tuple(found)

    def _bed_relaxation(self, request: Request, key: tuple, exclusion: Exclusion):
        """Beds depend only on the shelter and what the room rules read from the request:
        with H1 or H2 the only rule, every other rule passes, so one check holds for all."""
        cache_key = (key, exclusion.shelter, exclusion.rules)
        if cache_key not in self._beds:
            relaxation = offer(self.instance, request, exclusion)
            if relaxation and not works(self.instance, request, relaxation):
                relaxation = None
            self._beds[cache_key] = relaxation
        return self._beds[cache_key]
