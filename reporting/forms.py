"""The reporting forms: the dashboard's quarter and programme, the report chooser, the
commissioner's workbook and the payment file's days. All are GET forms whose choices come from the
user's reach only, so that a form cannot reveal anyone else's programmes or partners."""

from datetime import date

from django import forms
from django.db.models import Q

from grants.choices import ALLOCATION_COMMITTED as COUNTED_ALLOCATIONS
from grants.figures import latest_ended_quarter
from grants.forms.fields import date_field
from grants.models import Allocation, Organisation, Priority, Programme, Project
from grants.periods import FinancialYear, Quarter

from .reports import (
    ORGANISATION,
    PRIORITIES,
    PRIORITY,
    PROGRAMME,
    Window,
    organisation_subject,
    priorities_subject,
    priority_subject,
    programme_subject,
)

QUARTER_CHOICES = [(str(n), f"Q{n} ({months})") for n, months in ((1, "Apr–Jun"), (2, "Jul–Sep"), (3, "Oct–Dec"), (4, "Jan–Mar"))]


def ended_quarters(first_start: date | None, today: date) -> list[Quarter]:
    """Every quarter from the one the user's first project starts in to the latest that has ended,
    newest first (just the latest when there are no projects)."""
    latest = latest_ended_quarter(today)
    first = Quarter.from_date(first_start) if first_start else latest
    return list(reversed(list(Quarter.range(min(first, latest), latest))))


# --- The dashboard ---------------------------------------------------------------------------


class DashboardForm(forms.Form):
    quarter = forms.ChoiceField(
        label="Quarter", required=False,
        error_messages={"invalid_choice": "Choose a quarter that has ended, from the list."},
    )
    programme = forms.TypedChoiceField(
        label="Programme", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choose one of your programmes, or all programmes."},
    )

    def __init__(self, *args, user, today: date, first_start: date | None, default: Quarter, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = default
        self.fields["quarter"].choices = [(q.label, f"{q.label} ({q.months})") for q in ended_quarters(first_start, today)]
        self.programmes = {
            p.pk: p for p in Programme.objects.for_user(user).order_by("-financial_year", "name", "pk")
        }
        self.fields["programme"].choices = [("", "All programmes")] + [
            (str(pk), f"{p.name} {p.years_label}") for pk, p in self.programmes.items()
        ]
        self.initial.setdefault("quarter", default.label)

    @property
    def chosen_quarter(self) -> Quarter:
        label = self.cleaned_data.get("quarter")
        return Quarter.from_label(label) if label else self.default

    @property
    def chosen_programme(self) -> Programme | None:
        pk = self.cleaned_data.get("programme")
        return self.programmes.get(pk) if pk else None


# --- The report chooser ----------------------------------------------------------------------


SUBJECT_CHOICES = [
    (PROGRAMME, "A programme"),
    (ORGANISATION, "An organisation: a recipient such as a community safety partnership, or a provider"),
    (PRIORITY, "A Police and Crime Plan priority"),
    (PRIORITIES, "Every priority, side by side (the report by priority)"),
]


class ReportForm(forms.Form):
    """Which twelve months and what about. A provider chooses the period only: the report is of
    its own organisation."""

    end = forms.ChoiceField(
        label="Period",
        error_messages={"required": "Choose the quarter the 12 months end with.",
                        "invalid_choice": "Choose a period from the list: it must end with a quarter that has ended."},
    )
    subject = forms.ChoiceField(
        label="What the report is about", choices=SUBJECT_CHOICES,
        error_messages={"required": "Choose what the report is about.",
                        "invalid_choice": "Choose what the report is about."},
    )
    programme = forms.ChoiceField(
        label="Programme", required=False,
        error_messages={"invalid_choice": "Choose one of your programmes from the list."},
    )
    organisation = forms.TypedChoiceField(
        label="Organisation", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choose one of the organisations from the list."},
    )
    priority = forms.TypedChoiceField(
        label="Priority", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choose one of your plan's priorities from the list."},
    )

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        projects = Project.objects.for_user(user).filter(allocation__status__in=COUNTED_ALLOCATIONS)
        self.projects = projects  # the reach of any report (reporting/downloads.py: report_reach)
        first = projects.order_by("start_date").values_list("start_date", flat=True).first()
        quarters = ended_quarters(first, today)
        self.fields["end"].choices = [(q.label, f"{Window(q).title} ({Window(q).span})") for q in quarters]
        self.initial.setdefault("end", quarters[0].label)
        self.provider = user.is_provider
        if self.provider:
            for name in ("subject", "programme", "organisation", "priority"):
                del self.fields[name]
            return
        programmes = {}
        for code, name in Programme.objects.for_user(user).order_by("name", "-financial_year").values_list("code", "name"):
            programmes.setdefault(code, f"{name} ({code})")
        self.fields["programme"].choices = [("", "Choose a programme")] + sorted(
            programmes.items(), key=lambda choice: choice[1])
        allocations = Allocation.objects.for_user(user).filter(status__in=COUNTED_ALLOCATIONS)
        self.organisations = {
            o.pk: o for o in Organisation.objects.filter(
                Q(pk__in=allocations.values("recipient_id")) | Q(pk__in=projects.values("provider_id"))
            ).order_by("name")
        }
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [
            (str(pk), o.name) for pk, o in self.organisations.items()]
        self.priorities = {
            p.pk: p for p in Priority.objects.filter(commissioner_id=user.organisation_id).order_by("name")
        } if user.is_funder_side else {}
        self.fields["priority"].choices = [("", "Choose a priority")] + [
            (str(pk), p.name) for pk, p in self.priorities.items()]

    def clean(self):
        data = super().clean()
        if self.provider:
            data["subject"] = ORGANISATION
            return data
        subject = data.get("subject")
        needs = {PROGRAMME: ("programme", "Choose a programme."),
                 ORGANISATION: ("organisation", "Choose an organisation."),
                 PRIORITY: ("priority", "Choose a priority.")}
        if subject in needs:
            name, message = needs[subject]
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        return data

    @property
    def window(self) -> Window:
        return Window(Quarter.from_label(self.cleaned_data["end"]))

    @property
    def kind(self) -> str:
        return self.cleaned_data["subject"]

    def chosen_subject(self):
        data, kind = self.cleaned_data, self.kind
        if self.provider:
            return organisation_subject(self.user.organisation)
        if kind == PROGRAMME:
            return programme_subject(self.user, data["programme"])
        if kind == ORGANISATION:
            return organisation_subject(self.organisations[data["organisation"]])
        if kind == PRIORITY:
            return priority_subject(self.priorities[data["priority"]])
        return priorities_subject()


# --- The commissioner's workbook -------------------------------------------------------------


class CommissionerWorkbookForm(forms.Form):
    """Which quarter, and which of the user's programmes, the commissioner's workbook covers."""

    year = forms.TypedChoiceField(
        label="Financial year", coerce=int, choices=(),
        error_messages={"required": "Choose a financial year.",
                        "invalid_choice": "Choose one of the financial years of your programmes."},
    )
    quarter = forms.TypedChoiceField(
        label="Quarter", coerce=int, choices=QUARTER_CHOICES,
        error_messages={"required": "Choose a quarter.", "invalid_choice": "Choose a quarter from Q1 to Q4."},
    )
    programme = forms.ChoiceField(
        label="Programme", required=False, choices=(),
        error_messages={"invalid_choice": "Choose one of your programmes, or all programmes."},
    )

    def __init__(self, *args, user, today, **kwargs):
        # Choices come from the user's programmes only, so the form cannot reveal anyone else's.
        rows = Programme.objects.for_user(user).order_by("-financial_year", "name").values_list(
            "financial_year", "last_financial_year", "code", "name")
        # A programme over several years is a programme of each of them.
        programmes = [(year, code, name) for first, last, code, name in rows
                      for year in range(first, (last or first) + 1)]
        self.programmes = {(year, code) for year, code, _ in programmes}
        years = sorted({year for year, _, _ in programmes}, reverse=True)
        names = {}
        for _, code, name in programmes:
            names.setdefault(code, name)
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(str(y), FinancialYear(y).label) for y in years]
        self.fields["programme"].choices = [("", "All programmes")] + sorted(
            ((code, f"{name} ({code})") for code, name in names.items()), key=lambda choice: choice[1]
        )
        # Start from the last quarter that has ended, in a year with programmes.
        last = Quarter.from_date(today).previous()
        if years:
            year = last.financial_year if last.financial_year in years else years[0]
            number = last.number if year == last.financial_year else 4
            self.initial.setdefault("year", str(year))
            self.initial.setdefault("quarter", str(number))

    def clean(self):
        data = super().clean()
        year, code = data.get("year"), data.get("programme")
        if year and code and (year, code) not in self.programmes:
            self.add_error("programme", f"There is no {code} programme in {FinancialYear(year).label}: "
                                        "choose another year or programme, or all programmes.")
        return data

    @property
    def period(self) -> Quarter:
        return Quarter(self.cleaned_data["year"], self.cleaned_data["quarter"])


# --- The payment file ------------------------------------------------------------------------


class PaymentFileForm(forms.Form):
    """The days a payment file covers: paid from the first to the last, both included, at most a year."""

    paid_from = date_field("From", "the first day of the range", subject="The first day",
                           help_text="The first day payments were paid on, for example 1 4 2023.")
    paid_to = date_field("To", "the last day of the range", subject="The last day",
                         help_text="The last day, included in the range, for example 30 6 2023.")

    def __init__(self, *args, max_days: int, **kwargs):
        self.max_days = max_days
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, last = data.get("paid_from"), data.get("paid_to")
        if first and last:
            if last < first:
                self.add_error("paid_to", f"The last day must be the same as or after the first day "
                                          f"({first:%-d %B %Y}).")
            elif (last - first).days + 1 > self.max_days:
                self.add_error("paid_to", f"The range can be at most {self.max_days} days (a year): it has "
                                          f"{(last - first).days + 1}. Choose a shorter range, or take each "
                                          "year's file in turn.")
        return data
