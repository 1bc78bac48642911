"""The topics Sitecrew publishes on: one name per thing a client can follow.

A topic names what changed, never who may see it: subscribers re-read the rows through the read
services, so the access rules decide what a client gets, not the event.
"""

from __future__ import annotations


def run(run_id: int) -> str:
    """Return the topic of one planning run's state and progress."""
    return f"run:{run_id}"


def region_jobs(region_id: int) -> str:
    """Return the topic of job status changes in one region."""
    return f"jobs:region:{region_id}"


def crew_routes(crew_id: int) -> str:
    """Return the topic of one crew's routes being published (or republished)."""
    return f"routes:crew:{crew_id}"


def region_routes(region_id: int) -> str:
    """Return the topic of routes of one region's crews being published (or republished)."""
    return f"routes:region:{region_id}"
