"""What a hard rule is: its code, its check, the fields it reads, its override, its relaxation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Where a rule is decided, which says how the batch code evaluates it over many shelters:
# "profile": by who the request is and the shelter's own fields (grouped by the declared fields);
# "place": by where the shelter is or who stays there (H6, H7: vectorised in batch.py);
# "room": by the rooms' beds, kinds and occupants (H1, H2, H5: vectorised in batch.py).
SCOPES = ("profile", "place", "room")


class Reason(str):
    """A rule's English sentence that also carries a `key` naming its template and the `params`
    it was built from, so a reader (a page) can say the same sentence in another language.
    Every parameter is public: policy figures and the area's radius, never a measured distance."""

    key: str
    params: dict

    def __new__(cls, key: str, text: str, **params):
        reason = super().__new__(cls, text)
        reason.key, reason.params = key, params
        return reason

    def __getnewargs_ex__(self):
        return (self.key, str(self)), dict(self.params)


@dataclass(frozen=True)
class Rule:
    """One hard rule.

    `check`: for profile and place rules `(policy, request, shelter) -> sentence | None`; for
    room rules `(request, rooms) -> sentence | None` over the rooms the earlier room rules left.
    A sentence states the rule and its threshold, never a distance to a shelter.
    `request_reads`, `shelter_reads` and `room_reads` name every attribute the check reads: the
    batch code builds its cache keys from them, so a rule that reads a field must declare it.
    `override`: what a coordinator's waiver lets through, or None for a rule no one may waive.
    `relax(instance, request, shelter_id)` offers one single-parameter change (a `Relaxation`)
    or None, and `relaxed(policy, shelter, relaxation)` applies it, returning both.
    `fill_check(room, requests)`: room rules, the breaches when several requests enter a room.
    `over_shelters`: the same check for every shelter at once (numpy, `batch.py`'s tables).
    For place rules `(table, policy, request) -> int per shelter`: 0 where the rule holds, else
    a code for the sentence's variant; for room rules `(table, request, rooms) -> bool per
    shelter`, excluded, over the rooms `rooms` marks. Profile rules need none: the batch code
    runs `check` once per combination of the declared fields.
    `room_check(table, request) -> bool per room`: room rules read per room (H5 admits, H1 fits).
    `says_reads`: the shelter fields the sentence reads besides the verdict (H6's radius), so a
    sentence built for one shelter serves every shelter with the same code and these fields.
    """

    code: str
    says: str
    scope: str
    check: Callable
    request_reads: tuple[str, ...]
    shelter_reads: tuple[str, ...] = ()
    room_reads: tuple[str, ...] = ()
    override: str | None = None
    relax: Callable | None = None
    relaxed: Callable | None = None
    fill_check: Callable | None = None
    over_shelters: Callable | None = None
    room_check: Callable | None = None
    says_reads: tuple[str, ...] = ()

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ValueError(f"{self.code}: scope must be one of {', '.join(SCOPES)}")
        if (self.relax is None) != (self.relaxed is None):
            raise ValueError(f"{self.code}: a relaxation needs both relax and relaxed")
        if (self.scope == "profile") == (self.over_shelters is not None):
            raise ValueError(f"{self.code}: place and room rules, and only they, need a batch "
                             "form (over_shelters)")
        if not set(self.says_reads) <= set(self.shelter_reads):
            raise ValueError(f"{self.code}: says_reads must be among shelter_reads")

    @property
    def overridable(self) -> bool:
        return self.override is not None


def any_room(table, rooms: np.ndarray) -> np.ndarray:
    """Per shelter of a room table (`batch.RoomRules`): does any room `rooms` marks belong to it?"""
    return np.bincount(table.shelter, weights=rooms, minlength=table.count) > 0
