"""Reminders about stays: past the reflection period, or past their planned departure date.

Each goes once per stay and reason to the case managers of the case's organisation and the
shelter's managers, through the notification outbox; a StayReminder row remembers it was sent,
so the job may run any number of times.
"""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Case, Placement, PlacementRequest, StayReminder
from placement.services import notifications
from placement.services.lifecycle_policy import lifecycle_policy


def _not_yet(reason):
    sent = sa.select(StayReminder.id).where(StayReminder.placement_id == Placement.id,
                                            StayReminder.reason == reason)
    return ~sa.exists(sent)


def due_reminders():
    """(placement, reason) for each live stay owed a reminder, in placement order."""
    moment = clock.now()
    reflection_end = moment - lifecycle_policy().reflection_period
    # A planned departure is a date (stored at midnight UTC): it is past once that day is over.
    departure_end = moment - timedelta(days=1)
    placed = sa.select(Placement).where(Placement.status == "placed")
    due = [(p, "reflection_period") for p in db.session.scalars(
        placed.where(Placement.arrived_at <= reflection_end, _not_yet("reflection_period")))]
    due += [(p, "planned_departure") for p in db.session.scalars(
        placed.where(Placement.planned_departure.is_not(None),
                     Placement.planned_departure <= departure_end,
                     _not_yet("planned_departure")))]
    return sorted(due, key=lambda item: (item[0].id, item[1]))


def send_reminders():
    """Send every reminder owed; returns how many stays were reminded of."""
    moment = clock.now()
    due = due_reminders()
    for placement, reason in due:
        db.session.add(StayReminder(placement_id=placement.id, reason=reason, sent_at=moment))
        payload = {"placement_id": placement.id, "request_id": placement.request_id,
                   "shelter_id": placement.shelter_id, "reason_code": reason}
        kind = f"stay.{reason}"
        notifications.notify_shelter_managers(placement.shelter_id, kind, payload)
        organisation_id = db.session.scalar(
            sa.select(Case.organisation_id).join(PlacementRequest)
            .where(PlacementRequest.id == placement.request_id))
        notifications.notify_organisation(organisation_id, kind, payload)
    db.session.flush()
    return len(due)
