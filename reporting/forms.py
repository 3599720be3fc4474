from django import forms

from grants.models import Programme
from grants.periods import FinancialYear, Quarter

QUARTER_CHOICES = [(str(n), f"Q{n} ({months})") for n, months in ((1, "Apr–Jun"), (2, "Jul–Sep"), (3, "Oct–Dec"), (4, "Jan–Mar"))]


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
        programmes = list(Programme.objects.for_user(user).order_by("-financial_year", "name").values_list(
            "financial_year", "code", "name"))
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
