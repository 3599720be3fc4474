"""Who may administer the service for a funder: organisations, people, plan priorities and areas."""

from grants.models import User
from grants.models.organisations import FUNDER_ROLES, PARTNER_ROLES

from . import OK, Allowed


# Administration: organisations, people, plan priorities and areas -------------------------------
#
# A funder's administrators run the service for it: they add and edit the organisations it works
# with, invite people into the funder's own organisation and into those organisations, change their
# roles and switch their accounts off and on, and keep the funder's plan priorities and the areas.
# They read what the funder funds as a viewer does and decide nothing about returns or money.
# Commissioner officers may add an organisation too, when the one they allocate to is not listed yet.
# Which organisations and people an administrator reaches is the selectors' job (a 404 outside it).


def _administrator(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_administrator and user.organisation_id)


def can_administer(user) -> Allowed:
    """Open the administration pages: an administrator of an organisation."""
    if not _administrator(user):
        return False, "Only an administrator of the funder can manage organisations, people, priorities and areas."
    return OK


def can_create_organisation(user) -> Allowed:
    """Add a recipient or provider organisation: an administrator, or a commissioner officer setting up an
    allocation or a project for one not listed yet."""
    if _administrator(user) or (user.role == User.Role.COMMISSIONER and user.organisation_id):
        return OK
    return False, "Only an administrator or a commissioner officer of the funder can add an organisation."


def can_edit_organisation(user, organisation) -> Allowed:
    """Change an organisation's details: an administrator of the funder (its own organisation or one it
    works with; reach is the selectors')."""
    return can_administer(user)


def can_manage_user(user, person) -> Allowed:
    """Send an invitation again, change a role, switch an account off or on: an administrator."""
    return can_administer(user)


def can_give_role(user, organisation, role: str) -> Allowed:
    """Which role a person may be given where: in the funder's own organisation a funder role
    (administrator, commissioner or finance officer, viewer); in an organisation it works with, provider, and in
    a community safety partnership partnership manager too."""
    allowed, reason = can_administer(user)
    if not allowed:
        return allowed, reason
    if organisation.pk == user.organisation_id:
        if role not in FUNDER_ROLES:
            return False, "People of your own organisation are administrators, commissioner or finance officers, or viewers."
    elif role not in PARTNER_ROLES:
        return False, ("People of an organisation you work with are providers or partnership managers: the other "
                       "roles are your own organisation's.")
    elif role == User.Role.PARTNERSHIP and organisation.kind != organisation.Kind.CSP:
        return False, f"{organisation.name} is not a community safety partnership: it has no partnership managers."
    return OK


def can_deactivate_user(user, person, *, active_administrators: int) -> Allowed:
    """Switch an account off: an administrator, never their own, never the last active administrator."""
    allowed, reason = can_manage_user(user, person)
    if not allowed:
        return allowed, reason
    if person.pk == user.pk:
        return False, "You cannot deactivate your own account: ask another administrator."
    if not person.is_active:
        return False, "This account is already deactivated."
    if person.is_administrator and active_administrators <= 1:
        return False, "This is the organisation's last administrator: make someone else an administrator first."
    return OK


def can_change_role(user, person, role: str, *, active_administrators: int) -> Allowed:
    """Change someone's role: a role their organisation may have; the last active administrator keeps theirs."""
    allowed, reason = can_give_role(user, person.organisation, role)
    if not allowed:
        return allowed, reason
    if person.is_administrator and role != User.Role.ADMINISTRATOR and person.is_active and active_administrators <= 1:
        return False, "This is the organisation's last administrator: make someone else an administrator first."
    return OK


def can_edit_priority(user, priority) -> Allowed:
    """Add or change a Police and Crime Plan priority: an administrator of the funder whose plan it is."""
    allowed, reason = can_administer(user)
    if allowed and priority is not None and priority.commissioner_id != user.organisation_id:
        return False, "Only an administrator of the funder whose plan it is can change its priorities."
    return allowed, reason


def can_edit_area(user, area, *, used_by_others: bool = False) -> Allowed:
    """Add or change an area (areas are shared by every funder): an administrator; an area another
    funder's projects serve is changed by nobody here, since it would change their open data too."""
    allowed, reason = can_administer(user)
    if allowed and used_by_others:
        return False, "Projects another funder funds serve this area: it cannot be changed from here."
    return allowed, reason
