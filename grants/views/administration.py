"""Administration on the web: the organisations a funder works with and their pages, people and their
roles, the funder's plan priorities and the areas. Permission decides 403 (only administrators; a
commissioner officer may add an organisation), reach decides 404 (an administrator reaches their own
organisation and those it works with); the services decide what is valid."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from grants import permissions
from grants.forms import administration as forms
from grants.models import Organisation, User
from grants.models.organisations import FUNDER_ROLES, PARTNER_ROLES
from grants.selectors import administration as selectors
from grants.services import administration as services

from .base import call_service, form_page, form_status, require, run_service


def _next(request) -> str | None:
    """Where to go back to after adding an organisation from another form: a path on this site only."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                                  require_https=request.is_secure()):
        return target
    return None


@login_required
def administration(request):
    require(permissions.can_administer(request.user))
    return render(request, "grants/administration/index.html", {
        "organisation_count": selectors.organisations_for_administrator(request.user).count(),
        "user_count": selectors.users_for_administrator(request.user).filter(is_active=True).count(),
        "priority_count": selectors.priorities_for_administrator(request.user).count(),
        "area_count": selectors.areas_for_administrator(request.user).count(),
    })


# Organisations --------------------------------------------------------------------------------


@login_required
def organisation_list(request):
    require(permissions.can_administer(request.user))
    return render(request, "grants/administration/organisations.html", {
        "organisations": selectors.organisations_for_administrator(request.user),
    })


@login_required
def organisation_create(request):
    require(permissions.can_create_organisation(request.user))
    back = _next(request)
    form = forms.OrganisationForm(request.POST or None, councils=_councils(request.user))
    if request.method == "POST":
        done = {}

        def call(data):
            done["organisation"] = services.organisation_create(actor=request.user, values=form.values())

        if call_service(form, call):
            organisation = done["organisation"]
            if back:
                messages.success(request, f"{organisation.name} added: you can now choose it.")
                return redirect(back)
            messages.success(request, f"{organisation.name} added. Now invite its people.")
            return redirect("organisation-detail", organisation.pk)
    default_back = reverse("organisation-list") if request.user.is_administrator else reverse("home")
    return form_page(request, form, title="Add an organisation", heading="Add an organisation",
                     submit="Add organisation", back_url=back or default_back, status=form_status(form),
                     intro="A recipient or provider your organisation funds. It is added to the organisations you "
                           "work with, which the allocation and project forms offer.",
                     extra={"next": back})


def _councils(user):
    """The councils a partnership's accountable body may be: the local authorities the funder works with."""
    return selectors.organisations_worked_with(user.organisation_id).filter(kind=Organisation.Kind.LOCAL_AUTHORITY)


@login_required
def organisation_edit(request, pk):
    require(permissions.can_administer(request.user))
    organisation = selectors.organisation_for_administrator(request.user, pk)
    require(permissions.can_edit_organisation(request.user, organisation))
    form = forms.OrganisationForm(request.POST or None, initial=forms.OrganisationForm.initial_for(organisation),
                                  funder=organisation.kind == Organisation.Kind.COMMISSIONER,
                                  councils=_councils(request.user).exclude(pk=organisation.pk))
    if request.method == "POST" and call_service(
            form, lambda data: services.organisation_update(actor=request.user, organisation=organisation,
                                                            values=form.values())):
        messages.success(request, "Organisation saved.")
        return redirect("organisation-detail", organisation.pk)
    return form_page(request, form, title=f"Change {organisation.name}", heading="Change the organisation",
                     caption=organisation.name, submit="Save organisation",
                     back_url=reverse("organisation-detail", args=[organisation.pk]), status=form_status(form))


@login_required
def organisation_detail(request, pk):
    user = request.user
    organisation = selectors.organisation_for_reader(user, pk)
    administers = (permissions.can_administer(user)[0]
                   and selectors.organisations_for_administrator(user).filter(pk=organisation.pk).exists())
    return render(request, "grants/organisation_detail.html", {
        "organisation": organisation,
        "allocations": selectors.organisation_allocations(user, organisation),
        "projects": selectors.organisation_projects(user, organisation),
        "people": selectors.organisation_people(organisation) if administers else None,
        "administers": administers,
    })


# People ---------------------------------------------------------------------------------------


@login_required
def user_list(request):
    require(permissions.can_administer(request.user))
    people = selectors.users_for_administrator(request.user).order_by(
        "organisation__name", "-is_active", "last_name", "first_name", "username")
    groups = {}
    for person in people:
        groups.setdefault(person.organisation, []).append(person)
    return render(request, "grants/administration/users.html", {"groups": list(groups.items())})


@login_required
def user_invite(request):
    require(permissions.can_administer(request.user))
    organisations = selectors.organisations_for_administrator(request.user)
    initial = {}
    chosen = request.GET.get("organisation", "")
    if chosen.isdigit() and organisations.filter(pk=chosen).exists():
        initial["organisation"] = int(chosen)
        initial["role"] = User.Role.VIEWER if int(chosen) == request.user.organisation_id else User.Role.PROVIDER
    form = forms.InviteForm(request.POST or None, organisations=organisations, initial=initial)
    if request.method == "POST":
        done = {}

        def call(data):
            done["user"] = services.user_invite(actor=request.user, values=form.values())

        if call_service(form, call):
            person = done["user"]
            messages.success(request, f"Invitation sent to {person.email}.")
            return redirect("user-detail", person.pk)
    return form_page(request, form, title="Invite a person", heading="Invite a person", submit="Send invitation",
                     back_url=reverse("user-list"), status=form_status(form),
                     intro="They get an email with a link to set their password. The link works once, for a few days.")


def _user_context(request, person, **forms_given) -> dict:
    user = request.user
    roles = _roles_for(user, person)
    active = selectors.active_administrators(person.organisation_id)
    can_deactivate, deactivate_reason = permissions.can_deactivate_user(user, person, active_administrators=active)
    return {
        "person": person,
        "events": person.account_events.select_related("actor"),
        "role_form": forms_given.get("role") or forms.RoleForm(initial={"role": person.role}, roles=roles),
        "deactivate_form": forms_given.get("deactivate") or forms.DeactivateForm(),
        "can_deactivate": can_deactivate,
        "deactivate_reason": deactivate_reason if person.is_active else "",
        "invited": not person.has_usable_password() and person.is_active,
        "error_forms": [form for form in forms_given.values() if form.errors],
    }


@login_required
def user_detail(request, pk):
    require(permissions.can_administer(request.user))
    person = selectors.user_for_administrator(request.user, pk)
    return render(request, "grants/administration/user_detail.html", _user_context(request, person))


def _roles_for(user, person):
    if person.organisation_id == user.organisation_id:
        return FUNDER_ROLES
    if person.organisation.kind == person.organisation.Kind.CSP:
        return PARTNER_ROLES
    return (User.Role.PROVIDER,)


@login_required
@require_POST
def user_role(request, pk):
    require(permissions.can_administer(request.user))
    person = selectors.user_for_administrator(request.user, pk)
    form = forms.RoleForm(request.POST, roles=_roles_for(request.user, person))
    if call_service(form, lambda data: services.user_role_change(actor=request.user, user=person, role=data["role"])):
        messages.success(request, "Role changed.")
        return redirect("user-detail", person.pk)
    return render(request, "grants/administration/user_detail.html", _user_context(request, person, role=form),
                  status=400)


@login_required
@require_POST
def user_resend(request, pk):
    require(permissions.can_administer(request.user))
    person = selectors.user_for_administrator(request.user, pk)
    run_service(request, lambda: services.user_invitation_resend(actor=request.user, user=person),
                success=f"Invitation sent again to {person.email}.")
    return redirect("user-detail", person.pk)


@login_required
@require_POST
def user_deactivate(request, pk):
    require(permissions.can_administer(request.user))
    person = selectors.user_for_administrator(request.user, pk)
    require(permissions.can_deactivate_user(request.user, person,
                                            active_administrators=selectors.active_administrators(person.organisation_id)))
    form = forms.DeactivateForm(request.POST)
    if call_service(form, lambda data: services.user_deactivate(actor=request.user, user=person,
                                                                reason=data["reason"])):
        messages.success(request, "Account deactivated: they can no longer sign in. What they did is kept.")
        return redirect("user-detail", person.pk)
    return render(request, "grants/administration/user_detail.html", _user_context(request, person, deactivate=form),
                  status=400)


@login_required
@require_POST
def user_reactivate(request, pk):
    require(permissions.can_administer(request.user))
    person = selectors.user_for_administrator(request.user, pk)
    run_service(request, lambda: services.user_reactivate(actor=request.user, user=person),
                success="Account reactivated: they can sign in again.")
    return redirect("user-detail", person.pk)


# Priorities and areas -------------------------------------------------------------------------


@login_required
def priority_list(request):
    require(permissions.can_administer(request.user))
    return render(request, "grants/administration/priorities.html", {
        "priorities": selectors.priorities_for_administrator(request.user),
    })


@login_required
def priority_edit(request, pk=None):
    require(permissions.can_administer(request.user))
    priority = None if pk is None else selectors.priority_for_administrator(request.user, pk)
    require(permissions.can_edit_priority(request.user, priority))
    form = forms.PriorityForm(request.POST or None, initial=forms.PriorityForm.initial_for(priority))
    if request.method == "POST" and call_service(
            form, lambda data: services.priority_save(actor=request.user, priority=priority, values=form.values())):
        messages.success(request, "Priority saved.")
        return redirect("priority-list")
    heading = "Add a priority" if priority is None else "Change the priority"
    return form_page(request, form, title=heading, heading=heading, caption="Police and Crime Plan",
                     submit="Save priority", back_url=reverse("priority-list"), status=form_status(form))


@login_required
def area_list(request):
    require(permissions.can_administer(request.user))
    return render(request, "grants/administration/areas.html", {"areas": selectors.areas_for_administrator(request.user)})


@login_required
def area_edit(request, pk=None):
    require(permissions.can_administer(request.user))
    area = None if pk is None else selectors.area_for_administrator(request.user, pk)
    used = area is not None and selectors.area_used_by_others(area, request.user.organisation_id)
    require(permissions.can_edit_area(request.user, area, used_by_others=used))
    form = forms.AreaForm(request.POST or None, initial=forms.AreaForm.initial_for(area))
    if request.method == "POST" and call_service(
            form, lambda data: services.area_save(actor=request.user, area=area, values=form.values())):
        messages.success(request, "Area saved.")
        return redirect("area-list")
    heading = "Add an area" if area is None else "Change the area"
    return form_page(request, form, title=heading, heading=heading, submit="Save area",
                     back_url=reverse("area-list"), status=form_status(form),
                     intro="Areas are shared by every funder that uses this service.")
