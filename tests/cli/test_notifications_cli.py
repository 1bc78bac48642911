"""``sitecrew notifications`` as cron runs it, against a real local SMTP server.

Each test runs the real ``sitecrew`` process on a fresh database of each backend holding one
apartment whose tenant has one confirmation waiting in the outbox.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.helpers import run_sitecrew
from tests.services.notification_receivers import SmtpServer, free_port
from tests.services.outbox_world import EMAIL, build_outbox_world, put_in_a_campaign

from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory
from sitecrew.services.tenant_links import authenticate_link

SECRET = "c" * 40


@pytest.fixture
def outbox_url(backend, database_url_factory, request) -> str:
    """A fresh database with apartment H0101, its tenant, and one pending e-mail to them."""
    url = database_url_factory(backend, f"notify_cli_{request.node.name[-20:].strip('[]-')}")
    build_outbox_world(url)
    return url


def _message(url: str) -> m.Notification:
    engine = engine_from_url(url)
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(m.Notification)).one()
    finally:
        engine.dispose()


def test_send_due_delivers_the_waiting_mail_once(outbox_url, tmp_path):
    """The mail arrives; a second run finds nothing due."""
    with SmtpServer() as smtp:
        env = {
            "DATABASE_URL": outbox_url,
            "SITECREW_SMTP_HOST": "127.0.0.1",
            "SITECREW_SMTP_PORT": str(smtp.port),
        }
        first = run_sitecrew("notifications", "send-due", cwd=tmp_path, **env)
        second = run_sitecrew("notifications", "send-due", cwd=tmp_path, **env)
    assert first.returncode == 0, first.stderr
    assert "1 sent, 0 to retry later, 0 failed for good" in first.stdout
    assert "0 sent" in second.stdout
    assert [mail["Subject"] for mail in smtp.box.mails] == ["Besøket er bekreftet"]
    assert _message(outbox_url).status == "sent"


def test_send_due_signs_the_tenants_link_with_the_configured_secret(outbox_url, tmp_path):
    """Cron's delivery reads the link settings from the environment: the mail's link works."""
    apartment_id = put_in_a_campaign(outbox_url)
    with SmtpServer() as smtp:
        env = {
            "DATABASE_URL": outbox_url,
            "SITECREW_SMTP_HOST": "127.0.0.1",
            "SITECREW_SMTP_PORT": str(smtp.port),
            "SITECREW_TENANT_LINK_SECRET": SECRET,
            "SITECREW_PUBLIC_URL": "https://visit.example/",
        }
        ran = run_sitecrew("notifications", "send-due", cwd=tmp_path, **env)
    assert ran.returncode == 0, ran.stderr
    (token,) = re.findall(r"https://visit\.example/t/(\S+)", smtp.box.mails[0].get_content())
    engine = engine_from_url(outbox_url)
    try:
        with session_factory(engine)() as session:
            tenant = authenticate_link(session, SECRET, token).principal
            body = session.scalars(select(m.Notification.body)).one()
    finally:
        engine.dispose()
    assert tenant.apartment_id == apartment_id
    assert "sct1." not in body


def test_send_due_with_the_mail_server_down_leaves_a_retry_and_lists_it(outbox_url, tmp_path):
    """Nothing listens: the run says one is to retry; ``list`` shows why, without the address."""
    env = {
        "DATABASE_URL": outbox_url,
        "SITECREW_SMTP_HOST": "127.0.0.1",
        "SITECREW_SMTP_PORT": str(free_port()),
    }
    ran = run_sitecrew("notifications", "send-due", cwd=tmp_path, **env)
    assert ran.returncode == 0, ran.stderr
    assert "0 sent, 1 to retry later" in ran.stdout
    listed = run_sitecrew("notifications", "list", "--status", "pending", cwd=tmp_path, **env)
    assert listed.returncode == 0, listed.stderr
    assert "SMTP unavailable" in listed.stdout
    assert EMAIL not in listed.stdout + listed.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("remind", "--day", "tomorrow"), "not a date"),
        (("list", "--status", "lost"), "unknown status"),
        (("propose", "--days", "0"), "greater than or equal to 1"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(outbox_url, tmp_path, args, message):
    """A typo gets a message and a failing exit code, no traceback."""
    ran = run_sitecrew("notifications", *args, cwd=tmp_path, DATABASE_URL=outbox_url)
    assert ran.returncode != 0
    assert message in ran.stderr
    assert "Traceback" not in ran.stderr
