"""
Every reporting check in one place: who may see a dashboard, take a report, open the lists,
download the commissioner's workbook or the payment file, or publish open data.
can_<verb>_<noun>(user) -> (allowed, reason), as in grants.permissions.

What a dashboard, report, list or download contains is still decided by the scoped QuerySets
(`for_user`): these functions only say whether the user may ask for it at all.
"""

from grants.models import User

from .reports.subjects import ORGANISATION

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


def can_take_report(user, kind: str) -> Allowed:
    """Who may take which report (reporting.reports: programme, organisation, priority, priorities).
    What it contains is always the user's reach."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to take a report."
    if not user.organisation_id or not user.role:
        return False, "Your account has no organisation or role yet: ask an administrator to set them."
    if user.is_provider and kind != ORGANISATION:
        return False, "Providers can take the performance report of their own organisation only."
    return OK


def can_publish_open_data(user) -> Allowed:
    """Publishing is the commissioner's decision: commissioner officers of a funding organisation."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to download open data."
    if user.organisation_id and user.is_commissioner:
        return OK
    return False, "Open data is published by the funder's commissioner officers."


def can_download_payment_file(user) -> Allowed:
    """The payment file, for the finance system: finance and commissioner officers of a funding organisation.
    It holds the funder's own released payments only (`Payment.objects.for_user`)."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to download the payment file."
    if user.organisation_id and user.role in (User.Role.FINANCE, User.Role.COMMISSIONER):
        return OK
    return False, "The payment file is for the funder's finance and commissioner officers."
