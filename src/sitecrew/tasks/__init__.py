"""Background work on a task queue (Dramatiq on Redis), when ``SITECREW_REDIS_URL`` is set.

- :mod:`~sitecrew.tasks.broker`: the broker of a Redis, and enqueueing a run by its actor's
  name (what a web server needs: it imports no task code and no solver);
- :mod:`~sitecrew.tasks.actors`: the actors a ``sitecrew worker`` process executes;
- :mod:`~sitecrew.tasks.boot`: the module each worker process imports to set both up;
- :mod:`~sitecrew.tasks.workers`: starting worker processes (``sitecrew worker``).

Why Dramatiq: its Redis broker acknowledges a message only after the task returned, and hands
the unacknowledged messages of a worker whose heartbeat stopped to a live worker (measured: a
worker killed with SIGKILL mid-task had its message re-run by another worker within the
heartbeat timeout), it runs plain synchronous functions (the solver is CPU-bound), and it ships
type hints. Retries and time limits are the run row's business here (attempts, deadline), so a
run is retried a bounded number of times even when it kills its worker every time.
"""
