"""The demo data loads, adds up to the penny, and shows the real cases."""

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from grants import demo
from grants.models import (
    Allocation,
    BudgetLine,
    Document,
    MeasureValue,
    Organisation,
    Payment,
    Project,
    QuarterlyReturn,
    User,
)


@pytest.fixture
def demo_data(db):
    call_command("loaddata", "demo", verbosity=0)


def test_every_demo_object_passes_the_models_validation(demo_data):
    for model in demo.FIXTURE_MODELS:
        for obj in model._default_manager.all():
            obj.full_clean()


def test_every_profile_adds_up_to_its_budget_line(demo_data):
    lines = list(BudgetLine.objects.all())
    assert lines
    for line in lines:
        assert line.profile_q1 + line.profile_q2 + line.profile_q3 + line.profile_q4 == line.amount, line


def test_the_projects_of_each_allocation_fit_within_it(demo_data):
    for allocation in Allocation.objects.all():
        budgeted = BudgetLine.objects.filter(project__allocation=allocation).aggregate(total=Sum("amount"))["total"]
        assert (budgeted or Decimal("0")) <= allocation.amount, allocation


def test_payments_never_exceed_the_allocation(demo_data):
    for allocation in Allocation.objects.all():
        paid = allocation.payments.filter(status=Payment.Status.RELEASED).aggregate(total=Sum("amount"))["total"]
        assert (paid or Decimal("0")) <= allocation.amount, allocation


def test_payments_in_arrears_release_exactly_the_verified_spend(demo_data):
    released = Payment.objects.filter(
        status=Payment.Status.RELEASED, allocation__programme__payment_terms="arrears"
    )
    assert released.exists()
    for payment in released:
        returns = QuarterlyReturn.objects.filter(
            project__allocation=payment.allocation, financial_year=payment.financial_year, quarter=payment.quarter
        )
        assert {r.spend_status for r in returns} == {QuarterlyReturn.SpendStatus.VERIFIED}
        spent = sum((s.actual for r in returns for s in r.spend_lines.all()), Decimal("0.00"))
        assert payment.amount == spent


def test_breaking_the_cycle_reports_its_96_percent_voluntary_engagement(demo_data):
    project = Project.objects.get(reference="BTC")
    assert (project.start_date.isoformat(), project.end_date.isoformat()) == ("2018-04-01", "2020-03-31")
    assert project.allocation.recipient.name == "Bradford District Safer Communities Partnership"
    rate = MeasureValue.objects.get(
        quarterly_return__project=project, quarterly_return__financial_year=2019, quarterly_return__quarter=2,
        project_measure__measure__name="Voluntary engagement rate",
    )
    assert rate.value == Decimal("96.00")
    assert rate.value > rate.project_measure.annual_target


def test_the_sanctuary_scheme_spends_capital_for_keeping_bristol_safe(demo_data):
    project = Project.objects.get(name="Sanctuary Scheme")
    assert project.allocation.recipient.name == "Keeping Bristol Safe Partnership"
    assert project.allocation.programme.financial_year == 2023
    assert project.budget_lines.filter(category=BudgetLine.Category.CAPITAL).exists()
    names = set(Project.objects.filter(allocation=project.allocation).values_list("name", flat=True))
    assert {"Hate Crime Support Service", "Modern Day Slavery Partnership"} <= names


def test_breaking_the_cycle_is_one_service_funded_over_two_years(demo_data):
    """One project, one allocation over 2018-19 and 2019-20 (£225,000 each year), in one programme with a
    budget for each year: a budget and targets for each year, returns for both."""
    project = Project.objects.get(name="Breaking the Cycle")
    assert Project.objects.filter(name="Breaking the Cycle").count() == 1
    assert sorted(set(project.budget_lines.values_list("financial_year", flat=True))) == [2018, 2019]
    assert sorted(set(project.measures.values_list("financial_year", flat=True))) == [2018, 2019]
    assert sorted(set(project.returns.values_list("financial_year", flat=True))) == [2018, 2019]
    allocation = project.allocation
    assert list(allocation.years.values_list("financial_year", "amount")) == [
        (2018, Decimal("225000.00")), (2019, Decimal("225000.00"))]
    assert allocation.amount == Decimal("450000.00")
    programme = allocation.programme
    assert (programme.financial_year, programme.last_financial_year, programme.total_budget) == (
        2018, 2019, Decimal("4800000.00"))
    assert sum(programme.years.values_list("budget", flat=True)) == programme.total_budget


def test_returns_payments_and_allocations_appear_in_every_status(demo_data):
    assert set(QuarterlyReturn.objects.values_list("status", flat=True)) == set(QuarterlyReturn.Status.values)
    assert set(QuarterlyReturn.objects.values_list("spend_status", flat=True)) == set(QuarterlyReturn.SpendStatus.values)
    assert set(Payment.objects.values_list("status", flat=True)) == set(Payment.Status.values)
    assert {"draft", "active", "closed", "withdrawn"} <= set(Allocation.objects.values_list("status", flat=True))


def test_there_is_a_demo_user_for_every_role(demo_data):
    assert set(User.objects.exclude(role="").values_list("role", flat=True)) == set(User.Role.values)
    assert User.objects.get(username="admin").is_superuser


def test_invented_figures_are_labelled_illustrative(demo_data):
    for project in Project.objects.all():
        assert "illustrative" in project.description.lower(), project


def test_the_fixture_is_what_the_demo_builder_makes(db):
    """fixtures/demo.json is generated from grants/demo.py: rebuild it with `make demo-fixture`."""
    demo.build()
    built = Counter({model.__name__: model._default_manager.count() for model in demo.FIXTURE_MODELS})
    Organisation.objects.update(accountable_body=None)  # partnerships point at their councils
    for model in reversed(demo.FIXTURE_MODELS):
        model._default_manager.all().delete()
    call_command("loaddata", "demo", verbosity=0)
    loaded = Counter({model.__name__: model._default_manager.count() for model in demo.FIXTURE_MODELS})
    assert built == loaded


def test_load_demo_loads_once_and_starts_the_audit_history(db, capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo")
    first = QuarterlyReturn.history.count()
    call_command("load_demo")
    output = capsys.readouterr().out
    assert first == QuarterlyReturn.objects.count() > 0
    assert QuarterlyReturn.history.count() == first
    assert "already holds data" in output
    assert "commissioner" in output and demo.DEMO_PASSWORD in output
    # With its documents: each signed agreement, the partnership's safeguarding evidence, a quarter's invoices.
    documents = Document.objects.select_related("allocation")
    signed = Allocation.objects.exclude(agreement_signed_on=None)
    assert {d.allocation_id for d in documents if d.kind == Document.Kind.AGREEMENT} == set(
        signed.values_list("pk", flat=True))
    assert documents.filter(kind=Document.Kind.SAFEGUARDING).count() == 1
    assert documents.get(kind=Document.Kind.SPEND).quarterly_return.period.label == "2023-24 Q2"
    for document in documents:
        assert document.file.read(5) == b"%PDF-" and document.content_type == "application/pdf"
        assert "Attached" in document.history.latest().history_change_reason
    assert "Loaded the demo data, with 5 documents." in output


def test_avons_advances_follow_the_profile_and_q4_waits_for_the_q3_returns(demo_data):
    from grants.services.payments import advance_instalments, check_release_payment

    allocation = Allocation.objects.get(title="Keeping Bristol Safe Partnership 2023-24")
    payments = list(Payment.objects.filter(allocation=allocation).order_by("quarter"))
    shares = advance_instalments(allocation, [p.period for p in payments])
    assert [p.amount for p in payments] == [shares[p.period] for p in payments]
    assert sum(p.amount for p in payments) == allocation.amount
    assert len({p.amount for p in payments}) > 1  # not equal instalments: the capital-heavy quarters take more
    q4 = payments[-1]
    assert q4.status == Payment.Status.SCHEDULED
    problem = check_release_payment(q4)
    assert problem.startswith("The programme holds each advance until the previous quarter's returns are approved: "
                              "2023-24 Q4 waits for 2023-24 Q3 (")
    assert "Sanctuary Scheme: return submitted" in problem
    # The finance page and work list say so too: it is not offered as ready to release.
    from grants import selectors
    avon_finance = User.objects.get(username="avon-finance")
    row = next(row for row in selectors.payments_due(avon_finance) if row.payment.pk == q4.pk)
    assert not row.ready and "2023-24 Q3 Sanctuary Scheme: return submitted" in row.waiting


def test_every_payment_released_in_the_demo_is_under_a_signed_agreement_and_carries_its_codes(demo_data):
    released = Payment.objects.filter(status=Payment.Status.RELEASED).select_related("allocation")
    assert released.exists()
    for payment in released:
        assert payment.allocation.agreement_signed_on is not None
        assert payment.allocation.agreement_signed_on <= payment.paid_on
        assert payment.supplier_number and payment.cost_centre and payment.ledger_code and payment.purchase_order
