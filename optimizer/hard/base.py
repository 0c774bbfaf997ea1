"""What a hard rule is: its code, its check, the fields it reads, its override, its relaxation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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

    def __post_init__(self):
        if self.scope not in SCOPES:
            raise ValueError(f"{self.code}: scope must be one of {', '.join(SCOPES)}")
        if (self.relax is None) != (self.relaxed is None):
            raise ValueError(f"{self.code}: a relaxation needs both relax and relaxed")

    @property
    def overridable(self) -> bool:
        return self.override is not None
