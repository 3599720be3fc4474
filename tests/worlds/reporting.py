"""Scenarios of the reporting app: figures on every surface, the provider's template, the commissioner's
workbook and the lists."""

from datetime import date
from decimal import Decimal

from grants.models import Allocation, BudgetLine, Clawback, OutcomeMeasure, Payment, Project, User
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f
from tests.worlds.base import FORMULA_NAME, Unit, approve, evenly_profiled_line, line_with_profile


# --- Figures on every surface ----------------------------------------------------------------------


def measures_of_every_kind():
    A = OutcomeMeasure.Aggregation
    return {
        "sessions": f.OutcomeMeasureFactory(name="Sessions run", unit="count", aggregation=A.EVENTS),
        "people": f.OutcomeMeasureFactory(name="Unique young people", unit="count", aggregation=A.PEOPLE),
        "caseload": f.OutcomeMeasureFactory(name="Open cases at quarter end", unit="count", aggregation=A.LEVEL,
                                            direction="lower"),
        "satisfied": f.OutcomeMeasureFactory(name="Satisfied (survey %)", unit="percentage", aggregation=A.LEVEL),
        "engaged": f.OutcomeMeasureFactory(name="Engaged of those offered", unit="percentage", aggregation=A.RATE),
        "agreement": f.OutcomeMeasureFactory(name="Agreement signed", unit="yes_no", aggregation=A.MILESTONE),
        "reports": f.OutcomeMeasureFactory(name="Incidents reported", unit="count", aggregation=A.EVENTS,
                                           direction="none"),
        "match": f.OutcomeMeasureFactory(name="Match funding raised", unit="money", aggregation=A.EVENTS),
    }


def equip_with_every_kind(project, library, seed):
    lines = [
        f.BudgetLineFactory(project=project, description="Staff", amount=Decimal("40001.00"), profile_q1=Decimal("10000.25"),
                            profile_q2=Decimal("10000.25"), profile_q3=Decimal("10000.25"), profile_q4=Decimal("10000.25")),
        f.BudgetLineFactory(project=project, category="capital", description="Equipment", amount=Decimal("9000.00"),
                            profile_q1=Decimal("6000.00"), profile_q2=Decimal("0.00"), profile_q3=Decimal("3000.00"),
                            profile_q4=Decimal("0.00")),
    ]
    targets = {"sessions": (Decimal("150"), [None] * 4), "people": (Decimal("60"), [None, Decimal("35"), None, None]),
               "caseload": (Decimal("20"), [None] * 4), "satisfied": (Decimal("85"), [None, Decimal("80"), None, None]),
               "engaged": (Decimal("90"), [None] * 4), "agreement": (Decimal("1"), [Decimal("0"), Decimal("1"), Decimal("1"), Decimal("1")]),
               "reports": (None, [None] * 4), "match": (Decimal("100.01"), [None] * 4)}
    pms = {}
    for key, measure in library.items():
        annual, quarters = targets[key]
        pms[key] = f.ProjectMeasureFactory(project=project, measure=measure, annual_target=annual,
                                           target_q1=quarters[0], target_q2=quarters[1], target_q3=quarters[2],
                                           target_q4=quarters[3])
    return lines, pms


def figures_for_quarter(lines, pms, number, seed):
    values = {"sessions": 30 + seed + number, "people": 10 * number + seed, "caseload": 18 + number,
              "satisfied": Decimal("79.5") + number, "agreement": 1 if number > 1 else 0,
              "reports": 100 + 7 * number, "match": Decimal("20.01") * number}
    measures = {pms[k].pk: MeasureInput(value=Decimal(v)) for k, v in values.items()}
    measures[pms["engaged"].pk] = MeasureInput(numerator=Decimal(20 + number + seed), denominator=Decimal(24 + number))
    spend = {lines[0].pk: SpendInput(Decimal("9876.54") + number, "Recruitment slipped a month."),
             lines[1].pk: SpendInput(Decimal("1234.56") * number, "Equipment arrived in another quarter.")}
    return ReturnInput(progress=f"Quarter {number} delivered.", self_rag=["green", "amber", "red"][number % 3],
                       spend=spend, measures=measures, personal_data_checked=True)


# Each project's quarters in three_projects_with_every_kind_of_measure: what happens to its return.
PLANS = {
    "A-1": ["approved", "approved", "approved", "approved"],
    "B-1": ["approved", "submitted", "returned", "draft"],
    "C-1": ["approved", "verified", None, "submitted"],
}


def three_projects_with_every_kind_of_measure(w):
    """The actors with a second programme (SVD, project C-1 of B), measures of every kind on A-1, B-1 and
    C-1, returns in every status as PLANS says, payments released to A and a clawback received."""
    svd = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD")
    allocation_c = f.AllocationFactory(programme=svd, recipient=w.provider_b, title="Violence reduction")
    f.ProjectFactory(allocation=allocation_c, reference="C-1", name="Project C", provider=w.provider_b)
    library = measures_of_every_kind()
    users = {"A-1": w.user_a, "B-1": w.user_b, "C-1": w.user_b}
    for seed, (ref, plan) in enumerate(PLANS.items()):
        project = Project.objects.get(reference=ref)
        lines, pms = equip_with_every_kind(project, library, seed)
        for number, what in enumerate(plan, start=1):
            if what is None:
                continue
            quarter = Quarter(2023, number)
            data = figures_for_quarter(lines, pms, number, seed)
            if what == "draft":
                s.return_save_draft(actor=users[ref], project=project, quarter=quarter, version=None, data=data)
                continue
            ret = s.return_submit(actor=users[ref], project=project, quarter=quarter, version=None, data=data)
            if what in ("approved", "verified"):
                ret = s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")
            if what == "verified":
                s.return_verify_spend(actor=w.finance, ret=ret, version=ret.version)
            if what == "returned":
                s.return_send_back(actor=w.commissioner, ret=ret, version=ret.version, comment="Check the spend.")
    f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("16111.79"), status="released",
                     reference="PAY-A-1", paid_on=date(2023, 7, 20), released_by=w.finance)
    f.PaymentFactory(allocation=w.allocation_a, quarter=2, amount=Decimal("17346.35"), status="released",
                     reference="PAY-A-2", paid_on=date(2023, 10, 20), released_by=w.finance)
    Clawback.objects.create(allocation=w.allocation_a, kind=Clawback.Kind.INELIGIBLE, amount=Decimal("345.67"),
                            status=Clawback.Status.RECEIVED, reason="A trip outside the agreement.",
                            requested_on=date(2024, 1, 5), received_on=date(2024, 2, 1), recorded_by=w.finance)
    w.allocation_a.decision_reference = "DEC-A"
    return w


# --- The provider's template -----------------------------------------------------------------------


def one_measure_of_every_unit():
    """One library measure of every unit (and a count that is better lower)."""
    return {
        "engaged": f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events"),
        "rate": f.OutcomeMeasureFactory(name="Voluntary engagement rate", unit=Unit.PERCENTAGE, aggregation="level"),
        "raised": f.OutcomeMeasureFactory(name="Match funding raised", unit=Unit.MONEY, aggregation="events"),
        "met": f.OutcomeMeasureFactory(name="Steering group met", unit=Unit.YES_NO, aggregation="milestone"),
        "repeat": f.OutcomeMeasureFactory(name="Repeat victims", unit=Unit.COUNT, aggregation="events",
                                          direction=OutcomeMeasure.Direction.LOWER),
    }


def equip_with_a_line_of_each_category(project, measures):
    """Three budget lines and one project measure per library measure, for 2023-24."""
    lines = {
        "staff": f.BudgetLineFactory(project=project, category=BudgetLine.Category.STAFF, description="Youth workers"),
        "venue": f.BudgetLineFactory(
            project=project, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000.00"),
            profile_q1=Decimal("1000.00"), profile_q2=Decimal("1000.00"), profile_q3=Decimal("1000.00"),
            profile_q4=Decimal("1000.00"),
        ),
        "minibus": f.BudgetLineFactory(
            project=project, category=BudgetLine.Category.CAPITAL, description="Minibus", amount=Decimal("30000.00"),
            profile_q1=Decimal("0.00"), profile_q2=Decimal("30000.00"), profile_q3=Decimal("0.00"),
            profile_q4=Decimal("0.00"),
        ),
    }
    targets = {"engaged": Decimal("100"), "rate": Decimal("90"), "raised": Decimal("5000"), "met": Decimal("1"),
               "repeat": Decimal("10")}
    pms = {key: f.ProjectMeasureFactory(project=project, measure=measure, annual_target=targets[key])
           for key, measure in measures.items()}
    return lines, pms


def first_quarter_figures(lines, pms) -> ReturnInput:
    return ReturnInput(
        progress="Recruited two youth workers.", self_rag="green",
        spend={lines["staff"].pk: SpendInput(Decimal("9800.00")), lines["venue"].pk: SpendInput(Decimal("1000.00")),
               lines["minibus"].pk: SpendInput(Decimal("0.00"))},
        measures={pms["engaged"].pk: MeasureInput(Decimal("20")), pms["rate"].pk: MeasureInput(Decimal("88.5")),
                  pms["raised"].pk: MeasureInput(Decimal("500.00")), pms["met"].pk: MeasureInput(Decimal("1")),
                  pms["repeat"].pk: MeasureInput(Decimal("3"))},
    )


def project_a_and_its_twin_equipped(w):
    """Project A-1 equipped, its Q1 submitted; twin project A-2 of the same provider, equipped the same way."""
    measures = one_measure_of_every_unit()
    w.lines, w.measures = equip_with_a_line_of_each_category(w.project_a, measures)
    w.twin = f.ProjectFactory(allocation=w.allocation_a, reference="A-2", name="Twin project of A")
    w.twin_lines, w.twin_measures = equip_with_a_line_of_each_category(w.twin, measures)
    for project, lines, pms in ((w.project_a, w.lines, w.measures), (w.twin, w.twin_lines, w.twin_measures)):
        s.return_submit(actor=w.user_a, project=project, quarter=Quarter(2023, 1), version=None,
                        data=first_quarter_figures(lines, pms))
    return w


# --- The commissioner's workbook and the lists ---------------------------------------------------


def submit_a_complete_return(user, project, number, spend, values, **narrative):
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


def two_programmes_with_returns_in_every_status(w):
    """Two programmes of the commissioner in 2023-24 (CSF: projects A-1 and B-1; SVD: project C-1, whose
    name looks like a formula), a draft allocation's project, and another commissioner's programme (also
    coded CSF) with approved returns (tests/reporting/workbook_fixtures.py has the table of returns)."""
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
    w.a_staff = line_with_profile(w.project_a, "Youth workers", ["10000.25", "10000.25", "10000.25", "10000.25"])
    w.a_venue = line_with_profile(w.project_a, "Venue hire", ["1000", "1000", "1000", "1000"], BudgetLine.Category.NON_STAFF)
    w.b_staff = line_with_profile(w.project_b, "Caseworker", ["3000.01", "3000.01", "3000.01", "3000.00"])
    w.c_capital = line_with_profile(w.project_c, "CCTV", ["5000", "5000", "5000", "5000"], BudgetLine.Category.CAPITAL)
    w.x_staff = line_with_profile(w.project_x, "Elsewhere staff", ["7777.77", "7777.77", "7777.77", "7777.77"])
    line_with_profile(w.project_d, "Draft line", ["1", "1", "1", "1"])

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
    w.a1 = approve(officer, submit_a_complete_return(a_user, w.project_a, 1, {w.a_staff: "10000.25", w.a_venue: "900.50"},
                                   {w.a_people: "30", w.a_rate: "85", w.a_incidents: "60"}))
    a2 = submit_a_complete_return(a_user, w.project_a, 2, {w.a_staff: "9500.10", w.a_venue: "1100.00"},
                {w.a_people: "20", w.a_rate: "92.5", w.a_incidents: "50"},
                progress="=1+1 evening sessions in two youth centres.", challenges="Recruitment.",
                case_study="Young person A returned to school.", risks="@risk: the venue lease ends in March.",
                self_rag="amber")
    w.a2 = approve(officer, a2, rag="amber")
    w.a2 = s.return_verify_spend(actor=w.finance, ret=w.a2, version=w.a2.version)
    w.a3 = approve(officer, submit_a_complete_return(a_user, w.project_a, 3, {w.a_staff: "55555.55", w.a_venue: "5555.55"},
                                   {w.a_people: "500", w.a_rate: "10", w.a_incidents: "900"}))

    b_user = w.user_b
    w.b1 = approve(officer, submit_a_complete_return(b_user, w.project_b, 1, {w.b_staff: "3000.01"},
                                   {w.b_people: "10", w.b_rate: ("No survey closed this quarter.",)}))
    b2 = submit_a_complete_return(b_user, w.project_b, 2, {w.b_staff: "6000.00"}, {w.b_people: "99", w.b_rate: "50"},
                progress="Not to be counted.")
    w.b2 = s.return_send_back(actor=officer, ret=b2, version=b2.version, comment="Please check the spend.",
                              officer_rag="red")

    w.c1 = s.return_save_draft(actor=b_user, project=w.project_c, quarter=Quarter(2023, 1), version=None,
                               data=ReturnInput(spend={w.c_capital.pk: SpendInput(actual=Decimal("1234.56"))},
                                                measures={w.c_people.pk: MeasureInput(value=Decimal("7"))}))

    x_user = f.UserFactory(username="provider-x", organisation=w.allocation_x.recipient, role="provider")
    for number in (1, 2):
        approve(w.outsider, submit_a_complete_return(x_user, w.project_x, number, {w.x_staff: "7777.77"}, {w.x_people: "3"}))

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


def report(user, project, quarter: Quarter, spend: dict, *, submit=True, self_rag="green"):
    """A return with spend on the given lines, submitted (or saved as a draft) by the provider's user."""
    data = ReturnInput(
        spend={ln.pk: SpendInput(actual=Decimal(a), explanation="Invoices fell in another quarter.")
               for ln, a in spend.items()},
        progress="Sessions ran as planned.", self_rag=self_rag, personal_data_checked=True,
    )
    act = s.return_submit if submit else s.return_save_draft
    return act(actor=user, project=project, quarter=quarter, version=None, data=data)


def pay(allocation, quarter, amount, status=Payment.Status.SCHEDULED, **fields):
    if status == Payment.Status.RELEASED:
        fields.setdefault("paid_on", Quarter(allocation.programme.financial_year, quarter).end)
    return f.PaymentFactory(allocation=allocation, quarter=quarter, amount=Decimal(amount), status=status, **fields)


def two_years_with_priorities_and_an_outsider(w):
    """The actors with two priorities, a second programme in 2024-25 (SSF: project A-2), an outsider
    funder's project X-1, returns in several states and payments (tests/reporting/lists_fixtures.py has
    the table)."""
    w.violence = f.PriorityFactory(commissioner=w.commissioner_org, code="violence", name="Serious violence")
    w.asb = f.PriorityFactory(commissioner=w.commissioner_org, code="asb", name="Anti-social behaviour")
    w.project_a.priorities.set([w.violence])
    w.project_b.priorities.set([w.violence, w.asb])

    w.streets = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Safer Streets", code="SSF",
                                   financial_year=2024, total_budget=Decimal("500000.00"))
    w.allocation_a2 = f.AllocationFactory(programme=w.streets, recipient=w.provider_a, title="Safer streets for A",
                                          amount=Decimal("50000.00"))
    w.project_a2 = f.ProjectFactory(allocation=w.allocation_a2, reference="A-2", name="Street lighting")
    w.project_a2.priorities.set([w.asb])

    w.provider_x = f.OrganisationFactory(name="Provider X")
    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="EF")
    w.allocation_x = f.AllocationFactory(programme=elsewhere, recipient=w.provider_x, title="Elsewhere allocation")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Elsewhere project")
    w.user_x = f.UserFactory(username="provider-x", organisation=w.provider_x, role=User.Role.PROVIDER)

    a_line, b_line, a2_line, x_line = evenly_profiled_line(w.project_a), evenly_profiled_line(w.project_b), evenly_profiled_line(w.project_a2), evenly_profiled_line(w.project_x)
    q1, q2 = Quarter(2023, 1), Quarter(2023, 2)
    w.a1 = approve(w.commissioner, report(w.user_a, w.project_a, q1, {a_line: "9500.25"}), "green")
    w.a1 = s.return_verify_spend(actor=w.finance, ret=w.a1, version=w.a1.version)
    w.a2 = report(w.user_a, w.project_a, q2, {a_line: "10000.00"}, self_rag="amber")
    w.b1 = approve(w.commissioner, report(w.user_b, w.project_b, q1, {b_line: "8000.10"}), "red")
    w.a2_q1 = report(w.user_a, w.project_a2, Quarter(2024, 1), {a2_line: "1234.56"}, submit=False)
    w.x1 = approve(w.outsider, report(w.user_x, w.project_x, q1, {x_line: "7777.77"}), "green")

    pay(w.allocation_a, 1, "25000.00", Payment.Status.RELEASED, reference="PAY-A-1")
    pay(w.allocation_a, 2, "25000.00")
    pay(w.allocation_b, 1, "20000.50", Payment.Status.RELEASED, reference="PAY-B-1")
    pay(w.allocation_b, 2, "20000.50", Payment.Status.WITHHELD, withheld_reason="The Q1 return was late.")
    pay(w.allocation_x, 1, "999.99", Payment.Status.RELEASED, reference="PAY-X-1")
    return w
