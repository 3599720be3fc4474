"""
Forms for commissioning: programmes, allocations and their decisions, projects, budget lines and
outcome measures. They read what people type and hand plain values to the services, which decide
what is allowed; the services' messages come back onto the fields they name.
"""

from decimal import Decimal

from django import forms

from grants.models import Area, BudgetLine, Organisation, OtherFunding, OutcomeMeasure, Priority, Programme
from grants.periods import FinancialYear

from .base import BaseForm, ServiceErrorsMixin, VersionedForm, VersionForm
from .fields import (
    MoneyField,
    NumberField,
    ObjectChoiceField,
    ObjectsChoiceField,
    YearField,
    date_field,
    text,
    whole_number,
)

# Programmes ---------------------------------------------------------------------------------


class ProgrammeForm(VersionedForm):
    name = text("Name", "the programme's name", max_length=200)
    code = forms.SlugField(
        label="Code", max_length=40, help_text="A short code used in exports: letters, numbers and hyphens, like CSF-2024.",
        error_messages={"required": "Enter a short code for the programme, like CSF-2024.",
                        "invalid": "The code can only have letters, numbers, hyphens and underscores, like CSF-2024."},
    )
    financial_year = YearField(label="Financial year", error_messages={"required": "Enter the financial year, like 2024-25."})
    funding_source = text("Funding source", "where the money comes from", max_length=200,
                          help_text="For example, Home Office Serious Violence Duty.")
    description = text("Description", "a description", required=False, rows=3)
    total_budget = MoneyField(label="Total budget", what="the total budget")
    cost_centre = text("Cost centre (optional)", "the cost centre", required=False, max_length=30,
                       help_text="The finance system's cost centre the programme is charged to. It is carried onto "
                                 "each payment and the payment file.")
    ledger_code = text("Ledger code (optional)", "the ledger code", required=False, max_length=30,
                       help_text="The finance system's ledger (nominal) code for the grant payments.")
    payment_terms = forms.ChoiceField(
        label="Payment terms", choices=Programme.PaymentTerms.choices, widget=forms.Select(attrs={"radios": True}),
        error_messages={"required": "Choose how the programme pays: in arrears or in advance."},
    )
    return_due_days = whole_number("Days after quarter end that returns are due", "the days after quarter end",
                                   maximum=120)
    reminder_days_before = whole_number("Reminder: days before the due date", "the days before the due date",
                                        maximum=60)
    overdue_reminder_days = whole_number("Overdue reminder: days after the due date", "the days after the due date",
                                         maximum=60)
    variance_threshold_percent = NumberField(
        label="Variance threshold", what="the variance threshold", percent=True, suffix="%", width="5",
        help_text="Spend more than this far from profile needs an explanation.",
    )
    over_allocation_percent = NumberField(
        label="Over-allocation allowance", what="the over-allocation allowance", percent=True, suffix="%", width="5",
        help_text="How far approved allocations may exceed the budget, expecting underspend. 0 for none.",
    )
    forbid_capital_revenue_virements = forms.BooleanField(
        label="Refuse virements between capital and revenue", required=False,
        help_text="Left unticked, money may move between capital and revenue lines, each time approved explicitly.",
    )
    # Documents the grant's conditions require before money is released (grants.services.documents).
    agreement_before_payment = forms.BooleanField(
        label="Require the signed agreement to be attached before an allocation's first payment", required=False,
        help_text="The first payment is released only once the signed grant agreement is attached to the allocation.",
    )
    safeguarding_before_payment = forms.BooleanField(
        label="Require safeguarding evidence to be attached before any payment", required=False,
        help_text="A payment is released only once evidence of safeguarding (for example DBS) checks is attached to "
                  "the allocation.",
    )

    service_fields = ("name", "code", "financial_year", "funding_source", "description", "total_budget",
                      "cost_centre", "ledger_code",
                      "payment_terms", "return_due_days", "reminder_days_before", "overdue_reminder_days",
                      "variance_threshold_percent", "over_allocation_percent", "forbid_capital_revenue_virements",
                      "agreement_before_payment", "safeguarding_before_payment")

    def clean(self):
        data = super().clean()
        for name in ("variance_threshold_percent", "over_allocation_percent"):
            if name in data and data[name] is None:
                data[name] = Decimal("0")
        return data

    @classmethod
    def initial_for(cls, programme: Programme | None) -> dict:
        if programme is None:
            return {"return_due_days": 30, "reminder_days_before": 7, "overdue_reminder_days": 7,
                    "variance_threshold_percent": Decimal("10"), "over_allocation_percent": Decimal("0"),
                    "payment_terms": Programme.PaymentTerms.ARREARS}
        return {**{name: getattr(programme, name) for name in cls.service_fields}, "version": programme.version}


# Allocations --------------------------------------------------------------------------------


class AllocationForm(VersionedForm):
    recipient = ObjectChoiceField(
        label="Recipient", queryset=Organisation.objects.none(), empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that receives the money.",
                        "invalid_choice": "Choose an organisation from the list."},
    )
    title = text("Title", "a title for the allocation", max_length=200,
                 help_text="For example, Bradford District Community Safety Fund 2024-25.")
    purpose = text("Purpose", "the purpose", required=False, rows=3, help_text="What the grant is for.")
    award_reason = text("Reason for the award", "the reason for the award", required=False, rows=3,
                        help_text="Why this recipient was funded and how the amount was set, for example by formula. "
                                  "Published with the grant as open data.")
    amount = MoneyField(label="Amount", what="the amount")
    start_date = date_field("Start date", "the start date")
    end_date = date_field("End date", "the end date")
    conditions = text("Conditions of the grant agreement", "the conditions", required=False, rows=4)
    is_regrant = forms.BooleanField(label="The recipient passes the money on as grants to other providers",
                                    required=False)
    partnership_reports = forms.BooleanField(
        label="The partnership reviews its providers' returns and reports to you in one return a quarter",
        required=False,
        help_text="For a community safety partnership: its partnership managers set up the services it commissions, "
                  "review their returns first and submit the partnership's return, which you approve or send back.")
    do_not_publish = forms.BooleanField(label="Do not publish this allocation as open data", required=False)
    do_not_publish_reason = text("Why it must not be published", "the reason", required=False, rows=2)

    service_fields = ("recipient", "title", "purpose", "award_reason", "amount", "start_date", "end_date",
                      "conditions", "is_regrant", "partnership_reports", "do_not_publish", "do_not_publish_reason")
    DECIDED = ("recipient", "amount", "start_date", "end_date")

    def __init__(self, *args, organisations, decided=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = organisations
        if decided:
            # Fixed by the approval decision: shown, not posted.
            for name in self.DECIDED:
                self.fields[name].disabled = True
                self.fields[name].help_text = "Fixed by the approval decision."

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.service_fields if not self.fields[name].disabled}

    @classmethod
    def initial_for(cls, allocation) -> dict:
        if allocation is None:
            return {}
        initial = {name: getattr(allocation, name) for name in cls.service_fields}
        initial["recipient"] = allocation.recipient_id
        initial["version"] = allocation.version
        return initial


class ApproveForm(VersionForm, ServiceErrorsMixin):
    decision_reference = text("Decision reference", "the reference of the decision", max_length=100,
                              help_text="The reference of the decision record, for example OPCC-DEC-2024-017.")
    decision_date = date_field("Decision date", "the date of the decision")


class SignForm(VersionForm, ServiceErrorsMixin):
    signed_on = date_field("Date the grant agreement was signed", "the date the agreement was signed",
                           subject="The date the agreement was signed")


class WithdrawForm(VersionForm, ServiceErrorsMixin):
    reason = text("Why is the allocation being withdrawn?", "the reason", required=False, rows=3)


class ActionForm(VersionForm, ServiceErrorsMixin):
    """Activate or close: nothing to enter but the version seen."""


# Projects -----------------------------------------------------------------------------------


class ProjectForm(VersionedForm):
    reference = forms.SlugField(
        label="Reference", max_length=40,
        help_text="A short unique reference: letters, numbers and hyphens, like BTC-2024.",
        error_messages={"required": "Enter a short reference for the project, like BTC-2024.",
                        "invalid": "The reference can only have letters, numbers, hyphens and underscores."},
    )
    name = text("Name", "the project's name", max_length=200)
    description = text("Description", "a description", required=False, rows=3)
    provider = ObjectChoiceField(
        label="Delivered by", queryset=Organisation.objects.none(), empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation that delivers the project.",
                        "invalid_choice": "Choose an organisation from the list."},
    )
    start_date = date_field("Start date", "the start date")
    end_date = date_field("End date", "the end date", help_text="For example, 31 3 2025. Funding that ends within "
                          "the warning period is flagged as “funding ending”.")
    priorities = ObjectsChoiceField(
        label="Police and Crime Plan priorities", queryset=Priority.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"checkboxes": True}),
    )
    area = ObjectChoiceField(label="Area served", queryset=Area.objects.none(), required=False, empty_label="No area")

    service_fields = ("reference", "name", "description", "provider", "start_date", "end_date", "area")

    def __init__(self, *args, organisations, priorities, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = organisations
        self.fields["priorities"].queryset = priorities
        self.fields["area"].queryset = areas

    @classmethod
    def initial_for(cls, project) -> dict:
        if project is None:
            return {}
        initial = {name: getattr(project, name) for name in cls.service_fields}
        initial.update(provider=project.provider_id, area=project.area_id,
                       priorities=[p.pk for p in project.priorities.all()], version=project.version)
        return initial


class BudgetLineForm(VersionedForm):
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=(),
                                            error_messages={"required": "Choose the financial year."})
    category = forms.ChoiceField(label="Category", choices=[("", "Choose a category")] + BudgetLine.Category.choices,
                                 error_messages={"required": "Choose the category of the budget line."})
    description = text("Description", "a description of the line", max_length=200,
                       help_text="For example, Youth-work practitioners.")
    amount = MoneyField(label="Budget for the year", what="the budget for the year")
    profile_q1 = MoneyField(label="Planned spend Q1 (Apr–Jun)", what="the planned spend for Q1")
    profile_q2 = MoneyField(label="Planned spend Q2 (Jul–Sep)", what="the planned spend for Q2")
    profile_q3 = MoneyField(label="Planned spend Q3 (Oct–Dec)", what="the planned spend for Q3")
    profile_q4 = MoneyField(label="Planned spend Q4 (Jan–Mar)", what="the planned spend for Q4",
                            help_text="The four quarters must add up to the budget for the year.")

    service_fields = ("financial_year", "category", "description", "amount", "profile_q1", "profile_q2", "profile_q3",
                      "profile_q4")

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, FinancialYear(y).label) for y in years]

    @classmethod
    def initial_for(cls, line) -> dict:
        if line is None:
            return {}
        return {**{name: getattr(line, name) for name in cls.service_fields}, "version": line.version}


class VariationForm(BaseForm):
    """A variation to an approved allocation: whatever is left empty stays as it is."""

    amount = MoneyField(label="New amount", what="the new amount", help_text="Leave empty to keep the amount.")
    end_date = date_field("New end date", "the new end date", required=False,
                          help_text="Leave empty to keep the end date. For example, 30 6 2024")
    conditions = text("New conditions", "the new conditions", required=False, rows=4,
                      help_text="Leave empty to keep the conditions.")
    reason = text("Why does the allocation need to change?", "the reason", required=False, rows=4,
                  help_text="The decision rests on this reason.")

    service_fields = ("amount", "end_date", "conditions", "reason", "financial_year")

    def __init__(self, *args, years: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if len(years) > 1:  # an allocation over several years: the change of amount falls on one of them
            self.fields["financial_year"] = year_choice(
                years, years[-1], label="Year the change of amount falls on",
                help_text="The other years keep their amounts. Only used with a new amount.")
            self.order_fields(["amount", "financial_year"])


def year_choice(years, initial, *, label, help_text):
    return forms.TypedChoiceField(label=label, coerce=int, initial=initial, help_text=help_text,
                                  choices=[(year, FinancialYear(year).label) for year in years],
                                  error_messages={"required": "Choose the financial year.",
                                                  "invalid_choice": "Choose one of the years listed."})


class ProgrammeYearForm(VersionedForm):
    budget = MoneyField(label="Budget for the year", what="the budget for the year")

    service_fields = ("budget",)


class AllocationYearsForm(VersionedForm):
    """An allocation's amount in each financial year it runs in, adding up to the allocation."""

    def __init__(self, *args, amounts: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(amounts)
        for year, amount in amounts.items():
            label = FinancialYear(year).label
            self.fields[f"year_{year}"] = MoneyField(label=f"Amount in {label}", what=f"the amount for {label}",
                                                     initial=amount)

    def amounts(self) -> dict:
        return {year: self.cleaned_data.get(f"year_{year}") for year in self.years}


class ReprofileForm(BaseForm):
    """A project's new quarterly profile for a year: four figures per budget line, each line keeping its
    total. A quarter already reported is shown but cannot be changed."""

    reason = text("Why does the spend need re-profiling?", "the reason", required=False, rows=4,
                  help_text="For example, recruitment slipped a quarter. The decision rests on this reason.")

    QUARTER_NAMES = ("Q1 (Apr–Jun)", "Q2 (Jul–Sep)", "Q3 (Oct–Dec)", "Q4 (Jan–Mar)")

    def __init__(self, *args, lines, reported=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        reason = self.fields.pop("reason")
        for line in lines:
            for n, name in enumerate(self.QUARTER_NAMES, start=1):
                now = line.profile_for(n)
                field = MoneyField(
                    label=f"{line.description} ({line.get_category_display()}): {name}",
                    what=f"the new {name[:2]} profile of {line.description}",
                    initial=now, disabled=n in reported,
                    help_text=(f"Reported: stays £{now:,.2f}." if n in reported else
                               f"Now £{now:,.2f}." + (f" The four quarters must add up to £{line.amount:,.2f}."
                                                      if n == 4 else "")))
                self.fields[f"line_{line.pk}_q{n}"] = field
        self.fields["reason"] = reason

    def profiles(self) -> dict[int, list]:
        """{line id: [Q1..Q4]} from the cleaned data, an empty quarter read as £0."""
        zero = Decimal("0.00")
        return {line.pk: [self.cleaned_data.get(f"line_{line.pk}_q{n}") or zero for n in (1, 2, 3, 4)]
                for line in self.lines}


class ReallocationForm(BaseForm):
    """Move underspend from one allocation to another in one decision."""

    target = ObjectChoiceField(label="Move it to", queryset=None, empty_label="Choose an allocation",
                               error_messages={"required": "Choose the allocation the money moves to.",
                                               "invalid_choice": "Choose an allocation from the list."})
    amount = MoneyField(label="Amount to move", what="the amount to move")
    reason = text("Why does the money move?", "the reason", required=False, rows=4,
                  help_text="For example, the service started late and cannot spend its allocation this year.")

    def __init__(self, *args, targets, years: list[int] = (), year: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        if len(years) > 1:  # the source runs over several years: the money moves within one of them
            self.fields["financial_year"] = year_choice(
                years, year, label="Financial year the money moves in",
                help_text="The amount comes off this allocation's part for that year and goes onto the other's; "
                          "choose an allocation that runs in that year.")
            self.order_fields(["financial_year", "target"])
        self.fields["target"].label_from_instance = (
            lambda a: f"{a.title} ({a.recipient.name}, {a.programme.name}): £{a.amount:,.2f}")


class VariationDecisionForm(VersionForm, ServiceErrorsMixin):
    note = text("Note for the recipient", "a note", required=False, rows=3,
                help_text="Required when refusing: the recipient sees it.")


class OtherFundingForm(VersionedForm):
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=(),
                                            error_messages={"required": "Choose the financial year."})
    funder = text("Funder", "who gives the money", max_length=200,
                  help_text="For example, Bristol City Council: Domestic Abuse Act new burdens funding.")
    amount = MoneyField(label="Amount for the year", what="the amount for the year")
    status = forms.ChoiceField(
        label="Is it confirmed?", choices=OtherFunding.Status.choices, widget=forms.Select(attrs={"radios": True}),
        error_messages={"required": "Say whether the funding is confirmed or still expected."})
    pays_for = text("What it pays for", "what it pays for", required=False, max_length=300,
                    help_text="For example, caseworker time alongside the fittings.")

    service_fields = ("financial_year", "funder", "amount", "status", "pays_for")

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, FinancialYear(y).label) for y in years]

    @classmethod
    def initial_for(cls, funding) -> dict:
        if funding is None:
            return {}
        return {**{name: getattr(funding, name) for name in cls.service_fields}, "version": funding.version}


class ProjectMeasureForm(VersionedForm):
    measure = ObjectChoiceField(label="Measure from the library", queryset=OutcomeMeasure.objects.all(),
                                     empty_label="Choose a measure",
                                     error_messages={"required": "Choose a measure from the library.",
                                                     "invalid_choice": "Choose a measure from the list."})
    financial_year = forms.TypedChoiceField(label="Financial year", coerce=int, choices=(),
                                            error_messages={"required": "Choose the financial year."})
    # A target's unit is chosen on the same form: £ or % may come with the figure.
    baseline = NumberField(label="Baseline", what="the baseline", pound=True, percent=True, width="5",
                           help_text="Where things stood before the project.")
    annual_target = NumberField(label="Target for the year", what="the target for the year", pound=True,
                                percent=True, width="5")
    target_q1 = NumberField(label="Target Q1", what="the Q1 target", pound=True, percent=True, width="5")
    target_q2 = NumberField(label="Target Q2", what="the Q2 target", pound=True, percent=True, width="5")
    target_q3 = NumberField(label="Target Q3", what="the Q3 target", pound=True, percent=True, width="5")
    target_q4 = NumberField(label="Target Q4", what="the Q4 target", pound=True, percent=True, width="5",
                            help_text="Quarterly targets are optional: leave them empty to compare with the year's target.")

    service_fields = ("measure", "financial_year", "baseline", "annual_target", "target_q1", "target_q2",
                      "target_q3", "target_q4")

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, FinancialYear(y).label) for y in years]

    @classmethod
    def initial_for(cls, project_measure) -> dict:
        if project_measure is None:
            return {}
        initial = {name: getattr(project_measure, name) for name in cls.service_fields}
        initial.update(measure=project_measure.measure_id, version=project_measure.version)
        return initial


class MeasureForm(BaseForm):
    name = text("Name", "the measure's name", max_length=200, help_text="For example, Young people engaged.")
    definition = text("Definition", "what is counted, and how", rows=3,
                      help_text="What is counted, and how, so that every provider counts it the same way.")
    unit = forms.ChoiceField(label="Unit", choices=OutcomeMeasure.Unit.choices, widget=forms.Select(attrs={"radios": True}),
                             error_messages={"required": "Choose the unit of the measure."})
    direction = forms.ChoiceField(label="Direction", choices=OutcomeMeasure.Direction.choices,
                                  widget=forms.Select(attrs={"radios": True}),
                                  error_messages={"required": "Choose whether higher or lower is better, or neither."})
    aggregation = forms.ChoiceField(
        label="How it adds up", choices=OutcomeMeasure.Aggregation.choices, widget=forms.Select(attrs={"radios": True}),
        error_messages={"required": "Choose how the measure adds up over the quarters."},
        help_text="People are never added up over quarters: the same person is often helped in several. A rate is "
        "entered as how many out of how many, and pooled before it is divided.")

    service_fields = ("name", "definition", "unit", "direction", "aggregation")
