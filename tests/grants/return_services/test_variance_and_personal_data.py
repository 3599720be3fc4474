"""
The quarterly return's services (grants/services/returns.py), with no web request
in between: spend against the profile, year to date, and when a variance needs
an explanation; and personal data in the narrative, which is flagged on submit.

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

from decimal import Decimal

import pytest

from grants.models import QuarterlyReturn, SpendLine
from grants.services import Invalid
from grants.services import returns as s
from grants.services.returns import MeasureInput, SpendInput
from tests.grants.return_services.helpers import Q1, Q2, Status, complete, row_counts, save_draft, submit


# --- Variance against profile -------------------------------------------------------------


def test_the_variance_threshold_is_the_programmes_and_a_variance_exactly_at_it_needs_no_explanation(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = Decimal("11000.00")  # +10.0% against £10,000, the default threshold

    assert submit(project_with_every_unit, data).status == Status.SUBMITTED


def test_a_variance_just_over_the_threshold_needs_an_explanation(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = Decimal("11010.00")  # +10.1%

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert "+10.1%" in refused.value.errors[s.explanation_key(project_with_every_unit.staff.pk)]


def test_the_threshold_is_compared_with_the_exact_variance_not_the_rounded_one(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = Decimal("11000.50")  # +10.005%: shown as +10.0%, but over 10%

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert "£11,000.50 against a profile of £10,000.00" in refused.value.errors[s.explanation_key(project_with_every_unit.staff.pk)]


def test_a_programme_with_a_wider_threshold_accepts_a_wider_variance_without_explanation(project_with_every_unit):
    project_with_every_unit.programme.variance_threshold_percent = Decimal("25.00")
    project_with_every_unit.programme.save()
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = Decimal("12000.00")  # +20%

    assert submit(project_with_every_unit, data).status == Status.SUBMITTED


def test_the_variance_counts_the_spend_of_the_earlier_quarters_of_the_year(project_with_every_unit):
    q1 = complete(project_with_every_unit)
    q1.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("15000.00"), explanation="Front-loaded recruitment.")
    submit(project_with_every_unit, q1, quarter=Q1)
    q2 = complete(project_with_every_unit)  # £10,000: on profile for the quarter, but £25,000 against £20,000 to date (+25%)

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, q2, quarter=Q2)

    message = refused.value.errors[s.explanation_key(project_with_every_unit.staff.pk)]
    assert "+25.0%" in message
    assert not QuarterlyReturn.objects.filter(quarter=2).exists()


def test_spend_that_brings_the_year_back_to_profile_needs_no_explanation(project_with_every_unit):
    q1 = complete(project_with_every_unit)
    q1.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("15000.00"), explanation="Front-loaded recruitment.")
    submit(project_with_every_unit, q1, quarter=Q1)
    q2 = complete(project_with_every_unit)
    q2.spend[project_with_every_unit.staff.pk].actual = Decimal("5000.00")  # -50% for the quarter, on profile to date

    assert submit(project_with_every_unit, q2, quarter=Q2).status == Status.SUBMITTED


def test_a_variance_with_an_explanation_is_submitted_and_the_explanation_kept(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("12000.00"), explanation="  Extra summer sessions.  ")

    ret = submit(project_with_every_unit, data)

    assert SpendLine.objects.get(quarterly_return=ret, budget_line=project_with_every_unit.staff).variance_explanation == (
        "Extra summer sessions."
    )


# --- Personal data in the narrative ---------------------------------------------------------

PERSONAL_DATA = [
    ("an e-mail address", "an e-mail address", "Contact the young person at jay.smith@example.com for follow-up"),
    ("a Leeds landline", "a phone number", "His mum can be reached on 0113 496 0000 most evenings"),
    ("a mobile in international form", "a phone number", "Her number is +44 7700 900123 if the group needs her"),
    ("a mobile", "a phone number", "Text 07700 900123 to book"),
    ("a full postcode", "a full postcode", "The family moved to BD1 1HY in May"),
    ("a lower-case postcode", "a full postcode", "lives near bd1 1hy"),
    ("a National Insurance number", "a National Insurance number", "Her NI number JG 10 37 59 A was on the form"),
    ("a National Insurance number without spaces", "a National Insurance number", "NINO JG103759A"),
]


@pytest.mark.parametrize("field", ["progress", "challenges", "case_study", "risks"])
@pytest.mark.parametrize("kind, text", [(k, t) for _, k, t in PERSONAL_DATA], ids=[i for i, _, _ in PERSONAL_DATA])
def test_personal_data_in_the_narrative_is_flagged_on_submit(project_with_every_unit, field, kind, text):
    data = complete(project_with_every_unit)
    setattr(data, field, f"{data.progress} {text}" if field == "progress" else text)
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert list(refused.value.errors) == [field]
    assert f"looks like it contains {kind}" in refused.value.errors[field]
    assert row_counts() == before


def test_personal_data_in_a_variance_explanation_or_a_not_collected_reason_is_flagged_too(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("12000.00"), explanation="Ask jo@example.org in payroll")
    data.measures[project_with_every_unit.people.pk] = MeasureInput(not_collected=True, reason="Worker at BD1 1HY was off sick")

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert set(refused.value.errors) == {s.explanation_key(project_with_every_unit.staff.pk), s.reason_key(project_with_every_unit.people.pk)}


def test_personal_data_is_only_flagged_on_submit_not_on_saving_a_draft(project_with_every_unit):
    ret = save_draft(project_with_every_unit, complete(project_with_every_unit, case_study="Call 0113 496 0000"))

    assert QuarterlyReturn.objects.get(pk=ret.pk).case_study == "Call 0113 496 0000"


def test_personal_data_is_not_flagged_once_the_provider_has_checked_it(project_with_every_unit):
    data = complete(project_with_every_unit, case_study="Our office is at BD1 1HY; ring 0113 496 0000.")
    data.personal_data_checked = True

    assert submit(project_with_every_unit, data).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "text",
    [
        "We spent £1,250.50 on venue hire.",
        "96% of participants were satisfied.",
        "Spend was £10,000.00 against a profile of £12,500 for 2023-24.",
        "Sessions ran from 01/04/2023 to 30/06/2023 for 1,200 young people.",
        "We reached 96 % of the target and 0 incidents were reported.",
        "Recruitment began in Q1 2nd week and finished in Q3.",
    ],
)
def test_amounts_percentages_and_dates_are_not_mistaken_for_personal_data(project_with_every_unit, text):
    assert submit(project_with_every_unit, complete(project_with_every_unit, progress=text)).status == Status.SUBMITTED


@pytest.mark.parametrize("text", ["You can ring her on 0113 496 0000.", "Ring +44 7700 900123, after 6pm"])
def test_a_phone_number_at_the_end_of_a_sentence_is_flagged(project_with_every_unit, text):
    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, complete(project_with_every_unit, case_study=text))

    assert "a phone number" in refused.value.errors["case_study"]


def test_the_specimen_national_insurance_number_is_flagged(project_with_every_unit):
    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, complete(project_with_every_unit, case_study="Her NI number is QQ 12 34 56 C"))

    assert "a National Insurance number" in refused.value.errors["case_study"]
