"""Tags for the dashboards and reports: the project page's charts, and statuses and RAG ratings as
they count in reports (a return not started; whose rating a RAG is)."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

from grants.templatetags.grants_tags import rag_tag, status_tag
from reporting.figures import NOT_RATED, NOT_STARTED, RAG_LABELS, STATUS_LABELS

register = template.Library()


@register.inclusion_tag("reporting/_charts.html", takes_context=True)
def project_charts(context, project):
    """Spend against profile and outcomes against target, quarter by quarter, as charts with their tables."""
    from reporting.dashboards import project_charts as charts

    user = context["request"].user
    return {"charts": charts(user, project), "request": context["request"]}


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


@register.filter
def percent(value):
    """12.3%; a dash for none."""
    if value is None or value == "":
        return "–"
    return f"{Decimal(value):,.1f}%"
