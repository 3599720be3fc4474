import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from grants.models import RAG, OutcomeMeasure
from grants.services import returns as return_services


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }


PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def parse_number(text: str) -> Decimal:
    """Read a number as people type it: "1,250.50", "£1250", " 96 %". Raises ValueError.

    Only digits, one point and a sign: Decimal would also read "1e9" as a billion pounds."""
    cleaned = (text or "").strip().replace(",", "").replace("£", "").replace("%", "").strip()
    if not PLAIN_NUMBER.fullmatch(cleaned):
        raise ValueError(text)
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text)
    if not value.is_finite():
        raise ValueError(text)
    return value


class NumberField(forms.CharField):
    """A number typed as text, so that the message can say what is wrong in words."""

    def __init__(self, *, what: str, example: str, **kwargs):
        self.what, self.example = what, example
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            return parse_number(value)
        except ValueError:
            raise forms.ValidationError(f"Enter {self.what} as a number, like {self.example}.")


class ReturnForm(forms.Form):
    """The provider's quarterly return. Field names are the services' keys."""

    progress = forms.CharField(label="Progress this quarter", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    challenges = forms.CharField(label="Challenges", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    case_study = forms.CharField(
        label="Case study", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Anonymised: no names, addresses, dates of birth or anything else that identifies a person.",
    )
    risks = forms.CharField(label="Risks and issues", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    self_rag = forms.ChoiceField(label="Your RAG rating for the project this quarter", choices=RAG.choices, required=False)
    personal_data_checked = forms.BooleanField(
        label="I have checked: nothing in this return identifies a service user", required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, lines, measures, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines, self.measures = lines, measures
        for line in lines:
            self.fields[return_services.spend_key(line.pk)] = NumberField(
                label=f"Actual spend on {line.description}", what=f"the spend on {line.description}", example="1250.50"
            )
            self.fields[return_services.explanation_key(line.pk)] = forms.CharField(
                label=f"Explanation of the variance on {line.description}", required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for pm in measures:
            name = pm.measure.name
            if pm.measure.is_rate:
                self.fields[return_services.numerator_key(pm.pk)] = NumberField(
                    label=f"{name}: how many", what=f"how many for {name}", example="24")
                self.fields[return_services.denominator_key(pm.pk)] = NumberField(
                    label=f"{name}: out of how many", what=f"out of how many for {name}", example="25")
            elif pm.unit == OutcomeMeasure.Unit.YES_NO:
                field = forms.TypedChoiceField(
                    label=name, required=False, choices=[("", "Choose"), ("1", "Yes"), ("0", "No")],
                    coerce=Decimal, empty_value=None,
                )
            else:
                example = {"count": "12", "percentage": "96", "money": "1250.50"}[pm.unit]
                field = NumberField(label=name, what=f"the value of {name}", example=example)
            if not pm.measure.is_rate:
                self.fields[return_services.value_key(pm.pk)] = field
            self.fields[return_services.not_collected_key(pm.pk)] = forms.BooleanField(
                label="Not collected this quarter", required=False
            )
            self.fields[return_services.reason_key(pm.pk)] = forms.CharField(
                label=f"Why {name} was not collected", required=False
            )
        # The error summary lists problems in the order the page shows the fields.
        declared = list(self.base_fields)
        self.order_fields([name for name in self.fields if name not in declared] + declared)

    def to_input(self) -> return_services.ReturnInput:
        data = self.cleaned_data
        s = return_services
        return s.ReturnInput(
            progress=data["progress"], challenges=data["challenges"], case_study=data["case_study"], risks=data["risks"],
            self_rag=data["self_rag"], personal_data_checked=data["personal_data_checked"],
            spend={
                line.pk: s.SpendInput(actual=data[s.spend_key(line.pk)], explanation=data[s.explanation_key(line.pk)])
                for line in self.lines
            },
            measures={
                pm.pk: s.MeasureInput(
                    value=data.get(s.value_key(pm.pk)), not_collected=data[s.not_collected_key(pm.pk)],
                    reason=data[s.reason_key(pm.pk)], numerator=data.get(s.numerator_key(pm.pk)),
                    denominator=data.get(s.denominator_key(pm.pk)),
                )
                for pm in self.measures
            },
        )

    def add_service_errors(self, errors: dict[str, str]):
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)

    @classmethod
    def initial_for(cls, ret, lines, measures) -> dict:
        """The form's starting values from a saved return (or nothing)."""
        if ret is None:
            return {}
        s = return_services
        initial = {name: getattr(ret, name) for name in s.NARRATIVE_FIELDS}
        initial.update(self_rag=ret.self_rag, version=ret.version)
        for spend in ret.spend_lines.all():
            initial[s.spend_key(spend.budget_line_id)] = "" if spend.actual is None else f"{spend.actual}"
            initial[s.explanation_key(spend.budget_line_id)] = spend.variance_explanation
        for mv in ret.measure_values.all():
            if mv.numerator is not None:
                initial[s.numerator_key(mv.project_measure_id)] = f"{mv.numerator}"
                initial[s.denominator_key(mv.project_measure_id)] = f"{mv.denominator}"
            elif mv.value is not None:
                initial[s.value_key(mv.project_measure_id)] = (
                    f"{int(mv.value)}" if mv.unit in ("count", "yes_no") else f"{mv.value.normalize():f}"
                )
            initial[s.not_collected_key(mv.project_measure_id)] = mv.not_collected
            initial[s.reason_key(mv.project_measure_id)] = mv.not_collected_reason
        return initial


class ReviewForm(forms.Form):
    officer_rag = forms.ChoiceField(label="Officer's RAG rating", choices=RAG.choices, required=False)
    comment = forms.CharField(
        label="Comment for the provider", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning for amendment: the provider sees it.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Why is it being reopened?", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class SpendCheckForm(forms.Form):
    note = forms.CharField(
        label="Note for the provider", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when querying spend.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
