"""Accounts, their scopes, bearer tokens (stored hashed) and login attempts for rate limiting."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placement.extensions import db

ROLES = ("case_manager", "shelter_manager", "regional_coordinator", "national_coordinator", "admin")

user_shelters = sa.Table(
    "user_shelters",
    db.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("shelter_id", sa.ForeignKey("shelters.id", ondelete="CASCADE"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(f"role IN ({', '.join(repr(r) for r in ROLES)})", name="role"),
        sa.CheckConstraint(
            "role <> 'case_manager' OR organisation_id IS NOT NULL", name="case_manager_org"
        ),
        sa.CheckConstraint(
            "role <> 'regional_coordinator' OR region_code IS NOT NULL", name="coordinator_region"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(30))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    disabled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The pages' language, chosen by the user (None: from the browser until they choose).
    language: Mapped[str | None] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    organisation = relationship("Organisation")
    region = relationship("Region")
    shelters = relationship("Shelter", secondary=user_shelters, order_by="Shelter.id")


class Token(db.Model):
    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    last_used_at: Mapped[datetime] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User")


class LoginAttempt(db.Model):
    __tablename__ = "login_attempts"
    __table_args__ = (sa.Index("ix_login_attempts_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80))
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    succeeded: Mapped[bool] = mapped_column()
