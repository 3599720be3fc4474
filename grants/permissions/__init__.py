"""
Who may do what, one function per action: can_<verb>_<noun>(user, obj) -> (allowed, reason).

Returns, commissioning, variations, virements and payments are here; documents, administration and
a place's figures and board actions are in their own modules of this package, every function
available from `grants.permissions` all the same.

Reach (may the user see the object at all?) is the scoped QuerySets' job
(`for_user`); a view answers 404 outside it. These functions decide, inside
that reach, whether an action is allowed, and say why not (403 with the reason).

Each takes `any_status=True` to ask only "is this the right person?": a view
uses it to tell a form posted over a return that has since moved on (a
"this return changed" message) from a form the user should never have had.
"""

from grants.choices import ALLOCATION_LIVE, ALLOCATION_OPEN, ALLOCATION_SIGNED, RETURN_EDITABLE, RETURN_SPEND_CHECKABLE
from grants.models import Allocation, Clawback, Payment, QuarterlyReturn, User, Variation, Virement

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
    if not any_status and ret is not None and ret.status not in RETURN_EDITABLE:
        return False, f"This return is {ret.get_status_display().lower()} and cannot be changed."
    return OK


def can_review_return(user, ret: QuarterlyReturn, any_status=False) -> Allowed:
    """Approve or return for amendment: a commissioner officer of the funder, once submitted. Under an
    allocation its partnership reports on, the return comes to the commissioner in the partnership's return
    for the quarter, and is decided there."""
    if not (user.role == User.Role.COMMISSIONER and _funds(user, ret.project)):
        return False, "Only a commissioner officer of the funder can approve or return a return."
    allocation = ret.project.allocation
    if allocation.partnership_reports:
        return False, (f"{allocation.recipient} reports on this project: its return is approved or sent back "
                       "with the partnership's return for the quarter.")
    if not any_status and ret.status != Status.SUBMITTED:
        return False, "Only a submitted return can be approved or returned for amendment."
    return OK


def _manages_partnership(user, allocation) -> bool:
    return (user.is_partnership_manager and allocation.partnership_reports
            and user.organisation_id == allocation.recipient_id)


def can_partnership_review_return(user, ret: QuarterlyReturn, any_status=False, *, partnership_status=None) -> Allowed:
    """Pass a submitted return on to the commissioner, or send it back to its provider: a partnership manager
    of the allocation's recipient, while the partnership's return for the quarter is not with the commissioner
    (`partnership_status`: that return's status, None when it has not been started)."""
    allocation = ret.project.allocation
    if not _manages_partnership(user, allocation):
        return False, "Only a partnership manager of the partnership that reports on this project can review its return."
    if any_status:
        return OK
    if ret.status != Status.SUBMITTED:
        return False, "Only a submitted return can be passed on or sent back."
    if partnership_status in (Status.SUBMITTED, Status.APPROVED):
        return False, ("The partnership's return for this quarter is with the commissioner: its project returns "
                       "cannot change until it is decided or sent back.")
    return OK


def can_edit_partnership_return(user, allocation, partnership_return=None, any_status=False) -> Allowed:
    """Write and submit the partnership's return for a quarter: a partnership manager of the recipient, while
    the allocation is live and the return is a draft or sent back."""
    if not _manages_partnership(user, allocation):
        if not allocation.partnership_reports:
            return False, "This allocation's projects report to the commissioner one by one: it has no partnership return."
        return False, "Only a partnership manager of the partnership can write its return."
    if any_status:
        return OK
    if allocation.status not in ALLOCATION_LIVE:
        return False, f"The allocation is {_status_label(allocation)}: no return is owed for it."
    if partnership_return is not None and partnership_return.status not in RETURN_EDITABLE:
        return False, f"This return is {partnership_return.get_status_display().lower()} and cannot be changed."
    return OK


def can_review_partnership_return(user, partnership_return, any_status=False) -> Allowed:
    """Approve or send back a partnership's return: a commissioner officer of the funder, once submitted."""
    if not _commissioner_of(user, partnership_return.allocation.programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can approve or return a partnership's return."
    if not any_status and partnership_return.status != Status.SUBMITTED:
        return False, "Only a submitted partnership return can be approved or returned for amendment."
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
    if not any_status and ret.status not in RETURN_SPEND_CHECKABLE:
        return False, "Spend can be verified once the return is submitted."
    return OK


# Commissioning: programmes, allocations, projects, the measure library ------------------------
#
# Commissioner officers of the funder set these up; finance officers and viewers of the
# funder read them; providers read what reaches them. Finance decides only about money
# out: payments, closing an allocation and clawback.

AllocationStatus = Allocation.Status
OPEN_ALLOCATION = ALLOCATION_OPEN
SIGNED_ALLOCATION = ALLOCATION_SIGNED


def _commissioner_of(user, commissioner_id) -> bool:
    return user.role == User.Role.COMMISSIONER and user.organisation_id == commissioner_id


def _finance_of(user, commissioner_id) -> bool:
    return user.role == User.Role.FINANCE and user.organisation_id == commissioner_id


def _status_label(allocation) -> str:
    return allocation.get_status_display().lower()


def can_create_programme(user) -> Allowed:
    """Set up a new programme: a commissioner officer, for their own organisation."""
    if user.role != User.Role.COMMISSIONER or not user.organisation_id:
        return False, "Only a commissioner officer can set up a programme."
    return OK


def can_edit_programme(user, programme) -> Allowed:
    if not _commissioner_of(user, programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can change a programme."
    return OK


def can_create_allocation(user, programme) -> Allowed:
    if not _commissioner_of(user, programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can allocate money."
    return OK


def can_edit_allocation(user, allocation, any_status=False) -> Allowed:
    """Change an allocation's details: the commissioner, until it is closed or withdrawn."""
    if not _commissioner_of(user, allocation.programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can change an allocation."
    if not any_status and allocation.status not in OPEN_ALLOCATION:
        return False, f"This allocation is {_status_label(allocation)} and cannot be changed."
    return OK


def _allocation_step(user, allocation, statuses, who: str, when: str, any_status) -> Allowed:
    if not _commissioner_of(user, allocation.programme.commissioner_id):
        return False, f"Only a commissioner officer of the funder can {who}."
    if not any_status and allocation.status not in statuses:
        return False, f"This allocation is {_status_label(allocation)}: {when}"
    return OK


def can_approve_allocation(user, allocation, any_status=False) -> Allowed:
    """Record the decision that approves a draft allocation."""
    return _allocation_step(user, allocation, (AllocationStatus.DRAFT,), "approve an allocation",
                            "only a draft allocation can be approved.", any_status)


def can_sign_allocation(user, allocation, any_status=False) -> Allowed:
    return _allocation_step(user, allocation, (AllocationStatus.APPROVED,), "record a signed agreement",
                            "only an approved allocation's agreement can be recorded as signed.", any_status)


def can_activate_allocation(user, allocation, any_status=False) -> Allowed:
    return _allocation_step(user, allocation, (AllocationStatus.AGREEMENT_SIGNED,), "mark an allocation active",
                            "only an allocation with a signed agreement can be marked active.", any_status)


def can_withdraw_allocation(user, allocation, any_status=False) -> Allowed:
    """Withdraw an allocation before delivery starts: draft, approved or signed."""
    return _allocation_step(
        user, allocation, (AllocationStatus.DRAFT, AllocationStatus.APPROVED, AllocationStatus.AGREEMENT_SIGNED),
        "withdraw an allocation", "only a draft, approved or signed allocation can be withdrawn.", any_status,
    )


def can_close_allocation(user, allocation, any_status=False) -> Allowed:
    """Close a signed or active allocation once its payments are settled: a finance officer."""
    if not _finance_of(user, allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can close an allocation."
    if not any_status and allocation.status not in SIGNED_ALLOCATION:
        return False, f"This allocation is {_status_label(allocation)}: only a signed or active allocation can be closed."
    return OK


def _sets_up_projects(user, allocation) -> bool:
    """The commissioner, or a partnership manager of the recipient of an allocation the partnership reports on
    (it commissions the services the allocation funds)."""
    return _commissioner_of(user, allocation.programme.commissioner_id) or _manages_partnership(user, allocation)


def can_edit_project(user, project, any_status=False) -> Allowed:
    """Set up or change a project, its budget lines and its measures: the commissioner, or the partnership
    that reports on the allocation, while the allocation is open."""
    allocation = project.allocation
    if not _sets_up_projects(user, allocation):
        return False, "Only a commissioner officer of the funder can change a project, its budget or its measures."
    if not any_status and allocation.status not in OPEN_ALLOCATION:
        return False, f"The allocation is {_status_label(allocation)}: its projects can no longer change."
    return OK


def can_create_project(user, allocation) -> Allowed:
    if not _sets_up_projects(user, allocation):
        return False, "Only a commissioner officer of the funder can set up a project."
    if allocation.status not in OPEN_ALLOCATION:
        return False, f"This allocation is {_status_label(allocation)}: no project can be added to it."
    return OK


def can_add_measure(user) -> Allowed:
    """Add a measure to the shared library: a commissioner officer."""
    if user.role != User.Role.COMMISSIONER or not user.organisation_id:
        return False, "Only a commissioner officer can add a measure to the library."
    return OK


# Virements ---------------------------------------------------------------------------------


def can_request_virement(user, project) -> Allowed:
    """Ask to move budget: the provider that delivers the project, or the allocation's recipient,
    once the agreement is signed."""
    allocation = project.allocation
    if not (user.is_provider and user.organisation_id in (project.provider_id, allocation.recipient_id)):
        return False, "Only the provider that delivers this project can ask to move its budget."
    if allocation.status not in SIGNED_ALLOCATION:
        return False, f"The allocation is {_status_label(allocation)}: budget can be moved once the agreement is signed."
    return OK


def can_decide_virement(user, virement: Virement, any_status=False) -> Allowed:
    """Approve or refuse a virement: a commissioner officer of the funder, while it is requested."""
    if not _commissioner_of(user, virement.from_line.project.allocation.programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can approve or refuse a virement."
    if not any_status and virement.status != Virement.Status.REQUESTED:
        return False, f"This virement is already {virement.get_status_display().lower()}."
    return OK


def can_request_variation(user, allocation) -> Allowed:
    """Ask for (the recipient) or make (a commissioner officer of the funder) a variation to an allocation
    that is approved, signed or active: a draft is simply changed, a closed one is settled."""
    if not (_commissioner_of(user, allocation.programme.commissioner_id)
            or (user.is_provider and user.organisation_id == allocation.recipient_id)):
        return False, "Only the allocation's recipient or a commissioner officer of the funder can vary it."
    if allocation.status not in ALLOCATION_LIVE:
        if allocation.status == AllocationStatus.DRAFT:
            return False, "This allocation is a draft: change it directly."
        return False, f"This allocation is {_status_label(allocation)}: it can no longer be varied."
    return OK


def can_decide_variation(user, variation: Variation, any_status=False) -> Allowed:
    """Approve or refuse a requested variation: a commissioner officer of the funder."""
    if not _commissioner_of(user, variation.allocation.programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can approve or refuse a variation."
    if not any_status and variation.status != Variation.Status.REQUESTED:
        return False, f"This variation is already {variation.get_status_display().lower()}."
    return OK


def can_request_reprofile(user, project) -> Allowed:
    """Ask for (the provider or the recipient) or make (a commissioner officer of the funder) a re-profile
    of a project's quarterly spend, while its allocation is approved, signed or active."""
    allocation = project.allocation
    if not (_commissioner_of(user, allocation.programme.commissioner_id)
            or (user.is_provider and user.organisation_id in (project.provider_id, allocation.recipient_id))):
        return False, "Only the project's provider, the allocation's recipient or the commissioner can re-profile its spend."
    if allocation.status not in ALLOCATION_LIVE:
        if allocation.status == AllocationStatus.DRAFT:
            return False, "The allocation is a draft: change the project's budget lines directly."
        return False, f"The allocation is {_status_label(allocation)}: its projects' spend can no longer be re-profiled."
    return OK


def can_reallocate(user, allocation) -> Allowed:
    """Move underspend from this allocation to another of the funder's: a commissioner officer, while the
    allocation is approved, signed or active."""
    if not _commissioner_of(user, allocation.programme.commissioner_id):
        return False, "Only a commissioner officer of the funder can move money between allocations."
    if allocation.status not in ALLOCATION_LIVE:
        return False, f"This allocation is {_status_label(allocation)}: money can no longer be moved from it."
    return OK


# Payments and clawback ---------------------------------------------------------------------


def can_manage_payments(user, allocation) -> Allowed:
    """Draw up or update the payment schedule: a finance officer of the funder, once signed."""
    if not _finance_of(user, allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can manage payments."
    if allocation.status not in SIGNED_ALLOCATION:
        return False, (f"This allocation is {_status_label(allocation)}: payments are scheduled once the grant "
                       "agreement is signed and stop when the allocation is closed.")
    return OK


def can_release_payment(user, payment: Payment, any_status=False) -> Allowed:
    if not _finance_of(user, payment.allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can release a payment."
    if not any_status and payment.status not in (Payment.Status.SCHEDULED, Payment.Status.WITHHELD):
        return False, f"This payment is already {payment.get_status_display().lower()}."
    if not any_status and payment.allocation.status not in SIGNED_ALLOCATION:
        return False, f"The allocation is {_status_label(payment.allocation)}: no payment can be released."
    return OK


def can_withhold_payment(user, payment: Payment, any_status=False) -> Allowed:
    if not _finance_of(user, payment.allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can withhold a payment."
    if not any_status and payment.status != Payment.Status.SCHEDULED:
        return False, f"Only a scheduled payment can be withheld; this one is {payment.get_status_display().lower()}."
    return OK


def can_edit_finance_codes(user, allocation, any_status=False) -> Allowed:
    """Record or change an allocation's purchase order: a finance or commissioner officer of the funder, at
    any status (a purchase order is often raised after the decision). `any_status` changes nothing."""
    commissioner_id = allocation.programme.commissioner_id
    if not (_finance_of(user, commissioner_id) or _commissioner_of(user, commissioner_id)):
        return False, "Only a finance or commissioner officer of the funder can change the purchase order."
    return OK


def can_record_clawback(user, allocation) -> Allowed:
    """Ask for unspent grant back: a finance officer, once money has gone out under a signed agreement."""
    if not _finance_of(user, allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can record a clawback."
    if allocation.status not in (*SIGNED_ALLOCATION, AllocationStatus.CLOSED):
        return False, f"This allocation is {_status_label(allocation)}: nothing has been paid to recover."
    return OK


def can_settle_clawback(user, clawback: Clawback, any_status=False) -> Allowed:
    """Record a clawback as received or waived: a finance officer, while it is requested."""
    if not _finance_of(user, clawback.allocation.programme.commissioner_id):
        return False, "Only a finance officer of the funder can record what happened to a clawback."
    if not any_status and clawback.status != Clawback.Status.REQUESTED:
        return False, f"This clawback is already {clawback.get_status_display().lower()}."
    return OK


# The rest of the package, after what its modules build on.
from .administration import *  # noqa: E402,F401,F403
from .documents import *  # noqa: E402,F401,F403
from .places import *  # noqa: E402,F401,F403
