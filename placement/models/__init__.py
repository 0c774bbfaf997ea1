"""SQLAlchemy models: tables, constraints and relationships only."""

from placement.models.account import LoginAttempt, Token, User, user_shelters
from placement.models.audit import AuditEvent, AuditHead
from placement.models.case import Case, RiskAssessment
from placement.models.geo import Municipality, NetworkSettings, Organisation, Region
from placement.models.job import JobLock, JobRun
from placement.models.lifecycle import NeedCount, StayReminder
from placement.models.notification import Notification, NotificationDelivery, ShelterStaleFlag
from placement.models.occupancy import OccupancySnapshot
from placement.models.policy import PolicyVersion
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
    "AuditEvent",
    "AuditHead",
    "Bed",
    "BedEvent",
    "Case",
    "Hold",
    "IdempotencyKey",
    "JobLock",
    "JobRun",
    "LoginAttempt",
    "Municipality",
    "NeedCount",
    "NetworkSettings",
    "Notification",
    "NotificationDelivery",
    "OccupancySnapshot",
    "Organisation",
    "OptimizerRun",
    "Placement",
    "PolicyVersion",
    "PlacementRequest",
    "Proposal",
    "RequestEvent",
    "Region",
    "RiskAssessment",
    "Room",
    "Shelter",
    "ShelterStaleFlag",
    "StayReminder",
    "Token",
    "User",
    "user_shelters",
]
