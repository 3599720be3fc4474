"""
Reads for administration: the organisations a funder works with (what its commissioning forms offer and
whose people its administrators manage), an organisation's page, people, plan priorities and areas.

A funder works with the organisations on its `works_with` list and, whether listed or not, every
organisation that receives one of its allocations or delivers one of the projects they fund: the list
is kept by the administration pages and filled in from the funding when it began (migration 0007), and
the funding itself can never fall outside it.
"""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from grants.models import Allocation, Area, Organisation, Priority, Project, User


def partner_condition(funder_id) -> Q:
    """A Q over Organisation: the organisations the funder works with (never itself)."""
    receives = Allocation.objects.filter(recipient=OuterRef("pk"), programme__commissioner_id=funder_id)
    delivers = Project.objects.filter(provider=OuterRef("pk"), allocation__programme__commissioner_id=funder_id)
    listed = Organisation.works_with.through.objects.filter(from_organisation_id=funder_id,
                                                            to_organisation=OuterRef("pk"))
    return (Q(Exists(listed)) | Q(Exists(receives)) | Q(Exists(delivers))) & ~Q(pk=funder_id)


def organisations_worked_with(funder_id):
    return Organisation.objects.filter(partner_condition(funder_id)).order_by("name")


def organisations_for_choice(funder_id, *, keep=None):
    """The organisations a funder's allocation or project may name: those it works with (never a
    commissioner), and `keep` (the one already named, so that an edit form still shows it)."""
    condition = partner_condition(funder_id) & ~Q(kind=Organisation.Kind.COMMISSIONER)
    if keep is not None:
        condition |= Q(pk=keep)
    return Organisation.objects.filter(condition).order_by("name")


def _administered(user) -> Q | None:
    if not (getattr(user, "is_authenticated", False) and user.is_administrator and user.organisation_id):
        return None
    return Q(pk=user.organisation_id) | partner_condition(user.organisation_id)


def organisations_for_administrator(user):
    """The administrator's own organisation and those its funder works with, each with its people counted."""
    condition = _administered(user)
    if condition is None:
        return Organisation.objects.none()
    return (Organisation.objects.filter(condition)
            .annotate(user_count=Count("users", filter=Q(users__is_active=True)))
            .order_by("name"))


def organisation_for_administrator(user, pk: int) -> Organisation:
    return get_object_or_404(organisations_for_administrator(user), pk=pk)


def organisation_for_reader(user, pk: int) -> Organisation:
    """An organisation's page, or 404: a provider's user sees their own organisation only; a funder's
    people see their own and any organisation holding an allocation or a project in their reach; an
    administrator also every organisation the funder works with."""
    if not (getattr(user, "is_authenticated", False) and user.organisation_id and user.role):
        raise Http404("No such organisation")
    if user.is_provider:
        return get_object_or_404(Organisation, pk=pk, id=user.organisation_id)
    condition = Q(pk=user.organisation_id)
    condition |= Q(Exists(Allocation.objects.for_user(user).filter(recipient=OuterRef("pk"))))
    condition |= Q(Exists(Project.objects.for_user(user).filter(provider=OuterRef("pk"))))
    administered = _administered(user)
    if administered is not None:
        condition |= administered
    return get_object_or_404(Organisation.objects.filter(condition), pk=pk)


def organisation_allocations(user, organisation: Organisation):
    """The allocations made to the organisation that the user may see."""
    return (Allocation.objects.for_user(user).filter(recipient=organisation)
            .select_related("programme").order_by("-programme__financial_year", "programme__name", "title"))


def organisation_projects(user, organisation: Organisation):
    """The projects the organisation delivers that the user may see."""
    return (Project.objects.for_user(user).filter(provider=organisation)
            .select_related("allocation__programme").order_by("name", "reference"))


def organisation_people(organisation: Organisation):
    return User.objects.filter(organisation=organisation).order_by("-is_active", "last_name", "first_name", "username")


def users_for_administrator(user):
    condition = _administered(user)
    if condition is None:
        return User.objects.none()
    reached = Organisation.objects.filter(condition)
    return User.objects.filter(organisation__in=reached).select_related("organisation")


def user_for_administrator(user, pk: int) -> User:
    return get_object_or_404(users_for_administrator(user), pk=pk)


def active_administrators(organisation_id: int) -> int:
    return User.objects.filter(organisation_id=organisation_id, role=User.Role.ADMINISTRATOR, is_active=True).count()


def priorities_for_administrator(user):
    """The administrator's funder's plan priorities, each with how many projects carry it."""
    if _administered(user) is None:
        return Priority.objects.none()
    return (Priority.objects.filter(commissioner_id=user.organisation_id)
            .annotate(project_count=Count("projects")).order_by("name"))


def priority_for_administrator(user, pk: int) -> Priority:
    return get_object_or_404(priorities_for_administrator(user), pk=pk)


def areas_for_administrator(user):
    """Every area (they are shared by the funders), each with how many projects serve it."""
    if _administered(user) is None:
        return Area.objects.none()
    return Area.objects.annotate(project_count=Count("projects")).order_by("name")


def area_for_administrator(user, pk: int) -> Area:
    return get_object_or_404(areas_for_administrator(user), pk=pk)


def area_used_by_others(area: Area, funder_id: int) -> bool:
    """Do projects of another funder serve this area?"""
    return Project.objects.filter(area=area).exclude(allocation__programme__commissioner_id=funder_id).exists()
