"""
Every write goes through a service: <noun>_<verb>(*, actor, ...).

A service checks permission, validates, changes state, records an event and
saves, all in one transaction; it never takes a request. What they all stand
on is in `base`. One module per workflow: `returns`, `commissioning`
(programmes, allocations), `projects` (projects, budget lines, measures),
`payments`, `virements`, `reminders`, `documents` (files attached to an allocation, a return, a
payment or a clawback), and the accounts' `accounts` and `two_factor`.
"""

from .base import Invalid, NotAllowed, ServiceError, Stale
from .commissioning import (
    ALLOCATION_FIELDS,
    PROGRAMME_FIELDS,
    allocation_activate,
    allocation_approve,
    allocation_create,
    allocation_sign,
    allocation_update,
    allocation_withdraw,
    programme_create,
    programme_update,
)
from .projects import (
    PROJECT_FIELDS,
    budget_line_delete,
    budget_line_save,
    measure_create,
    project_create,
    project_measure_delete,
    project_measure_save,
    project_update,
)

__all__ = [
    "ServiceError", "Stale", "NotAllowed", "Invalid",
    # commissioning
    "PROGRAMME_FIELDS", "ALLOCATION_FIELDS", "programme_create", "programme_update", "allocation_create",
    "allocation_update", "allocation_approve", "allocation_sign", "allocation_activate", "allocation_withdraw",
    # projects
    "PROJECT_FIELDS", "project_create", "project_update", "budget_line_save", "budget_line_delete",
    "measure_create", "project_measure_save", "project_measure_delete",
]
