"""
Who may see what, as one rule on the organisation foreign keys.

Funder-side users (commissioner officers, finance officers, viewers) reach
everything funded by their own organisation. A provider's users reach the
projects their organisation delivers, and everything under an allocation made
to their organisation (a CSP that passes money on sees the projects it funds).
Anyone else reaches nothing.

Every scope rule is here, and the scoped QuerySets of the models are built from them. The rules
name the models they need through the app registry when they run, so that this module imports no
model and the models import each other in one direction only.
"""

from django.apps import apps
from django.db import models


def _model(name: str):
    return apps.get_model("grants", name)


def programme_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Programme (through `prefix`): the funder's own, or those through which an allocation
    reaches the user; None for nothing."""
    if getattr(user, "is_authenticated", False) and user.is_funder_side and user.organisation_id:
        return models.Q(**{f"{prefix}commissioner_id": user.organisation_id})
    condition = allocation_scope(user)
    if condition is None:
        return None
    reached = _model("Allocation").objects.filter(condition, programme=models.OuterRef(f"{prefix}pk" if prefix else "pk"))
    return models.Q(models.Exists(reached))


def allocation_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Allocation (through `prefix`) for what `user` may see; None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.organisation_id or not user.role:
        return None
    org = user.organisation_id
    if user.is_funder_side:
        return models.Q(**{f"{prefix}programme__commissioner_id": org})
    if user.is_provider:
        # The allocation is reached if made to the organisation or if any of
        # its projects is delivered by it; an Exists keeps rows unduplicated.
        delivers = _model("Project").objects.filter(allocation=models.OuterRef(f"{prefix}pk" if prefix else "pk"), provider_id=org)
        return models.Q(**{f"{prefix}recipient_id": org}) | models.Q(models.Exists(delivers))
    return None


def project_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Project (through `prefix`) for what `user` may see; None for nothing."""
    if not getattr(user, "is_authenticated", False) or not user.organisation_id or not user.role:
        return None
    org = user.organisation_id
    if user.is_funder_side:
        return models.Q(**{f"{prefix}allocation__programme__commissioner_id": org})
    if user.is_provider:
        return models.Q(**{f"{prefix}provider_id": org}) | models.Q(**{f"{prefix}allocation__recipient_id": org})
    return None


def payment_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Payment: money paid to the user's organisation (providers), or by it (funder side).

    Delivering a project under someone else's allocation does not show what that recipient is paid."""
    if not getattr(user, "is_authenticated", False) or not user.organisation_id or not user.role:
        return None
    if user.is_funder_side:
        return models.Q(**{f"{prefix}allocation__programme__commissioner_id": user.organisation_id})
    if user.is_provider:
        return models.Q(**{f"{prefix}allocation__recipient_id": user.organisation_id})
    return None


class ScopedQuerySet(models.QuerySet):
    """A QuerySet with `for_user(user)`, built from one of the scope rules above."""

    scope = None  # (rule, prefix)

    def for_user(self, user):
        rule, prefix = self.scope
        condition = rule(user, prefix)
        if condition is None:
            return self.none()
        return self.filter(condition)
