"""
Who may do what, one function per action: can_<verb>_<noun>(user, obj) -> (allowed, reason).

Reach (may the user see the object at all?) is the scoped QuerySets' job
(`for_user`); a view answers 404 outside it. These functions decide, inside
that reach, whether an action is allowed, and say why not (403 with the reason).

Each takes `any_status=True` to ask only "is this the right person?": a view
uses it to tell a form posted over a return that has since moved on (a
"this return changed" message) from a form the user should never have had.
"""

from grants.choices import ALLOCATION_LIVE, ALLOCATION_OPEN, ALLOCATION_SIGNED, RETURN_EDITABLE, RETURN_SPEND_CHECKABLE
from grants.models import Allocation, Clawback, Payment, QuarterlyReturn, User, Variation, Virement
from grants.models.documents import DocumentKind
from grants.models.organisations import FUNDER_ROLES, PARTNER_ROLES

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


# Documents ----------------------------------------------------------------------------------
#
# Files attached to an allocation, one of its returns, payments or clawbacks (grants.services.documents).
# Who may attach (and remove) what, where: on the allocation, the funder's commissioner and finance
# officers any kind, and the recipient's people its signed agreement, the grant conditions and
# safeguarding evidence; on a return, the provider while it may change the return, and the funder's
# officers; on a payment or a clawback, the funder's finance officers. A provider removes only what its
# own organisation attached. Who may read a document is its reach (document_scope): 404 outside it.

DocKind = DocumentKind
# The kinds of document each thing takes.
DOCUMENT_KINDS = {
    "allocation": (DocKind.AGREEMENT, DocKind.CONDITIONS, DocKind.SAFEGUARDING, DocKind.OTHER),
    "return": (DocKind.SPEND, DocKind.CASE_STUDY, DocKind.OTHER),
    "payment": (DocKind.PAYMENT, DocKind.OTHER),
    "clawback": (DocKind.CLAWBACK, DocKind.OTHER),
}
# What an allocation's recipient attaches to it.
RECIPIENT_DOCUMENT_KINDS = (DocKind.AGREEMENT, DocKind.CONDITIONS, DocKind.SAFEGUARDING)


def document_target(target) -> str:
    """What a document is attached to, as DOCUMENT_KINDS names it."""
    if isinstance(target, QuarterlyReturn):
        return "return"
    if isinstance(target, Payment):
        return "payment"
    if isinstance(target, Clawback):
        return "clawback"
    if isinstance(target, Allocation):
        return "allocation"
    raise TypeError(f"A document is attached to an allocation, a return, a payment or a clawback, not {target!r}")


def target_allocation(target) -> Allocation:
    """The allocation a document on `target` is filed under."""
    return target if isinstance(target, Allocation) else (
        target.project.allocation if isinstance(target, QuarterlyReturn) else target.allocation)


def _document_rights(user, target, any_status=False) -> tuple[tuple, str]:
    """(the kinds of document `user` may attach to `target`, or none; and why none)."""
    where = document_target(target)
    allocation = target_allocation(target)
    funder = allocation.programme.commissioner_id
    officer = _commissioner_of(user, funder) or _finance_of(user, funder)
    kinds = DOCUMENT_KINDS[where]
    if where == "allocation":
        if not officer:
            if not (user.is_provider and user.organisation_id == allocation.recipient_id):
                return (), ("Only the funder's commissioner and finance officers, and the allocation's recipient, can "
                            "attach or remove documents on an allocation.")
            kinds = RECIPIENT_DOCUMENT_KINDS
    elif where == "return":
        if not officer:
            if not _delivers(user, target.project):
                return (), ("Only the provider that delivers the project, and the funder's commissioner and finance "
                            "officers, can attach or remove documents on its return.")
            if not any_status and target.status not in RETURN_EDITABLE:
                return (), (f"This return is {target.get_status_display().lower()}: its provider can attach or remove "
                            "documents while it is a draft or sent back for amendment.")
    elif not _finance_of(user, funder):
        return (), f"Only a finance officer of the funder can attach or remove documents on a {where}."
    if not any_status and allocation.status == AllocationStatus.WITHDRAWN:
        return (), "This allocation is withdrawn: nothing more can be attached to it or removed from it."
    return kinds, ""


def addable_document_kinds(user, target) -> tuple:
    """The kinds of document `user` may attach to `target` now (none when they may attach nothing)."""
    return _document_rights(user, target)[0]


def can_add_document(user, target, kind: str | None = None, any_status=False) -> Allowed:
    """Attach a document to an allocation, a return, a payment or a clawback (of `kind`, when given: a
    kind the thing does not take at all is the service's to refuse)."""
    kinds, reason = _document_rights(user, target, any_status)
    if not kinds:
        return False, reason
    if kind is not None and kind not in kinds and kind in DOCUMENT_KINDS[document_target(target)]:
        label = DocKind(kind).label
        return False, (f"Only the funder's officers can attach {label[0].lower()}{label[1:]} here: the recipient "
                       "attaches its signed agreement, the grant conditions and safeguarding evidence.")
    return OK


def can_remove_document(user, document, any_status=False) -> Allowed:
    """Remove a document: whoever may attach its kind where it is attached; a provider only what its own
    organisation attached. The document and its file are kept for the audit trail."""
    if not any_status and document.removed_at is not None:
        return False, "This document has already been removed."
    target = document.clawback or document.payment or document.quarterly_return or document.allocation
    kinds, reason = _document_rights(user, target, any_status)
    if not kinds:
        return False, reason
    if document.kind not in kinds or (user.is_provider and document.added_by.organisation_id != user.organisation_id):
        return False, "Only the funder's officers can remove a document the funder attached."
    return OK


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


# Board actions and a partnership's data pack ----------------------------------------------------
#
# An action a board or scrutiny committee resolved is its owner organisation's record: the people who
# keep that organisation's board business record it, change it, close it and reopen it: the partnership
# managers of a partnership, and the commissioner officers and administrators of a funder. A funder does
# not write in a partnership's name: an action its own board or panel asks of a partnership is recorded
# as the funder's own, linked to the partnership's projects it funds, and the partnership's own actions
# are read by the funder (and its overdue ones are on the funder's work list). Everyone else who reaches
# an action (grants.selectors.places.board_actions_for: 404 outside it) reads it.

# An administrator runs the service (people, organisations) and otherwise reads as a viewer does.
BOARD_ACTION_KEEPERS = (User.Role.PARTNERSHIP, User.Role.COMMISSIONER)


def can_record_board_action(user, owner) -> Allowed:
    """Record a new action for `owner`'s board: a partnership manager of the partnership, or a commissioner
    officer of the funder, for their own organisation."""
    if not (getattr(user, "is_authenticated", False) and owner is not None
            and user.organisation_id == owner.pk and user.role in BOARD_ACTION_KEEPERS):
        return False, ("Only the partnership managers of a partnership, or the commissioner officers of a funder, "
                       "record their own organisation's board actions.")
    return OK


def can_edit_board_action(user, action, any_status=False) -> Allowed:
    """Change an open action: whoever may record its owner's actions."""
    allowed, reason = can_record_board_action(user, action.owner)
    if not allowed:
        return allowed, reason
    if not any_status and action.status != action.Status.OPEN:
        return False, f"This action is {action.get_status_display().lower()}: reopen it before changing it."
    return OK


def can_close_board_action(user, action, any_status=False) -> Allowed:
    """Mark an open action done, or no longer needed, with its outcome."""
    allowed, reason = can_record_board_action(user, action.owner)
    if not allowed:
        return allowed, reason
    if not any_status and action.status != action.Status.OPEN:
        return False, f"This action is already {action.get_status_display().lower()}."
    return OK


def can_reopen_board_action(user, action, any_status=False) -> Allowed:
    """Reopen an action that was closed."""
    allowed, reason = can_record_board_action(user, action.owner)
    if not allowed:
        return allowed, reason
    if not any_status and action.status == action.Status.OPEN:
        return False, "This action is open already."
    return OK


def can_download_sna_pack(user, organisation) -> Allowed:
    """A partnership's Strategic Needs Assessment data pack: its partnership managers, and the commissioner
    and finance officers of a funder that funds it (reach, a 404 outside it, is the view's)."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to download a data pack."
    if user.is_partnership_manager and user.organisation_id == organisation.pk:
        return OK
    if user.role in (User.Role.COMMISSIONER, User.Role.FINANCE) and user.organisation_id:
        return OK
    return False, "A partnership's data pack is for its partnership managers and its funder's commissioner and finance officers."


# --- The figures of a place (grants.models.places) -----------------------------------------------


def can_manage_indicators(user, owner_org) -> Allowed:
    """Add or change an organisation's indicator series, and import their figures: the funder's commissioner
    officers for their own organisation's series, a partnership manager for its own partnership's (an
    administrator reads as a viewer does). Seeing them is the selectors' rule (grants.selectors.places)."""
    if not getattr(user, "is_authenticated", False) or owner_org is None or user.organisation_id != owner_org.pk:
        return False, "Only the organisation that keeps these figures can change them."
    if user.role in (User.Role.COMMISSIONER, User.Role.PARTNERSHIP):
        return OK
    return False, ("Only a commissioner officer of the funder, or a partnership manager of the partnership, can "
                   "import or change its figures.")
