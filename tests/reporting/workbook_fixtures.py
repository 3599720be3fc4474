"""
A commissioner's world for the workbook tests, and how to read a workbook back.

Two programmes of the commissioner in 2023-24 (CSF: projects A-1 and B-1; SVD: project C-1,
whose name looks like a formula), a draft allocation's project that is not reported, and
another commissioner's programme (also coded CSF) with approved returns that must never
appear. Returns are made through the services, in every status:

    A-1  Q1 approved   Q2 approved (spend verified)   Q3 approved (after the period)
    B-1  Q1 approved   Q2 returned for amendment (with figures that must not count)
    C-1  Q1 draft      Q2 not started
    X-1  (the other commissioner's) Q1 and Q2 approved
"""

import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest

from grants.models import Allocation, BudgetLine, OutcomeMeasure, Payment
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from reporting.spreadsheets.commissioner import commissioner_workbook
from tests import factories as f

PENNY = Decimal("0.01")
PERIOD = Quarter(2023, 2)
FORMULA_NAME = '=HYPERLINK("http://x","click")'
Unit = OutcomeMeasure.Unit


def penny(value) -> Decimal:
    """A cell's number as pounds and pence."""
    return Decimal(str(value)).quantize(PENNY)


def money(text: str) -> Decimal:
    return Decimal(text)


def line(project, description, profile, category=BudgetLine.Category.STAFF):
    profile = [Decimal(p) for p in profile]
    return f.BudgetLineFactory(
        project=project, description=description, category=category, amount=sum(profile),
        profile_q1=profile[0], profile_q2=profile[1], profile_q3=profile[2], profile_q4=profile[3],
    )


def submit(user, project, number, spend, values, **narrative):
    """Save and submit a complete return; `values` maps project measure to a value or a not-collected reason."""
    measures = {
        pm.pk: MeasureInput(value=Decimal(v)) if not isinstance(v, tuple) else MeasureInput(not_collected=True, reason=v[0])
        for pm, v in values.items()
    }
    narrative.setdefault("progress", "Sessions ran as planned.")
    narrative.setdefault("self_rag", "green")
    data = ReturnInput(spend={ln.pk: SpendInput(actual=Decimal(a), explanation="Invoices fell in another quarter.")
                              for ln, a in spend.items()}, measures=measures,
                       personal_data_checked=True, **narrative)
    return s.return_submit(actor=user, project=project, quarter=Quarter(2023, number), version=None, data=data)


def approve(officer, ret, rag="green"):
    return s.return_approve(actor=officer, ret=ret, version=ret.version, officer_rag=rag)


@pytest.fixture
def world(actors):
    w = actors
    csf = w.programme
    w.svd = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD")
    w.allocation_c = f.AllocationFactory(programme=w.svd, recipient=w.provider_b, title="Violence reduction for B")
    w.project_c = f.ProjectFactory(allocation=w.allocation_c, reference="C-1", name=FORMULA_NAME)
    draft = f.AllocationFactory(programme=csf, recipient=w.provider_a, title="Draft allocation",
                                status=Allocation.Status.DRAFT)
    w.project_d = f.ProjectFactory(allocation=draft, reference="D-1", name="Project on a draft allocation")

    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="CSF")
    w.allocation_x = f.AllocationFactory(programme=elsewhere, title="Elsewhere allocation")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Elsewhere project")

    # Budget lines, with pence that would show any rounding.
    w.a_staff = line(w.project_a, "Youth workers", ["10000.25", "10000.25", "10000.25", "10000.25"])
    w.a_venue = line(w.project_a, "Venue hire", ["1000", "1000", "1000", "1000"], BudgetLine.Category.NON_STAFF)
    w.b_staff = line(w.project_b, "Caseworker", ["3000.01", "3000.01", "3000.01", "3000.00"])
    w.c_capital = line(w.project_c, "CCTV", ["5000", "5000", "5000", "5000"], BudgetLine.Category.CAPITAL)
    w.x_staff = line(w.project_x, "Elsewhere staff", ["7777.77", "7777.77", "7777.77", "7777.77"])
    line(w.project_d, "Draft line", ["1", "1", "1", "1"])

    people = f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events")
    rate = f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, aggregation="level")
    incidents = f.OutcomeMeasureFactory(name="Incidents reported", unit=Unit.COUNT, aggregation="events",
                                        direction=OutcomeMeasure.Direction.LOWER)
    w.a_people = f.ProjectMeasureFactory(project=w.project_a, measure=people, annual_target=Decimal("100"))
    w.a_rate = f.ProjectMeasureFactory(project=w.project_a, measure=rate, annual_target=Decimal("90"),
                                       baseline=Decimal("75.5"))
    w.a_incidents = f.ProjectMeasureFactory(project=w.project_a, measure=incidents, annual_target=Decimal("200"),
                                            baseline=Decimal("260"))
    w.b_people = f.ProjectMeasureFactory(project=w.project_b, measure=people, annual_target=Decimal("80"),
                                         target_q1=Decimal("20"), target_q2=Decimal("30"),
                                         target_q3=Decimal("15"), target_q4=Decimal("15"))
    w.b_rate = f.ProjectMeasureFactory(project=w.project_b, measure=rate, annual_target=Decimal("90"),
                                       target_q2=Decimal("80"))
    w.c_people = f.ProjectMeasureFactory(project=w.project_c, measure=people, annual_target=Decimal("40"))
    w.x_people = f.ProjectMeasureFactory(project=w.project_x, measure=people, annual_target=Decimal("10"))

    a_user, officer = w.user_a, w.commissioner
    w.a1 = approve(officer, submit(a_user, w.project_a, 1, {w.a_staff: "10000.25", w.a_venue: "900.50"},
                                   {w.a_people: "30", w.a_rate: "85", w.a_incidents: "60"}))
    a2 = submit(a_user, w.project_a, 2, {w.a_staff: "9500.10", w.a_venue: "1100.00"},
                {w.a_people: "20", w.a_rate: "92.5", w.a_incidents: "50"},
                progress="=1+1 evening sessions in two youth centres.", challenges="Recruitment.",
                case_study="Young person A returned to school.", risks="@risk: the venue lease ends in March.",
                self_rag="amber")
    w.a2 = approve(officer, a2, rag="amber")
    w.a2 = s.return_verify_spend(actor=w.finance, ret=w.a2, version=w.a2.version)
    w.a3 = approve(officer, submit(a_user, w.project_a, 3, {w.a_staff: "55555.55", w.a_venue: "5555.55"},
                                   {w.a_people: "500", w.a_rate: "10", w.a_incidents: "900"}))

    b_user = w.user_b
    w.b1 = approve(officer, submit(b_user, w.project_b, 1, {w.b_staff: "3000.01"},
                                   {w.b_people: "10", w.b_rate: ("No survey closed this quarter.",)}))
    b2 = submit(b_user, w.project_b, 2, {w.b_staff: "6000.00"}, {w.b_people: "99", w.b_rate: "50"},
                progress="Not to be counted.")
    w.b2 = s.return_send_back(actor=officer, ret=b2, version=b2.version, comment="Please check the spend.",
                              officer_rag="red")

    w.c1 = s.return_save_draft(actor=b_user, project=w.project_c, quarter=Quarter(2023, 1), version=None,
                               data=ReturnInput(spend={w.c_capital.pk: SpendInput(actual=Decimal("1234.56"))},
                                                measures={w.c_people.pk: MeasureInput(value=Decimal("7"))}))

    x_user = f.UserFactory(username="provider-x", organisation=w.allocation_x.recipient, role="provider")
    for number in (1, 2):
        approve(w.outsider, submit(x_user, w.project_x, number, {w.x_staff: "7777.77"}, {w.x_people: "3"}))

    f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("25000.00"), status=Payment.Status.RELEASED,
                     reference="PAY-A-1", paid_on=Quarter(2023, 1).end)
    f.PaymentFactory(allocation=w.allocation_a, quarter=2, amount=Decimal("25000.00"))
    f.PaymentFactory(allocation=w.allocation_a, quarter=3, amount=Decimal("12345.67"), status=Payment.Status.WITHHELD,
                     withheld_reason="Q2 monitoring is late.")
    f.PaymentFactory(allocation=w.allocation_b, quarter=1, amount=Decimal("1000.01"), status=Payment.Status.RELEASED,
                     reference="PAY-B-1", paid_on=Quarter(2023, 1).end)
    f.PaymentFactory(allocation=w.allocation_x, quarter=1, amount=Decimal("999.99"), status=Payment.Status.RELEASED,
                     reference="PAY-X-1", paid_on=Quarter(2023, 1).end)
    return w


# --- Reading a workbook back -----------------------------------------------------------------


@dataclass
class Book:
    content: bytes
    formulas: openpyxl.Workbook  # as written: totals are formulas
    values: openpyxl.Workbook  # as a reader that does not calculate sees it: totals are their cached values

    def rows(self, sheet: str) -> list[dict]:
        """The data rows of a sheet (header to the first empty row), as dicts by heading."""
        rows = self.values[sheet].iter_rows(values_only=True)
        headings = next(rows)
        table = []
        for row in rows:
            if all(v is None for v in row):
                break
            table.append(dict(zip(headings, row)))
        return table

    def cells(self, sheet: str, *, formulas=False) -> list[tuple]:
        book = self.formulas if formulas else self.values
        return list(book[sheet].iter_rows(values_only=True))

    def totals(self, sheet: str, *, formulas=False) -> dict[str, dict]:
        """The rows below the data, by their label, as dicts by heading."""
        cells = self.cells(sheet, formulas=formulas)
        headings, rest = cells[0], cells[1:]
        blank = next(i for i, row in enumerate(rest) if all(v is None for v in row))
        return {row[0]: dict(zip(headings, row)) for row in rest[blank + 1:] if row[0] is not None}


def read(content: bytes) -> Book:
    return Book(
        content,
        openpyxl.load_workbook(io.BytesIO(content)),
        openpyxl.load_workbook(io.BytesIO(content), data_only=True),
    )


def export(user, quarter=PERIOD, code=None) -> Book:
    buffer = io.BytesIO()
    commissioner_workbook(buffer, user=user, quarter=quarter, programme_code=code)
    return read(buffer.getvalue())
