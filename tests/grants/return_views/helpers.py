"""
Helpers shared by the return view tests: return URLs, a signed-in test client,
reading the page (the form's version field, a table's rows, the error summary,
the sent-back banner), the state of every return a refused request must leave
as it was, and a complete return as service input and as the provider's form.
"""

import re
from html.parser import HTMLParser

from grants.models import OutcomeMeasure, QuarterlyReturn, ReturnEvent, SpendLine
from grants.services import returns as s
from tests.worlds import client_for, complete_input  # noqa: F401  (the tests here import them from here)


Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus
Kind = ReturnEvent.Kind
Unit = OutcomeMeasure.Unit

SIGN_IN = "/sign-in/"
STALE = "This return changed since you opened it"


def detail(reference="A-1", year=2023, quarter=1, action=""):
    return f"/returns/{reference}/{year}/{quarter}/" + (f"{action}/" if action else "")


def version_on(response) -> str:
    """The hidden version field of the form on the page ('' when the return is not started)."""
    html = response.content.decode()
    match = re.search(r'<input type="hidden" name="version"(?: value="(\d*)")?', html)
    assert match, "no version field on the page"
    return match.group(1) or ""


class _Tables(HTMLParser):
    """The rows of the table marked data-testid=<testid>, as lists of cell texts."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid) -> list[list[str]]:
    parser = _Tables(testid)
    parser.feed(response.content.decode())
    return parser.rows[1:]  # without the header row


def error_summary_links(response) -> list[str]:
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def sent_back_banner(response) -> str:
    """The text of the "Returned for amendment" banner at the top of the return page ('' if none)."""
    match = re.search(r'<div class="govuk-notification-banner" role="region" aria-labelledby="sent-back-title".*?'
                      r'<div class="govuk-notification-banner__content">(.*?)</div>', response.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def state_of_every_return() -> list:
    return sorted(QuarterlyReturn.objects.values_list("pk", "status", "spend_status", "version", "progress")) + [
        ReturnEvent.objects.count(), SpendLine.objects.exclude(actual=None).count(),
    ]


def complete_form(w, version, action="submit", **changes) -> dict:
    """What the provider types into the form: money as people write it, a percentage with its sign."""
    data = {
        "version": version, "action": action,
        s.spend_key(w.staff.pk): "10,000.00", s.explanation_key(w.staff.pk): "",
        s.spend_key(w.venue.pk): "£1,000", s.explanation_key(w.venue.pk): "",
        s.value_key(w.people.pk): "35", s.reason_key(w.people.pk): "",
        s.value_key(w.satisfaction.pk): "92%", s.reason_key(w.satisfaction.pk): "",
        "progress": "Ran 24 evening sessions in two youth centres.", "challenges": "", "case_study": "", "risks": "",
        "self_rag": "green",
    }
    data.update(changes)
    return data
