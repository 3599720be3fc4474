"""
The fields every form is made of: a choice of objects by id, numbers and money as people type them
(1,250.50, £1250, 96%), financial years as 2024-25, dates in the GOV.UK day, month and year boxes
(dates.py), whole numbers and text with messages in words. Money is checked by models.common.money_problem, as in the services.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms

from grants.models.common import PENNY, TEXT_MAX, money_problem, single_line
from grants.periods import FinancialYear

from .dates import GovukDateField

# The largest id a database column holds: a bigger number cannot be an object of ours, and SQLite
# fails on it (OverflowError) rather than finding nothing.
ID_MAX = 2**63 - 1


def _an_id(value) -> bool:
    text = str(value).strip()
    return not text.isdigit() or int(text) <= ID_MAX  # anything not digits is Django's to refuse


class ObjectChoiceField(forms.ModelChoiceField):
    """A choice of one object by id, refusing an id no column can hold as any other wrong choice."""

    def to_python(self, value):
        if value not in self.empty_values and not _an_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ObjectsChoiceField(forms.ModelMultipleChoiceField):
    """A choice of several objects by id, refusing an id no column can hold as any other wrong choice."""

    def _check_values(self, value):
        for pk in value:
            if not _an_id(pk):
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                            params={"value": str(pk)[:40]})
        return super()._check_values(value)


# ASCII digits only (\d and Decimal would take "١٢٣" and full-width digits too), commas only between
# groups of three, one decimal point: Decimal alone would also read "1e9" as a billion pounds.
PLAIN_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def parse_number(text: str, *, pound: bool = False, percent: bool = False) -> Decimal:
    """Read a number as people type it: "1,250.50", "£1250" (where `pound`), " 96 %" (where `percent`).
    Raises ValueError. Money takes a pound sign and never a per cent sign; a percentage the reverse."""
    cleaned = (text or "").strip()
    if percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].rstrip()
    if pound:
        cleaned = re.sub(r"^([+-]?)£\s*", r"\1", cleaned)
    if not PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation:
        raise ValueError(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


class NumberField(forms.CharField):
    """A number typed as text, so that the message can say what is wrong in words: a measure's value,
    a target (where `pound` and `percent`, as its unit is chosen on the same form) or a percentage
    (with `suffix` "%"). `width` sizes the input on the page."""

    def __init__(self, *, what: str, example: str = "90", pound=False, percent=False, suffix: str = "",
                 width: str | None = None, **kwargs):
        self.what, self.example, self.pound, self.percent, self.suffix = what, example, pound, percent, suffix
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        if width:
            self.widget.attrs.update({"width": width, "inputmode": "decimal"})
        if suffix:
            self.widget.attrs["suffix"] = suffix

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_number(value, pound=self.pound, percent=self.percent)
        except ValueError:
            raise forms.ValidationError(f"Enter {self.what} as a number, like {self.example}.")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"
        return value


class MoneyField(forms.CharField):
    """Pounds and pence as people type them: 1,250.50, £1250 or 1250."""

    def __init__(self, *, what: str, **kwargs):
        self.what = what
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"prefix": "£", "width": "10", "inputmode": "decimal"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            amount = parse_number(value, pound=True)
        except ValueError:
            raise forms.ValidationError(f"Enter {self.what} in pounds and pence, like 1250.50.")
        if amount.as_tuple().exponent < -2:
            raise forms.ValidationError(f"Enter {self.what} to the penny: at most 2 decimal places.")
        problem = money_problem(abs(amount), self.what)
        if problem:
            raise forms.ValidationError(problem)
        return amount.quantize(PENNY)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return value


class YearField(forms.CharField):
    """A financial year typed as 2024-25 (or 2024)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "For example, 2024-25.")
        super().__init__(**kwargs)
        self.widget.attrs["width"] = "5"

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        try:
            if value.isdigit() and len(value) == 4:
                return FinancialYear(int(value)).start_year
            return FinancialYear.from_label(value).start_year
        except ValueError:
            raise forms.ValidationError("Enter the financial year like 2024-25.")

    def prepare_value(self, value):
        if isinstance(value, int):
            return FinancialYear(value).label
        return value


def date_field(label: str, what: str, *, required=True, subject: str | None = None,
               help_text="For example, 31 3 2024") -> GovukDateField:
    """A date in the three boxes of the GOV.UK date input: "Enter `what`." when it is missing, and
    "`subject` (the label unless given) must include a month" or "… must be a real date"."""
    return GovukDateField(label=label, what=what, subject=subject, required=required, help_text=help_text)


def whole_number(label: str, what: str, *, maximum: int, help_text="") -> forms.IntegerField:
    field = forms.IntegerField(
        label=label, min_value=0, max_value=maximum, help_text=help_text,
        error_messages={
            "required": f"Enter {what}.", "invalid": f"Enter {what} as a whole number.",
            "min_value": f"{what[0].upper()}{what[1:]} must be 0 or more.",
            "max_value": f"{what[0].upper()}{what[1:]} must be {maximum} or fewer.",
        },
    )
    field.widget.attrs["width"] = "3"
    return field


def text(label: str, what: str, *, required=True, rows=None, help_text="", max_length=None) -> forms.CharField:
    """A text field. One line unless `rows` (then free text up to TEXT_MAX characters): a name or a
    reference with a line break or another control character in it is refused, not saved."""
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    if max_length is None and rows:
        max_length = TEXT_MAX
    what_ = f"{what[0].upper()}{what[1:]}"
    limit = f"{max_length:,}" if max_length else ""
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text, max_length=max_length,
        validators=[] if rows else [single_line],
        error_messages={"required": f"Enter {what}.",
                        "max_length": f"{what_} must be {limit} characters or fewer (it has %(show_value)d).",
                        "invalid": f"Enter {what} on one line: it cannot hold line breaks, tabs or other "
                                   "control characters."},
    )


def long_text(label: str, rows: int, **kwargs) -> forms.CharField:
    """Free text up to TEXT_MAX characters, with a message that says how long it is."""
    return forms.CharField(
        label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), max_length=TEXT_MAX,
        error_messages={"max_length": f"{label} must be {TEXT_MAX:,} characters or fewer (it has %(show_value)d)."},
        **kwargs,
    )


QUARTERS = [(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")]
