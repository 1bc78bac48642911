"""A request's session is closed only once no read of that request still uses it.

A client that goes away (or a timeout) cancels the request while one of its reads runs in a
worker thread; closing the session beside that read made SQLAlchemy raise
``IllegalStateChangeError`` and uvicorn drop the connection (seen by the load test).
"""

from __future__ import annotations

import asyncio
import threading
import time

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from sitecrew.api.context import Context
from sitecrew.config import DatabaseSettings, OsmSettings, ServerSettings, Settings
from sitecrew.domain.access import Principal, Role


def test_closing_a_cancelled_request_waits_for_its_running_read(engine):
    sessions = sessionmaker(bind=engine)
    settings = Settings(
        database=DatabaseSettings(url=str(engine.url)), osm=OsmSettings(), server=ServerSettings()
    )
    order: list[str] = []

    started = threading.Event()

    def slow_read(session) -> int:
        started.set()
        session.execute(text("SELECT 1"))
        time.sleep(0.3)
        order.append("read done")
        return 1

    async def client_goes_away() -> None:
        context = Context(sessions, settings, Principal(Role.ADMIN))
        read = asyncio.create_task(context.read(slow_read))
        await asyncio.to_thread(started.wait, 5)  # the read is running in its thread
        read.cancel()
        await context.aclose()
        order.append("closed")
        await asyncio.sleep(0.5)  # a read left running would finish after the close

    asyncio.run(client_goes_away())
    assert order == ["read done", "closed"]
