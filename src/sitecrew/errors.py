"""The one small error hierarchy that every layer raises and every edge translates.

Each subclass also subclasses the builtin it refines, so callers that only know Python's own
exceptions still catch them sensibly. The GraphQL layer maps each class to a stable
``extensions.code`` and the CLI maps each to a message and a non-zero exit code; nothing else
crosses those edges unmasked.
"""

from __future__ import annotations


class SitecrewError(Exception):
    """Base class of every error Sitecrew raises on purpose."""

    code = "SITECREW_ERROR"


class InvalidInputError(SitecrewError, ValueError):
    """Input that breaks a domain rule: bad coordinates, invalid polygon, unordered window."""

    code = "INVALID_INPUT"


class InvalidWearCodeError(InvalidInputError):
    """A repair's part / failure mode / cause / remedy is not one of its family's code paths."""

    code = "INVALID_WEAR_CODE"


class UnsupportedMediaError(InvalidInputError):
    """An uploaded file is not of an accepted type (judged by its bytes, not by its name)."""

    code = "UNSUPPORTED_MEDIA"


class FileTooLargeError(InvalidInputError):
    """An uploaded file is larger than the configured limit."""

    code = "FILE_TOO_LARGE"


class NotFoundError(SitecrewError, LookupError):
    """A referenced entity, region or file does not exist."""

    code = "NOT_FOUND"


class ConflictError(SitecrewError):
    """The change collides with the stored state (stale version, duplicate key, taken slot)."""

    code = "CONFLICT"


class IllegalTransitionError(ConflictError):
    """A status change that the lifecycle does not allow (e.g. a cancelled job becoming done)."""

    code = "ILLEGAL_TRANSITION"


class QuotaExceededError(ConflictError):
    """Too much work of one kind is already waiting or running (planning runs of a region)."""

    code = "QUOTA_EXCEEDED"


class WindowNotOfferedError(ConflictError):
    """A tenant chose a window no crew can make (any more): choose one of the offers."""

    code = "WINDOW_NOT_OFFERED"


class PermissionDeniedError(SitecrewError, PermissionError):
    """The caller is authenticated but may not see or change this."""

    code = "FORBIDDEN"


class UnauthenticatedError(SitecrewError, PermissionError):
    """No valid credentials were presented."""

    code = "UNAUTHENTICATED"


class StreetGraphError(SitecrewError, ValueError):
    """A street graph cannot be built, loaded or used for the given input."""

    code = "STREET_GRAPH"


class InfeasiblePlanError(SitecrewError):
    """No route plan exists for the input at all (not merely some unassigned jobs)."""

    code = "INFEASIBLE_PLAN"


class UnavailableError(SitecrewError):
    """A service Sitecrew needs right now (the task queue's Redis) cannot be reached; retry."""

    code = "UNAVAILABLE"


class ConfigurationError(SitecrewError):
    """Settings that cannot work: unreachable database URL, missing OSM directory."""

    code = "CONFIGURATION"


class InvalidCursorError(InvalidInputError):
    """A pagination cursor that this server did not issue."""

    code = "BAD_CURSOR"


class PageTooLargeError(InvalidInputError):
    """A page size above the configured cap."""

    code = "PAGE_TOO_LARGE"


class ViewportTooLargeError(InvalidInputError):
    """A map viewport holding more features than the configured cap."""

    code = "VIEWPORT_TOO_LARGE"
