"""
Who may see what, as one rule on the organisation foreign keys.

Funder-side users (commissioner officers, finance officers, viewers) reach
everything funded by their own organisation. A provider's users reach the
projects their organisation delivers, and everything under an allocation made
to their organisation (a CSP that passes money on sees the projects it funds).
Anyone else reaches nothing.
"""

from django.db import models


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
        from .projects import Project

        delivers = Project.objects.filter(allocation=models.OuterRef(f"{prefix}pk" if prefix else "pk"), provider_id=org)
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
