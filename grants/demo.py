"""
The demo data set, built from the real cases in DOMAIN.md.

West Yorkshire's commissioner funds the Bradford District Safer Communities
Partnership, whose projects include Breaking the Cycle (youth work on serious
organised crime and county lines, funded to March 2020, 96% voluntary
engagement). Avon and Somerset's commissioner funds the Keeping Bristol Safe
Partnership for 2023-24, with a Sanctuary Scheme (capital spend), hate crime
and modern slavery work.

The organisations, projects and the 96% rate come from the public record;
every amount, target, other figure, person and narrative is invented for the
demonstration and says so. `build()` creates it all through the models'
validation; `build_demo_fixture` writes it to fixtures/demo.json.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password

from grants.models import (
    RAG,
    Allocation,
    AllocationYear,
    Area,
    BoardAction,
    BudgetLine,
    Indicator,
    IndicatorValue,
    Clawback,
    MeasureValue,
    Organisation,
    OtherFunding,
    OutcomeMeasure,
    PartnershipReturn,
    PartnershipReturnEvent,
    Payment,
    PaymentReturn,
    Priority,
    ProfileChange,
    Programme,
    ProgrammeYear,
    Project,
    ProjectMeasure,
    ProjectPriority,
    QuarterlyReturn,
    ReturnEvent,
    SpendLine,
    User,
    Variation,
    Virement,
)
from grants.choices import ALLOCATION_SIGNED
from grants.figures import rate
from grants.figures.places import survey_interval
from grants.periods import Quarter
from grants.selectors.finance_codes import current_codes
from grants.services.payments import advance_instalments

DEMO_PASSWORD = "demo-password-only"
ILLUSTRATIVE = "Figures are illustrative, invented for the demonstration."
LONDON = ZoneInfo("Europe/London")

# (username, full name, organisation key, role) — printed by `make run` and listed in the README.
DEMO_USERS = [
    ("commissioner", "Amira Hussain", "opcc_wy", User.Role.COMMISSIONER),
    ("finance", "Gareth Jones", "opcc_wy", User.Role.FINANCE),
    ("viewer", "Priya Patel", "opcc_wy", User.Role.VIEWER),
    ("administrator", "Ruth Okafor", "opcc_wy", User.Role.ADMINISTRATOR),
    ("provider", "Sam Taylor", "bradford_council", User.Role.PROVIDER),
    ("csp", "Chris Moore", "bdscp", User.Role.PARTNERSHIP),
    ("police-provider", "Dan Walsh", "wyp", User.Role.PROVIDER),
    ("avon-commissioner", "Helen Carter", "opcc_as", User.Role.COMMISSIONER),
    ("avon-finance", "Tom Evans", "opcc_as", User.Role.FINANCE),
    ("bristol-provider", "Nadia Rahman", "bristol_council", User.Role.PROVIDER),
    ("charity-provider", "Jo Williams", "hate_crime_charity", User.Role.PROVIDER),
    ("kbsp", "Lee Morgan", "kbsp", User.Role.PARTNERSHIP),
]


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _carry_codes(payment):
    """The finance codes a release copies onto a payment (grants.services.payments.payment_release)."""
    codes = current_codes(payment.allocation)
    payment.supplier_number, payment.cost_centre = codes.supplier_number, codes.cost_centre
    payment.ledger_code, payment.purchase_order = codes.ledger_code, codes.purchase_order


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=LONDON)


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


@dataclass
class ReturnPlan:
    """What happened to one return in the demo."""

    status: str  # draft / submitted / returned / approved
    spend: str = QuarterlyReturn.SpendStatus.NOT_CHECKED
    actual_factor: Decimal = Decimal("1")  # actual spend as a share of profile
    values: tuple = ()  # one per project measure, in order; None = not collected
    progress: str = ""
    challenges: str = ""
    case_study: str = ""
    risks: str = ""
    self_rag: str = RAG.GREEN
    officer_rag: str = ""
    returned_comment: str = ""
    spend_note: str = ""
    variance_explanation: str = ""


class DemoBuilder:
    def __init__(self):
        self.orgs = {}
        self.users = {}
        self.measures = {}

    # Reference data -------------------------------------------------------

    def organisations(self):
        rows = [
            ("opcc_wy", "Office of the Police and Crime Commissioner for West Yorkshire", Organisation.Kind.COMMISSIONER, {"org_identifier": "360G-opccwy"}),
            ("bdscp", "Bradford District Safer Communities Partnership", Organisation.Kind.CSP, {"org_identifier": "360G-opccwy-bdscp"}),
            ("bradford_council", "City of Bradford Metropolitan District Council", Organisation.Kind.LOCAL_AUTHORITY, {"local_authority_code": "BRD", "supplier_number": "WY-SUP-10482"}),
            ("wyp", "West Yorkshire Police", Organisation.Kind.POLICE, {"org_identifier": "360G-opccwy-wyp"}),
            ("calderdale", "Calderdale Community Safety Partnership", Organisation.Kind.CSP, {"org_identifier": "360G-opccwy-calderdale"}),
            ("calderdale_council", "Calderdale Metropolitan Borough Council", Organisation.Kind.LOCAL_AUTHORITY, {"local_authority_code": "CLD", "supplier_number": "WY-SUP-10517"}),
            ("wakefield", "Wakefield District Community Safety Partnership", Organisation.Kind.CSP, {"org_identifier": "360G-opccwy-wakefield"}),
            ("opcc_as", "Office of the Police and Crime Commissioner for Avon and Somerset", Organisation.Kind.COMMISSIONER, {"org_identifier": "360G-opccas"}),
            ("kbsp", "Keeping Bristol Safe Partnership", Organisation.Kind.CSP, {"org_identifier": "360G-opccas-kbsp"}),
            ("bristol_council", "Bristol City Council", Organisation.Kind.LOCAL_AUTHORITY, {"local_authority_code": "BST", "supplier_number": "AS-300118"}),
            ("hate_crime_charity", "Avon Hate Crime Support (illustrative)", Organisation.Kind.CHARITY, {"org_identifier": "360G-opccas-ahcs", "supplier_number": "AS-300254"}),
        ]
        for key, name, kind, extra in rows:
            self.orgs[key] = _save(Organisation(name=name, kind=kind, **extra))
        # A partnership is not a legal body: its council holds the grant agreements.
        for partnership, council in (("bdscp", "bradford_council"), ("calderdale", "calderdale_council"),
                                     ("kbsp", "bristol_council")):
            self.orgs[partnership].accountable_body = self.orgs[council]
            _save(self.orgs[partnership])

    def people(self):
        admin = User(
            username="admin", first_name="Demo", last_name="Administrator", email="admin@example.org",
            is_staff=True, is_superuser=True, password=make_password(DEMO_PASSWORD),
        )
        _save(admin)
        for username, full_name, org_key, role in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            self.users[username] = _save(
                User(
                    username=username, first_name=first, last_name=last, email=f"{username}@example.org",
                    organisation=self.orgs[org_key], role=role, password=make_password(DEMO_PASSWORD),
                )
            )

    def priorities(self):
        themes = [
            ("serious-violence", "Serious violence and organised crime"),
            ("domestic-abuse", "Tackling domestic abuse and sexual violence"),
            ("hate-crime", "Hate crime"),
            ("asb", "Anti-social behaviour"),
            ("modern-slavery", "Modern slavery"),
        ]
        self.priority = {}
        for org_key in ("opcc_wy", "opcc_as"):
            for code, name in themes:
                self.priority[org_key, code] = _save(
                    Priority(commissioner=self.orgs[org_key], code=code, name=name,
                             description="A thematic priority of the Police and Crime Plan.")
                )

    def areas(self):
        self.bradford = _save(Area(name="Bradford district", code="E08000032", code_type=Area.CodeType.MD))
        self.bristol = _save(Area(name="Bristol", code="E06000023", code_type=Area.CodeType.UA))

    def measure_library(self):
        A = OutcomeMeasure.Aggregation
        rows = [
            ("engaged", "Young people engaged", "Unique young people who took part in at least one session so far this financial year: a young person engaged in several quarters counts once.", "count", "higher", A.PEOPLE),
            ("voluntary_rate", "Voluntary engagement rate", "Of the young people offered the service in the quarter, how many engaged voluntarily.", "percentage", "higher", A.RATE),
            ("reduced_risk", "Young people with reduced risk at exit", "Of the young people leaving the service in the quarter, how many had a lower assessed risk of exploitation than at referral.", "percentage", "higher", A.RATE),
            ("asd_reports", "Anti-social driving reports", "Reports of anti-social driving received from the public in the quarter.", "count", "lower", A.EVENTS),
            ("vehicles_seized", "Vehicles seized", "Vehicles seized under section 59 of the Police Reform Act 2002 in the quarter.", "count", "higher", A.EVENTS),
            ("households_safer", "Households made safer through target hardening", "Households where security measures were fitted under the Sanctuary Scheme in the quarter.", "count", "higher", A.EVENTS),
            ("feel_safer", "Victims reporting they feel safer at home", "Of the households surveyed after target hardening in the quarter, how many report feeling safer at home.", "percentage", "higher", A.RATE),
            ("hate_supported", "Hate crime victims supported", "Unique victims of hate crime who received casework support so far this financial year.", "count", "higher", A.PEOPLE),
            ("cope_recover", "Victims reporting they feel better able to cope and recover", "Of the victims closing support in the quarter, how many report being better able to cope and recover.", "percentage", "higher", A.RATE),
            ("hate_reports", "Hate incidents reported to the service", "Hate incidents reported to the service in the quarter. More reports can mean more victims coming forward, so it is context, not rated.", "count", "none", A.EVENTS),
            ("staff_trained", "Frontline staff trained to spot modern slavery", "People from partner agencies who completed modern slavery awareness training in the quarter.", "count", "higher", A.EVENTS),
            ("sharing_agreement", "Information-sharing agreement in place", "The partnership's modern slavery information-sharing agreement is signed by all partners.", "yes_no", "higher", A.MILESTONE),
        ]
        for key, name, definition, unit, direction, aggregation in rows:
            self.measures[key] = _save(
                OutcomeMeasure(name=name, definition=definition, unit=unit, direction=direction, aggregation=aggregation)
            )

    # Programmes, allocations and projects -----------------------------------

    def programme(self, org_key, **fields):
        return _save(Programme(commissioner=self.orgs[org_key], **fields))

    def allocation(self, programme, org_key, **fields):
        year = programme.financial_year
        fields.setdefault("start_date", date(year, 4, 1))
        fields.setdefault("end_date", date(year + 1, 3, 31))
        if fields.get("status") in ALLOCATION_SIGNED + (Allocation.Status.CLOSED,):
            # Payments only under a signed agreement: signed a fortnight after the decision.
            fields.setdefault("agreement_signed_on", fields["decision_date"] + timedelta(days=14))
        return _save(Allocation(programme=programme, recipient=self.orgs[org_key], **fields))

    def project(self, allocation, provider_key, reference, name, description, priorities, area, lines, measures,
                years=None):
        """`lines`: (category, description, [q1, q2, q3, q4]); `measures`: (key, baseline, annual target); each
        for every one of `years` (the programme's first year unless given)."""
        project = _save(
            Project(
                allocation=allocation, provider=self.orgs[provider_key], reference=reference, name=name,
                description=description, start_date=allocation.start_date, end_date=allocation.end_date, area=area,
            )
        )
        commissioner_key = "opcc_wy" if allocation.programme.commissioner == self.orgs["opcc_wy"] else "opcc_as"
        project.priorities.set([self.priority[commissioner_key, code] for code in priorities])
        for year in years or (allocation.programme.financial_year,):
            for category, line_description, profile in lines:
                profile = [_money(p) for p in profile]
                _save(
                    BudgetLine(
                        project=project, financial_year=year, category=category, description=line_description,
                        amount=sum(profile), profile_q1=profile[0], profile_q2=profile[1],
                        profile_q3=profile[2], profile_q4=profile[3],
                    )
                )
            for key, baseline, target in measures:
                _save(
                    ProjectMeasure(
                        project=project, measure=self.measures[key], financial_year=year,
                        baseline=None if baseline is None else Decimal(baseline),
                        annual_target=None if target is None else Decimal(target),
                    )
                )
        return project

    # Returns ---------------------------------------------------------------

    def quarterly_return(self, project, quarter: Quarter, plan: ReturnPlan, provider_user, officer, finance_user):
        due = quarter.due_date(project.allocation.programme.return_due_days)
        created = _at(quarter.end + timedelta(days=3))
        ret = _save(
            QuarterlyReturn(
                project=project, financial_year=quarter.financial_year, quarter=quarter.number,
                status=plan.status, spend_status=plan.spend, spend_note=plan.spend_note,
                progress=plan.progress, challenges=plan.challenges, case_study=plan.case_study, risks=plan.risks,
                self_rag=plan.self_rag, officer_rag=plan.officer_rag,
            )
        )
        threshold = project.allocation.programme.variance_threshold_percent
        for line in project.budget_lines.filter(financial_year=quarter.financial_year):
            actual = _money(line.profile_for(quarter.number) * plan.actual_factor)
            profile = line.profile_for(quarter.number)
            over = profile and abs(actual - profile) / profile * 100 > threshold
            _save(SpendLine(quarterly_return=ret, budget_line=line, actual=actual,
                            variance_explanation=plan.variance_explanation if over else ""))
        measures = list(project.measures.filter(financial_year=quarter.financial_year).order_by("pk"))
        for project_measure, value in zip(measures, plan.values):
            numerator = denominator = None
            if isinstance(value, tuple):  # a rate: how many out of how many
                numerator, denominator = value
                value = rate(numerator, denominator)
            _save(
                MeasureValue(
                    quarterly_return=ret, project_measure=project_measure, numerator=numerator,
                    denominator=denominator, value=None if value is None else Decimal(value),
                    not_collected=value is None,
                    not_collected_reason="The survey is run twice a year; no survey closed this quarter." if value is None else "",
                )
            )

        events = [(ReturnEvent.Kind.CREATED, provider_user, created, "")]
        submitted = _at(due - timedelta(days=2), 15)
        # Under a partnership that reports on its allocation, the partnership reviews the return first: it passes
        # it on (its own project's return as it submits it) or sends it back.
        manager = self.partnership_manager(project.allocation)
        own = manager is not None and project.provider_id == project.allocation.recipient_id
        if plan.status != QuarterlyReturn.Status.DRAFT:
            events.append((ReturnEvent.Kind.SUBMITTED, provider_user, submitted, ""))
        else:
            events.append((ReturnEvent.Kind.SAVED, provider_user, created + timedelta(days=4), ""))
        if plan.status == QuarterlyReturn.Status.RETURNED:
            events.append((ReturnEvent.Kind.RETURNED, manager or officer, submitted + timedelta(days=6),
                           plan.returned_comment))
        if manager is not None and (plan.status == QuarterlyReturn.Status.APPROVED
                                    or (own and plan.status == QuarterlyReturn.Status.SUBMITTED)):
            ret.passed_on_at = submitted if own else submitted + timedelta(days=3)
            if not own:
                events.append((ReturnEvent.Kind.PASSED_ON, manager, ret.passed_on_at, ""))
        if plan.status == QuarterlyReturn.Status.APPROVED:
            ret.submitted_at = submitted
            ret.approved_at = submitted + timedelta(days=8)
            events.append((ReturnEvent.Kind.APPROVED, officer, ret.approved_at,
                           f"Approved with {project.allocation.recipient}'s return for the quarter." if manager else ""))
        elif plan.status != QuarterlyReturn.Status.DRAFT:
            ret.submitted_at = submitted
        if plan.spend == QuarterlyReturn.SpendStatus.VERIFIED:
            events.append((ReturnEvent.Kind.SPEND_VERIFIED, finance_user, submitted + timedelta(days=10), ""))
        elif plan.spend == QuarterlyReturn.SpendStatus.QUERIED:
            events.append((ReturnEvent.Kind.SPEND_QUERIED, finance_user, submitted + timedelta(days=10), plan.spend_note))
        ret.save()
        for kind, actor, at, comment in events:
            _save(ReturnEvent(quarterly_return=ret, kind=kind, actor=actor, at=at, comment=comment))
        return ret

    def partnership_manager(self, allocation):
        """The partnership manager of the recipient of an allocation its partnership reports on, else None."""
        if not allocation.partnership_reports:
            return None
        return next((user for user in self.users.values()
                     if user.organisation_id == allocation.recipient_id and user.is_partnership_manager), None)

    def partnership_returns(self, allocation, narrative: str, officer):
        """The partnership's return for each quarter whose projects' returns are all approved, approved with them."""
        manager = self.partnership_manager(allocation)
        by_quarter = {}
        for ret in QuarterlyReturn.objects.filter(project__allocation=allocation):
            by_quarter.setdefault(ret.period, []).append(ret)
        for quarter, returns in sorted(by_quarter.items()):
            if any(r.status != QuarterlyReturn.Status.APPROVED for r in returns):
                continue
            submitted = max(r.passed_on_at for r in returns) + timedelta(days=1)
            approved = max(r.approved_at for r in returns)
            report = _save(PartnershipReturn(
                allocation=allocation, financial_year=quarter.financial_year, quarter=quarter.number,
                status=QuarterlyReturn.Status.APPROVED, narrative=narrative, submitted_at=submitted,
                approved_at=approved))
            _save(PartnershipReturnEvent(partnership_return=report, kind=PartnershipReturnEvent.Kind.SUBMITTED,
                                         actor=manager, at=submitted))
            _save(PartnershipReturnEvent(partnership_return=report, kind=PartnershipReturnEvent.Kind.APPROVED,
                                         actor=officer, at=approved))

    def arrears_payment(self, allocation, quarter: Quarter, reference=None, withheld=None, finance_user=None):
        """A payment in arrears: the spend reported by the allocation's projects in the quarter
        (released only once all of it is verified)."""
        returns = QuarterlyReturn.objects.filter(
            project__allocation=allocation, financial_year=quarter.financial_year, quarter=quarter.number
        ).exclude(status=QuarterlyReturn.Status.DRAFT)
        amount = sum((s.actual for r in returns for s in r.spend_lines.all()), Decimal("0.00"))
        payment = Payment(allocation=allocation, financial_year=quarter.financial_year, quarter=quarter.number, amount=amount)
        if reference:
            payment.status = Payment.Status.RELEASED
            payment.reference = reference
            payment.paid_on = quarter.due_date(allocation.programme.return_due_days + 21)
            payment.released_by = finance_user
            payment.released_at = _at(payment.paid_on, 9)
            _carry_codes(payment)
        elif withheld:
            payment.status = Payment.Status.WITHHELD
            payment.withheld_reason = withheld
        return _save(payment)

    # The two cases ---------------------------------------------------------

    def west_yorkshire(self):
        u = self.users
        btc_description = (
            "A team of skilled youth-work practitioners working with young people involved in, or at risk of, "
            "serious organised crime, urban street gangs, county lines exploitation, or higher-than-yellow "
            "anti-social behaviour sanctions. A key lynch pin of the district's offer. " + ILLUSTRATIVE
        )
        steerside_description = (
            "Operation Steerside: partnership enforcement and engagement against anti-social driving. " + ILLUSTRATIVE
        )
        btc_lines = [
            (BudgetLine.Category.STAFF, "Youth-work practitioners", [37500, 37500, 37500, 37500]),
            (BudgetLine.Category.NON_STAFF, "Activities, travel and venues", [5500, 5500, 5500, 5500]),
            (BudgetLine.Category.MANAGEMENT, "Management fee", [2000, 2000, 2000, 2000]),
        ]
        steerside_lines = [
            (BudgetLine.Category.STAFF, "Overtime for enforcement days", [6000, 6000, 6000, 6000]),
            (BudgetLine.Category.NON_STAFF, "Vehicle recovery and storage", [4000, 4000, 4000, 4000]),
        ]
        # Young people engaged: unique young people in the year, so the target is for the year, not a
        # sum of quarters.
        btc_measures = [("engaged", None, 60), ("voluntary_rate", 85, 90), ("reduced_risk", None, 70)]
        steerside_measures = [("asd_reports", 900, 800), ("vehicles_seized", None, 160)]

        # One Community Safety Fund over two years, with a budget for each, and one allocation to the
        # partnership for both years: its services are each one project funded 2018-19 and 2019-20.
        programme = self.programme(
            "opcc_wy", name="Community Safety Fund", code="CSF", financial_year=2018,
            funding_source="OPCC Police and Crime grant (Community Safety Fund)",
            description="Allocations to the district Community Safety Partnerships, set by formula "
            "(population 50%, crime 25%, non-crime demand 25%). " + ILLUSTRATIVE,
            total_budget=Decimal("4800000.00"), payment_terms=Programme.PaymentTerms.ARREARS,
            return_due_days=30, variance_threshold_percent=Decimal("10.00"),
            over_allocation_percent=Decimal("10.00"), last_financial_year=2019,
            cost_centre="OPCC-CSF-01", ledger_code="5701",
        )
        for year in (2018, 2019):
            _save(ProgrammeYear(programme=programme, financial_year=year, budget=Decimal("2400000.00")))
        allocation = self.allocation(
            programme, "bdscp", title="Bradford District Community Safety Fund 2018-20",
            purpose="Community Safety Fund allocation for the district's CSP Delivery Plan. " + ILLUSTRATIVE,
            award_reason="The district's share of the Community Safety Fund by the Commissioner's formula: "
            "population 50%, crime 25%, non-crime demand 25%. " + ILLUSTRATIVE,
            amount=Decimal("450000.00"), status=Allocation.Status.ACTIVE,
            decision_reference="OPCC-WY-DEC-2018-017", decision_date=date(2018, 3, 14),
            start_date=date(2018, 4, 1), end_date=date(2020, 3, 31),
            conditions="Quarterly monitoring returns within 30 days of quarter end; payment in arrears "
            "within 21 working days of a payment request with the supporting monitoring information.",
            is_regrant=True, partnership_reports=True, purchase_order="WY-PO-18-2291",
        )
        for year in (2018, 2019):
            _save(AllocationYear(allocation=allocation, financial_year=year, amount=Decimal("225000.00")))
        # An allocation settled and closed, and others that have not reached a decision, or were withdrawn.
        self.allocation(
            programme, "calderdale", title="Calderdale Community Safety Fund 2018-19",
            amount=Decimal("310000.00"), status=Allocation.Status.CLOSED, purpose=ILLUSTRATIVE, is_regrant=True,
            decision_reference="OPCC-WY-DEC-2018-018", decision_date=date(2018, 3, 14),
            start_date=date(2018, 4, 1), end_date=date(2019, 3, 31),
        )
        self.allocation(
            programme, "calderdale", title="Calderdale Community Safety Fund 2019-20",
            amount=Decimal("310000.00"), status=Allocation.Status.DRAFT, purpose=ILLUSTRATIVE,
            start_date=date(2019, 4, 1), end_date=date(2020, 3, 31),
        )
        self.allocation(
            programme, "wakefield", title="Wakefield Community Safety Fund 2019-20",
            amount=Decimal("290000.00"), status=Allocation.Status.WITHDRAWN, purpose=ILLUSTRATIVE,
            start_date=date(2019, 4, 1), end_date=date(2020, 3, 31),
            withdrawn_reason="Replaced by a joint allocation agreed at the partnership board. " + ILLUSTRATIVE,
        )

        btc = self.project(
            allocation, "bradford_council", "BTC", "Breaking the Cycle", btc_description,
            ["serious-violence", "asb"], self.bradford, btc_lines, btc_measures, years=(2018, 2019),
        )
        steerside = self.project(
            allocation, "wyp", "OSS", "Operation Steerside", steerside_description,
            ["asb"], self.bradford, steerside_lines, steerside_measures, years=(2018, 2019),
        )

        people = dict(provider_user=u["provider"], officer=u["commissioner"], finance_user=u["finance"])
        police = dict(provider_user=u["police-provider"], officer=u["commissioner"], finance_user=u["finance"])
        verified = QuarterlyReturn.SpendStatus.VERIFIED
        approved = QuarterlyReturn.Status.APPROVED
        btc_progress = "Caseloads held steady; referrals came from schools, youth offending and the exploitation hub. " + ILLUSTRATIVE
        btc_case = ("Young person A (15) was referred after being found in another county with a phone and cash. "
                    "After twelve weeks of voluntary sessions A is back in school and has not gone missing again. " + ILLUSTRATIVE)
        # Voluntary engagement: of those offered the service, how many engaged; 96% over the 12 months to
        # 30 September 2019 (120 of 125).
        btc_rates = {(2018, 1): (22, 24), (2018, 2): (23, 25), (2018, 3): (24, 25), (2018, 4): (24, 25),
                     (2019, 1): (24, 25), (2019, 2): (48, 50), (2019, 3): (23, 24)}
        # Unique young people so far in the year: caseloads held steady, so the year's figure grows slowly.
        btc_engaged = {(2018, 1): 28, (2018, 2): 41, (2018, 3): 52, (2018, 4): 60, (2019, 1): 29, (2019, 2): 44,
                       (2019, 3): 55}
        btc_exits = {(2018, 1): (7, 10), (2018, 2): (7, 10), (2018, 3): (8, 11), (2018, 4): (8, 11), (2019, 1): (7, 10),
                     (2019, 2): (8, 11), (2019, 3): (8, 11)}
        for (year, number), engagement in btc_rates.items():
            quarter = Quarter(year, number)
            values = (btc_engaged[year, number], engagement, btc_exits[year, number])
            if (year, number) == (2019, 3):
                plan = ReturnPlan(QuarterlyReturn.Status.SUBMITTED, values=values,
                                  progress=btc_progress, case_study=btc_case,
                                  risks="Funding ends in March 2020: continuation needs a decision by December. " + ILLUSTRATIVE,
                                  self_rag=RAG.AMBER)
            else:
                plan = ReturnPlan(approved, spend=verified,
                                  actual_factor=Decimal("0.96") if (year, number) == (2018, 4) else Decimal("1"),
                                  values=values, progress=btc_progress,
                                  case_study=btc_case, officer_rag=RAG.GREEN,
                                  risks="Recruitment to one vacant practitioner post. " + ILLUSTRATIVE)
            self.quarterly_return(btc, quarter, plan, **people)
        self.quarterly_return(
            btc, Quarter(2019, 4),
            ReturnPlan(QuarterlyReturn.Status.DRAFT, values=(60,), progress="Draft in progress. " + ILLUSTRATIVE), **people,
        )

        steerside_reports = {(2018, 1): 240, (2018, 2): 260, (2018, 3): 190, (2018, 4): 170, (2019, 1): 210, (2019, 2): 230, (2019, 3): 180}
        for (year, number), reports in steerside_reports.items():
            quarter = Quarter(year, number)
            values = (reports, 35 + number)
            if (year, number) == (2019, 2):
                plan = ReturnPlan(approved, spend=QuarterlyReturn.SpendStatus.QUERIED, values=values, actual_factor=Decimal("1.25"),
                                  variance_explanation="Two extra enforcement days in August after a spike in reports. " + ILLUSTRATIVE,
                                  spend_note="Please send the overtime claim forms for the two extra days before we verify. " + ILLUSTRATIVE,
                                  progress="Enforcement days every fortnight. " + ILLUSTRATIVE, officer_rag=RAG.AMBER, self_rag=RAG.AMBER)
            elif (year, number) == (2019, 3):
                plan = ReturnPlan(QuarterlyReturn.Status.RETURNED, values=values,
                                  progress="Enforcement days every fortnight. " + ILLUSTRATIVE,
                                  returned_comment="The vehicles seized figure is missing the October operation: please correct and resubmit. " + ILLUSTRATIVE)
            else:
                plan = ReturnPlan(approved, spend=verified, values=values, officer_rag=RAG.GREEN,
                                  progress="Enforcement days every fortnight. " + ILLUSTRATIVE)
            self.quarterly_return(steerside, quarter, plan, **police)

        self.partnership_returns(
            allocation, "Both services delivered to plan. The partnership board reviewed the returns with the CSP "
            "Delivery Plan and the district's performance report. " + ILLUSTRATIVE, u["commissioner"])

        # Payments in arrears, each against verified spend.
        finance = u["finance"]
        for number in (1, 2, 3, 4):
            self.arrears_payment(allocation, Quarter(2018, number), reference=f"WY-PAY-2018-{number:03d}", finance_user=finance)
        self.arrears_payment(allocation, Quarter(2019, 1), reference="WY-PAY-2019-001", finance_user=finance)
        self.arrears_payment(allocation, Quarter(2019, 2))
        self.arrears_payment(allocation, Quarter(2019, 3),
                             withheld="Q3 monitoring for Operation Steerside was returned for amendment; "
                             "payment is withheld until it is approved.")

        # Recovered from the allocation: 2018-19 costs found to be outside the agreement.
        _save(Clawback(allocation=allocation, kind=Clawback.Kind.INELIGIBLE, amount=Decimal("1200.00"),
                       status=Clawback.Status.RECEIVED,
                       reason="A residential trip in Q3 was outside the grant agreement's eligible costs. " + ILLUSTRATIVE,
                       requested_on=date(2019, 5, 20), received_on=date(2019, 6, 14), recorded_by=finance))

        # A virement the commissioner refused.
        management = btc.budget_lines.get(category=BudgetLine.Category.MANAGEMENT, financial_year=2019)
        activities = btc.budget_lines.get(category=BudgetLine.Category.NON_STAFF, financial_year=2019)
        _save(Virement(from_line=management, to_line=activities, amount=Decimal("1000.00"), quarter=3,
                       status=Virement.Status.REFUSED,
                       reason="Move part of the management fee to residential trip costs. " + ILLUSTRATIVE,
                       requested_by=u["provider"], decided_by=u["commissioner"], decided_at=_at(date(2019, 11, 4)),
                       decision_note="The management fee is fixed by the agreement. " + ILLUSTRATIVE))

    def avon_and_somerset(self):
        u = self.users
        programme = self.programme(
            "opcc_as", name="Police and Crime Grant", code="PCG", financial_year=2023,
            funding_source="OPCC Police and Crime grant",
            description="Police and Crime grant spend for 2023-24 through the Community Safety Partnerships. " + ILLUSTRATIVE,
            total_budget=Decimal("1150000.00"), payment_terms=Programme.PaymentTerms.ADVANCE, return_due_days=21,
            variance_threshold_percent=Decimal("15.00"), advance_split=Programme.AdvanceSplit.PROFILE,
            hold_advance_for_returns=True,
            cost_centre="AS-PCG-23", ledger_code="6120",
        )
        allocation = self.allocation(
            programme, "kbsp", title="Keeping Bristol Safe Partnership 2023-24", amount=Decimal("215000.00"),
            purpose="Grant funded programmes under the Community Safety Partnership Plan / Joint Local Police and "
            "Crime Plan 2023-25. " + ILLUSTRATIVE,
            award_reason="The partnership's Community Safety Partnership Plan was assessed against the Joint Local "
            "Police and Crime Plan priorities; the amount follows its costed delivery plan. " + ILLUSTRATIVE,
            status=Allocation.Status.ACTIVE, decision_reference="OPCC-AS-DEC-2023-014", decision_date=date(2023, 3, 20),
            conditions="Quarterly returns within 21 days of quarter end. Case studies anonymised. Safeguarding "
            "(DBS) checks evidenced before any payment; each advance held until the previous quarter's returns are "
            "approved.", is_regrant=True, partnership_reports=True, purchase_order="AS-PO-2023-0391",
        )
        # One project's location is private: a refuge-linked scheme is not published.
        sanctuary = self.project(
            allocation, "bristol_council", "SAN-2324", "Sanctuary Scheme",
            "Target hardening for victims of domestic abuse so that they can stay safely in their own homes, funded "
            "through Domestic Abuse Act money: capital spend on strengthening safety plans. " + ILLUSTRATIVE,
            ["domestic-abuse"], self.bristol,
            [
                (BudgetLine.Category.CAPITAL, "Security measures fitted to homes", [12000, 18000, 15000, 15000]),
                (BudgetLine.Category.STAFF, "Sanctuary caseworker", [6000, 6000, 6000, 6000]),
                (BudgetLine.Category.MANAGEMENT, "Management fee", [750, 750, 750, 750]),
            ],
            [("households_safer", None, 150), ("feel_safer", 70, 85)],
        )
        hate = self.project(
            allocation, "hate_crime_charity", "HCS-2324", "Hate Crime Support Service",
            "Casework and advocacy for victims of hate crime, with data feeding the partnership's Hate Crime "
            "dashboard of trends and hotspots. " + ILLUSTRATIVE,
            ["hate-crime"], self.bristol,
            [
                (BudgetLine.Category.STAFF, "Caseworkers", [17500, 17500, 17500, 17500]),
                (BudgetLine.Category.NON_STAFF, "Interpreting and outreach", [3000, 3000, 3000, 3000]),
            ],
            [("hate_supported", None, 250), ("cope_recover", None, 80), ("hate_reports", 110, None)],
        )
        slavery = self.project(
            allocation, "kbsp", "MSP-2324", "Modern Day Slavery Partnership",
            "Co-ordination of the Modern Day Slavery Partnership: training for frontline staff and an "
            "information-sharing agreement between partners. " + ILLUSTRATIVE,
            ["modern-slavery"], self.bristol,
            [
                (BudgetLine.Category.STAFF, "Partnership co-ordinator", [9500, 9500, 9500, 9500]),
                (BudgetLine.Category.NON_STAFF, "Training venues and materials", [1500, 1500, 1500, 1500]),
            ],
            [("staff_trained", None, 300), ("sharing_agreement", None, 1)],
        )
        officer, finance = u["avon-commissioner"], u["avon-finance"]
        verified, approved = QuarterlyReturn.SpendStatus.VERIFIED, QuarterlyReturn.Status.APPROVED
        q = lambda n: Quarter(2023, n)  # noqa: E731

        council = dict(provider_user=u["bristol-provider"], officer=officer, finance_user=finance)
        charity = dict(provider_user=u["charity-provider"], officer=officer, finance_user=finance)
        partnership = dict(provider_user=u["kbsp"], officer=officer, finance_user=finance)
        self.quarterly_return(sanctuary, q(1), ReturnPlan(approved, verified, values=(31, None), officer_rag=RAG.GREEN,
            progress="31 households made safer; referrals mainly from the MARAC. " + ILLUSTRATIVE,
            case_study="Client B and her two children stayed in their home after new locks and a door chain were fitted. " + ILLUSTRATIVE), **council)
        self.quarterly_return(sanctuary, q(2), ReturnPlan(approved, verified, actual_factor=Decimal("0.80"), values=(38, (22, 25)),
            officer_rag=RAG.AMBER, self_rag=RAG.AMBER, progress="Contractor delays in August. " + ILLUSTRATIVE,
            variance_explanation="Two installations slipped into October because of contractor availability. " + ILLUSTRATIVE), **council)
        self.quarterly_return(sanctuary, q(3), ReturnPlan(QuarterlyReturn.Status.SUBMITTED, values=(44, None),
            actual_factor=Decimal("1.10"), progress="Caught up on the installations delayed from Q2. " + ILLUSTRATIVE), **council)
        self.quarterly_return(hate, q(1), ReturnPlan(approved, verified, values=(96, (39, 50), 120), officer_rag=RAG.GREEN,
            progress="Casework caseload at capacity. " + ILLUSTRATIVE), **charity)
        self.quarterly_return(hate, q(2), ReturnPlan(approved, values=(150, (42, 52), 131), officer_rag=RAG.GREEN,
            progress="New outreach sessions in two community centres. " + ILLUSTRATIVE), **charity)
        self.quarterly_return(hate, q(3), ReturnPlan(QuarterlyReturn.Status.RETURNED, values=(190, (38, 48), 158),
            progress="Steady demand; a spike after a local incident in November. " + ILLUSTRATIVE,
            returned_comment="The case study names the street where the client lives: please anonymise it and resubmit. " + ILLUSTRATIVE), **charity)
        self.quarterly_return(slavery, q(1), ReturnPlan(approved, verified, values=(60, 0), officer_rag=RAG.GREEN,
            progress="Training programme launched with the council and health partners. " + ILLUSTRATIVE), **partnership)
        self.quarterly_return(slavery, q(2), ReturnPlan(approved, verified, values=(85, 1), officer_rag=RAG.GREEN,
            progress="Information-sharing agreement signed by all partners in September. " + ILLUSTRATIVE), **partnership)
        self.quarterly_return(slavery, q(3), ReturnPlan(QuarterlyReturn.Status.DRAFT, values=(70,)), **partnership)
        self.partnership_returns(
            allocation, "The partnership's funded services are on track against the Community Safety Partnership "
            "Plan; the Sanctuary Scheme's capital spend follows referrals from the MARAC. " + ILLUSTRATIVE, officer)

        # A virement waiting for the commissioner's decision.
        interpreting = hate.budget_lines.get(category=BudgetLine.Category.NON_STAFF)
        caseworkers = hate.budget_lines.get(category=BudgetLine.Category.STAFF)
        _save(Virement(from_line=interpreting, to_line=caseworkers, amount=Decimal("1500.00"), quarter=4,
                       reason="Interpreting is now provided free by the council's language service; the money would "
                       "pay for extra caseworker hours after the November spike in demand. " + ILLUSTRATIVE,
                       requested_by=u["charity-provider"]))

        # The Sanctuary Scheme is co-funded: the council's Domestic Abuse Act money beside the commissioner's grant.
        _save(OtherFunding(project=sanctuary, financial_year=2023, funder="Bristol City Council: Domestic Abuse Act "
                           "new burdens funding", amount=Decimal("45000.00"), status=OtherFunding.Status.CONFIRMED,
                           pays_for="Further fittings and the scheme's coordinator"))
        _save(OtherFunding(project=sanctuary, financial_year=2023, funder="Local housing association",
                           amount=Decimal("5000.00"), status=OtherFunding.Status.EXPECTED,
                           pays_for="Door and window repairs in its own homes"))

        # The partnership asks to extend its allocation by a quarter.
        _save(Variation(allocation=allocation, end_date=date(2024, 6, 30), requested_by=u["kbsp"],
                        reason="The last Sanctuary Scheme fittings and their follow-up visits slip into April to June "
                        "2024: the partnership asks for three more months at no extra cost. " + ILLUSTRATIVE))

        # The partnership asks to re-profile the modern slavery work: training slips from Q3 into Q4.
        slavery_line = slavery.budget_lines.filter(financial_year=2023).order_by("pk").first()
        moved = (slavery_line.profile_q3 / 2).quantize(Decimal("0.01"))
        reprofile = _save(Variation(allocation=allocation, project=slavery, financial_year=2023, requested_by=u["kbsp"],
                                    reason="The second round of partner training moves from December to February, "
                                    "after the health partners' winter pressures. " + ILLUSTRATIVE))
        _save(ProfileChange(variation=reprofile, line=slavery_line, profile_q1=slavery_line.profile_q1,
                            profile_q2=slavery_line.profile_q2, profile_q3=slavery_line.profile_q3 - moved,
                            profile_q4=slavery_line.profile_q4 + moved))

        # A virement from capital to revenue, waiting for the commissioner's explicit approval.
        fittings = sanctuary.budget_lines.get(category=BudgetLine.Category.CAPITAL)
        caseworker = sanctuary.budget_lines.get(category=BudgetLine.Category.STAFF)
        _save(Virement(from_line=fittings, to_line=caseworker, amount=Decimal("3000.00"), quarter=4,
                       reason="Fewer homes than planned need fittings in the last quarter; more households need "
                       "caseworker support to stay safely at home. " + ILLUSTRATIVE,
                       requested_by=u["kbsp"]))

        # Quarterly in advance once the agreement was signed, each quarter's advance following the spend its
        # projects profile (the capital-heavy first quarters take more); Q4's waits for Q3's returns.
        shares = advance_instalments(allocation, [q(number) for number in (1, 2, 3, 4)])
        for number in (1, 2, 3, 4):
            payment = Payment(allocation=allocation, financial_year=2023, quarter=number, amount=shares[q(number)])
            if number <= 3:
                payment.status = Payment.Status.RELEASED
                payment.reference = f"AS-PAY-2023-{number:03d}"
                payment.paid_on = q(number).start + timedelta(days=14)
                payment.released_by = finance
                payment.released_at = _at(payment.paid_on, 9)
                _carry_codes(payment)
            _save(payment)

    def build(self):
        self.organisations()
        self.people()
        self.priorities()
        self.areas()
        self.measure_library()
        self.west_yorkshire()
        self.avon_and_somerset()
        self.works_with()
        self.bradford_board_action()
        self.bristol_scrutiny_action()
        self.figures_of_places()

    def board_action(self, owner_key, programme_code, references, **fields):
        action = _save(BoardAction(owner=self.orgs[owner_key], **fields))
        action.programmes.set(Programme.objects.filter(code=programme_code, commissioner__in=self.orgs.values()))
        action.projects.set(Project.objects.filter(reference__in=references))
        return action

    def bradford_board_action(self):
        """The Health and Wellbeing Board's request, January 2020, for a further report in Autumn 2020 (open, so
        overdue on the partnership manager's and the commissioner's work lists)."""
        self.board_action(
            "bdscp", "CSF", ["BTC"], board="Bradford Health and Wellbeing Board", resolved_on=date(2020, 1, 28),
            title="A further report on Breaking the Cycle's outcomes to the board in Autumn 2020",
            resolution="That a further report on the Breaking the Cycle project's outcomes, and on its funding "
            "beyond March 2020, be presented to the Board in Autumn 2020. " + ILLUSTRATIVE,
            action_owner="Bradford District Safer Communities Partnership manager", assignee=self.users["csp"],
            due_date=date(2020, 11, 30))

    def bristol_scrutiny_action(self):
        """The Communities Scrutiny Commission's request that the Strategic Needs Assessment come back to it (due
        within the 12 months to 31 March 2024, so the partnership's report lists it)."""
        self.board_action(
            "kbsp", "PCG", ["SAN-2324"], board="Bristol Communities Scrutiny Commission", resolved_on=date(2023, 7, 20),
            title="The Strategic Needs Assessment 2022-23 to come back to the Commission",
            resolution="That the partnership bring the Strategic Needs Assessment, with the hate crime dashboard's "
            "trends and hotspots, back to the Commission with its annual report. " + ILLUSTRATIVE,
            action_owner="Keeping Bristol Safe Partnership manager", assignee=self.users["kbsp"],
            due_date=date(2024, 1, 31))

    def figures_of_places(self):
        """The context of each partnership beside its grants: recorded hate crime (and, for Bradford, domestic
        abuse) by month for the district and a few wards over three years to each report's period, the Your
        Views and Quality of Life surveys with a breakdown by deprivation, and MARAC referrals. Every figure is
        invented; every series says so."""
        wards = {}
        for key, code, name in (
            ("bradford", "E05999901", "City (illustrative ward)"), ("bradford", "E05999902", "Manningham (illustrative ward)"),
            ("bradford", "E05999903", "Keighley Central (illustrative ward)"), ("bradford", "E05999904", "Tong (illustrative ward)"),
            ("bristol", "E05999911", "Central (illustrative ward)"), ("bristol", "E05999912", "Lawrence Hill (illustrative ward)"),
            ("bristol", "E05999913", "Ashley (illustrative ward)"), ("bristol", "E05999914", "Filwood (illustrative ward)"),
        ):
            wards.setdefault(key, []).append(_save(Area(name=name, code=code, code_type=Area.CodeType.WD)))
        crime_caveat = ("Recorded crime does not always reflect actual crime; recording practice changed with Crime "
                        "Data Integrity. " + ILLUSTRATIVE)
        values = []

        def series(owner_key, kind, name, theme, source, unit, definition, caveats, category=""):
            return _save(Indicator(owner=self.orgs[owner_key], kind=kind, name=name, category=category, theme=theme,
                                   source=source, unit=unit, definition=definition, caveats=caveats))

        def monthly(indicator, district, district_level, ward_levels, first: date, months=36, rise=0.0):
            # A seasonal swing (more in summer) and a steady rise as more victims come forward.
            for n in range(months):
                month = date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1)
                factor = (1 + 0.15 * math.sin((month.month - 4) / 12 * 2 * math.pi)) * (1 + rise * n / months)
                for area, level in ((district, district_level), *ward_levels):
                    values.append(IndicatorValue(indicator=indicator, area=area, period_type="month",
                                                 period_start=month, value=Decimal(round(level * factor))))

        bradford_wards, bristol_wards = wards["bradford"], wards["bristol"]
        hate = series("opcc_wy", Indicator.Kind.CRIME, "Hate crime", "hate-crime", "West Yorkshire Police recorded crime",
                      "crimes", "Hate crimes recorded by the police in the month.", crime_caveat, category="Hate crime")
        monthly(hate, self.bradford, 140, list(zip(bradford_wards, (34, 21, 12, 5))), date(2016, 10, 1), rise=0.25)
        abuse = series("opcc_wy", Indicator.Kind.CRIME, "Domestic abuse", "domestic-abuse",
                       "West Yorkshire Police recorded crime", "crimes",
                       "Crimes recorded by the police in the month and flagged as domestic abuse-related.", crime_caveat,
                       category="Domestic abuse")
        monthly(abuse, self.bradford, 820, list(zip(bradford_wards, (60, 75, 48, 52))), date(2016, 10, 1), rise=0.2)
        bristol_hate = series("kbsp", Indicator.Kind.CRIME, "Hate crime", "hate-crime",
                              "Avon and Somerset Police recorded crime (the hate crime dashboard)", "crimes",
                              "Hate crimes recorded by the police in the month.", crime_caveat, category="Hate crime")
        monthly(bristol_hate, self.bristol, 150, list(zip(bristol_wards, (38, 26, 22, 7))), date(2021, 4, 1), rise=0.15)
        marac = series("kbsp", Indicator.Kind.OTHER, "Referrals to MARAC", "domestic-abuse", "Bristol MARAC coordinator",
                       "referrals", "High-risk domestic abuse cases referred to the Multi-Agency Risk Assessment "
                       "Conference in the month.", ILLUSTRATIVE)
        monthly(marac, self.bristol, 95, [], date(2021, 4, 1), rise=0.1)

        quintiles = ("Most deprived fifth", "Second most deprived fifth", "Middle fifth", "Second least deprived fifth",
                     "Least deprived fifth")

        def survey(indicator, area, period_type, start, overall, overall_rate, samples, rates, percentages):
            rows = [("", overall, sum(samples), Decimal(overall_rate))]
            rows += list(zip(quintiles, percentages, samples, (Decimal(r) for r in rates)))
            for breakdown, percentage, sample, response_rate in rows:
                low, high = survey_interval(percentage, sample)
                values.append(IndicatorValue(
                    indicator=indicator, area=area, period_type=period_type, period_start=start, breakdown=breakdown,
                    value=Decimal(str(percentage)), sample_size=sample, response_rate=response_rate,
                    ci_low=low, ci_high=high))

        # Your Views: 3,500 responses from the district in the 12 months to September 2019, a 15% response rate,
        # weaker in the most deprived areas.
        your_views = ("OPCC West Yorkshire Your Views survey",
                      "A perception survey of households sampled at random (111,000 a year across West Yorkshire); "
                      "the figure is for the 12 months to the end of the quarter. ")
        samples, rates = (420, 610, 740, 800, 930), (7, 12, 15, 17, 19)
        for name, theme, overall, by_quintile in (
            ("Feel safe walking alone after dark", "feeling-safe", Decimal("62.0"), (48.5, 57.0, 62.5, 66.0, 70.5)),
            ("Agree the police are doing a good job", "confidence", Decimal("55.0"), (47.0, 52.5, 55.5, 57.0, 60.5)),
            ("Say anti-social behaviour is a problem locally", "anti-social-behaviour", Decimal("31.0"),
             (44.0, 36.5, 30.0, 25.5, 22.0)),
        ):
            indicator = series("opcc_wy", Indicator.Kind.SURVEY, name, theme, your_views[0], "%",
                               your_views[1] + ILLUSTRATIVE,
                               "Responses were weaker in the most deprived areas, whose figures are less certain: read "
                               "each with its 95% interval. " + ILLUSTRATIVE)
            survey(indicator, self.bradford, "quarter", date(2019, 7, 1), overall, 15, samples, rates, by_quintile)
        # Bristol's Quality of Life survey, 2023-24.
        samples, rates = (510, 690, 820, 900, 1080), (6, 10, 13, 16, 19)
        for name, theme, overall, by_quintile in (
            ("Feel safe outdoors after dark", "feeling-safe", Decimal("58.0"), (44.5, 53.0, 58.5, 63.0, 67.0)),
            ("Say hate crime is a problem in their neighbourhood", "hate-crime", Decimal("12.0"),
             (19.5, 14.0, 11.5, 9.0, 7.5)),
        ):
            indicator = series("kbsp", Indicator.Kind.SURVEY, name, theme, "Bristol Quality of Life survey", "%",
                               "The percentage of respondents to the council's yearly Quality of Life survey. "
                               + ILLUSTRATIVE,
                               "A survey weighted to the city's population; the interval shown assumes a simple "
                               "random sample. " + ILLUSTRATIVE)
            survey(indicator, self.bristol, "year", date(2023, 4, 1), overall, 12, samples, rates, by_quintile)
        for value in values:
            value.full_clean(exclude=["indicator", "area"], validate_unique=False, validate_constraints=False)
        IndicatorValue.objects.bulk_create(values)

    def works_with(self):
        """Each funder works with the organisations its allocations and projects name (the administrator's
        list, and what the commissioning forms offer)."""
        for allocation in Allocation.objects.select_related("programme__commissioner", "recipient"):
            allocation.programme.commissioner.works_with.add(allocation.recipient)
        for project in Project.objects.select_related("allocation__programme__commissioner", "provider"):
            project.allocation.programme.commissioner.works_with.add(project.provider)


def build():
    DemoBuilder().build()


# The models written to the fixture, parents before children.
FIXTURE_MODELS = [
    Organisation, User, Priority, Area, OutcomeMeasure, Programme, ProgrammeYear, Allocation, AllocationYear, Project, ProjectPriority, BudgetLine,
    OtherFunding, ProjectMeasure, QuarterlyReturn, SpendLine, MeasureValue, ReturnEvent, PartnershipReturn, PartnershipReturnEvent,
    Payment, PaymentReturn, Virement, Variation, ProfileChange, Clawback,
    BoardAction,
    Indicator, IndicatorValue,
]
