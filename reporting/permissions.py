"""
Who may take which report: can_<verb>_<noun>(user) -> (allowed, reason), as in grants.permissions.

What a report contains is still decided by the scoped QuerySets (`for_user`): these
functions only say whether the user may ask for it at all.
"""

from grants.models import User

Allowed = tuple[bool, str]
OK: Allowed = (True, "")


def can_export_commissioner_workbook(user) -> Allowed:
    """The commissioner's workbook: commissioner and finance officers of a funding organisation."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to download the commissioner's workbook."
    if user.organisation_id and user.role in (User.Role.COMMISSIONER, User.Role.FINANCE):
        return OK
    return False, "The commissioner's workbook is for the funder's commissioner and finance officers."


def can_view_lists(user) -> Allowed:
    """The lists of programmes, allocations, projects, returns and payments: anyone with an organisation
    and a role. What each list holds is the user's reach."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to see the lists."
    if not user.organisation_id or not user.role:
        return False, "Your account has no organisation or role yet: ask an administrator to set them."
    return OK


def can_view_dashboard(user) -> Allowed:
    """Anyone with an organisation and a role has a dashboard: the funder's or a provider's."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to see your dashboard."
    if not user.organisation_id or not user.role:
        return False, "Your account has no organisation or role yet: ask an administrator to set them."
    return OK
