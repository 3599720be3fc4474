"""
A date typed the GOV.UK way: three boxes for day, month and year in one fieldset
(templates/includes/date_input.html draws it), with the messages of the GOV.UK date input pattern:
"Decision date must include a month", "Decision date must be a real date".

The boxes are posted as <name>_day, <name>_month and <name>_year. A month may be typed as a number
or a name ("12", "Dec", "December"), as the pattern asks. The error summary links to the day box.
"""

import datetime
import re

from django import forms

PARTS = ("day", "month", "year")
MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
         ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
         ("nov", "november"), ("dec", "december")], start=1)
    for name in names
}
# ASCII digits only: int() would also read "١٢" and full-width digits.
DIGITS = re.compile(r"[0-9]{1,2}", re.ASCII)
YEAR = re.compile(r"[0-9]{4}", re.ASCII)


class GovukDateInput(forms.MultiWidget):
    """The day, month and year boxes of one date."""

    def __init__(self, attrs=None):
        super().__init__({part: forms.TextInput for part in PARTS}, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]

    def id_for_label(self, id_):
        # The error summary and the label link to the day box, as the pattern says.
        return f"{id_}_day" if id_ else ""


class GovukDateField(forms.Field):
    """A date from the three boxes of a GovukDateInput. `subject` names the date in messages, as the
    label does ("Decision date must include a month"); `what` completes "Enter …" when it is missing."""

    widget = GovukDateInput

    def __init__(self, *, label: str, what: str, subject: str | None = None, **kwargs):
        self.subject = subject or label
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault("required", f"Enter {what}.")
        super().__init__(label=label, **kwargs)

    def problem(self, message: str, parts=PARTS) -> forms.ValidationError:
        """A refusal naming the boxes at fault, so that only those are outlined in red."""
        return forms.ValidationError(f"{self.subject} {message}", code="invalid", params={"parts": tuple(parts)})

    def to_python(self, value):
        if isinstance(value, datetime.date):  # a disabled field's initial value
            return value
        if value in self.empty_values:
            return None
        if not isinstance(value, (list, tuple)) or len(value) != 3:
            raise self.problem("must be a real date")
        day, month, year = (str(part or "").strip() for part in value)
        if not (day or month or year):
            return None
        missing = [part for part, typed in zip(PARTS, (day, month, year)) if not typed]
        if missing:
            raise self.problem("must include a " + " and ".join(missing), missing)
        wrong = []
        if not DIGITS.fullmatch(day) or not 1 <= int(day) <= 31:
            wrong.append("day")
        month_number = int(month) if DIGITS.fullmatch(month) else MONTHS.get(month.lower().rstrip("."))
        if month_number is None or not 1 <= month_number <= 12:
            wrong.append("month")
        if wrong:
            raise self.problem("must be a real date", wrong)
        if not YEAR.fullmatch(year):
            raise self.problem("year must include 4 numbers", ["year"])
        try:
            return datetime.date(int(year), month_number, int(day))
        except ValueError:  # 31 February, or year 0000
            raise self.problem("must be a real date")

    def has_changed(self, initial, data):
        try:
            return self.to_python(data) != initial
        except forms.ValidationError:
            return True


def parts_in_error(errors) -> set[str]:
    """The boxes a field's errors are about: those a GovukDateField refusal names, or all three for any
    other message (a service's, such as "The decision date cannot be in the future")."""
    parts = set()
    for error in getattr(errors, "data", ()):
        named = getattr(error, "params", None) or {}
        parts.update(named.get("parts", PARTS) if isinstance(named, dict) else PARTS)
    return parts
