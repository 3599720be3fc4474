"""
A project's other funding (co-funding, match funding): money another funder gives the project in a
financial year, confirmed or expected, so that the project's total cost and the commissioner's share
of it show beside the commissioner's own budget (figures.funding). Set by the commissioner, like the
project's budget lines, while the allocation is open.
"""

from django.db import transaction

from grants import permissions
from grants.models import OtherFunding, Project

from .base import Invalid, audited, check_money, claim, require, unknown_fields, validated

FUNDING_FIELDS = ("financial_year", "funder", "amount", "status", "pays_for")
FUNDING_STALE = (
    "This funding changed since you opened it: someone else saved it. Nothing was saved. "
    "Open it again to see the latest figures, then make your change again."
)
DUPLICATE = "The project already has funding from this funder for this year: change that entry instead."


def other_funding_save(*, actor, project: Project, values: dict, funding: OtherFunding | None = None,
                       version: int | None = None) -> OtherFunding:
    """Record another funder's money for the project in a year, or change it."""
    unknown_fields(values, FUNDING_FIELDS)
    require(permissions.can_edit_project(actor, project))
    values = {**values, "funder": (values.get("funder") or "").strip(), "pays_for": (values.get("pays_for") or "").strip()}
    errors = {} if values["funder"] else {"funder": "Enter who gives the money."}
    check_money(errors, "amount", values.get("amount"), "the amount")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if funding is None:
            target = OtherFunding(project=project, **values)
        else:
            target = claim(funding, None, version, FUNDING_STALE, project=project)
            for name, value in values.items():
                setattr(target, name, value)
        validated(target, messages={"__all__": DUPLICATE})
        if OtherFunding.objects.filter(project=project, financial_year=target.financial_year,
                                       funder__iexact=target.funder).exclude(pk=target.pk).exists():
            raise Invalid({"funder": DUPLICATE})
        audited(target, actor, "Other funding added" if funding is None else "Other funding changed").save()
    return target


def other_funding_delete(*, actor, funding: OtherFunding, version: int) -> None:
    require(permissions.can_edit_project(actor, funding.project))
    with transaction.atomic():
        target = claim(funding, None, version, FUNDING_STALE)
        audited(target, actor, "Other funding removed").delete()


__all__ = ["FUNDING_FIELDS", "FUNDING_STALE", "other_funding_save", "other_funding_delete"]
