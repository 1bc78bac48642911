"""``sitecrew serve``: run the ASGI app."""
from __future__ import annotations


def serve() -> None:
    """Serve the GraphQL API (filled in with the web layer)."""
