"""Board actions: recording one, changing it, closing it with its outcome, reopening it."""

from django import forms

from grants.models import BoardAction, Programme, Project, User
from grants.periods import FinancialYear

from .base import ServiceErrorsMixin, VersionedForm, VersionForm
from .fields import ObjectChoiceField, ObjectsChoiceField, date_field, text

Status = BoardAction.Status


class BoardActionForm(VersionedForm):
    board = text("Board or committee", "the board or committee", max_length=200,
                 help_text="For example, Bradford Health and Wellbeing Board.")
    resolved_on = date_field("Resolved on", "the date of the meeting", help_text="For example, 28 1 2020.")
    title = text("Action", "the action", max_length=200,
                 help_text="For example, a further report on Breaking the Cycle's outcomes in Autumn 2020.")
    resolution = text("What the board resolved", "what the board resolved", rows=4,
                      help_text="In the minutes' words.")
    action_owner = text("Who owes it", "who owes the action", max_length=200,
                        help_text="A person or a role, for example Community Safety Partnership manager.")
    assignee = ObjectChoiceField(label="Their account (optional)", queryset=User.objects.none(), required=False,
                                 empty_label="Not named", error_messages={
                                     "invalid_choice": "Choose someone from the list, or leave it empty."})
    due_date = date_field("Due by", "the due date", help_text="For example, 30 11 2020.")
    programmes = ObjectsChoiceField(label="Programmes it concerns", queryset=Programme.objects.none(), required=False,
                                    widget=forms.SelectMultiple(attrs={"checkboxes": True}))
    projects = ObjectsChoiceField(label="Projects it concerns", queryset=Project.objects.none(), required=False,
                                  widget=forms.SelectMultiple(attrs={"checkboxes": True}))

    service_fields = ("board", "resolved_on", "title", "resolution", "action_owner", "assignee", "due_date",
                      "programmes", "projects")

    def __init__(self, *args, users, programmes, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = users
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["programmes"].queryset = programmes
        self.fields["programmes"].label_from_instance = (
            lambda p: f"{p.name} ({p.code}, {FinancialYear(p.financial_year).label})")
        self.fields["projects"].queryset = projects
        self.fields["projects"].label_from_instance = lambda p: f"{p.reference}: {p.name}"

    @classmethod
    def initial_for(cls, action) -> dict:
        if action is None:
            return {}
        initial = {name: getattr(action, name) for name in cls.service_fields
                   if name not in ("assignee", "programmes", "projects")}
        initial.update(assignee=action.assignee_id, programmes=[p.pk for p in action.programmes.all()],
                       projects=[p.pk for p in action.projects.all()], version=action.version)
        return initial


class BoardActionCloseForm(VersionForm, ServiceErrorsMixin):
    status = forms.ChoiceField(
        label="What happened", choices=[(Status.DONE, "Done"), (Status.DROPPED, "No longer needed")],
        widget=forms.Select(attrs={"radios": True}),
        error_messages={"required": "Choose whether the action was done or is no longer needed.",
                        "invalid_choice": "Choose whether the action was done or is no longer needed."})
    outcome = text("Outcome", "the outcome: what was done, or why it is no longer needed", rows=4,
                   help_text="For example, the report went to the board on 24 November 2020.")
    closed_on = date_field("Closed on", "the date the action was closed", help_text="For example, 24 11 2020.")


class BoardActionReopenForm(VersionForm, ServiceErrorsMixin):
    reason = text("Why it is open again", "why the action is open again", max_length=90)
