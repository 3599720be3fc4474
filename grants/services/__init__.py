"""
Every write goes through a service: <noun>_<verb>(*, actor, ...).

A service checks permission, validates, changes state, records an event and
saves, all in one transaction; it never takes a request. What they all stand
on is in `base`.
"""

from .base import Invalid, NotAllowed, ServiceError, Stale

__all__ = ["ServiceError", "Stale", "NotAllowed", "Invalid"]
