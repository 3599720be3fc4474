from decimal import Decimal

from django import template
from django.utils.html import format_html

from grants.periods import FinancialYear, Quarter

register = template.Library()

_STATUS_COLOURS = {
    # Returns
    "draft": "grey",
    "submitted": "blue",
    "returned": "orange",
    "approved": "green",
    "not_started": "grey",
    # Allocations
    "agreement_signed": "turquoise",
    "active": "green",
    "closed": "grey",
    "withdrawn": "red",
    # Payments and spend
    "scheduled": "blue",
    "released": "green",
    "withheld": "red",
    "verified": "green",
    "queried": "orange",
    "not_checked": "grey",
}
_RAG_COLOURS = {"red": "red", "amber": "yellow", "green": "green"}


@register.filter
def money(value):
    """£1,234.56; a dash for nothing."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


@register.filter
def percent(value):
    """12.3%; a dash for none."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value):,.1f}%"


@register.filter
def financial_year(value):
    return FinancialYear(int(value)).label if value else ""


@register.simple_tag
def quarter_label(year, number):
    if not year or not number:
        return ""
    return Quarter(int(year), int(number)).label


@register.simple_tag
def status_tag(value, label):
    """A GOV.UK tag for a status, coloured by meaning, with its text always shown."""
    colour = _STATUS_COLOURS.get(value, "grey")
    return format_html('<strong class="govuk-tag govuk-tag--{}">{}</strong>', colour, label)


@register.simple_tag
def rag_tag(value, label):
    if not value:
        return format_html('<span class="govuk-body-s">{}</span>', "Not rated")
    return format_html(
        '<strong class="govuk-tag govuk-tag--{} app-rag">{}</strong>', _RAG_COLOURS.get(value, "grey"), label
    )


@register.simple_tag
def return_status(value):
    """The tag for a return's status; a return that does not exist yet is “Not started”."""
    from grants.models import QuarterlyReturn

    if not value:
        return status_tag("not_started", "Not started")
    return status_tag(value, QuarterlyReturn.Status(value).label)


@register.simple_tag
def rate_parts(numerator, denominator):
    """A rate's parts as people read them: 24 of 25."""
    if numerator is None or denominator is None:
        return ""
    return f"{int(numerator):,} of {int(denominator):,}"


@register.simple_tag
def measure_value(value, unit):
    """A measure's value as people read it: 96%, 1,250, £1,250.00, Yes."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if unit == "percentage":
        return f"{value.normalize():f}%"
    if unit == "money":
        return money(value)
    if unit == "yes_no":
        return "Yes" if value == 1 else "No"
    return f"{value.normalize():,f}"


@register.filter
def fields_for(form, obj):
    """The return form's bound fields for a budget line (spend, explanation) or a project
    measure (value, not_collected, reason), by those names."""
    from grants.models import BudgetLine
    from grants.services import returns as s

    if isinstance(obj, BudgetLine):
        keys = {"spend": s.spend_key, "explanation": s.explanation_key}
    else:
        keys = {"value": s.value_key, "numerator": s.numerator_key, "denominator": s.denominator_key,
                "not_collected": s.not_collected_key, "reason": s.reason_key}
    return {name: form[key(obj.pk)] for name, key in keys.items() if key(obj.pk) in form.fields}


def _page_of(obj, user) -> str | None:
    """The page of an organisation, programme, allocation, project, return or payment, if `user` may open it.
    The object came from a QuerySet scoped to the user; programme pages are the funder's alone."""
    from django.urls import reverse

    from grants.models import Allocation, Organisation, Payment, Programme, Project, QuarterlyReturn

    if isinstance(obj, Organisation):
        # A provider's people see their own organisation's page; the funder's people see the page of any
        # organisation named on their pages (their own, and those holding what they fund).
        if user.is_provider and obj.pk != user.organisation_id:
            return None
        return reverse("organisation-detail", args=[obj.pk])
    if isinstance(obj, Programme):
        return reverse("programme-detail", args=[obj.pk]) if user.is_funder_side else None
    if isinstance(obj, Allocation):
        return reverse("allocation-detail", args=[obj.pk])
    if isinstance(obj, Project):
        return reverse("project-detail", args=[obj.reference])
    if isinstance(obj, QuarterlyReturn):
        return reverse("return-detail", args=[obj.project.reference, obj.financial_year, obj.quarter])
    if isinstance(obj, Payment):
        return reverse("payment-detail", args=[obj.pk])
    return None


@register.simple_tag(takes_context=True)
def link_to(context, obj, text=None):
    """The object's name (or `text`) as a link to its page where the signed-in user may open it,
    as plain text otherwise. Every name of a record on a page goes through here."""
    if obj is None:
        return ""
    label = str(obj) if text is None else text
    url = _page_of(obj, context["request"].user)
    if url is None:
        return label
    return format_html('<a class="govuk-link" href="{}">{}</a>', url, label)


@register.filter
def date_boxes(field):
    """The day, month and year boxes of a date field (forms.dates.GovukDateField): each with its name,
    id, label, value as typed (or as saved), width and whether it is at fault."""
    from grants.forms.dates import PARTS, parts_in_error

    value = field.value()
    if not isinstance(value, (list, tuple)):
        value = field.field.widget.decompress(value)
    at_fault = parts_in_error(field.errors)
    return [
        {"part": part, "label": part.capitalize(), "name": f"{field.html_name}_{part}",
         "id": f"{field.auto_id}_{part}", "value": "" if typed is None else typed,
         "width": 4 if part == "year" else 2, "error": part in at_fault}
        for part, typed in zip(PARTS, value)
    ]
