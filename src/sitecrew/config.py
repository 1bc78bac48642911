"""Typed settings, one frozen dataclass per concern, built once from the environment.

Nothing here reads the environment at import time: the CLI and the web app call
:meth:`Settings.from_env` once and pass the parts down, so tests build their own settings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sitecrew.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

DEFAULT_DATABASE_URL = "sqlite:///var/sitecrew.db"
#: PostgreSQL connections kept open per process. It should cover the requests served at once:
#: a connection opened beyond it is closed again after use, and opening one costs a new server
#: process that loads PostGIS (several milliseconds).
DEFAULT_POOL_SIZE = 20


@dataclass(frozen=True)
class DatabaseSettings:
    """Where the data lives.

    ``url`` is a SQLAlchemy URL: ``sqlite:///path.db`` selects embedded SpatiaLite (the default),
    ``postgresql://…`` selects PostGIS (psycopg 3 driver).
    """

    url: str = DEFAULT_DATABASE_URL
    echo: bool = False
    pool_size: int = DEFAULT_POOL_SIZE  # PostgreSQL only; see DEFAULT_POOL_SIZE


@dataclass(frozen=True)
class OsmSettings:
    """Where OpenStreetMap extracts are read from and built street graphs are cached."""

    directory: Path = Path("data/osm")
    cache_directory: Path = Path("var/cache/graphs")
    max_snap_distance_m: float = 500.0


@dataclass(frozen=True)
class RoutingSettings:
    """Defaults for the route solver; every solve still states seed and stop explicitly."""

    seed: int = 1
    time_limit_s: float = 5.0
    #: Longest solver time limit an API client may ask of a background run (seconds).
    max_time_limit_s: float = 300.0
    #: Planning runs one region may have queued or running at once (more: QUOTA_EXCEEDED).
    max_active_runs_per_region: int = 2
    #: A queued or running run whose server has not shown life for this long is failed as
    #: abandoned (seconds); servers renew their runs' heartbeat four times as often.
    run_stale_after_s: float = 120.0


@dataclass(frozen=True)
class ServerSettings:
    """How the ASGI app is served and hardened."""

    host: str = "127.0.0.1"
    port: int = 8000
    development: bool = False
    #: Whether authenticated callers may introspect the schema (GraphiQL needs it; the SDL is
    #: public anyway, at ``/schema.graphql``). Anonymous callers get 401 before anything runs.
    introspection: bool = True
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    #: Most values one request (all operations of a batch together) may return, estimated from
    #: page sizes, list caps and viewport caps before anything runs (``api.cost``).
    max_cost: int = 500_000
    #: Operations one HTTP request may carry as a JSON list; 0 turns batching off.
    max_batch: int = 10
    max_page_size: int = 500
    max_viewport_features: int = 5000
    #: Subscriptions one WebSocket connection may run at once.
    max_subscriptions: int = 10
    #: Largest HTTP request body in bytes; a larger one is refused before it is read.
    max_request_bytes: int = 1_048_576
    #: Largest HTTP response body in bytes; a larger answer is replaced by an error.
    max_response_bytes: int = 16_777_216
    #: Requests one process serves at once (the rest wait their turn, see ``web.admission``);
    #: None: the steady size of the process's database pool.
    max_concurrent_requests: int | None = None
    #: Requests that may wait for a turn; one more is refused at once with 503 UNAVAILABLE.
    max_waiting_requests: int = 1000
    #: Longest a request waits for its turn before it is refused with 503 UNAVAILABLE (seconds).
    max_request_wait_s: float = 20.0


@dataclass(frozen=True)
class RedisSettings:
    """Where Redis is, when one is used, and the prefix of every key and channel Sitecrew owns.

    Without a URL everything runs in one machine's processes: planning runs in the server's own
    worker process, live updates reach subscribers of the process that made the change, and
    subscriptions read the database again for what other processes change. The prefix lets
    several installations (or test sessions) share one Redis without hearing each other.
    """

    url: str | None = None
    prefix: str = "sitecrew"


@dataclass(frozen=True)
class QueueSettings:
    """How queued background runs survive their workers (used only when Redis is configured)."""

    #: Times a run may be started; a run whose worker died this often is failed, not retried.
    max_attempts: int = 2
    #: A worker process that has not told the broker it lives for this long counts as dead,
    #: and its unfinished runs are handed to another worker (seconds).
    worker_lost_after_s: float = 15.0


@dataclass(frozen=True)
class NotificationSettings:
    """How messages to tenants are delivered (``services.notifications``).

    E-mail goes through ``smtp_host`` (unset: e-mail messages fail with that reason), SMS
    through a gateway's webhook at ``sms_webhook_url`` (POST JSON, ``Idempotency-Key`` header,
    bearer ``sms_webhook_token`` if set). A failed message is tried again after
    ``backoff_base_s`` doubled per attempt (at most ``backoff_max_s``), ``max_attempts`` times
    in all; a message a worker took and did not finish within ``claim_lease_s`` is taken again.
    Servers without a task queue drain the outbox every ``drain_interval_s`` themselves.
    """

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "sitecrew@localhost"
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = 10.0
    sms_webhook_url: str | None = None
    sms_webhook_token: str | None = None
    max_attempts: int = 6
    backoff_base_s: float = 30.0
    backoff_max_s: float = 3600.0
    claim_lease_s: float = 300.0
    drain_interval_s: float = 30.0


#: Shortest secret the tenant links are signed with (characters).
MIN_LINK_SECRET_LENGTH = 32


@dataclass(frozen=True)
class TenantLinkSettings:
    """How tenants' self-service links are signed, how long they last and where they point.

    ``secret`` signs every link (HMAC-SHA256); without one no link is issued and every link is
    refused. Changing it invalidates every link handed out. ``base_url`` is the address tenants
    open (the links in the mail merge are ``<base_url>/t/<token>``).
    """

    secret: str | None = None
    lifetime_days: int = 60
    base_url: str = "http://127.0.0.1:8000"

    def __post_init__(self) -> None:
        if self.secret is not None and len(self.secret) < MIN_LINK_SECRET_LENGTH:
            msg = f"the tenant link secret needs at least {MIN_LINK_SECRET_LENGTH} characters"
            raise ConfigurationError(msg)


#: Largest photo a crew may upload (bytes): a phone's full-size JPEG fits, a video does not.
DEFAULT_MAX_PHOTO_BYTES = 12_000_000


@dataclass(frozen=True)
class PhotoSettings:
    """Where inspection and repair photos are stored, and how large one may be.

    Files are named by their SHA-256 under ``directory`` (``ab/cd/<sha256>``), so the same
    bytes are stored once however often they are uploaded.
    """

    directory: Path = Path("var/photos")
    max_bytes: int = DEFAULT_MAX_PHOTO_BYTES


@dataclass(frozen=True)
class CareSettings:
    """The daily due-work run of the furniture care programme (``services.care.schedule``).

    Every ``due_interval_s`` (0: never; run ``sitecrew care due`` from cron instead) each server
    makes every region's care work due within ``due_horizon_days``. Runs are idempotent and
    take turns per region, so several servers doing it is harmless. Off unless configured (the
    environment's default is a day), so apps built in tests never write on a timer.
    """

    due_interval_s: float = 0.0
    due_horizon_days: int = 56


@dataclass(frozen=True)
class Settings:
    """All settings, grouped by concern."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    osm: OsmSettings = field(default_factory=OsmSettings)
    routing: RoutingSettings = field(default_factory=RoutingSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    tenant_links: TenantLinkSettings = field(default_factory=TenantLinkSettings)
    photos: PhotoSettings = field(default_factory=PhotoSettings)
    care: CareSettings = field(default_factory=CareSettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (``os.environ`` when not given).

        Recognised variables: ``DATABASE_URL``, ``SITECREW_DB_ECHO``, ``SITECREW_DB_POOL_SIZE``,
        ``SITECREW_OSM_DIR``, ``SITECREW_CACHE_DIR``, ``SITECREW_MAX_SNAP_M``, ``SITECREW_SEED``,
        ``SITECREW_TIME_LIMIT_S``, the planning-run limits ``SITECREW_MAX_PLAN_TIME_S``,
        ``SITECREW_MAX_ACTIVE_RUNS`` (per region) and ``SITECREW_RUN_STALE_S``,
        ``SITECREW_HOST``, ``SITECREW_PORT``, ``SITECREW_DEV``, ``SITECREW_INTROSPECTION``
        (on unless ``0``/``false``/``no``/``off``), and
        the API limits ``SITECREW_MAX_QUERY_DEPTH``, ``SITECREW_MAX_ALIASES``,
        ``SITECREW_MAX_TOKENS``, ``SITECREW_MAX_COST``, ``SITECREW_MAX_BATCH`` (0: no batching),
        ``SITECREW_MAX_PAGE_SIZE``, ``SITECREW_MAX_VIEWPORT_FEATURES``,
        ``SITECREW_MAX_SUBSCRIPTIONS`` (per WebSocket connection), ``SITECREW_MAX_REQUEST_BYTES``
        and ``SITECREW_MAX_RESPONSE_BYTES``, admission ``SITECREW_MAX_CONCURRENT_REQUESTS``,
        ``SITECREW_MAX_WAITING_REQUESTS`` and ``SITECREW_MAX_REQUEST_WAIT_S``, and Redis:
        ``SITECREW_REDIS_URL`` (unset: no Redis)
        and ``SITECREW_REDIS_PREFIX`` (default ``sitecrew``); with Redis, planning runs go to
        the task queue, whose ``SITECREW_RUN_ATTEMPTS`` (starts per run, default 2) and
        ``SITECREW_WORKER_LOST_S`` (silence before a worker counts as dead, default 15) apply.
        Tenant links: ``SITECREW_TENANT_LINK_SECRET`` (unset: no links),
        ``SITECREW_TENANT_LINK_DAYS`` (lifetime, default 60) and ``SITECREW_PUBLIC_URL``.
        Care photos: ``SITECREW_PHOTO_DIR`` (default ``var/photos``) and
        ``SITECREW_MAX_PHOTO_BYTES``. Care due work: ``SITECREW_CARE_DUE_INTERVAL_S`` (default
        a day; 0: off) and ``SITECREW_CARE_HORIZON_DAYS`` (default 56).

        Raises
        ------
        ConfigurationError
            When a numeric variable does not parse.
        """
        env = os.environ if environ is None else environ
        return cls(
            database=DatabaseSettings(
                url=env.get("DATABASE_URL", DEFAULT_DATABASE_URL),
                echo=_flag(env, "SITECREW_DB_ECHO"),
                pool_size=_whole_number(env, "SITECREW_DB_POOL_SIZE", DEFAULT_POOL_SIZE, least=1),
            ),
            osm=OsmSettings(
                directory=Path(env.get("SITECREW_OSM_DIR", "data/osm")),
                cache_directory=Path(env.get("SITECREW_CACHE_DIR", "var/cache/graphs")),
                max_snap_distance_m=_number(env, "SITECREW_MAX_SNAP_M", 500.0),
            ),
            routing=RoutingSettings(
                seed=int(_number(env, "SITECREW_SEED", 1)),
                time_limit_s=_number(env, "SITECREW_TIME_LIMIT_S", 5.0),
                max_time_limit_s=_number(env, "SITECREW_MAX_PLAN_TIME_S", 300.0),
                max_active_runs_per_region=_whole_number(
                    env, "SITECREW_MAX_ACTIVE_RUNS", 2, least=1
                ),
                run_stale_after_s=_number(env, "SITECREW_RUN_STALE_S", 120.0),
            ),
            server=ServerSettings(
                host=env.get("SITECREW_HOST", "127.0.0.1"),
                port=int(_number(env, "SITECREW_PORT", 8000)),
                development=_flag(env, "SITECREW_DEV"),
                introspection=_switch(env, "SITECREW_INTROSPECTION", default=True),
                max_concurrent_requests=_optional_whole_number(
                    env, "SITECREW_MAX_CONCURRENT_REQUESTS"
                ),
                max_waiting_requests=_whole_number(
                    env, "SITECREW_MAX_WAITING_REQUESTS", 1000, least=0
                ),
                max_request_wait_s=_number(env, "SITECREW_MAX_REQUEST_WAIT_S", 20.0),
                **_api_limits(env),
            ),
            redis=RedisSettings(
                url=_redis_url(env, "SITECREW_REDIS_URL"),
                prefix=env.get("SITECREW_REDIS_PREFIX", "").strip() or "sitecrew",
            ),
            queue=QueueSettings(
                max_attempts=_whole_number(env, "SITECREW_RUN_ATTEMPTS", 2, least=1),
                worker_lost_after_s=_number(env, "SITECREW_WORKER_LOST_S", 15.0),
            ),
            notifications=_notification_settings(env),
            tenant_links=_tenant_link_settings(env),
            photos=PhotoSettings(
                directory=Path(env.get("SITECREW_PHOTO_DIR", "").strip() or "var/photos"),
                max_bytes=_whole_number(
                    env, "SITECREW_MAX_PHOTO_BYTES", DEFAULT_MAX_PHOTO_BYTES, least=1
                ),
            ),
            care=CareSettings(
                due_interval_s=_number(env, "SITECREW_CARE_DUE_INTERVAL_S", 86400.0),
                due_horizon_days=_whole_number(env, "SITECREW_CARE_HORIZON_DAYS", 56, least=0),
            ),
        )


def _tenant_link_settings(env: Mapping[str, str]) -> TenantLinkSettings:
    """Read the tenant links' secret, lifetime in days and the public address tenants open."""
    return TenantLinkSettings(
        secret=env.get("SITECREW_TENANT_LINK_SECRET", "").strip() or None,
        lifetime_days=_whole_number(env, "SITECREW_TENANT_LINK_DAYS", 60, least=1),
        base_url=env.get("SITECREW_PUBLIC_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000",
    )


def _notification_settings(env: Mapping[str, str]) -> NotificationSettings:
    """Read ``SITECREW_SMTP_*``, ``SITECREW_SMS_WEBHOOK_*`` and ``SITECREW_NOTIFY_*``."""
    webhook = env.get("SITECREW_SMS_WEBHOOK_URL", "").strip() or None
    if webhook is not None and not webhook.startswith(("http://", "https://")):
        raise ConfigurationError("SITECREW_SMS_WEBHOOK_URL must start with http:// or https://")
    return NotificationSettings(
        smtp_host=env.get("SITECREW_SMTP_HOST", "").strip() or None,
        smtp_port=_whole_number(env, "SITECREW_SMTP_PORT", 25, least=1),
        smtp_from=env.get("SITECREW_SMTP_FROM", "").strip() or "sitecrew@localhost",
        smtp_starttls=_flag(env, "SITECREW_SMTP_STARTTLS"),
        smtp_user=env.get("SITECREW_SMTP_USER", "").strip() or None,
        smtp_password=env.get("SITECREW_SMTP_PASSWORD") or None,
        sms_webhook_url=webhook,
        sms_webhook_token=env.get("SITECREW_SMS_WEBHOOK_TOKEN") or None,
        max_attempts=_whole_number(env, "SITECREW_NOTIFY_ATTEMPTS", 6, least=1),
        backoff_base_s=_number(env, "SITECREW_NOTIFY_BACKOFF_S", 30.0),
        backoff_max_s=_number(env, "SITECREW_NOTIFY_BACKOFF_MAX_S", 3600.0),
        claim_lease_s=_number(env, "SITECREW_NOTIFY_LEASE_S", 300.0),
        drain_interval_s=_number(env, "SITECREW_NOTIFY_INTERVAL_S", 30.0),
    )


#: The ServerSettings fields an operator sets as ``SITECREW_<NAME>`` (whole numbers).
API_LIMITS = (
    "max_query_depth",
    "max_aliases",
    "max_tokens",
    "max_cost",
    "max_batch",
    "max_page_size",
    "max_viewport_features",
    "max_subscriptions",
    "max_request_bytes",
    "max_response_bytes",
)


def _api_limits(env: Mapping[str, str]) -> dict[str, int]:
    """Read the API limits that are set; the others keep the defaults of ServerSettings."""
    defaults = ServerSettings()
    return {
        name: _whole_number(
            env,
            f"SITECREW_{name.upper()}",
            getattr(defaults, name),
            least=0 if name == "max_batch" else 1,  # 0 turns batching off; no other limit is 0
        )
        for name in API_LIMITS
    }


#: URL schemes the Redis client understands.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _redis_url(env: Mapping[str, str], name: str) -> str | None:
    """Read the Redis URL; empty means none, and a URL Redis cannot use is refused at start."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not raw.startswith(REDIS_SCHEMES):
        shown = raw.rpartition("@")[2]  # never echo a password
        msg = f"{name} must start with redis://, rediss:// or unix://, got {shown!r}"
        raise ConfigurationError(msg)
    return raw


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _switch(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    """Read an on/off variable; a value that is neither is refused rather than guessed."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    msg = f"{name} must be 1 or 0 (true/false, yes/no, on/off), got {env.get(name)!r}"
    raise ConfigurationError(msg)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        msg = f"{name} must be a number, got {raw!r}"
        raise ConfigurationError(msg) from None


def _optional_whole_number(env: Mapping[str, str], name: str) -> int | None:
    """Read a positive whole number that may be unset (None: the default is derived)."""
    if not env.get(name, "").strip():
        return None
    return _whole_number(env, name, 1, least=1)


def _whole_number(env: Mapping[str, str], name: str, default: int, *, least: int) -> int:
    value = _number(env, name, default)
    if value != int(value) or value < least:
        msg = f"{name} must be a whole number of at least {least}, got {env.get(name)!r}"
        raise ConfigurationError(msg)
    return int(value)
