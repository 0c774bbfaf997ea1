"""SQLAlchemy models: tables, constraints and relationships only."""

from placement.models.account import LoginAttempt, Token, User, user_shelters
from placement.models.geo import Municipality, Organisation, Region
from placement.models.shelter import Bed, BedEvent, Room, Shelter

__all__ = [
    "Bed",
    "BedEvent",
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
