"""
Who sees which figures of a place (grants.models.places), in one rule for every page, file and command:

- the funder's side (commissioner and finance officers, viewers, administrators) sees every series its
  own organisation keeps, and those kept by the organisations it funds (the recipients of its
  programmes' allocations), for every area;
- a partnership or provider sees the series its own organisation keeps, for every area, and its
  funders' series for its areas only: the areas of the projects it reaches;
- nobody else sees anything.

Board actions: the funder's side sees its own organisation's and those of the organisations it funds;
a partnership or provider its own organisation's.
"""

from django.db.models import Q, QuerySet

from grants.models import Allocation, Area, BoardAction, Indicator, IndicatorValue, Project
from grants.models.scoping import _reaches_anything


def _funded_by(user) -> QuerySet:
    """The ids of the organisations the user's funder makes allocations to."""
    return (Allocation.objects.filter(programme__commissioner_id=user.organisation_id)
            .values("recipient_id").distinct())


def _funders_of(user) -> QuerySet:
    """The ids of the funders whose allocations reach the user's organisation (made to it, or funding a
    project it delivers)."""
    return Allocation.objects.for_user(user).values("programme__commissioner_id").distinct()


def areas_of(user) -> QuerySet:
    """The areas of the projects the user reaches: a partnership's or provider's areas."""
    return Area.objects.filter(pk__in=Project.objects.for_user(user).exclude(area=None).values("area_id"))


def indicators_for(user) -> QuerySet:
    """The series the user may see (for a partnership, its funders' only for its areas: read their
    values through `indicator_values_for`)."""
    if not _reaches_anything(user):
        return Indicator.objects.none()
    if user.is_funder_side:
        return Indicator.objects.filter(Q(owner_id=user.organisation_id) | Q(owner_id__in=_funded_by(user)))
    if user.is_provider:
        return Indicator.objects.filter(Q(owner_id=user.organisation_id) | Q(owner_id__in=_funders_of(user)))
    return Indicator.objects.none()


def indicator_values_for(user) -> QuerySet:
    """The values the user may see."""
    if not _reaches_anything(user):
        return IndicatorValue.objects.none()
    if user.is_funder_side:
        return IndicatorValue.objects.filter(Q(indicator__owner_id=user.organisation_id)
                                             | Q(indicator__owner_id__in=_funded_by(user)))
    if user.is_provider:
        return IndicatorValue.objects.filter(
            Q(indicator__owner_id=user.organisation_id)
            | Q(indicator__owner_id__in=_funders_of(user), area_id__in=areas_of(user).values("pk")))
    return IndicatorValue.objects.none()


def board_actions_for(user) -> QuerySet:
    """The board actions the user may see."""
    if not _reaches_anything(user):
        return BoardAction.objects.none()
    if user.is_funder_side:
        return BoardAction.objects.filter(Q(owner_id=user.organisation_id) | Q(owner_id__in=_funded_by(user)))
    if user.is_provider:
        return BoardAction.objects.filter(owner_id=user.organisation_id)
    return BoardAction.objects.none()


__all__ = ["areas_of", "board_actions_for", "indicator_values_for", "indicators_for"]
