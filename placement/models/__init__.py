"""SQLAlchemy models: tables, constraints and relationships only."""

from placement.models.account import LoginAttempt, Token, User, user_shelters
from placement.models.case import Case, RiskAssessment
from placement.models.geo import Municipality, Organisation, Region
from placement.models.shelter import Bed, BedEvent, Room, Shelter
from placement.models.workflow import (
    Hold,
    IdempotencyKey,
    OptimizerRun,
    Placement,
    PlacementRequest,
    Proposal,
    RequestEvent,
)

__all__ = [
    "Bed",
    "BedEvent",
    "Case",
    "Hold",
    "IdempotencyKey",
    "OptimizerRun",
    "Placement",
    "PlacementRequest",
    "Proposal",
    "RequestEvent",
    "RiskAssessment",
    "LoginAttempt",
    "Municipality",
    "Organisation",
    "Region",
    "Room",
    "Shelter",
    "Token",
    "User",
    "user_shelters",
]
