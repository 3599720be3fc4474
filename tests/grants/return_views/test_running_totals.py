"""
The return page's running totals compare like with like: this quarter, once entered, with the earlier
quarters of the year that have been sent, against the profile and targets of the same quarters. Another
quarter's draft never counts, a return nobody has started shows no variance, and a rate is entered as
how many out of how many and pooled.
"""

import re
from decimal import Decimal

import pytest

from grants.models import MeasureValue
from grants.periods import Quarter
from grants.services import Invalid
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f
from tests.grants.return_views.helpers import client_for, detail

D = Decimal
pytestmark = pytest.mark.django_db


def figures_of(content: str, attribute: str) -> dict:
    rows = {}
    for key, body in re.findall(rf'<tr[^>]*data-{attribute}="([^"]+)"[^>]*>(.*?)</tr>', content, flags=re.S):
        rows[key] = {name: " ".join(re.sub(r"<[^>]+>", " ", value).split())
                     for name, value in re.findall(r'data-figure="([^"]+)">(.*?)</td>', body, flags=re.S)}
    return rows


def spend(w, staff, venue, explanation=""):
    return {w.staff.pk: SpendInput(D(staff), explanation), w.venue.pk: SpendInput(D(venue), explanation)}


def measures(w, people="20", satisfied="91"):
    return {w.people.pk: MeasureInput(D(people)), w.satisfaction.pk: MeasureInput(D(satisfied))}


def test_another_quarters_draft_is_not_counted_in_spend_to_date(project):
    """Q1 is a draft with £9,000 on venue hire: Q2's spend to date counts Q2 alone."""
    w = project
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 1), version=None,
                        data=ReturnInput(spend=spend(w, "10000", "9000")))
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 2), version=None,
                        data=ReturnInput(spend=spend(w, "10000", "1000")))
    content = client_for(w.user_a).get(detail(quarter=2)).content.decode()
    venue = figures_of(content, "line")["Venue hire"]
    assert (venue["actual-to-date"], venue["profile-to-date"]) == ("£1,000.00", "£1,000.00")
    assert "Not counted, not yet sent: Q1" in venue["variance"]
    assert "Over threshold" not in venue["variance"]


def test_the_submission_checks_the_variance_of_the_same_quarters(project):
    """Q1's draft £9,000 on venue hire does not make Q2's £1,000 need an explanation; a sent Q1 does."""
    w = project
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 1), version=None,
                        data=ReturnInput(spend=spend(w, "10000", "9000")))
    data = ReturnInput(progress="Ran sessions.", self_rag="green", spend=spend(w, "10000", "1000"),
                       measures=measures(w), personal_data_checked=True)
    s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 2), version=None, data=data)

    q1 = s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 1),
                         version=1, data=ReturnInput(progress="Q1.", self_rag="green", measures=measures(w),
                                                     spend=spend(w, "10000", "9000", "Bought the year's kit."),
                                                     personal_data_checked=True))
    assert q1.status == "submitted"
    with pytest.raises(Invalid) as refused:
        s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 3), version=None, data=ReturnInput(
            progress="Q3.", self_rag="green", spend=spend(w, "10000", "1000"), measures=measures(w),
            personal_data_checked=True))
    message = refused.value.errors[s.explanation_key(w.venue.pk)]
    assert "spend to date is £11,000.00 against a profile of £3,000.00 for the same quarters (+266.7%)" in message


def test_a_return_nobody_has_started_shows_no_variance(project):
    content = client_for(project.user_a).get(detail(quarter=1)).content.decode()
    rows = figures_of(content, "line")
    assert {row["variance"] for row in rows.values()} == {"Not entered yet"}
    assert "Over threshold" not in content and "-100" not in content


def test_spend_against_no_profile_reads_not_profiled_and_needs_an_explanation(project):
    w = project
    w.venue.profile_q1, w.venue.profile_q2 = D("0"), D("2000")
    w.venue.save()
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 1), version=None,
                        data=ReturnInput(spend=spend(w, "10000", "250")))
    venue = figures_of(client_for(w.user_a).get(detail(quarter=1)).content.decode(), "line")["Venue hire"]
    assert "not profiled" in venue["variance"] and "Over threshold" in venue["variance"]
    assert "100.0%" not in venue["variance"]


# --- Rates --------------------------------------------------------------------------------------


@pytest.fixture
def rate(project):
    project.rate = f.ProjectMeasureFactory(
        project=project.project_a, annual_target=D("90"),
        measure=f.OutcomeMeasureFactory(name="Engaged of those offered", unit="percentage", aggregation="rate"))
    return project


def form(w, **extra):
    data = {"progress": "Sessions ran.", "self_rag": "green", "personal_data_checked": "on",
            f"spend-{w.staff.pk}": "10000", f"spend-{w.venue.pk}": "1000",
            f"value-{w.people.pk}": "20", f"value-{w.satisfaction.pk}": "91"}
    data.update(extra)
    return data


def test_a_rate_is_entered_as_how_many_out_of_how_many(rate):
    w = rate
    client = client_for(w.user_a)
    response = client.post(detail(quarter=1), form(w, **{f"numerator-{w.rate.pk}": "24",
                                                       f"denominator-{w.rate.pk}": "25", "action": "submit"}))
    assert response.status_code == 302
    value = MeasureValue.objects.get(project_measure=w.rate)
    assert (value.numerator, value.denominator, value.value) == (24, 25, D("96.0"))
    content = client.get(detail(quarter=1)).content.decode()
    assert "24 of 25 (96%)" in " ".join(re.sub(r"<[^>]+>", " ", content).split())


@pytest.mark.parametrize("numerator, denominator, message", [
    ("26", "25", "how many (26) cannot be more than out of how many (25)"),
    ("3", "0", "out of how many must be 1 or more"),
    ("2.5", "10", "how many is a count of people or cases: enter a whole number"),
    ("", "10", "enter both how many (the numerator) and out of how many (the denominator)"),
])
def test_a_rate_that_cannot_be_a_rate_is_refused_with_its_message(rate, numerator, denominator, message):
    w = rate
    response = client_for(w.user_a).post(detail(quarter=1), form(w, **{
        f"numerator-{w.rate.pk}": numerator, f"denominator-{w.rate.pk}": denominator, "action": "save"}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MeasureValue.objects.filter(project_measure=w.rate).exists()


def test_a_rate_to_date_pools_the_quarters_sent(rate):
    w = rate
    for number, (n, d) in enumerate([(22, 24), (48, 50)], start=1):
        s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, number), version=None,
                        data=ReturnInput(progress="Sessions.", self_rag="green", personal_data_checked=True,
                                         spend=spend(w, "10000", "1000"), measures={
                                             **measures(w), w.rate.pk: MeasureInput(numerator=D(n), denominator=D(d))}))
    content = client_for(w.commissioner).get(detail(quarter=2)).content.decode()
    row = figures_of(content, "measure")["Engaged of those offered"]
    assert row["measure-to-date"] == "94.6% 70 of 74"  # (22 + 48) ÷ (24 + 50), not the average of 91.7% and 96%
    assert row["measure-target"] == "90%"
