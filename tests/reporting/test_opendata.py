"""
The grants as 360Giving open data: the package validates against the standard's own schema
(read from tests/standards/360giving, nothing fetched), and the data-quality rules hold:
what is published and what never is, identifiers by their prefix's pattern, planned dates,
amounts disbursed to the penny, regrants, locations, no personal data, and the spreadsheet
form under the standard's column titles, formula-safe.

The validator and the spreadsheet reader here are shared with the command and view tests.
"""

import csv
import datetime
import functools
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants.models import Allocation, Area, Organisation, Payment, User
from grants.models.organisations import ORG_ID_PATTERNS
from grants.personal_data import find_personal_data
from grants.services.years import keep_split
from reporting import opendata
from tests import factories as f

STANDARD = Path(__file__).resolve().parent.parent / "standards" / "360giving"


# --- The standard's schema, offline -------------------------------------------------------------


def _schema(name: str) -> dict:
    path = STANDARD / name
    assert path.is_file(), f"The 360Giving schema is expected at {path}."
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def grant_schema() -> dict:
    return _schema("360-giving-schema.json")


@functools.cache
def package_validator() -> Draft202012Validator:
    """The package schema, with its reference to the grant schema resolved to the local file.

    The files' `$schema` URL is not one `referencing` recognises, so the grant schema is made
    a draft 2020-12 resource explicitly; it is registered under the URL the package schema
    refers to (and its own `$id`). The registry has no way to retrieve anything else, so an
    unresolved reference fails instead of fetching. Formats are checked: without that a plain
    date would match both branches of awardDate's oneOf and fail."""
    package = _schema("360-giving-package-schema.json")
    grant = DRAFT202012.create_resource(grant_schema())
    registry = Registry().with_resources([
        (package["properties"]["grants"]["items"]["$ref"], grant),
        (grant_schema()["$id"], grant),
    ])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(data: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator().iter_errors(data)]


def codes(codelist: str) -> set[str]:
    with open(STANDARD / "codelists" / codelist, encoding="utf-8", newline="") as handle:
        return {row["Code"] for row in csv.DictReader(handle)}


@functools.cache
def column_paths() -> dict[str, tuple]:
    """Every column title the grant schema gives, with the JSON path it stands for: a field's
    title, or its parent's title, ":" and its own (the first item of a list: index 0)."""
    defs = grant_schema()["$defs"]

    def resolve(node):
        if "$ref" in node:
            return {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    paths = {}
    for name, node in grant_schema()["properties"].items():
        node = resolve(node)
        items = resolve(node.get("items", {}))
        if "properties" in items and "title" in node:
            for child, child_node in items["properties"].items():
                if "title" in resolve(child_node):
                    paths[f"{node['title']}:{resolve(child_node)['title']}"] = (name, 0, child)
        elif "title" in node:
            paths[node["title"]] = (name,)
    return paths


# The additional data the grants carry (not fields of the standard), by column title.
ADDITIONAL = {"Grant Conditions": ("grantConditions",), "Award Reason": ("awardReason",)}


def path_of(title: str) -> tuple:
    """The JSON path of a spreadsheet column title; numbered titles ("Beneficiary Location:1:Name")
    stand for that item of the list; the additional data's titles stand for their own fields."""
    if title in ADDITIONAL:
        return ADDITIONAL[title]
    numbered = re.fullmatch(r"([^:]+):(\d+):([^:]+)", title)
    if numbered:
        name, _, child = column_paths()[f"{numbered[1]}:{numbered[3]}"]
        return (name, int(numbered[2]), child)
    return column_paths()[title]


def value_at(grant: dict, path: tuple):
    value = grant
    for step in path:
        try:
            value = value[step]
        except (KeyError, IndexError):
            return None
    return value


def read_xlsx(content: bytes) -> tuple[list[str], list[dict], object]:
    """The headings, each row as a dict by heading, and the sheet, as openpyxl reads them."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["grants"]
    sheet = book["grants"]
    rows = list(sheet.iter_rows(values_only=True))
    headings = list(rows[0])
    return headings, [dict(zip(headings, row)) for row in rows[1:]], sheet


def as_published(value):
    """A cell's value as the JSON states it: dates as ISO dates, date-times in UTC."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date().isoformat()
    if isinstance(value, datetime.datetime):
        local = timezone.make_aware(value)
        return local.astimezone(datetime.timezone.utc).isoformat(timespec="seconds")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


# --- Helpers ------------------------------------------------------------------------------------


def export(allocations=None, **kwargs) -> dict:
    """The package as a reader of the JSON file gets it."""
    data = opendata.package(Allocation.objects.all() if allocations is None else allocations, **kwargs)
    return json.loads(opendata.to_json(data), parse_float=Decimal)


def xlsx_of(data: dict) -> bytes:
    target = io.BytesIO()
    opendata.write_xlsx(data, target)
    return target.getvalue()


def ids(data: dict) -> list[str]:
    return [grant["id"] for grant in data["grants"]]


def grant_of(data: dict, allocation) -> dict:
    wanted = opendata.grant_identifier(settings.OPEN_DATA_PREFIX, allocation.pk)
    matches = [grant for grant in data["grants"] if grant["id"] == wanted]
    assert len(matches) == 1, f"{wanted} is not in the package once"
    return matches[0]


@pytest.fixture
def demo(db):
    call_command("loaddata", "demo", verbosity=0)


@pytest.fixture(autouse=True)
def publisher_settings(settings):
    settings.OPEN_DATA_PREFIX = "360G-test"
    settings.OPEN_DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


# --- The demo data against the standard ---------------------------------------------------------


def test_the_demo_data_exports_as_a_package_that_validates_with_zero_errors(demo):
    data = export()
    assert schema_errors(data) == []
    assert [g["title"] for g in data["grants"]] == [
        "Bradford District Community Safety Fund 2018-20",
        "Calderdale Community Safety Fund 2018-19",
        "Keeping Bristol Safe Partnership 2023-24",
    ]


@pytest.mark.parametrize("username, titles", [
    ("commissioner", ["Bradford District Community Safety Fund 2018-20", "Calderdale Community Safety Fund 2018-19"]),
    ("avon-commissioner", ["Keeping Bristol Safe Partnership 2023-24"]),
])
def test_each_demo_commissioners_package_validates_and_holds_only_their_grants(demo, username, titles):
    user = User.objects.get(username=username)
    data = export(opendata.allocations_for(user), publisher=user.organisation)
    assert schema_errors(data) == []
    assert [g["title"] for g in data["grants"]] == titles
    assert {g["fundingOrganization"][0]["name"] for g in data["grants"]} == {user.organisation.name}
    assert data["publisher"] == {"name": user.organisation.name, "identifier": user.organisation.org_identifier}


def test_the_demo_package_has_its_metadata(demo, settings):
    data = export(now=datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.timezone.utc))
    assert data["version"] == "1.4"
    assert data["license"] == settings.OPEN_DATA_LICENSE
    assert data["issued"] == "2024-05-01T12:30:00+00:00"
    assert data["identifier"] == "360G-test-grants-2024-05-01"
    assert data["modified"] == max(g["dateModified"] for g in data["grants"])
    assert data["publisher"] == {"name": settings.SITE_NAME}


def test_the_demo_spreadsheet_has_the_standards_column_titles_and_the_same_values(demo):
    data = export()
    headings, rows, _ = read_xlsx(xlsx_of(opendata.package(Allocation.objects.all())))
    assert headings[:4] == ["Identifier", "Title", "Description", "Currency"]
    for needed in ("Amount Awarded", "Award Date", "Recipient Org:Identifier", "Recipient Org:Name",
                   "Funding Org:Identifier", "Funding Org:Name", "Planned Dates:0:Duration (months)",
                   "Beneficiary Location:Geographic Code Type", "For Regrant Type", "Last Modified"):
        assert needed in headings
    # Every heading is a title the schema gives, and every cell holds what the JSON holds there.
    for heading in headings:
        path_of(heading)
    assert len(rows) == len(data["grants"])
    for row, grant in zip(rows, data["grants"]):
        for heading, value in row.items():
            assert as_published(value) == value_at(grant, path_of(heading)), heading


# --- The validator is not vacuous ---------------------------------------------------------------


def test_the_validator_reports_a_grant_without_a_title(demo):
    data = export()
    del data["grants"][0]["title"]
    [error] = package_validator().iter_errors(data)
    assert list(error.absolute_path) == ["grants", 0]
    assert "'title' is a required property" in [cause.message for cause in error.context]


def test_the_validator_checks_formats(demo):
    data = export()
    data["grants"][0]["dateModified"] = "2024-05-01"  # a date, not a date-time
    assert schema_errors(data) == ["grants/0/dateModified: '2024-05-01' is not a 'date-time'"]
    data["grants"][0]["dateModified"] = "2024-05-01T09:00:00+01:00"
    data["grants"][0]["awardDate"] = "14/03/2019"
    assert [e.split(":")[0] for e in schema_errors(data)] == ["grants/0/awardDate"]


def test_the_validator_checks_types_and_the_package(demo):
    data = export()
    data["grants"][0]["amountAwarded"] = "225000"
    data["version"] = "1.4.3"
    assert sorted(e.split(":")[0] for e in schema_errors(data)) == ["grants/0/amountAwarded", "version"]


# --- What is published, and what never is ------------------------------------------------------


@pytest.mark.parametrize("status, published", [
    (Allocation.Status.DRAFT, False),
    (Allocation.Status.APPROVED, True),
    (Allocation.Status.AGREEMENT_SIGNED, True),
    (Allocation.Status.ACTIVE, True),
    (Allocation.Status.CLOSED, True),
    (Allocation.Status.WITHDRAWN, False),
])
def test_only_decided_allocations_that_stand_are_published(actors, status, published):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        status=status, withdrawn_reason="Replaced." if status == Allocation.Status.WITHDRAWN else ""
    )
    data = export()
    assert (opendata.grant_identifier("360G-test", actors.allocation_a.pk) in ids(data)) is published
    assert opendata.grant_identifier("360G-test", actors.allocation_b.pk) in ids(data)


def test_the_demo_draft_and_withdrawn_allocations_are_not_published(demo):
    titles = [g["title"] for g in export()["grants"]]
    assert Allocation.objects.filter(status__in=["draft", "withdrawn"]).count() == 2
    for allocation in Allocation.objects.filter(status__in=["draft", "withdrawn"]):
        assert allocation.title not in titles


def test_an_allocation_marked_do_not_publish_never_appears_and_is_listed_with_its_reason(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        do_not_publish=True, do_not_publish_reason="A refuge whose location must stay private."
    )
    data = export()
    assert ids(data) == [opendata.grant_identifier("360G-test", actors.allocation_b.pk)]
    assert "Allocation to A" not in json.dumps(data)
    review = opendata.review(Allocation.objects.all())
    assert review.published == 1
    assert [(w.title, w.recipient, w.reason) for w in review.withheld] == [
        ("Allocation to A", "Provider A", "Marked do not publish: A refuge whose location must stay private.")
    ]
    xlsx = xlsx_of(opendata.package(Allocation.objects.all()))
    assert "Allocation to A" not in str(read_xlsx(xlsx)[1])


def test_a_draft_marked_do_not_publish_is_not_listed_as_withheld(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        status=Allocation.Status.DRAFT, do_not_publish=True, do_not_publish_reason="Private."
    )
    assert opendata.review(Allocation.objects.all()).withheld == []


@pytest.mark.parametrize("field, text, kind", [
    ("title", "Grant to jo.bloggs@example.org", "an e-mail address"),
    ("purpose", "Call the caseworker on 07700 900123 for details.", "a phone number"),
    ("purpose", "A refuge at BS1 4DJ for women and children.", "a full postcode"),
    ("purpose", "Payments to QQ 12 34 56 C.", "a National Insurance number"),
])
def test_a_title_or_description_that_looks_like_personal_data_is_withheld_and_says_why(actors, field, text, kind):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(**{field: text})
    data = export()
    assert ids(data) == [opendata.grant_identifier("360G-test", actors.allocation_b.pk)]
    assert text not in json.dumps(data)
    [withheld] = opendata.review(Allocation.objects.all()).withheld
    assert withheld.allocation_id == actors.allocation_a.pk
    assert withheld.reason.startswith(f"The title or description looks like it holds {kind}: ")


def test_no_title_or_description_in_the_demo_export_holds_personal_data(demo):
    data = export()
    for grant in data["grants"]:
        assert find_personal_data(grant["title"]) == [], grant["title"]
        assert find_personal_data(grant["description"]) == [], grant["description"]
    assert opendata.review(Allocation.objects.all()).withheld == []


def test_a_package_with_no_grant_is_refused(actors):
    Allocation.objects.update(status=Allocation.Status.DRAFT)
    with pytest.raises(opendata.NothingToPublish, match="There are no grants to publish"):
        opendata.package(Allocation.objects.all())


# --- The fields ---------------------------------------------------------------------------------


def test_a_grant_has_every_field_from_the_allocation(actors):
    allocation = actors.allocation_b
    Allocation.objects.filter(pk=allocation.pk).update(
        title="Partnership fund 2023-24", purpose="  Youth diversion work across the district.  ",
        amount=Decimal("123456.78"), decision_date=datetime.date(2023, 3, 14),
        start_date=datetime.date(2023, 4, 1), end_date=datetime.date(2024, 9, 30),
    )
    allocation.refresh_from_db()
    keep_split(allocation)  # as saving the draft does: 123,456.78 split by months, 12 and 6
    grant = grant_of(export(), allocation)
    assert grant["id"] == f"360G-test-allocation-{allocation.pk}"
    assert (grant["title"], grant["description"]) == ("Partnership fund 2023-24", "Youth diversion work across the district.")
    assert (grant["currency"], grant["amountAwarded"], grant["awardDate"]) == ("GBP", Decimal("123456.78"), "2023-03-14")
    # The whole grant, then each financial year's part of it.
    assert grant["plannedDates"] == [
        {"startDate": "2023-04-01", "endDate": "2024-09-30", "duration": 18},
        {"title": "2023-24", "startDate": "2023-04-01", "endDate": "2024-03-31", "duration": 12,
         "description": "£82,304.52 of the grant, from the programme's 2023-24 budget"},
        {"title": "2024-25", "startDate": "2024-04-01", "endDate": "2024-09-30", "duration": 6,
         "description": "£41,152.26 of the grant, from the programme's 2024-25 budget"},
    ]
    assert grant["fundingOrganization"] == [
        {"id": f"360G-test-org-{actors.commissioner_org.pk}", "name": actors.commissioner_org.name}
    ]
    assert grant["grantProgramme"] == [{"code": "CSF", "title": "Community Safety Fund"}]


def test_the_additional_data_is_not_a_field_of_the_standard_and_is_documented():
    assert [title for title, _, _ in opendata.ADDITIONAL_COLUMNS] == list(ADDITIONAL)
    for title, (field,) in ADDITIONAL.items():
        assert title not in column_paths() and field not in grant_schema()["properties"]
        assert field in opendata.__doc__


def test_a_single_year_grant_has_one_planned_date_and_no_additional_data_when_none_is_recorded(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(conditions="  ", award_reason="")
    grant = grant_of(export(), actors.allocation_a)
    assert grant["plannedDates"] == [{"startDate": "2023-04-01", "endDate": "2024-03-31", "duration": 12}]
    assert "grantConditions" not in grant and "awardReason" not in grant


def test_the_conditions_and_the_reason_for_the_award_are_published_as_additional_data(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        conditions=" Quarterly returns within 21 days. ", award_reason="Set by formula: population 50%, crime 25%.")
    data = opendata.package(Allocation.objects.all())
    grant = grant_of(data, actors.allocation_a)
    assert (grant["grantConditions"], grant["awardReason"]) == (
        "Quarterly returns within 21 days.", "Set by formula: population 50%, crime 25%.")
    assert schema_errors(data) == []
    headings, rows, _ = read_xlsx(xlsx_of(data))
    row = next(r for r in rows if r["Identifier"] == grant["id"])
    assert (row["Grant Conditions"], row["Award Reason"]) == (grant["grantConditions"], grant["awardReason"])


def test_a_partnership_with_an_accountable_body_is_published_as_its_council(actors):
    council = Organisation.objects.create(name="Testshire Council", kind=Organisation.Kind.LOCAL_AUTHORITY,
                                          local_authority_code="TST")
    partnership = actors.provider_b  # a community safety partnership
    partnership.accountable_body = council
    partnership.full_clean()
    partnership.save()
    data = opendata.package(Allocation.objects.all())
    assert schema_errors(data) == []
    grant = grant_of(data, actors.allocation_b)
    assert grant["recipientOrganization"] == [{"id": "GB-LAE-TST", "name": "Testshire Council"}]
    assert grant["description"].endswith(" Received by Testshire Council as the accountable body of Provider B.")
    # Provider A holds its own agreement.
    assert grant_of(data, actors.allocation_a)["recipientOrganization"][0]["name"] == "Provider A"


def test_a_grant_over_two_years_takes_numbered_planned_dates_columns(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(end_date=datetime.date(2025, 3, 31))
    actors.allocation_a.refresh_from_db()
    keep_split(actors.allocation_a)
    data = opendata.package(Allocation.objects.all())
    assert schema_errors(data) == []
    headings, rows, _ = read_xlsx(xlsx_of(data))
    assert "Planned Dates:Start Date" not in headings
    assert [h for h in headings if h.startswith("Planned Dates:") and h.endswith(":Title")] == [
        "Planned Dates:0:Title", "Planned Dates:1:Title", "Planned Dates:2:Title"]
    assert [row["Planned Dates:1:Description"] for row in rows
            if row["Identifier"].endswith(f"-{actors.allocation_a.pk}")] == [
        f"£{actors.allocation_a.amount / 2:,.2f} of the grant, from the programme's 2023-24 budget"]
    published = json.loads(opendata.to_json(data), parse_float=Decimal)
    for row, grant in zip(rows, published["grants"]):
        for heading, value in row.items():
            assert as_published(value) == value_at(grant, path_of(heading)), heading


def test_without_a_purpose_the_description_says_what_the_grant_is(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(purpose="")
    grant = grant_of(export(), actors.allocation_a)
    assert grant["description"] == "Community Safety Fund 2023-24 funding for Provider A."


def test_every_planned_start_is_before_its_end_in_the_demo(demo):
    for grant in export()["grants"]:
        whole, *years = grant["plannedDates"]
        assert whole["startDate"] < whole["endDate"]
        assert whole["duration"] == 12 * max(len(years), 1)  # Bradford's runs over two financial years
        assert sum(year["duration"] for year in years) == (whole["duration"] if years else 0)
        # Each year's part of the amount, adding up to the whole award to the penny.
        parts = [re.fullmatch(r"£([\d,]+\.\d\d) of the grant, from the programme's (\d{4}-\d\d) budget",
                              year["description"]) for year in years]
        assert [part[2] for part in parts] == [year["title"] for year in years]
        if years:
            assert sum(Decimal(part[1].replace(",", "")) for part in parts) == grant["amountAwarded"]


@pytest.mark.parametrize("start, end, months", [
    ("2023-04-01", "2024-03-31", 12),
    ("2023-10-01", "2025-03-31", 18),
    ("2023-04-15", "2024-03-31", 12),  # 11 months and a half: a part month counts
    ("2023-04-01", "2023-04-01", 1),
    ("2023-04-01", "2023-06-30", 3),
    ("2024-02-01", "2024-02-29", 1),
    ("2023-04-01", "2023-05-01", 2),  # a month and a day
])
def test_the_duration_is_in_months_counting_a_part_month(start, end, months):
    assert opendata.duration_in_months(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)) == months


def test_amount_disbursed_is_the_released_payments_to_the_penny(actors):
    allocation = actors.allocation_a
    for quarter, amount, status in ((1, "25000.01", "released"), (2, "24999.99", "released"), (3, "0.01", "released"),
                                    (4, "25000.00", "scheduled")):
        f.PaymentFactory(allocation=allocation, quarter=quarter, amount=Decimal(amount), status=status,
                         reference=f"PAY-{quarter}" if status == "released" else "",
                         paid_on=datetime.date(2023, 7, 1) if status == "released" else None)
    f.PaymentFactory(allocation=allocation, financial_year=2024, quarter=1, amount=Decimal("999.00"),
                     status=Payment.Status.WITHHELD, withheld_reason="Return missing.")
    text = opendata.to_json(opendata.package(Allocation.objects.all()))
    grant = grant_of(json.loads(text, parse_float=Decimal), allocation)
    assert grant["amountDisbursed"] == Decimal("50000.01")
    assert '"amountDisbursed": 50000.01,' in text
    assert grant_of(json.loads(text), actors.allocation_b)["amountDisbursed"] == 0


def test_amounts_keep_their_pence_in_the_json_and_the_spreadsheet(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(amount=Decimal("9999999999.99"))
    data = opendata.package(Allocation.objects.all())
    assert '"amountAwarded": 9999999999.99,' in opendata.to_json(data)
    _, rows, _ = read_xlsx(xlsx_of(data))
    assert Decimal(repr(rows[0]["Amount Awarded"])) == Decimal("9999999999.99")


def test_the_last_modified_is_the_later_of_the_allocations_change_and_its_last_release(actors):
    changed = datetime.datetime(2023, 6, 1, 8, 0, tzinfo=datetime.timezone.utc)
    released = datetime.datetime(2023, 7, 3, 9, 15, tzinfo=datetime.timezone.utc)
    Allocation.objects.filter(pk__in=[actors.allocation_a.pk, actors.allocation_b.pk]).update(updated_at=changed)
    f.PaymentFactory(allocation=actors.allocation_a, status="released", reference="P1",
                     paid_on=datetime.date(2023, 7, 3), released_at=released)
    f.PaymentFactory(allocation=actors.allocation_b, quarter=2, released_at=released)  # scheduled: does not count
    data = export()
    assert grant_of(data, actors.allocation_a)["dateModified"] == "2023-07-03T09:15:00+00:00"
    assert grant_of(data, actors.allocation_b)["dateModified"] == "2023-06-01T08:00:00+00:00"
    assert data["modified"] == "2023-07-03T09:15:00+00:00"


def test_a_csp_passing_the_money_on_gets_the_common_regrant_type(actors):
    Allocation.objects.filter(pk=actors.allocation_b.pk).update(is_regrant=True)  # B is a CSP
    data = export()
    assert grant_of(data, actors.allocation_b)["regrantType"] == "FRG010"
    assert "regrantType" not in grant_of(data, actors.allocation_a)
    assert "FRG010" in codes("regrantType.csv")


def test_the_demo_csp_allocations_are_regrants_received_by_their_councils(demo):
    for grant in export()["grants"]:
        council = Organisation.objects.get(name=grant["recipientOrganization"][0]["name"])
        assert council.kind == Organisation.Kind.LOCAL_AUTHORITY
        assert grant["recipientOrganization"][0]["id"] == f"GB-LAE-{council.local_authority_code}"
        partnership = council.accountable_for.get()
        assert partnership.kind == Organisation.Kind.CSP
        assert grant["description"].endswith(f"as the accountable body of {partnership.name}.")
        assert grant["regrantType"] == "FRG010"


# --- Identifiers --------------------------------------------------------------------------------


def identifier_prefix(identifier: str) -> str:
    return next(prefix for prefix in ORG_ID_PATTERNS if identifier.startswith(prefix))


@pytest.mark.parametrize("numbers, expected, extra", [
    ({"charity_number": "1234567"}, "GB-CHC-1234567", {"charityNumber": "1234567"}),
    ({"company_number": "01234567"}, "GB-COH-01234567", {"companyNumber": "01234567"}),
    ({"company_number": "SC123456"}, "GB-COH-SC123456", {"companyNumber": "SC123456"}),
    ({"charity_number": "1234567", "company_number": "01234567"}, "GB-CHC-1234567",
     {"charityNumber": "1234567", "companyNumber": "01234567"}),
    ({"local_authority_code": "BRD"}, "GB-LAE-BRD", {}),
    ({"org_identifier": "360G-opcc-provider-a", "charity_number": "1234567"}, "360G-opcc-provider-a",
     {"charityNumber": "1234567"}),
    ({}, "360G-test-org-{pk}", {}),
])
def test_the_recipient_is_identified_by_the_org_id_rules(actors, numbers, expected, extra):
    Organisation.objects.filter(pk=actors.provider_a.pk).update(**numbers)
    recipient = grant_of(export(), actors.allocation_a)["recipientOrganization"]
    assert recipient == [{"id": expected.format(pk=actors.provider_a.pk), "name": "Provider A", **extra}]
    assert ORG_ID_PATTERNS[identifier_prefix(recipient[0]["id"])].fullmatch(recipient[0]["id"])


def test_every_identifier_in_the_demo_matches_its_prefixs_pattern(demo, settings):
    data = export()
    for grant in data["grants"]:
        assert re.fullmatch(r"360G-test-allocation-\d+", grant["id"])
        for organisation in grant["recipientOrganization"] + grant["fundingOrganization"]:
            assert ORG_ID_PATTERNS[identifier_prefix(organisation["id"])].fullmatch(organisation["id"]), organisation
    assert len(set(ids(data))) == len(ids(data))


def test_the_prefix_comes_from_the_settings(actors, settings):
    settings.OPEN_DATA_PREFIX = "360G-opccts"
    grant = export()["grants"][0]
    assert grant["id"].startswith("360G-opccts-allocation-")
    assert grant["fundingOrganization"][0]["id"] == f"360G-opccts-org-{actors.commissioner_org.pk}"


@pytest.mark.parametrize("prefix", ["", "360G", "360G-", "GB-CHC-123", "360G-has space", "360G-a/b", "360G-x-", "360g-lower"])
def test_a_prefix_that_is_not_a_360giving_prefix_is_refused(actors, settings, prefix):
    settings.OPEN_DATA_PREFIX = prefix
    with pytest.raises(ImproperlyConfigured, match="OPEN_DATA_PREFIX must be a 360Giving publisher prefix"):
        opendata.package(Allocation.objects.all())


# --- Beneficiary locations ----------------------------------------------------------------------


def test_the_coded_areas_of_the_projects_are_the_beneficiary_locations(actors):
    bradford = f.ProjectFactory.create(allocation=actors.allocation_a, area=Area.objects.create(
        name="Bradford district", code="E08000032", code_type=Area.CodeType.MD)).area
    f.ProjectFactory(allocation=actors.allocation_a, area=bradford)  # the same area once only
    f.ProjectFactory(allocation=actors.allocation_a, area=Area.objects.create(name="West Yorkshire", code="E23000010",
                                                                               code_type=Area.CodeType.PFA))
    f.ProjectFactory(allocation=actors.allocation_a, area=Area.objects.create(name="A private place"))  # no code
    f.ProjectFactory(allocation=actors.allocation_b, area=Area.objects.create(
        name="Cardiff", code="W14000001", code_type=Area.CodeType.CSP))
    data = export()
    assert grant_of(data, actors.allocation_a)["beneficiaryLocation"] == [
        {"name": "Bradford district", "countryCode": "GB", "geoCode": "E08000032", "geoCodeType": "MD"},
        {"name": "West Yorkshire", "countryCode": "GB", "geoCode": "E23000010", "geoCodeType": "PFA"},
    ]
    assert grant_of(data, actors.allocation_b)["beneficiaryLocation"] == [
        {"name": "Cardiff", "countryCode": "GB", "geoCode": "W14000001", "geoCodeType": "CDRP"},
    ]
    assert "A private place" not in json.dumps(data)
    assert schema_errors(data) == []


def test_a_grant_with_no_coded_area_has_no_beneficiary_location(actors):
    assert "beneficiaryLocation" not in grant_of(export(), actors.allocation_a)


def test_every_area_code_type_is_in_the_standards_code_list():
    known = codes("geoCodeType.csv")
    assert set(Area.CodeType.values) | {opendata.WELSH_CSP} <= known


def test_several_locations_take_numbered_columns_in_the_spreadsheet(actors):
    for index, name in enumerate(["Calderdale", "Kirklees", "Leeds"]):
        f.ProjectFactory(allocation=actors.allocation_a, area=Area.objects.create(
            name=name, code=f"E2200000{index + 1}", code_type=Area.CodeType.CSP))
    data = opendata.package(Allocation.objects.all())
    headings, rows, _ = read_xlsx(xlsx_of(data))
    assert "Beneficiary Location:Name" not in headings
    assert [h for h in headings if h.endswith(":Name") and h.startswith("Beneficiary")] == [
        "Beneficiary Location:0:Name", "Beneficiary Location:1:Name", "Beneficiary Location:2:Name"]
    published = json.loads(opendata.to_json(data), parse_float=Decimal)
    for row, grant in zip(rows, published["grants"]):
        for heading, value in row.items():
            assert as_published(value) == value_at(grant, path_of(heading)), heading


# --- The spreadsheet is formula-safe ------------------------------------------------------------


def test_a_title_that_starts_with_an_equals_sign_stays_text_in_the_spreadsheet(actors):
    formula = '=HYPERLINK("http://example.org","Click")'
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(title=formula, purpose="+1+1")
    _, rows, sheet = read_xlsx(xlsx_of(opendata.package(Allocation.objects.all())))
    cells = {cell.value: cell for row in sheet.iter_rows(min_row=2) for cell in row}
    for text in (formula, "+1+1"):
        assert (cells[text].data_type, cells[text].quotePrefix) == ("s", True)
    with zipfile.ZipFile(io.BytesIO(xlsx_of(opendata.package(Allocation.objects.all())))) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_numbers_with_leading_zeros_and_dates_keep_their_types_in_the_spreadsheet(actors):
    Organisation.objects.filter(pk=actors.provider_a.pk).update(company_number="01234567")
    _, rows, _ = read_xlsx(xlsx_of(opendata.package(Allocation.objects.all())))
    row = next(r for r in rows if r["Recipient Org:Name"] == "Provider A")
    assert row["Recipient Org:Company Number"] == "01234567"
    assert row["Recipient Org:Identifier"] == "GB-COH-01234567"
    assert isinstance(row["Award Date"], datetime.datetime)
    assert (row["Amount Awarded"], row["Planned Dates:Duration (months)"]) == (100000, 12)


# --- Scope and queries --------------------------------------------------------------------------


def test_a_commissioner_publishes_only_their_own_organisations_grants(actors):
    theirs = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.other_commissioner_org))
    mine = ids(export(opendata.allocations_for(actors.commissioner)))
    assert sorted(mine) == sorted(opendata.grant_identifier("360G-test", a.pk) for a in (actors.allocation_a, actors.allocation_b))
    assert ids(export(opendata.allocations_for(actors.outsider))) == [opendata.grant_identifier("360G-test", theirs.pk)]


@pytest.mark.parametrize("who", ["finance", "viewer", "user_a", "user_b"])
def test_no_one_but_a_commissioner_officer_may_publish(actors, who):
    allowed, reason = opendata.can_publish_open_data(getattr(actors, who))
    assert (allowed, reason) == (False, "Open data is published by the funder's commissioner officers.")
    with pytest.raises(PermissionDenied):
        opendata.allocations_for(getattr(actors, who))


def grow(actors, count: int):
    """`count` more allocations, each with two projects in coded areas and three payments."""
    for index in range(count):
        recipient = f.OrganisationFactory(kind=Organisation.Kind.CSP, charity_number=f"{1100000 + index}")
        allocation = f.AllocationFactory(programme=actors.programme, recipient=recipient, is_regrant=True)
        for number in range(2):
            f.ProjectFactory(allocation=allocation, area=Area.objects.create(
                name=f"Area {allocation.pk}-{number}", code=f"E22{allocation.pk:04d}{number:02d}",
                code_type=Area.CodeType.CSP))
        for quarter in (1, 2):
            f.PaymentFactory(allocation=allocation, quarter=quarter, status="released", reference=f"R{quarter}",
                             paid_on=datetime.date(2023, 7, 1), released_at=timezone.now())
        f.PaymentFactory(allocation=allocation, quarter=3)


def queries_for(user) -> int:
    user = User.objects.select_related("organisation").get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        data = opendata.package(opendata.allocations_for(user), publisher=user.organisation)
        xlsx_of(data)
        opendata.review(opendata.allocations_for(user))
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_grants(actors):
    grow(actors, 2)
    small = queries_for(actors.commissioner)
    grow(actors, 15)
    assert len(export(opendata.allocations_for(actors.commissioner))["grants"]) == 19
    assert queries_for(actors.commissioner) == small == 6  # with the clawback received and the amounts by year
