"""The caller's own notifications: list, and mark one read."""


from placement.auth import current_user, requires
from placement.resources.common import Blueprint, View
from placement.resources.notifications.schemas import (
    NotificationQueryArgsSchema,
    NotificationSchema,
)
from placement.services import notifications

blp = Blueprint("notifications", __name__, description="What each user should learn.")


@blp.route("/notifications")
class Notifications(View):
    @requires()
    @blp.arguments(NotificationQueryArgsSchema, location="query")
    @blp.response(200, NotificationSchema(many=True))
    def get(self, args):
        """The caller's notifications, newest first."""
        rows, total = notifications.list_for(current_user(), **args)
        return rows, {"X-Total-Count": str(total)}


@blp.route("/notifications/<int:notification_id>/read")
class NotificationRead(View):
    @requires()
    @blp.response(200, NotificationSchema)
    def post(self, notification_id):
        """Mark one of the caller's notifications read."""
        notification = notifications.mark_read(current_user(), notification_id)
        return notification
