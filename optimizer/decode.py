"""From a class-level answer (request -> room class, pattern counts) to concrete rooms."""

from __future__ import annotations

from collections import Counter

from .model import LinearModel, maximal_patterns
from .prepare import Prepared


def concrete_rooms(prepared: Prepared, model: LinearModel,
                   values: list[int]) -> dict[int, tuple[int, object]]:
    """request index -> (shelter index, room id) for every pair chosen in `values`.

    A request that cannot be packed (which the pattern rows rule out) is simply left out: the
    caller fills and validates afterwards.
    """
    chosen: dict[int, list[int]] = {}
    for var, (r, c) in enumerate(model.pairs):
        if values[var]:
            chosen.setdefault(c, []).append(r)
    patterns: dict[int, list[tuple[str, dict[int, int], int]]] = {}
    for p in model.patterns:
        if values[p.var]:
            patterns.setdefault(p.cls, []).append((p.gender, p.counts, values[p.var]))
    placed: dict[int, tuple[int, object]] = {}
    for c, requests in sorted(chosen.items()):
        cls = prepared.classes[c]
        if cls.family:
            for r, room in zip(sorted(requests), cls.rooms, strict=False):
                placed[r] = (cls.shelter, room)
            continue
        layout = patterns.get(c) or _single_layout(prepared, cls, requests)
        placed.update(_pack(prepared, cls, requests, layout))
    return placed


def _single_layout(prepared: Prepared, cls, requests: list[int]):
    people = prepared.instance.requests
    genders = sorted({people[r].gender for r in requests})
    sizes = sorted({people[r].size for r in requests})
    layout = []
    for gender in genders:
        for counts in maximal_patterns(sizes, cls.free)[:1]:
            layout.append((gender, counts, len(cls.rooms)))
    return layout


def _pack(prepared: Prepared, cls, requests: list[int], layout) -> dict[int, tuple[int, object]]:
    people = prepared.instance.requests
    rooms = list(cls.rooms)
    slots: list[tuple[str, Counter, object]] = []
    for gender, counts, copies in layout:
        for _ in range(copies):
            if rooms:
                slots.append((gender, Counter(counts), rooms.pop(0)))
    placed = {}
    for r in sorted(requests, key=lambda i: (-people[i].size, i)):
        request = people[r]
        for gender, counter, room in slots:
            if gender == request.gender and counter[request.size] > 0:
                counter[request.size] -= 1
                placed[r] = (cls.shelter, room)
                break
    return placed
