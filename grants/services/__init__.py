"""
Every write goes through a service: <noun>_<verb>(*, actor, ...).

A service checks permission, validates, changes state, records an event and
saves, all in one transaction; it never takes a request.
"""

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Stale(ServiceError):
    """Someone else changed the object since it was read."""


class NotAllowed(ServiceError, PermissionDenied):
    """The actor may not do this; the message says why."""


class Invalid(ServiceError):
    """The input breaks the rules; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("There is a problem with what was entered.")
        self.errors = errors
