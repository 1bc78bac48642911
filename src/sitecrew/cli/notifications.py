"""``sitecrew notifications``: deliver the outbox from cron, queue reminders and proposals, list.

``send-due`` delivers every message due now and exits (for cron or a systemd timer, where no
server or task queue drains the outbox); ``remind`` and ``propose`` queue the messages of days
(idempotent: run them daily); ``list`` shows what failed. All act as an administrator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import typer

from sitecrew.cli.database import configured_sessions

app = typer.Typer(
    help="Messages to tenants: deliver what is due, queue reminders and proposals, list them.",
    no_args_is_help=True,
)


def _day(text: str | None, default: date) -> date:
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415

    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"not a date (YYYY-MM-DD): {text[:20]!r}") from None


@app.command("send-due")
def send_due() -> None:
    """Deliver every message due now (retries included) and say how it went."""
    from sitecrew.config import Settings  # noqa: PLC0415
    from sitecrew.db.engine import write_session_factory  # noqa: PLC0415
    from sitecrew.services.notifications import drain  # noqa: PLC0415
    from sitecrew.services.notifications.channels import channels_from_settings  # noqa: PLC0415

    configured = Settings.from_env()
    settings = configured.notifications
    with configured_sessions() as sessions:
        # Claims read then write: on SQLite they take the write lock first (BEGIN IMMEDIATE).
        writes = write_session_factory(sessions.kw["bind"])
        report = drain(
            writes, settings, channels_from_settings(settings), links=configured.tenant_links
        )
    typer.echo(
        f"{len(report.sent)} sent, {len(report.retried)} to retry later, "
        f"{len(report.failed)} failed for good"
    )


@app.command()
def remind(
    day: str | None = typer.Option(None, "--day", help="Visits of this day (default: tomorrow)."),
    campaign: int | None = typer.Option(None, "--campaign", help="Only this campaign's."),
) -> None:
    """Queue the day-before reminders for a day's visits (again: nothing new)."""
    _tell("reminders", day, 1, campaign, default=datetime.now(UTC).date() + timedelta(days=1))


@app.command()
def propose(
    first_day: str | None = typer.Option(None, "--from", help="First day (default: today)."),
    days: int = typer.Option(7, "--days", min=1, max=31, help="How many days from it."),
    campaign: int | None = typer.Option(None, "--campaign", help="Only this campaign's."),
) -> None:
    """Queue a proposal for each unconfirmed window of those days (again: nothing new)."""
    _tell("proposals", first_day, days, campaign, default=datetime.now(UTC).date())


def _tell(what: str, day: str | None, days: int, campaign: int | None, *, default: date) -> None:
    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.services.notifications import (  # noqa: PLC0415
        TellDays,
        tell_proposals,
        tell_reminders,
    )

    command = TellDays(_day(day, default), days=days, campaign_id=campaign)
    use_case = tell_reminders if what == "reminders" else tell_proposals
    with configured_sessions() as sessions, sessions.begin() as session:
        written = use_case(session, Principal(Role.ADMIN), command)
    typer.echo(f"{written} message(s) queued ({what} from {command.first_day})")


@app.command("list")
def list_messages(
    status: str | None = typer.Option(None, "--status", help="pending, sent, failed, skipped…"),
    campaign: int | None = typer.Option(None, "--campaign", help="Only this campaign's."),
    first: int = typer.Option(50, "--first", min=1, max=500, help="How many, oldest first."),
) -> None:
    """Show messages with their status, attempts and last error (no contact data)."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    from sitecrew.domain.access import Principal, Role  # noqa: PLC0415
    from sitecrew.domain.notifications import NotificationStatus  # noqa: PLC0415
    from sitecrew.errors import InvalidInputError  # noqa: PLC0415
    from sitecrew.services.notifications import (  # noqa: PLC0415
        ListNotifications,
        list_notifications,
    )

    try:
        wanted = None if status is None else NotificationStatus(status.lower())
    except ValueError:
        known = ", ".join(s.value for s in NotificationStatus)
        raise InvalidInputError(f"unknown status {status!r}; use one of {known}") from None
    query = ListNotifications(limit=first, campaign_id=campaign, status=wanted)
    with configured_sessions() as sessions, sessions() as session:
        found, _ = list_notifications(session, Principal(Role.ADMIN), query)
    table = Table(title="Messages to tenants")
    for column in ("id", "kind", "channel", "status", "attempts", "next attempt", "last error"):
        table.add_column(column)
    for item in found:
        due = "-" if item.next_attempt_at is None else f"{item.next_attempt_at:%Y-%m-%d %H:%M}"
        table.add_row(
            str(item.id),
            item.kind.value,
            item.channel.value,
            item.status.value,
            str(item.attempts),
            due,
            item.last_error or "",
        )
    Console(width=160).print(table)
