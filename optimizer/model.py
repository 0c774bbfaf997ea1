"""The placement model as plain linear data, independent of any solver.

Variables: x[k] in {0, 1} for each eligible (request, room class) pair k, and integer pattern
counts z for non-family classes where groups of several sizes or two genders compete for rooms.
Rows are `sum(coef * var) <= ub`. Three objectives: L1 priority (max), L2 fit (max), L3 travel
(min). Pattern counts make room classes exact: a class of n identical rooms with f free beds can
take a set of same-gender groups exactly when the groups can be packed into the rooms, because
each room ends up filled by a multiset of group sizes dominated by a maximal pattern.

Which pairs exist is the registry's verdict (`prepare.py`); the rows are the linear form of what
several requests do to one room (H1's and H5's `fill_check`) and of H7's pairs
(`Instance.keep_apart`, from `h7_apart.partners`). The validator checks every answer with the
rules' own checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .prepare import Prepared


@dataclass
class Pattern:
    """One way to fill a room of a class: `counts[size]` groups of `gender` of each size."""

    var: int
    cls: int
    gender: str
    counts: dict[int, int]


@dataclass
class LinearModel:
    """Solver-neutral model of one component (see module docstring)."""

    requests: list[int]  # request indices of this component
    pairs: list[tuple[int, int]] = field(default_factory=list)  # x var -> (request, class)
    ub: list[int] = field(default_factory=list)  # upper bound of every var (x vars: 1)
    rows: list[tuple[list[int], list[int], int]] = field(default_factory=list)
    priority: list[int] = field(default_factory=list)  # per x var
    fit: list[int] = field(default_factory=list)
    travel: list[int] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)

    @property
    def num_vars(self) -> int:
        return len(self.ub)

    def add_var(self, ub: int) -> int:
        self.ub.append(ub)
        return len(self.ub) - 1


def maximal_patterns(sizes: list[int], free: int) -> list[dict[int, int]]:
    """Maximal multisets of the given group sizes whose total fits in `free` beds."""
    sizes = sorted(set(s for s in sizes if s <= free), reverse=True)
    found: list[dict[int, int]] = []

    def grow(i: int, room: int, chosen: dict[int, int]) -> None:
        if i == len(sizes):
            if all(room < s for s in sizes):
                found.append(dict(chosen))
            return
        size = sizes[i]
        for count in range(room // size, -1, -1):
            if count:
                chosen[size] = count
            else:
                chosen.pop(size, None)
            grow(i + 1, room - count * size, chosen)
        chosen.pop(size, None)

    grow(0, free, {})
    return found


def build_model(prepared: Prepared, requests: list[int],
                shelters_of: dict[int, list[int]]) -> LinearModel:
    """The model over the given requests, each limited to the shelters `shelters_of[r]`."""
    model = LinearModel(requests=list(requests))
    by_class: dict[int, list[int]] = {}
    request_at: dict[tuple[int, int], list[int]] = {}
    for r in requests:
        cands = prepared.candidates[r]
        position = {s: k for k, s in enumerate(cands.shelters)}
        mine = []
        for s in shelters_of[r]:
            k = position[s]
            for c in prepared.classes_for(r, s):
                var = model.add_var(1)
                model.pairs.append((r, c))
                model.priority.append(prepared.priorities[r])
                model.fit.append(cands.fits[k])
                model.travel.append(cands.travels[k])
                by_class.setdefault(c, []).append(var)
                request_at.setdefault((r, s), []).append(var)
                mine.append(var)
        if len(mine) > 1:
            model.rows.append((mine, [1] * len(mine), 1))
    for c, xs in sorted(by_class.items()):
        _class_rows(prepared, model, c, xs)
    _keep_apart_rows(prepared, model, shelters_of, request_at)
    return model


def _class_rows(prepared: Prepared, model: LinearModel, c: int, xs: list[int]) -> None:
    cls = prepared.classes[c]
    rooms = len(cls.rooms)
    if cls.family:
        if len(xs) > rooms:
            model.rows.append((xs, [1] * len(xs), rooms))
        return
    requests = prepared.instance.requests
    groups: dict[tuple[str, int], list[int]] = {}
    for var in xs:
        request = requests[model.pairs[var][0]]
        groups.setdefault((request.gender, request.size), []).append(var)
    genders = sorted({g for g, _ in groups})
    if len(genders) == 1:
        sizes = sorted({s for _, s in groups})
        patterns = maximal_patterns(sizes, cls.free)
        if len(patterns) == 1:
            for (_, size), members in sorted(groups.items()):
                cap = rooms * patterns[0].get(size, 0)
                if len(members) > cap:
                    model.rows.append((members, [1] * len(members), cap))
            return
    pattern_vars = []
    for gender in genders:
        sizes = sorted({s for g, s in groups if g == gender})
        mine = []
        for counts in maximal_patterns(sizes, cls.free):
            var = model.add_var(rooms)
            mine.append(Pattern(var, c, gender, counts))
            pattern_vars.append(var)
        model.patterns.extend(mine)
        for size in sizes:
            members = groups[(gender, size)]
            model.rows.append((members + [p.var for p in mine],
                               [1] * len(members) + [-p.counts.get(size, 0) for p in mine], 0))
    model.rows.append((pattern_vars, [1] * len(pattern_vars), rooms))


def _keep_apart_rows(prepared: Prepared, model: LinearModel, shelters_of: dict[int, list[int]],
                     request_at: dict[tuple[int, int], list[int]]) -> None:
    instance = prepared.instance
    for r in model.requests:
        for partner_id in sorted(instance.keep_apart[instance.requests[r].id], key=repr):
            p = instance.request_index[partner_id]
            if p not in shelters_of or p < r:
                continue
            shared = sorted(set(shelters_of[r]) & set(shelters_of[p]))
            for s in shared:
                both = request_at[(r, s)] + request_at[(p, s)]
                model.rows.append((both, [1] * len(both), 1))
