"""
Forms for money: virements between budget lines and their decision, releasing and withholding
payments, and clawback.
"""

from django import forms

from grants.models import BudgetLine, Clawback
from grants.periods import FinancialYear

from .base import BaseForm, ServiceErrorsMixin, VersionForm
from .fields import QUARTERS, MoneyField, ObjectChoiceField, date_field, text

# Virements ----------------------------------------------------------------------------------


class LineChoiceField(ObjectChoiceField):
    def label_from_instance(self, line):
        return (f"{line.project.name}: {line.description} ({line.kind}, {FinancialYear(line.financial_year).label}, "
                f"£{line.amount:,.2f})")


class VirementForm(BaseForm):
    from_line = LineChoiceField(label="Move money from", queryset=BudgetLine.objects.none(),
                                empty_label="Choose a budget line",
                                error_messages={"required": "Choose the budget line the money comes from.",
                                                "invalid_choice": "Choose a budget line from the list."})
    to_line = LineChoiceField(label="Move money to", queryset=BudgetLine.objects.none(),
                              empty_label="Choose a budget line",
                              error_messages={"required": "Choose the budget line the money goes to.",
                                              "invalid_choice": "Choose a budget line from the list."})
    amount = MoneyField(label="Amount", what="the amount to move")
    quarter = forms.TypedChoiceField(
        label="Quarter whose profile changes", coerce=int, choices=[("", "Choose a quarter")] + QUARTERS,
        help_text="The amount comes off the first line's planned spend for this quarter and onto the second's.",
        error_messages={"required": "Choose the quarter whose profile changes."},
    )
    reason = text("Why does the money need to move?", "the reason", required=False, rows=4,
                  help_text="The commissioner decides on this reason.")

    service_fields = ("from_line", "to_line", "amount", "quarter", "reason")

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_line"].queryset = lines
        self.fields["to_line"].queryset = lines


class DecisionForm(VersionForm, ServiceErrorsMixin):
    """A commissioner's decision on a virement."""

    note = text("Note for the provider", "a note", required=False, rows=3,
                help_text="Required when refusing: the provider sees it.")
    confirm_crossing = forms.BooleanField(
        label="I approve this money crossing between capital and revenue", required=False)


# Payments and clawback ----------------------------------------------------------------------


class ReleaseForm(VersionForm, ServiceErrorsMixin):
    reference = text("Payment reference", "the payment reference", required=False, max_length=100,
                     help_text="The reference from the finance system.")
    paid_on = date_field("Date paid", "the date the payment was made", required=False)
    # Paying only the undisputed part: the rest is withheld, with its reason, and released later.
    amount = MoneyField(label="Amount paid now", what="the amount paid now",
                        help_text="Leave empty to pay it all. Enter less to pay the undisputed part now.")
    withhold_reason = text("Why is the rest withheld?", "the reason", required=False, rows=2,
                           help_text="Only when paying part: for example, which spend is queried. The recipient "
                           "sees this.")


class WithholdForm(VersionForm, ServiceErrorsMixin):
    reason = text("Why is the payment withheld?", "the reason", required=False, rows=3,
                  help_text="For example, which return is missing. The recipient sees this.")


class ClawbackForm(BaseForm):
    kind = forms.ChoiceField(
        label="What is being recovered?", choices=Clawback.Kind.choices, initial=Clawback.Kind.UNDERSPEND,
        widget=forms.Select(attrs={"radios": True}), required=False,
        error_messages={"required": "Choose whether this is unspent grant or ineligible spend."},
        help_text="Spend found ineligible no longer counts as verified spend.")
    amount = MoneyField(label="Amount to recover", what="the amount to recover")
    reason = text("Why is the money being recovered?", "the reason", required=False, rows=3,
                  help_text="For example, underspend at year end.")
    requested_on = date_field("Date requested", "the date the money was asked for", required=False)

    service_fields = ("kind", "amount", "reason", "requested_on")


class ReceiveForm(VersionForm, ServiceErrorsMixin):
    received_on = date_field("Date received", "the date the money was received", required=False)


class WaiveForm(VersionForm, ServiceErrorsMixin):
    waived_reason = text("Why will the money not be recovered?", "the reason", required=False, rows=3)
