"""Who may keep a place's figures and its board's actions, and download a partnership's data pack."""

from grants.models import User

from . import OK, Allowed


# Board actions and a partnership's data pack ----------------------------------------------------
#
# An action a board or scrutiny committee resolved is its owner organisation's record: the people who
# keep that organisation's board business record it, change it, close it and reopen it: the partnership
# managers of a partnership, and the commissioner officers of a funder. A funder does
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
