"""Messages to tenants: an outbox written with the change, delivered by a worker with retries.

- :mod:`.outbox`, :mod:`.campaign_messages`, :mod:`.on_the_way`: writing messages inside the
  transactions of the campaign and job use cases (rendered by :mod:`.render` from the
  templates in ``templates/<language>/<kind>.txt``);
- :mod:`.schedule`: queueing the week's proposals and the day-before reminders (idempotent);
- :mod:`.delivery`, :mod:`.channels`: claiming, sending (SMTP, SMS webhook), retrying;
- :mod:`.drainer`, :mod:`.wake`: when delivery runs (a server's thread, the task queue, cron);
- :mod:`.read`: the outbox as planners read it.
"""

from sitecrew.services.notifications.delivery import DrainReport, drain
from sitecrew.services.notifications.read import ListNotifications, list_notifications
from sitecrew.services.notifications.schedule import TellDays, tell_proposals, tell_reminders

__all__ = [
    "DrainReport",
    "ListNotifications",
    "TellDays",
    "drain",
    "list_notifications",
    "tell_proposals",
    "tell_reminders",
]
