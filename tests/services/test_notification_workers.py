"""Delivery by real workers, on committed databases of both backends.

Without a task queue the server's own drainer thread delivers as soon as a transaction that wrote
messages commits (not only on its timer); with one, a ``sitecrew worker`` process takes the drain
message from Redis and delivers. Mail goes to a real local SMTP server.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
from sqlalchemy import select
from tests.services.notification_receivers import SmtpServer
from tests.services.outbox_world import SUBJECT, build_outbox_world, put_in_a_campaign

from sitecrew.config import NotificationSettings, QueueSettings, RedisSettings, TenantLinkSettings
from sitecrew.db import models as m
from sitecrew.db.engine import engine_from_url, session_factory, write_session_factory
from sitecrew.domain.notifications import NotificationKind
from sitecrew.services.notifications.drainer import OutboxDrainer
from sitecrew.services.notifications.outbox import tell_tenant
from sitecrew.services.notifications.render import MessageFacts
from sitecrew.services.tenant_links import authenticate_link
from sitecrew.tasks.broker import enqueue_drain

pytestmark = pytest.mark.slow
LINK_SECRET = "w" * 40
REDIS_URL = os.environ.get("SITECREW_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def committed_url(backend, database_url_factory, request) -> str:
    return database_url_factory(backend, f"notify_work_{request.node.name[-16:].strip('[]-')}")


def _wait_for(predicate, *, timeout_s: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def _statuses(engine) -> list[str]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(m.Notification.status).order_by(m.Notification.id)))


def test_the_servers_drainer_sends_a_committed_message_at_once(committed_url):
    """Its timer is an hour; the commit wakes it, and the mail arrives within seconds."""
    region_id, apartment_id = build_outbox_world(committed_url, pending=False)
    engine = engine_from_url(committed_url)
    with SmtpServer() as smtp:
        settings = NotificationSettings(
            smtp_host="127.0.0.1", smtp_port=smtp.port, drain_interval_s=3600.0
        )
        drainer = OutboxDrainer(engine, settings, links=TenantLinkSettings()).start()
        try:
            with session_factory(engine).begin() as session:
                tell_tenant(
                    session,
                    kind=NotificationKind.COMPLETION,
                    fact="completion:visit:1",
                    apartment=session.get_one(m.Apartment, apartment_id),
                    region=session.get_one(m.Region, region_id),
                    campaign_id=None,
                    facts=MessageFacts(address="Testgata 1", unit="H0101", campaign="", link=""),
                )
            assert _wait_for(lambda: len(smtp.box.mails) == 1, timeout_s=20)
        finally:
            drainer.stop()
    assert smtp.box.mails[0]["Subject"] == "Arbeidet er ferdig i Testgata 1"
    assert _wait_for(lambda: _statuses(engine) == ["sent"], timeout_s=10)
    engine.dispose()


def test_a_worker_process_delivers_when_the_queue_asks(committed_url, tmp_path):
    """``sitecrew worker`` takes the drain message from Redis and sends the waiting mail once,
    with the tenant's link signed by the secret from the worker's environment."""
    build_outbox_world(committed_url)
    apartment_id = put_in_a_campaign(committed_url)
    prefix = f"sitecrew-test-{uuid.uuid4().hex[:10]}"
    redis_settings = RedisSettings(url=REDIS_URL, prefix=prefix)
    engine = engine_from_url(committed_url)
    with SmtpServer() as smtp:
        environment = {
            **os.environ,
            "DATABASE_URL": committed_url,
            "SITECREW_REDIS_URL": REDIS_URL,
            "SITECREW_REDIS_PREFIX": prefix,
            "SITECREW_SMTP_HOST": "127.0.0.1",
            "SITECREW_SMTP_PORT": str(smtp.port),
            "SITECREW_TENANT_LINK_SECRET": LINK_SECRET,
            "SITECREW_PUBLIC_URL": "https://visit.example",
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "sitecrew", "worker", "--queues", "notifications"],
            env=environment,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            enqueue_drain(redis_settings, QueueSettings())
            enqueue_drain(redis_settings, QueueSettings())  # a second drain sends nothing more
            assert _wait_for(lambda: _statuses(engine) == ["sent"], timeout_s=90)
            time.sleep(1.0)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)
    assert [mail["Subject"] for mail in smtp.box.mails] == [SUBJECT]
    (token,) = re.findall(r"https://visit\.example/t/(\S+)", smtp.box.mails[0].get_content())
    with session_factory(engine)() as session:
        tenant = authenticate_link(session, LINK_SECRET, token).principal
    assert tenant.apartment_id == apartment_id
    engine.dispose()


def test_two_transactions_telling_the_same_fact_write_it_once(committed_url):
    """The second waits for the first's commit, then finds the key taken: no error, one row."""
    region_id, apartment_id = build_outbox_world(committed_url, pending=False)
    engine = engine_from_url(committed_url)
    sessions = write_session_factory(engine)

    def tell(session) -> int:
        rows = tell_tenant(
            session,
            kind=NotificationKind.REMINDER,
            fact="reminder:home:1:2026-05-11T06:00:00+00:00",
            apartment=session.get_one(m.Apartment, apartment_id),
            region=session.get_one(m.Region, region_id),
            campaign_id=None,
            facts=MessageFacts(address="Testgata 1", unit="H0101", campaign="", link=""),
        )
        return len(rows)

    second: list[object] = []

    def tell_meanwhile() -> None:
        try:
            with sessions.begin() as session:
                second.append(tell(session))
        except Exception as error:  # noqa: BLE001 (the test reports it)
            second.append(error)

    with sessions.begin() as first:
        assert tell(first) == 1  # written, not yet committed
        other = threading.Thread(target=tell_meanwhile)
        other.start()
        time.sleep(1.0)  # the other transaction now waits on this one (row or write lock)
    other.join(timeout=30)
    assert second == [0]
    assert _statuses(engine) == ["pending"]
    engine.dispose()
