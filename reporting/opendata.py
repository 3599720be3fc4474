"""
The grants as 360Giving open data (the 360Giving Data Standard, schema 1.4).

What is published
    One grant per allocation that reached a decision and was not withdrawn (approved,
    agreement signed, active or closed), unless it is marked "do not publish" or its title
    or description looks like it holds personal data (an e-mail address, a phone number, a
    postcode, a National Insurance number). Drafts and withdrawn allocations never appear.
    What is withheld, and why, is listed by `review()` for the commissioner's eyes only.

The fields of a grant
    id                    the publisher's prefix (settings.OPEN_DATA_PREFIX) and the allocation's
                          number: 360G-demo-allocation-17. Stable: nothing that can be edited is in it.
    title, description    the allocation's title and purpose (without a purpose, a sentence
                          naming the programme, its year and the recipient)
    currency              GBP
    amountAwarded         the allocation's amount
    amountDisbursed       the payments released against it less the clawback received back from it,
                          to the penny (grants.figures.net_paid, as the allocation page's net paid)
    awardDate             the decision date
    plannedDates          the allocation's start and end dates and its length in months (a part
                          month counts as a month); for an allocation that runs over more than one
                          financial year, then one more entry per year, titled with the year
                          ("2018-19"), from its first to its last day within that year, its
                          description the part of the amount charged to that year's budget
                          ("£225,000.00 of the grant, from the programme's 2018-19 budget")
    recipientOrganization the recipient: its org-id.guide identifier (the one recorded, or
                          GB-CHC- charity number, GB-COH- company number, GB-LAE- local authority
                          code, or else <prefix>-org-<number>), name, charity and company numbers.
                          A community safety partnership is not a legal body: where it has an
                          accountable body (its council), the council is the recipient and the
                          description ends by naming the partnership
    fundingOrganization   the commissioner running the programme, identified the same way
    grantProgramme        the programme's code and name
    beneficiaryLocation   each distinct area of the allocation's projects that has an ONS code,
                          with its code type (a Welsh community safety partnership's type is CDRP)
    regrantType           FRG010 (common regrant) when the recipient passes the money on
    grantConditions       additional data (not a field of the standard): the grant agreement's
                          conditions, when recorded
    awardReason           additional data: the reason for the award (how the recipient and the
                          amount were chosen), when recorded
    dateModified          the later of the allocation's last save (`updated_at`) and its last
                          payment release (`released_at`). Organisations, projects and areas keep
                          no change time, so a change to one of them alone does not move it.

Speed: `grants()` reads everything in five queries whatever the number of allocations
(the allocations with their programme, commissioner and recipient; their projects' areas;
their released payments; the clawback received; their amounts by year), and yields one dict
per grant with no query per grant.
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from grants import figures
from grants.choices import ALLOCATION_COMMITTED
from grants.models import Allocation, AllocationYear, Area, Clawback, Organisation, Payment, Project
from grants.models.common import ZERO
from grants.models.organisations import ORG_ID_PATTERNS
from grants.periods import FinancialYear
from grants.personal_data import find_personal_data

from .permissions import can_publish_open_data
from .spreadsheets.writer import Column, SafeWorkbook

SCHEMA_VERSION = "1.4"
CURRENCY = "GBP"
COMMON_REGRANT = "FRG010"
# Allocations that reached a decision and still stand; drafts and withdrawn ones are never published.
PUBLISHED_STATUSES = ALLOCATION_COMMITTED
# A 360Giving publisher prefix: 360G- and the publisher's letters and digits, hyphens between parts.
PREFIX_PATTERN = ORG_ID_PATTERNS["360G-"]
# 360Giving's code list has one code for community safety partnerships in England (E22) and
# another for those in Wales, where they are still called CDRPs (W14).
WELSH_CSP = "CDRP"


class NothingToPublish(ValueError):
    """No grant to publish: a 360Giving package needs at least one."""


# --- From which allocations (who may publish: reporting.permissions) -----------------------


def allocations_for(user) -> QuerySet:
    """The allocations `user` may publish (their organisation's); PermissionDenied for anyone else."""
    allowed, reason = can_publish_open_data(user)
    if not allowed:
        raise PermissionDenied(reason)
    return Allocation.objects.for_user(user)


def publisher_prefix() -> str:
    """The 360Giving publisher prefix from settings, checked."""
    prefix = getattr(settings, "OPEN_DATA_PREFIX", "")
    if not PREFIX_PATTERN.fullmatch(prefix or ""):
        raise ImproperlyConfigured(
            f"OPEN_DATA_PREFIX must be a 360Giving publisher prefix such as 360G-opccwy "
            f"(360G-, then letters and digits, with hyphens between parts), not {prefix!r}."
        )
    return prefix


# --- Identifiers and small rules -------------------------------------------------------------


def grant_identifier(prefix: str, allocation_id: int) -> str:
    return f"{prefix}-allocation-{allocation_id}"


def organisation_identifier(organisation: Organisation, prefix: str) -> str:
    """The org-id.guide identifier recorded, or made from the charity, company or local
    authority number, or else one under the publisher's prefix."""
    return organisation.org_identifier or organisation.derived_identifier() or f"{prefix}-org-{organisation.pk}"


def duration_in_months(start: datetime.date, end: datetime.date) -> int:
    """Months from `start` to the end of `end`; a part month counts as a month (1 April to
    31 March is 12, 15 April to 31 March is 12, 1 April to 1 April is 1)."""
    after = end + datetime.timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    return months + (1 if after.day > start.day else 0)


def geo_code_type(area) -> str:
    if area.code_type == Area.CodeType.CSP and area.code.startswith("W"):
        return WELSH_CSP
    return area.code_type


def describe(allocation) -> str:
    """The grant's description: the allocation's purpose, or a sentence that says what it is; for a
    partnership with an accountable body, a sentence naming both."""
    purpose = allocation.purpose.strip()
    programme, recipient = allocation.programme, allocation.recipient
    description = purpose or f"{programme.name} {programme.year} funding for {recipient.name}."
    body = recipient.accountable_body
    if body is not None:
        description += f" Received by {body.name} as the accountable body of {recipient.name}."
    return description


def planned_dates(start: datetime.date, end: datetime.date, amounts: dict[int, Decimal] | None = None) -> list[dict]:
    """The whole grant's dates, then each financial year's part when it runs over more than one, with
    the amount charged to that year (`amounts`, {financial year: amount}) where it is known."""
    amounts = amounts or {}
    dates = [{"startDate": start.isoformat(), "endDate": end.isoformat(), "duration": duration_in_months(start, end)}]
    first, last = FinancialYear.from_date(start), FinancialYear.from_date(end)
    if first != last:
        for year in range(first.start_year, last.start_year + 1):
            fy = FinancialYear(year)
            part_start, part_end = max(start, fy.start), min(end, fy.end)
            part = {"title": fy.label, "startDate": part_start.isoformat(), "endDate": part_end.isoformat(),
                    "duration": duration_in_months(part_start, part_end)}
            if year in amounts:
                part["description"] = f"£{amounts[year]:,.2f} of the grant, from the programme's {fy.label} budget"
            dates.append(part)
    return dates


def personal_data_in(allocation) -> list[str]:
    """What kinds of personal detail the published title or description seem to hold."""
    found = find_personal_data(allocation.title)
    found += [kind for kind in find_personal_data(describe(allocation)) if kind not in found]
    return found


def _timestamp(value: datetime.datetime) -> str:
    """A full RFC 3339 date-time in UTC, to the second."""
    return value.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


# --- The grants ------------------------------------------------------------------------------


def publishable(allocations: QuerySet) -> QuerySet:
    """The allocations among `allocations` (already scoped) that may be published, with
    everything a grant needs fetched up front: five queries in all."""
    released = Payment.objects.filter(status=Payment.Status.RELEASED).only(
        "id", "allocation_id", "amount", "released_at", "paid_on"
    )
    recovered = Clawback.objects.filter(status=Clawback.Status.RECEIVED).only("id", "allocation_id", "amount")
    projects = Project.objects.select_related("area").only(
        "id", "allocation_id", "area__id", "area__name", "area__code", "area__code_type"
    ).order_by("pk")
    return (
        allocations.filter(status__in=PUBLISHED_STATUSES, do_not_publish=False)
        .select_related("programme__commissioner", "recipient__accountable_body")
        .prefetch_related(
            Prefetch("projects", queryset=projects, to_attr="published_projects"),
            Prefetch("payments", queryset=released, to_attr="released_payments"),
            Prefetch("clawbacks", queryset=recovered, to_attr="received_clawbacks"),
            Prefetch("years", queryset=AllocationYear.objects.only("id", "allocation_id", "financial_year", "amount"),
                     to_attr="year_rows"),
        )
        .order_by("programme__financial_year", "programme__code", "recipient__name", "pk")
    )


def grants(allocations: QuerySet, *, prefix: str | None = None) -> Iterator[dict]:
    """One 360Giving grant per publishable allocation among `allocations` (already scoped to
    what the publisher may see). Amounts are Decimals; everything else is as the JSON has it."""
    prefix = prefix or publisher_prefix()
    for allocation in publishable(allocations):
        if personal_data_in(allocation):
            continue
        yield _grant(allocation, prefix)


def _grant(allocation, prefix: str) -> dict:
    programme, recipient = allocation.programme, allocation.recipient
    payments = allocation.released_payments
    disbursed = figures.net_paid(sum((payment.amount for payment in payments), ZERO),
                                 sum((clawback.amount for clawback in allocation.received_clawbacks), ZERO))
    modified = max([allocation.updated_at, *(p.released_at for p in payments if p.released_at)])

    legal = recipient.accountable_body or recipient  # the body that holds the agreement
    recipient_org = {"id": organisation_identifier(legal, prefix), "name": legal.name}
    if legal.charity_number:
        recipient_org["charityNumber"] = legal.charity_number
    if legal.company_number:
        recipient_org["companyNumber"] = legal.company_number

    grant = {
        "id": grant_identifier(prefix, allocation.pk),
        "title": allocation.title,
        "description": describe(allocation),
        "currency": CURRENCY,
        "amountAwarded": allocation.amount,
        "amountDisbursed": disbursed,
        "awardDate": allocation.decision_date.isoformat(),
        "plannedDates": planned_dates(allocation.start_date, allocation.end_date,
                                      {row.financial_year: row.amount for row in allocation.year_rows}),
        "recipientOrganization": [recipient_org],
        "fundingOrganization": [
            {"id": organisation_identifier(programme.commissioner, prefix), "name": programme.commissioner.name}
        ],
        "grantProgramme": [{"code": programme.code, "title": programme.name}],
    }
    locations = _locations(allocation.published_projects)
    if locations:
        grant["beneficiaryLocation"] = locations
    if allocation.is_regrant:
        grant["regrantType"] = COMMON_REGRANT
    if allocation.conditions.strip():
        grant["grantConditions"] = allocation.conditions.strip()
    if allocation.award_reason.strip():
        grant["awardReason"] = allocation.award_reason.strip()
    grant["dateModified"] = _timestamp(modified)
    return grant


def _locations(projects) -> list[dict]:
    """Each distinct area of the projects that has an ONS code, by name."""
    areas = {p.area.pk: p.area for p in projects if p.area is not None and p.area.code and p.area.code_type}
    return [
        {"name": area.name, "countryCode": "GB", "geoCode": area.code, "geoCodeType": geo_code_type(area)}
        for area in sorted(areas.values(), key=lambda a: (a.name, a.pk))
    ]


# --- The package -----------------------------------------------------------------------------


def package(
    allocations: QuerySet, *, publisher: Organisation | None = None, prefix: str | None = None, now=None
) -> dict:
    """A 360Giving data package of the publishable grants among `allocations`, with its metadata.

    `publisher` is the funding organisation publishing (None: the site, for a whole-site export).
    Raises NothingToPublish when there is no grant, since a package must hold at least one."""
    prefix = prefix or publisher_prefix()
    now = now or timezone.now()
    items = list(grants(allocations, prefix=prefix))
    if not items:
        raise NothingToPublish(
            "There are no grants to publish: no allocation is approved, signed, active or closed "
            "without being marked do not publish."
        )
    name = publisher.name if publisher else settings.SITE_NAME
    funders = name if publisher else f"the funders using {name}"
    data = {
        "grants": items,
        "version": SCHEMA_VERSION,
        "title": f"Grants awarded by {funders}",
        "description": (
            f"Grants awarded by {funders}: every allocation approved and not withdrawn, except those "
            "withheld to protect people or places."
        ),
        "identifier": f"{prefix}-grants-{timezone.localdate(now).isoformat()}",
        "issued": _timestamp(now),
        "modified": max(grant["dateModified"] for grant in items),
        "publisher": {"name": name},
        "license": settings.OPEN_DATA_LICENSE,
    }
    if publisher is not None:
        data["publisher"]["identifier"] = organisation_identifier(publisher, prefix)
    return data


def _json_number(value):
    # Money is a Decimal of at most 12 digits: as a float its shortest repr is the same digits.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def write_json(data: dict, target):
    """The package as UTF-8 JSON to a text file object."""
    json.dump(data, target, default=_json_number, ensure_ascii=False, indent=2)
    target.write("\n")


def to_json(data: dict) -> str:
    return json.dumps(data, default=_json_number, ensure_ascii=False, indent=2) + "\n"


# --- The spreadsheet form --------------------------------------------------------------------

# (column title, kind, how to read it from a grant). The titles are the standard's: each
# field's title in the schema, joined with ":" below its parent's.
_GRANT_COLUMNS = [
    ("Identifier", "text", lambda g: g["id"]),
    ("Title", "text", lambda g: g["title"]),
    ("Description", "wrap", lambda g: g["description"]),
    ("Currency", "text", lambda g: g["currency"]),
    ("Amount Awarded", "money", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", "money", lambda g: g["amountDisbursed"]),
    ("Award Date", "date", lambda g: datetime.date.fromisoformat(g["awardDate"])),
    ("Recipient Org:Identifier", "text", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", "text", lambda g: g["recipientOrganization"][0]["name"]),
    ("Recipient Org:Charity Number", "text", lambda g: g["recipientOrganization"][0].get("charityNumber")),
    ("Recipient Org:Company Number", "text", lambda g: g["recipientOrganization"][0].get("companyNumber")),
    ("Funding Org:Identifier", "text", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", "text", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", "text", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", "text", lambda g: g["grantProgramme"][0]["title"]),
]
_LOCATION_FIELDS = [
    ("Name", "name"), ("Country Code", "countryCode"), ("Geographic Code", "geoCode"),
    ("Geographic Code Type", "geoCodeType"),
]
_PLANNED_FIELDS = [
    ("Title", "text", "title"), ("Start Date", "date", "startDate"), ("End Date", "date", "endDate"),
    ("Duration (months)", "whole", "duration"), ("Description", "text", "description"),
]
# Columns of additional data, not fields of the standard: (title, kind, how to read it).
ADDITIONAL_COLUMNS = [
    ("Grant Conditions", "wrap", lambda g: g.get("grantConditions")),
    ("Award Reason", "wrap", lambda g: g.get("awardReason")),
]
_TAIL_COLUMNS = [
    ("For Regrant Type", "text", lambda g: g.get("regrantType")),
    ("Last Modified", "datetime", lambda g: datetime.datetime.fromisoformat(g["dateModified"])),
]
_WIDTHS = {"text": 24, "wrap": 60, "money": 16, "date": 14, "datetime": 18, "whole": 12}


def _location_reader(index: int, key: str):
    def read(grant):
        locations = grant.get("beneficiaryLocation", [])
        return locations[index][key] if index < len(locations) else None

    return read


def _planned_reader(index: int, key: str, kind: str):
    def read(grant):
        dates = grant["plannedDates"]
        value = dates[index].get(key) if index < len(dates) else None
        return datetime.date.fromisoformat(value) if kind == "date" and value else value

    return read


def flat_columns(most_locations: int, most_planned: int = 1) -> list[tuple[str, str, object]]:
    """The spreadsheet's columns. One beneficiary location (or planned dates) per grant takes the
    standard's rolled-up titles ("Beneficiary Location:Name"); more are numbered from 0
    ("Beneficiary Location:0:Name", "Beneficiary Location:1:Name"). The additional data comes last
    but for the tail (regrant type and last modified)."""
    columns = list(_GRANT_COLUMNS[:7])
    if most_planned <= 1:
        columns += [(f"Planned Dates:{title}", kind, _planned_reader(0, key, kind))
                    for title, kind, key in _PLANNED_FIELDS if key not in ("title", "description")]
    else:
        columns += [(f"Planned Dates:{index}:{title}", kind, _planned_reader(index, key, kind))
                    for index in range(most_planned) for title, kind, key in _PLANNED_FIELDS]
    columns += _GRANT_COLUMNS[7:]
    if most_locations <= 1:
        columns += [(f"Beneficiary Location:{title}", "text", _location_reader(0, key)) for title, key in _LOCATION_FIELDS]
    else:
        columns += [
            (f"Beneficiary Location:{index}:{title}", "text", _location_reader(index, key))
            for index in range(most_locations)
            for title, key in _LOCATION_FIELDS
        ]
    return columns + ADDITIONAL_COLUMNS + _TAIL_COLUMNS


def write_xlsx(data: dict, target):
    """The package's grants as the standard's spreadsheet: one sheet, "grants", one row per
    grant, written through the formula-safe writer (so a title that starts with "=" stays text)."""
    items = data["grants"]
    columns = flat_columns(max((len(g.get("beneficiaryLocation", [])) for g in items), default=0),
                           max((len(g["plannedDates"]) for g in items), default=1))
    book = SafeWorkbook(target)
    funders = sorted({g["fundingOrganization"][0]["name"] for g in items if g.get("fundingOrganization")})
    book.print_setup(title="Grants in the 360Giving Data Standard", organisation="; ".join(funders),
                     made_at=timezone.now())
    book.add_format("whole", {"num_format": "0", "valign": "top"})
    sheet = book.sheet("grants")
    sheet.header(0, [Column(title, kind, _WIDTHS[kind]) for title, kind, _ in columns])
    # Whole numbers (months) are written one by one in their own format; the rest row by row.
    whole = [index for index, (_, kind, _) in enumerate(columns) if kind == "whole"]
    write_row = sheet.row_writer(["number" if kind == "whole" else kind for _, kind, _ in columns])
    for row, grant in enumerate(items, start=1):
        values = [read(grant) for _, _, read in columns]
        write_row(row, [None if index in whole else value for index, value in enumerate(values)])
        for index in whole:
            sheet.write(row, index, values[index], "number", fmt="whole")
    sheet.filtered(0, len(items))
    book.close()


# --- What is withheld ------------------------------------------------------------------------


@dataclass(frozen=True)
class Withheld:
    """An allocation that would be published but is not, and why (for the commissioner only)."""

    allocation_id: int
    title: str
    recipient: str
    programme: str
    status: str
    reason: str


@dataclass(frozen=True)
class Review:
    published: int
    withheld: list


def review(allocations: QuerySet) -> Review:
    """How many grants `allocations` (already scoped) publish, and which are withheld and why:
    those marked do not publish, with the reason recorded, and those whose title or description
    looks like it holds personal data. One query."""
    rows = (
        allocations.filter(status__in=PUBLISHED_STATUSES)
        .select_related("programme", "recipient")
        .order_by("programme__financial_year", "programme__code", "recipient__name", "pk")
    )
    published, withheld = 0, []
    for allocation in rows:
        if allocation.do_not_publish:
            reason = f"Marked do not publish: {allocation.do_not_publish_reason}"
        elif found := personal_data_in(allocation):
            reason = (
                f"The title or description looks like it holds {_and(found)}: "
                "change it so that no one can be identified, and it will be published."
            )
        else:
            published += 1
            continue
        withheld.append(
            Withheld(
                allocation_id=allocation.pk, title=allocation.title, recipient=allocation.recipient.name,
                programme=str(allocation.programme), status=allocation.get_status_display(), reason=reason,
            )
        )
    return Review(published=published, withheld=withheld)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def filename(prefix: str, extension: str, day: datetime.date) -> str:
    return f"{prefix}-grants-{day.isoformat()}.{extension}"
