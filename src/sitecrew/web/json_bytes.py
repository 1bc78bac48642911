r"""JSON bytes for every answer, even when a client sent text that is not valid Unicode.

orjson refuses strings holding lone surrogates (``"\\ud800"``), which JSON escapes allow a
client to send; an error message that quotes such a value would then become a 500. Those
strings are written with the replacement character instead.
"""

from __future__ import annotations

from typing import Any

import orjson


def json_bytes(data: Any) -> bytes:
    """Return ``data`` as JSON (orjson: pre-built fragments pass through untouched)."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return orjson.dumps(_valid_text(data))


def _valid_text(value: Any) -> Any:
    """Return ``value`` with every string made valid UTF-8 (lone surrogates replaced)."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_valid_text(key): _valid_text(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_valid_text(item) for item in value]
    return value
