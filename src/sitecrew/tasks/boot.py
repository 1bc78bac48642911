"""What each ``sitecrew worker`` process imports first: the broker and the actors, from the env.

Dramatiq's worker processes import a module that sets up the broker; this is that module. It
reads the same environment as every Sitecrew command (``SITECREW_REDIS_URL``, ``DATABASE_URL``,
``SITECREW_OSM_DIR``, ...).
"""

from __future__ import annotations

import dramatiq
import dramatiq.worker
from dramatiq.middleware import CurrentMessage, TimeLimit

from sitecrew.config import Settings
from sitecrew.tasks.actors import register_actors
from sitecrew.tasks.broker import make_broker

# One message at a time per worker thread: Dramatiq prefetches two by default, and a run
# prefetched by a busy process waits for its solve to end while another process idles.
dramatiq.worker.QUEUE_PREFETCH = 1
settings = Settings.from_env()
# No ShutdownNotifications: a worker asked to stop finishes its runs (Dramatiq waits for them)
# instead of interrupting them. TimeLimit is a backstop behind each run's own deadline.
broker = make_broker(settings.redis, settings.queue, middleware=[TimeLimit(), CurrentMessage()])
dramatiq.set_broker(broker)
register_actors(broker, settings)
