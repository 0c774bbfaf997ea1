"""SQLAlchemy models: tables, constraints and relationships only."""

from placement.models.account import LoginAttempt, Token, User, user_shelters
from placement.models.audit import AuditEvent, AuditHead
from placement.models.geo import Municipality, Organisation, Region
from placement.models.job import JobLock, JobRun
from placement.models.notification import Notification, NotificationDelivery, ShelterStaleFlag
from placement.models.shelter import Bed, BedEvent, Room, Shelter

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Bed",
    "BedEvent",
    "JobLock",
    "JobRun",
    "LoginAttempt",
    "Municipality",
    "Notification",
    "NotificationDelivery",
    "Organisation",
    "Region",
    "Room",
    "Shelter",
    "ShelterStaleFlag",
    "Token",
    "User",
    "user_shelters",
]
