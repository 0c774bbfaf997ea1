"""The placement policy as data: one append-only row per version, with who, when, what and why."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db
from placement.models.shelter import _in

POLICY_SOURCES = ("api", "command", "network_file")


class PolicyVersion(db.Model):
    """A version of the policy: rows are only ever added; the newest one is in force."""

    __tablename__ = "policy_versions"
    __table_args__ = (sa.CheckConstraint(_in("source", POLICY_SOURCES), name="source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # Null when the change came from the command line or a network file (no account).
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str] = mapped_column(sa.String(200))
    # The values set in this version (the rest take the defaults), and what changed from the
    # version before: {"min_suspect_distance_km.high": [30.0, 45.0], ...}.
    settings: Mapped[dict] = mapped_column(sa.JSON)
    changes: Mapped[dict] = mapped_column(sa.JSON)
