"""The partnership's quarter: the projects that report for it, their returns and figures, and the partnership's
return to the commissioner (grants.services.partnership)."""

from dataclasses import dataclass, field
from datetime import date

from grants import figures
from grants.choices import ALLOCATION_LIVE, ReturnStatus
from grants.models import Allocation, PartnershipReturn, Project, ProjectQuarter, QuarterlyReturn
from grants.periods import Quarter

Status = ReturnStatus


def passed_on(ret) -> bool:
    """Whether a project's return is in the partnership's return: passed on by the partnership, or approved."""
    return ret is not None and (ret.status == Status.APPROVED
                                or (ret.status == Status.SUBMITTED and ret.passed_on_at is not None))


def reporting_projects(allocation, quarter: Quarter) -> list[Project]:
    """The allocation's projects that report for `quarter` (it falls within their dates), by name."""
    projects = allocation.projects.select_related("provider").order_by("name", "reference")
    return [p for p in projects if p.first_quarter <= quarter <= p.last_quarter]


def partnership_return_for(allocation, quarter: Quarter) -> PartnershipReturn | None:
    return PartnershipReturn.objects.filter(allocation=allocation, financial_year=quarter.financial_year,
                                            quarter=quarter.number).first()


@dataclass
class ProjectLine:
    """One project of a partnership's quarter: its return (or none yet), whether it can go to the commissioner,
    and its spend for the quarter against its plan (figures.spend_to_date: approved spend compared, spend
    awaiting approval kept apart)."""

    project: Project
    ret: QuarterlyReturn | None
    spend: figures.SpendToDate = field(default_factory=figures.SpendToDate)

    @property
    def ready(self) -> bool:
        return passed_on(self.ret)

    @property
    def stage(self) -> str:
        """Where the return is, in words."""
        r = self.ret
        if r is None:
            return "Not started"
        if r.status == Status.SUBMITTED:
            return "Passed on to the commissioner" if r.passed_on_at else "Waiting for the partnership's review"
        return r.get_status_display()

    @property
    def waiting_for(self) -> str:
        """What keeps this project out of the partnership's return, in words; '' when it is in."""
        r = self.ret
        if self.ready:
            return ""
        if r is None or r.status == Status.DRAFT:
            return f"{self.project.provider} has not submitted the return for {self.project.name}"
        if r.status == Status.RETURNED:
            return f"the return for {self.project.name} is back with {self.project.provider} for amendment"
        return f"the return for {self.project.name} is waiting for your review: pass it on or send it back"


def quarter_lines(allocation, quarter: Quarter) -> list[ProjectLine]:
    """Each project reporting for the quarter with its return and its figures for the quarter. Three queries."""
    projects = reporting_projects(allocation, quarter)
    ids = [p.pk for p in projects]
    where = dict(financial_year=quarter.financial_year, quarter=quarter.number)
    returns = {r.project_id: r for r in QuarterlyReturn.objects.filter(project__in=ids, **where)}
    kept = {k.project_id: k for k in ProjectQuarter.objects.filter(project__in=ids, **where)}
    lines = []
    for p in projects:
        ret = returns.get(p.pk)
        if ret is not None:
            ret.project = p
        row = kept.get(p.pk)
        spend = figures.spend_to_date([(row.plan, row.status, row.spent)] if row else [])
        lines.append(ProjectLine(p, ret, spend))
    return lines


def pending(lines: list[ProjectLine]) -> list[QuarterlyReturn]:
    """The project returns the commissioner's decision would approve: submitted, not yet approved."""
    return [line.ret for line in lines if line.ret is not None and line.ret.status == Status.SUBMITTED]


@dataclass
class PartnershipQuarter:
    allocation: Allocation
    quarter: Quarter
    report: PartnershipReturn | None
    lines: list[ProjectLine]
    events: list = field(default_factory=list)

    @property
    def total(self) -> figures.SpendToDate:
        return figures.total_spend(line.spend for line in self.lines)

    @property
    def waiting(self) -> list[str]:
        return [line.waiting_for for line in self.lines if not line.ready]

    @property
    def pending(self) -> list[QuarterlyReturn]:
        return pending(self.lines)


def partnership_quarter(allocation, quarter: Quarter) -> PartnershipQuarter:
    report = partnership_return_for(allocation, quarter)
    events = list(report.events.select_related("actor__organisation")) if report else []
    return PartnershipQuarter(allocation, quarter, report, quarter_lines(allocation, quarter), events)


@dataclass
class QuarterRow:
    allocation: Allocation
    quarter: Quarter
    report: PartnershipReturn | None
    projects: int
    ready: int
    to_review: int  # submitted returns the partnership has not passed on or sent back


def partnership_quarters(user, today: date, *, status: str = "") -> list[QuarterRow]:
    """Every quarter, newest first, of each allocation in the user's reach that its partnership reports on, from
    its start to the quarter in progress, with its partnership return and how many of its projects' returns are
    in (`status`: only those whose partnership return has it; "not_started" for none). Four queries. A provider
    sees those of allocations made to its own organisation only."""
    allocations = Allocation.objects.for_user(user).filter(partnership_reports=True, status__in=ALLOCATION_LIVE)
    if not user.is_funder_side:  # a provider delivering one project does not see the partnership's quarter
        allocations = allocations.filter(recipient_id=user.organisation_id)
    allocations = list(allocations.select_related("programme", "recipient").order_by("recipient__name", "title"))
    ids = [a.pk for a in allocations]
    reports = {(r.allocation_id, r.financial_year, r.quarter): r
               for r in PartnershipReturn.objects.filter(allocation__in=ids)}
    projects = {}
    for p in Project.objects.filter(allocation__in=ids).only("pk", "allocation_id", "start_date", "end_date"):
        projects.setdefault(p.allocation_id, []).append(p)
    returns = {(r.project_id, r.financial_year, r.quarter): r for r in QuarterlyReturn.objects.filter(
        project__allocation__in=ids).only("pk", "project_id", "financial_year", "quarter", "status", "passed_on_at")}
    current = Quarter.from_date(today)
    rows = []
    for allocation in allocations:
        first = Quarter.from_date(allocation.start_date)
        last = min(Quarter.from_date(allocation.end_date), current)
        for quarter in Quarter.range(first, last) if first <= last else []:
            running = [p for p in projects.get(allocation.pk, []) if p.first_quarter <= quarter <= p.last_quarter]
            found = [returns.get((p.pk, quarter.financial_year, quarter.number)) for p in running]
            ready = sum(1 for r in found if passed_on(r))
            to_review = sum(1 for r in found if r is not None and r.status == Status.SUBMITTED and r.passed_on_at is None)
            report = reports.get((allocation.pk, quarter.financial_year, quarter.number))
            if status and (report.status if report else "not_started") != status:
                continue
            rows.append(QuarterRow(allocation, quarter, report, len(running), ready, to_review))
    rows.sort(key=lambda row: (row.quarter, row.allocation.recipient.name), reverse=True)
    return rows
