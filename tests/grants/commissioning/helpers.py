"""
Helpers shared by the commissioning and finance tests: money to the penny, budget
lines, returns taken through the real services to "approved with verified spend",
the test client for an actor, the rows of a table on a page, and the error summary.
"""

import html
import re
from decimal import Decimal
from html.parser import HTMLParser

from grants.models import QuarterlyReturn
from grants.periods import Quarter
from grants.services import returns as return_services
from grants.services.returns import ReturnInput, SpendInput
from tests.worlds import budget_line as line, client_for  # noqa: F401  (the tests here import them from here)

Q = lambda n, year=2023: Quarter(year, n)  # noqa: E731


def gbp(text) -> Decimal:
    return Decimal(text)


def verified_return(w, project, quarter: Quarter, spend: dict, *, provider=None, verify=True, approve=True):
    """A return for `quarter` submitted by the provider, approved by the commissioner and its spend
    verified by finance, all through the return services. `spend` maps budget lines to amounts."""
    provider = provider or (w.user_a if project.provider_id == w.provider_a.pk else w.user_b)
    data = ReturnInput(progress="Sessions ran as planned.", self_rag="green",
                       spend={ln.pk: SpendInput(actual=Decimal(v), explanation="Timing of invoices.")
                              for ln, v in spend.items()})
    existing = QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year,
                                              quarter=quarter.number).first()
    ret = return_services.return_submit(actor=provider, project=project, quarter=quarter,
                                        version=existing.version if existing else None, data=data)
    if approve:
        ret = return_services.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")
    if verify:
        ret = return_services.return_verify_spend(actor=w.finance, ret=ret, version=ret.version)
    return ret


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
    return [row for row in parser.rows[1:] if row]  # without the header row


def summary_list(response, testid) -> dict[str, str]:
    """The keys and values of the summary list marked data-testid=<testid>."""
    html = response.content.decode()
    block = re.search(rf'<dl[^>]*data-testid="{testid}".*?</dl>', html, re.S)
    assert block, f"no summary list {testid}"
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block.group(0), re.S)
    clean = lambda s: " ".join(re.sub(r"<[^>]+>", " ", s).split())  # noqa: E731
    return {clean(k): clean(v) for k, v in pairs}


def error_summary(response) -> list[tuple[str, str]]:
    """(link target, message) for each entry of the GOV.UK error summaries on the page."""
    html = response.content.decode()
    found = []
    for summary in re.findall(r'<div class="govuk-error-summary".*?</ul>', html, re.S):
        found += [(target, " ".join(text.split())) for target, text in
                  re.findall(r'<a href="#([^"]*)">(.*?)</a>', summary, re.S)]
    return found


def version_in(response, action: str = "") -> str:
    """The hidden version of the form posting to `action` (or the first form with one)."""
    html = response.content.decode()
    pattern = (rf'<form[^>]*action="{re.escape(action)}"[^>]*>.*?name="version" value="(\d+)"' if action
               else r'name="version" value="(\d+)"')
    match = re.search(pattern, html, re.S)
    assert match, f"no version field for {action or 'any form'}"
    return match.group(1)


def blocked(response) -> dict[str, str]:
    """The actions the page shows disabled, each with the reason beside it (the text its button's
    aria-describedby points to)."""
    page = response.content.decode()
    clean = lambda s: html.unescape(" ".join(re.sub(r"<[^>]+>", " ", s).split()))  # noqa: E731
    found = {}
    for button in re.findall(r"<button[^>]*data-blocked-action=[^>]*>", page):
        assert 'disabled aria-disabled="true"' in button, button
        action = re.search(r'data-blocked-action="([^"]+)"', button).group(1)
        described_by = re.search(r'aria-describedby="([^"]+)"', button).group(1)
        reason = re.search(rf'<div[^>]*id="{described_by}"[^>]*>(.*?)</div>', page, re.S)
        found[action] = clean(reason.group(1))
    return found


def offered(response, action_url: str) -> bool:
    """Whether the page has a form that posts to `action_url`."""
    return f'action="{action_url}"' in response.content.decode()
