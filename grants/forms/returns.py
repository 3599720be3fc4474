"""
The quarterly return and the officers' decisions on it. Field names are the services' keys.
"""

from decimal import Decimal

from django import forms

from grants.models import RAG, OutcomeMeasure
from grants.models.common import TEXT_MAX
from grants.services import returns as return_services

from .base import ServiceErrorsMixin
from .fields import NumberField, long_text


class ReturnForm(ServiceErrorsMixin, forms.Form):
    """The provider's quarterly return. Field names are the services' keys."""

    progress = long_text("Progress this quarter", 5)
    challenges = long_text("Challenges", 4)
    case_study = long_text(
        "Case study", 5,
        help_text="Anonymised: no names, addresses, dates of birth or anything else that identifies a person.",
    )
    risks = long_text("Risks and issues", 4)
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
                label=f"Actual spend on {line.description}", what=f"the spend on {line.description}", example="1250.50",
                pound=True,
            )
            self.fields[return_services.explanation_key(line.pk)] = long_text(
                f"Explanation of the variance on {line.description}", 2)
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
                field = NumberField(label=name, what=f"the value of {name}", example=example,
                                    pound=pm.unit == OutcomeMeasure.Unit.MONEY,
                                    percent=pm.unit == OutcomeMeasure.Unit.PERCENTAGE)
            if not pm.measure.is_rate:
                self.fields[return_services.value_key(pm.pk)] = field
            self.fields[return_services.not_collected_key(pm.pk)] = forms.BooleanField(
                label="Not collected this quarter", required=False
            )
            self.fields[return_services.reason_key(pm.pk)] = forms.CharField(
                label=f"Why {name} was not collected", required=False, max_length=TEXT_MAX,
                error_messages={"max_length": f"Why {name} was not collected must be {TEXT_MAX:,} characters or "
                                              "fewer (it has %(show_value)d)."},
            )
        # The error summary lists problems in the order the page shows the fields.
        declared = list(self.base_fields)
        self.order_fields([name for name in self.fields if name not in declared] + declared)

    def to_input(self) -> return_services.ReturnInput:
        """The cleaned input for the services. On a form with errors, the fields that were valid (the
        others as if left empty), so that the services can say what else is wrong."""
        data = self.cleaned_data
        s = return_services

        def text(key):
            return data.get(key) or ""

        return s.ReturnInput(
            progress=text("progress"), challenges=text("challenges"), case_study=text("case_study"),
            risks=text("risks"), self_rag=text("self_rag"),
            personal_data_checked=bool(data.get("personal_data_checked")),
            spend={
                line.pk: s.SpendInput(actual=data.get(s.spend_key(line.pk)), explanation=text(s.explanation_key(line.pk)))
                for line in self.lines
            },
            measures={
                pm.pk: s.MeasureInput(
                    value=data.get(s.value_key(pm.pk)), not_collected=bool(data.get(s.not_collected_key(pm.pk))),
                    reason=text(s.reason_key(pm.pk)), numerator=data.get(s.numerator_key(pm.pk)),
                    denominator=data.get(s.denominator_key(pm.pk)),
                )
                for pm in self.measures
            },
        )

    def add_other_problems(self, problems: dict[str, str]) -> None:
        """Add the services' problems with the rest of the input, on the fields this form did not
        already refuse, so that the page lists every problem at once."""
        for key, message in problems.items():
            field = key if key in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, message)

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
    comment = long_text("Comment for the provider", 3,
                        help_text="Required when returning for amendment: the provider sees it.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = long_text("Why is it being reopened?", 3)
    version = forms.IntegerField(widget=forms.HiddenInput)


class SpendCheckForm(forms.Form):
    note = long_text("Note for the provider", 3, help_text="Required when querying spend.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class PartnershipReviewForm(forms.Form):
    """The partnership passes a provider's return on to the commissioner, or sends it back."""

    partnership_comment = long_text("Comment", 3, help_text="Required when sending it back: the provider sees it.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class PartnershipReturnForm(forms.Form):
    narrative = long_text("The partnership's report for the quarter", 8,
                          help_text="How the services did, what the partnership decided and why, and what it is "
                                    "watching. The commissioner reads it with the projects' returns.")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PartnershipDecisionForm(forms.Form):
    """The commissioner approves the partnership's return, rating each project return it approves, or sends it
    back with a comment."""

    comment = long_text("Comment for the partnership", 3,
                        help_text="Required when returning for amendment: the partnership sees it.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, returns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rated = list(returns)
        for ret in self.rated:
            self.fields[f"rag_{ret.pk}"] = forms.ChoiceField(
                label=f"Officer's RAG rating: {ret.project.name}", choices=RAG.choices, required=False,
                widget=forms.RadioSelect)

    def rag_fields(self) -> list:
        return [self[f"rag_{ret.pk}"] for ret in self.rated]

    def ratings(self) -> dict[int, str]:
        return {ret.pk: self.cleaned_data.get(f"rag_{ret.pk}", "") for ret in self.rated}
