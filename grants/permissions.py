"""
Who may do what, one function per action: can_<verb>_<noun>(user, obj) -> (allowed, reason).

Reach (may the user see the object at all?) is the scoped QuerySets' job
(`for_user`); a view answers 404 outside it. These functions decide, inside
that reach, whether an action is allowed, and say why not (403 with the reason).

Each takes `any_status=True` to ask only "is this the right person?": a view
uses it to tell a form posted over a return that has since moved on (a
"this return changed" message) from a form the user should never have had.
"""

from grants.models import QuarterlyReturn, User

Status = QuarterlyReturn.Status
Allowed = tuple[bool, str]
OK: Allowed = (True, "")


def _delivers(user, project) -> bool:
    return user.is_provider and user.organisation_id == project.provider_id


def _funds(user, project) -> bool:
    return user.is_funder_side and user.organisation_id == project.allocation.programme.commissioner_id


def can_edit_return(user, project, ret: QuarterlyReturn | None, any_status=False) -> Allowed:
    """Start, save or submit a return: the delivering provider, while it is a draft or sent back."""
    if not _delivers(user, project):
        if user.is_provider:
            return False, "Only the organisation that delivers this project can fill in its returns."
        return False, "Only the provider that delivers this project can change its return."
    if not any_status and ret is not None and ret.status not in (Status.DRAFT, Status.RETURNED):
        return False, f"This return is {ret.get_status_display().lower()} and cannot be changed."
    return OK


def can_review_return(user, ret: QuarterlyReturn, any_status=False) -> Allowed:
    """Approve or return for amendment: a commissioner officer of the funder, once submitted."""
    if not (user.role == User.Role.COMMISSIONER and _funds(user, ret.project)):
        return False, "Only a commissioner officer of the funder can approve or return a return."
    if not any_status and ret.status != Status.SUBMITTED:
        return False, "Only a submitted return can be approved or returned for amendment."
    return OK


def can_reopen_return(user, ret: QuarterlyReturn, any_status=False) -> Allowed:
    if not (user.role == User.Role.COMMISSIONER and _funds(user, ret.project)):
        return False, "Only a commissioner officer of the funder can reopen an approved return."
    if not any_status and ret.status != Status.APPROVED:
        return False, "Only an approved return can be reopened."
    return OK


def can_verify_spend(user, ret: QuarterlyReturn, any_status=False) -> Allowed:
    """Verify or query spend: a finance officer of the funder, once submitted or approved."""
    if not (user.role == User.Role.FINANCE and _funds(user, ret.project)):
        return False, "Only a finance officer of the funder can verify spend."
    if not any_status and ret.status not in (Status.SUBMITTED, Status.APPROVED):
        return False, "Spend can be verified once the return is submitted."
    return OK
