"""Cases under pseudonymous codes, with their risk reassessments. Nothing here names a person."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from optimizer.vocabulary import CATEGORIES, RISKS
from placement.extensions import db
from placement.models.shelter import _in

CASE_STATUSES = ("open", "closed")
# Who formally identified the victim: a closed list, not free text (nothing here may identify).
IDENTIFYING_AUTHORITIES = (
    "police",
    "border_police",
    "prosecutor",
    "labour_inspectorate",
    "social_work_centre",
    "victims_advocate",
    "ngo",
    "other",
)
REFERRAL_SOURCES = (
    "police",
    "social_work_centre",
    "victims_advocate",
    "ngo",
    "labour_inspectorate",
    "health",
    "self",
    "other",
)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint(_in("category", CATEGORIES), name="category"),
        sa.CheckConstraint(_in("risk", RISKS), name="risk"),
        sa.CheckConstraint(_in("status", CASE_STATUSES), name="status"),
        sa.CheckConstraint(_in("referral_source", REFERRAL_SOURCES), name="referral_source"),
        sa.CheckConstraint(_in("identifying_authority", IDENTIFYING_AUTHORITIES),
                           name="identifying_authority"),
        sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(sa.String(10))
    risk: Mapped[str] = mapped_column(sa.String(10))
    persons: Mapped[list] = mapped_column(sa.JSON)
    # AES-GCM sealed list of {"municipality", "lat", "lon"}; emptied when the case closes.
    suspects_sealed: Mapped[str | None] = mapped_column(sa.Text)
    notes_sealed: Mapped[str | None] = mapped_column(sa.Text)
    keep_apart_from: Mapped[list] = mapped_column(sa.JSON, default=list)
    referral_source: Mapped[str] = mapped_column(sa.String(30))
    identifying_authority: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    close_reason: Mapped[str | None] = mapped_column(sa.String(200))

    organisation = relationship("Organisation")
    assessments = relationship(
        "RiskAssessment", order_by="RiskAssessment.id", back_populates="case"
    )


class RiskAssessment(db.Model):
    """One (re)assessment of a case's risk level; the case carries the latest."""

    __tablename__ = "risk_assessments"
    __table_args__ = (sa.CheckConstraint(_in("risk", RISKS), name="risk"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    risk: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.String(200))

    case = relationship("Case", back_populates="assessments")
