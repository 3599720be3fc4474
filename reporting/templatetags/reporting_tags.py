"""Tags for the dashboards and reports: statuses and RAG ratings as they count in reports (a return
not started; whose rating a RAG is), and the long tables of a performance report."""


from django import template
from django.template.defaultfilters import linebreaksbr, pluralize
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from grants.templatetags.grants_tags import (
    measure_value, money, percent, quarter_label, rag_tag, rate_parts, status_tag,
)
from grants.figures import NOT_RATED, NOT_STARTED, RAG_LABELS, STATUS_LABELS

register = template.Library()

# How a measure's figure for a period is made, in a few words for a report's table.
HOW = {
    "events": "Added up over the approved quarters",
    "people": "Unique people in the year, latest approved",
    "level": "Latest approved value",
    "rate": "Pooled over the approved quarters",
    "milestone": "Latest approved answer",
}


@register.simple_tag
def report_status(value):
    """A return's status tag, "Not started" for none."""
    if not value or value == NOT_STARTED:
        return status_tag("not_started", STATUS_LABELS[NOT_STARTED])
    return status_tag(value, STATUS_LABELS[value])


@register.simple_tag
def report_rag(value, source=""):
    """A RAG tag, with whose rating it is when that is known."""
    if not value or value == NOT_RATED:
        return rag_tag("", "")
    tag = rag_tag(value, RAG_LABELS[value])
    if source:
        return format_html('{} <span class="govuk-body-s">({})</span>', tag, source)
    return tag


register.filter("percent", percent)


# --- The long tables of a performance report ---------------------------------------------------
# A report of a large programme has thousands of rows; each is written here with format_html (every
# value escaped), several times quicker than the template language's nodes for the same markup.

_SPEND_ROW = (
    '<tr class="govuk-table__row" data-project="{reference}">'
    '<th scope="row" class="govuk-table__header"><a class="govuk-link" href="{url}">{name}</a><br>'
    '<span class="govuk-body-s govuk-!-font-weight-regular">{reference} · {provider}</span></th>'
    '<td class="govuk-table__cell">{programme}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{approved} of {expected}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric app-money" data-figure="plan">{plan}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric app-money" data-figure="plan-compared">{plan_compared}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric app-money" data-figure="spent">{spent}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric app-money" data-figure="variance">{variance}<br>'
    '<span class="govuk-body-s">{variance_percent}</span></td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric app-money" data-figure="awaiting">{awaiting}</td>'
    '<td class="govuk-table__cell">{rag}</td></tr>'
)
_OUTCOME_ROW = (
    '<tr class="govuk-table__row" data-project="{reference}" data-measure="{measure}">'
    '<th scope="row" class="govuk-table__header">{name}<br>'
    '<span class="govuk-body-s govuk-!-font-weight-regular">{reference}</span></th>'
    '<td class="govuk-table__cell">{measure}<br><span class="govuk-body-s">{how}; {reported} of {expected} '
    'quarter{plural} approved</span></td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-figure="actual">{actual}{parts}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric" data-figure="target">{target}</td>'
    '<td class="govuk-table__cell govuk-table__cell--numeric">{percent}</td>'
    '<td class="govuk-table__cell">{rag}</td></tr>'
)
_RISK_ROW = (
    '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{name}<br>'
    '<span class="govuk-body-s govuk-!-font-weight-regular">{reference}, {quarter}</span></th>'
    '<td class="govuk-table__cell">{rag}</td><td class="govuk-table__cell">{risks}</td>'
    '<td class="govuk-table__cell">{challenges}</td></tr>'
)


def _project_url(reference: str, base: list) -> str:
    if not base:
        base.append(reverse("project-detail", args=["--"])[: -len("--/")])
    return f"{base[0]}{reference}/"


def _lines(text: str):
    """Text with its line breaks kept, escaped (the template's linebreaksbr)."""
    return linebreaksbr(text or "–", autoescape=True)


@register.simple_tag
def spend_rows(report):
    base = []
    rags = {}
    return format_html_join("", _SPEND_ROW, (
        {"reference": p.reference, "url": _project_url(p.reference, base), "name": p.name, "provider": p.provider,
         "programme": p.programme, "approved": p.approved, "expected": p.expected, "plan": money(p.plan_total),
         "plan_compared": money(p.plan_compared), "spent": money(p.spent_total), "variance": money(p.variance),
         "variance_percent": percent(p.variance_percent), "awaiting": money(p.awaiting_spent) if p.spend.awaiting else "–",
         "rag": rags.setdefault(p.rag, report_rag(p.rag))}
        for p in report.projects
    ))


@register.simple_tag
def outcome_rows(report):
    rags = {}
    return format_html_join("", _OUTCOME_ROW, (
        {"reference": o.project.reference, "name": o.project.name, "measure": o.name,
         "how": HOW.get(o.aggregation, ""), "reported": o.quarters_reported,
         "parts": format_html('<br><span class="govuk-body-s">{}</span>', rate_parts(o.figure.numerator,
                                                                                  o.figure.denominator))
         if o.figure.numerator is not None else "",
         "expected": o.quarters_expected, "plural": pluralize(o.quarters_expected),
         "actual": measure_value(o.actual, o.unit), "target": measure_value(o.target, o.unit),
         "percent": percent(o.percent_of_target), "rag": rags.setdefault(o.rag, report_rag(o.rag))}
        for o in report.outcomes
    ))


@register.simple_tag
def risk_rows(report):
    rags = {}
    return format_html_join("", _RISK_ROW, (
        {"name": p.name, "reference": p.reference, "quarter": quarter_label(p.latest.financial_year, p.latest.quarter),
         "rag": rags.setdefault(p.rag, report_rag(p.rag)), "risks": _lines(p.latest.risks),
         "challenges": _lines(p.latest.challenges)}
        for p in report.risks
    ))
