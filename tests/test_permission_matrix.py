"""
Who gets what answer from every URL, for every actor: one table, by world, method, what is asked
and whose objects it names, of the status each actor gets. The columns: signed out, provider A's
user, provider B's user, the funder's viewer, commissioner officer and finance officer, and a
commissioner officer of another funder (the outsider).

The answers: 302 to sign in for anyone signed out; 404 for an object outside the actor's reach
(another provider's project, another funder's programme); 403 inside reach but not allowed; 200 (or
the page's own answer, such as 405 for GET on a POST-only URL or 400 for an empty form) when allowed;
and, for a filled-in form, 302 for someone signed in when the action was done. A request refused, or
made signed out, must leave the database as it was; an action done must change it.

The worlds, each built once for its class of tests (tests/worlds/), each test in a savepoint:

- `urls`: every URL pattern the resolver holds (Django's admin aside), GET for each and an empty
  form POSTed to each POST-only URL, with the objects of provider A and provider B under the funder's
  programme and of provider X under another funder's programme ("X", the outsider's side):
  worlds.three_organisations_with_one_of_everything. The URL patterns are read from the resolver, so a
  new URL without its rows fails `test_every_url_has_its_expected_answers` with its name.
- `returns`: the quarterly return pages with filled-in forms, on A's returns in every state
  (worlds.a_return_in_every_state): reach decides 404, permission 403.
- `money`: the commissioning and finance pages with filled-in forms, on 15 May 2024
  (worlds.money_in_flight_on_an_advance_programme, described in tests/grants/commissioning/views_world.py).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode

from grants.models import QuarterlyReturn
from grants.services import returns as s
from tests import worlds
from tests.database_state import changes, database_state
from tests.dates import date_boxes
from tests.grants.commissioning.views_world import (
    allocation_data,
    allocation_edit_data,
    line_data,
    measure_data,
    programme_data,
    programme_edit_data,
    project_data,
)
from tests.grants.commissioning.views_world import state as money_state
from tests.grants.return_views.helpers import detail, state_of_every_return
from tests.worlds import ACTORS, client_for

OWNERS = ("A", "B", "X")
TODAY = date(2024, 5, 15)
SIGN_IN = "/sign-in/"
# Pages for anyone, signed in or not: signing in, and getting back in.
PUBLIC = {"login", "logout", "password-reset", "password-reset-sent", "password-reset-confirm",
          "password-reset-complete", "invitation", "invitation-complete"}
# URLs whose arguments name no organisation's object.
WITHOUT_OWNER = {"reporting:open-data-download", "password-reset-confirm", "invitation", "area-edit"}

# Left out of the walk, each with its reason.
EXCLUDED_NAMESPACES = {
    # Django's admin has its own permission system (is_staff and model permissions), tested by Django.
    "admin": "Django's admin, guarded by is_staff and model permissions",
}


def url_names(patterns=None, namespace=None) -> list[str]:
    """Every named URL pattern, with its namespace, in the order the resolver holds them."""
    names = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            names += url_names(pattern.url_patterns, full)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"the URL pattern {pattern.pattern} has no name"
            names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def ret(r) -> dict:
    return {"reference": r.project.reference, "year": r.financial_year, "quarter": r.quarter}


def pk(obj) -> dict:
    return {"pk": obj.pk}


def project(o) -> dict:
    return {"reference": o.project.reference}


def priority(o) -> dict:
    """A priority of the organisation's funder's plan (the world has none until asked)."""
    from grants.models import Priority

    found, _ = Priority.objects.get_or_create(commissioner=o.programme.commissioner, code="plan",
                                              defaults={"name": "Plan priority"})
    return pk(found)


def area(o) -> dict:
    from grants.models import Area

    return pk(Area.objects.get_or_create(name="Somewhere")[0])


def export(o) -> dict:
    """A finished background download of the organisation's provider user: its owner's only."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from grants.models import User
    from reporting.models import Export

    owner = User.objects.filter(organisation=o.project.provider, role=User.Role.PROVIDER).order_by("pk").first()
    found = Export.objects.filter(owner=owner).first()
    if found is None:
        found = Export(owner=owner, kind=Export.Kind.LIST, title="Projects", filename="projects.csv",
                       status=Export.Status.DONE, progress=100, expires_at=timezone.now() + timedelta(days=1))
        found.file.save("projects.csv", ContentFile(b"Reference\r\n"), save=False)
        found.save()
    return pk(found)


def board_action(o) -> dict:
    """An action of the board of the organisation's allocation's recipient (its own record), linked to its
    project: read by the recipient's people and its funder's, changed by nobody in the table (no partnership
    manager, and the funder does not write in a recipient's name)."""
    from datetime import date

    from grants.models import BoardAction

    owner = o.allocation.recipient
    found = BoardAction.objects.filter(owner=owner).first()
    if found is None:
        found = BoardAction.objects.create(owner=owner, board="Scrutiny", resolved_on=date(2024, 1, 10),
                                           title=f"A report back from {owner.name}", resolution="Resolved.",
                                           action_owner="Manager", due_date=date(2024, 3, 31))
        found.projects.add(o.project)
    return pk(found)


def sna_pack(o) -> dict:
    """The data pack of the organisation's allocation's recipient for 2023-24 (only B is a partnership)."""
    return {"pk": o.allocation.recipient_id, "year": "2023-24"}


def place(o) -> dict:
    """The organisation's project's area (a partnership area of its own) and its funder's hate crime series
    with a month's figure there: for /places/<ONS code>/hate-crime/ and its CSV."""
    from datetime import date

    from grants.models import Area, Indicator, IndicatorValue, Project

    code = {"A-1": "E22000011", "B-1": "E22000012", "X-1": "E22000013"}[o.project.reference]
    found, made = Area.objects.get_or_create(code=code, defaults={"name": f"Area of {o.project.reference}",
                                                                 "code_type": Area.CodeType.CSP})
    if made:
        Project.objects.filter(pk=o.project.pk).update(area=found)
        indicator, _ = Indicator.objects.get_or_create(
            owner_id=o.programme.commissioner_id, kind=Indicator.Kind.CRIME, name="Hate crime", category="",
            defaults={"theme": "hate-crime", "source": "Police recorded crime", "unit": "crimes"})
        IndicatorValue.objects.create(indicator=indicator, area=found, period_type="month",
                                      period_start=date(2024, 3, 1), value=12)
    return {"code": code, "theme": "hate-crime"}


def indicator(o) -> dict:
    """The organisation's funder's hate crime series (the one `place` makes)."""
    from grants.models import Indicator

    place(o)
    return pk(Indicator.objects.get(owner_id=o.programme.commissioner_id, name="Hate crime"))


def document(o) -> dict:
    """The signed agreement on the organisation's allocation, attached by its funder's commissioner officer."""
    from grants.models import Document, User
    from grants.services.documents import document_add
    from tests.grants.documents.files import PDF, upload

    found = Document.objects.filter(allocation=o.allocation, kind=Document.Kind.AGREEMENT).first()
    if found is None:
        officer = User.objects.filter(organisation=o.programme.commissioner_id,
                                      role=User.Role.COMMISSIONER).order_by("pk").first()
        found = document_add(actor=officer, allocation=o.allocation, kind=Document.Kind.AGREEMENT,
                             title="Signed agreement", file=upload("agreement.pdf", PDF))
    return pk(found)


@dataclass
class Url:
    """How to fill a URL's arguments from an organisation's objects (None: it takes none)."""

    kwargs: Callable | None = None
    post_only: bool = False


URLS = {
    "home": Url(),
    "login": Url(),
    "logout": Url(post_only=True),
    "password-reset": Url(),
    "password-reset-sent": Url(),
    "password-reset-confirm": Url(lambda o: {"uidb64": "MQ", "token": "not-a-valid-token"}),
    "password-reset-complete": Url(),
    "two-factor-verify": Url(),
    "two-factor": Url(),
    "two-factor-setup": Url(),
    "two-factor-recovery-codes": Url(),
    "two-factor-turn-off": Url(post_only=True),
    "my-returns": Url(),
    "review-queue": Url(),
    "return-detail": Url(lambda o: ret(o.submitted)),
    "return-review": Url(lambda o: ret(o.submitted), post_only=True),
    "return-reopen": Url(lambda o: ret(o.submitted), post_only=True),
    "return-spend": Url(lambda o: ret(o.submitted), post_only=True),
    "return-history": Url(lambda o: ret(o.submitted)),
    "return-partnership-review": Url(lambda o: ret(o.submitted), post_only=True),
    "partnership-returns": Url(),
    "partnership-return": Url(lambda o: {**pk(o.allocation), "year": 2023, "quarter": 1}),
    "partnership-return-decide": Url(lambda o: {**pk(o.allocation), "year": 2023, "quarter": 1}, post_only=True),
    "programmes": Url(),
    "programme-create": Url(),
    "programme-detail": Url(lambda o: pk(o.programme)),
    "programme-edit": Url(lambda o: pk(o.programme)),
    "programme-year-edit": Url(lambda o: {**pk(o.programme), "year": o.programme.financial_year + 1}),
    "programme-year-remove": Url(lambda o: {**pk(o.programme), "year": o.programme.financial_year + 1},
                                 post_only=True),
    "allocation-years-edit": Url(lambda o: pk(o.allocation)),
    "allocation-create": Url(lambda o: pk(o.programme)),
    "allocation-detail": Url(lambda o: pk(o.allocation)),
    "allocation-edit": Url(lambda o: pk(o.allocation)),
    "allocation-approve": Url(lambda o: pk(o.draft_allocation), post_only=True),
    "allocation-sign": Url(lambda o: pk(o.draft_allocation), post_only=True),
    "allocation-activate": Url(lambda o: pk(o.draft_allocation), post_only=True),
    "allocation-withdraw": Url(lambda o: pk(o.draft_allocation), post_only=True),
    "project-create": Url(lambda o: pk(o.allocation)),
    "project-detail": Url(project),
    "project-edit": Url(project),
    "budget-line-create": Url(project),
    "budget-line-edit": Url(lambda o: {**project(o), **pk(o.staff)}),
    "budget-line-delete": Url(lambda o: {**project(o), **pk(o.staff)}),
    "other-funding-create": Url(project),
    "other-funding-edit": Url(lambda o: {**project(o), **pk(o.co_funding)}),
    "other-funding-delete": Url(lambda o: {**project(o), **pk(o.co_funding)}),
    "project-measure-create": Url(project),
    "project-measure-edit": Url(lambda o: {**project(o), **pk(o.people)}),
    "project-measure-delete": Url(lambda o: {**project(o), **pk(o.people)}),
    "virement-create": Url(project),
    "variation-create": Url(lambda o: pk(o.allocation)),
    "variation-detail": Url(lambda o: pk(o.variation)),
    "variation-decide": Url(lambda o: pk(o.variation), post_only=True),
    "variation-list": Url(),
    "reallocate": Url(lambda o: pk(o.allocation)),
    "reprofile-create": Url(lambda o: {**project(o), "year": o.staff.financial_year}),
    "measure-list": Url(),
    "measure-create": Url(),
    "virement-list": Url(),
    "virement-detail": Url(lambda o: pk(o.virement)),
    "virement-decide": Url(lambda o: pk(o.virement), post_only=True),
    "finance": Url(),
    "year-end": Url(),
    "schedule-update": Url(lambda o: pk(o.allocation), post_only=True),
    "allocation-close": Url(lambda o: pk(o.allocation), post_only=True),
    "clawback-create": Url(lambda o: pk(o.allocation)),
    "payment-detail": Url(lambda o: pk(o.payment)),
    "payment-release": Url(lambda o: pk(o.payment), post_only=True),
    "payment-withhold": Url(lambda o: pk(o.payment), post_only=True),
    "payment-remittance": Url(lambda o: pk(o.released)),
    "allocation-finance-codes": Url(lambda o: pk(o.allocation), post_only=True),
    "payment-file": Url(),
    "clawback-detail": Url(lambda o: pk(o.clawback)),
    "clawback-receive": Url(lambda o: pk(o.clawback), post_only=True),
    "clawback-waive": Url(lambda o: pk(o.clawback), post_only=True),
    "allocation-document-add": Url(lambda o: pk(o.allocation)),
    "return-document-add": Url(lambda o: ret(o.draft)),
    "payment-document-add": Url(lambda o: pk(o.payment)),
    "clawback-document-add": Url(lambda o: pk(o.clawback)),
    "document-download": Url(document),
    "document-remove": Url(document),
    "funding": Url(),
    "invitation": Url(lambda o: {"uidb64": "MQ", "token": "not-a-valid-token"}),
    "invitation-complete": Url(),
    "organisation-detail": Url(lambda o: pk(o.allocation.recipient)),
    "administration": Url(),
    "organisation-list": Url(),
    "organisation-create": Url(),
    "organisation-edit": Url(lambda o: pk(o.allocation.recipient)),
    "user-list": Url(),
    "user-invite": Url(),
    "user-detail": Url(lambda o: pk(o.virement.requested_by)),
    "user-role": Url(lambda o: pk(o.virement.requested_by), post_only=True),
    "user-resend": Url(lambda o: pk(o.virement.requested_by), post_only=True),
    "user-deactivate": Url(lambda o: pk(o.virement.requested_by), post_only=True),
    "user-reactivate": Url(lambda o: pk(o.virement.requested_by), post_only=True),
    "priority-list": Url(),
    "priority-create": Url(),
    "priority-edit": Url(priority),
    "area-list": Url(),
    "area-create": Url(),
    "area-edit": Url(area),
    "board-action-list": Url(),
    "board-action-create": Url(),
    "board-action-detail": Url(board_action),
    "board-action-edit": Url(board_action),
    "board-action-close": Url(board_action),
    "board-action-reopen": Url(board_action, post_only=True),
    "reporting:return-template": Url(lambda o: ret(o.draft)),
    "reporting:return-upload": Url(lambda o: ret(o.draft)),
    "reporting:return-upload-confirm": Url(lambda o: ret(o.draft), post_only=True),
    "reporting:commissioner-workbook": Url(),
    "reporting:year-end-workbook": Url(),
    "reporting:dashboard": Url(),
    "reporting:performance": Url(),
    "reporting:open-data": Url(),
    "reporting:open-data-download": Url(lambda o: {"extension": "json"}),
    "reporting:index": Url(),
    "reporting:programme-list": Url(),
    "reporting:allocation-list": Url(),
    "reporting:project-list": Url(),
    "reporting:return-list": Url(),
    "reporting:payment-list": Url(),
    "reporting:export-list": Url(),
    "reporting:export-detail": Url(export),
    "reporting:export-file": Url(export),
    "reporting:indicator-list": Url(),
    "reporting:indicator-edit": Url(indicator),
    "reporting:indicator-import": Url(),
    "reporting:indicator-import-confirm": Url(post_only=True),
    "places": Url(),
    "place-trends": Url(place),
    "reporting:place-trends-csv": Url(place),
    "reporting:sna-pack": Url(sna_pack),
}

# --- The filled-in forms of the `returns` and `money` worlds ---------------------------------------


def _version(w, reference, quarter):
    ret = QuarterlyReturn.objects.filter(project__reference=reference, financial_year=2023, quarter=quarter).first()
    return "" if ret is None else str(ret.version)


@dataclass
class ReturnRoute:
    method: str
    path: str
    data: Callable = lambda w: {}


RETURN_FORMS = {
    "GET my returns": ReturnRoute("GET", "/returns/"),
    "GET the review queue": ReturnRoute("GET", "/review/"),
    "GET A's submitted Q1": ReturnRoute("GET", detail("A-1", 2023, 1)),
    "GET A's draft Q2": ReturnRoute("GET", detail("A-1", 2023, 2)),
    "GET A's unstarted Q4": ReturnRoute("GET", detail("A-1", 2023, 4)),
    "GET B's submitted Q1": ReturnRoute("GET", detail("B-1", 2023, 1)),
    "POST figures to A's draft Q2": ReturnRoute(
        "POST", detail("A-1", 2023, 2), lambda w: {"version": _version(w, "A-1", 2), "action": "save",
                                                   "progress": "Edited.", s.spend_key(w.staff.pk): "9,000"}),
    "POST figures to A's unstarted Q4": ReturnRoute(
        "POST", detail("A-1", 2023, 4), lambda w: {"version": "", "action": "save", "progress": "Started."}),
    "POST figures to A's submitted Q1": ReturnRoute(
        "POST", detail("A-1", 2023, 1), lambda w: {"version": _version(w, "A-1", 1), "action": "save",
                                                   "progress": "Edited."}),
    "POST approve on A's submitted Q1": ReturnRoute(
        "POST", detail("A-1", 2023, 1, "review"), lambda w: {"version": _version(w, "A-1", 1), "action": "approve",
                                                             "officer_rag": "green", "comment": ""}),
    "POST send back on A's submitted Q1": ReturnRoute(
        "POST", detail("A-1", 2023, 1, "review"), lambda w: {"version": _version(w, "A-1", 1), "action": "send_back",
                                                             "officer_rag": "", "comment": "Add a case study."}),
    "POST approve on A's draft Q2": ReturnRoute(
        "POST", detail("A-1", 2023, 2, "review"), lambda w: {"version": _version(w, "A-1", 2), "action": "approve",
                                                             "officer_rag": "green"}),
    "POST approve on A's unstarted Q4": ReturnRoute(
        "POST", detail("A-1", 2023, 4, "review"), lambda w: {"version": "0", "action": "approve",
                                                             "officer_rag": "green"}),
    "POST reopen on A's approved Q3": ReturnRoute(
        "POST", detail("A-1", 2023, 3, "reopen"), lambda w: {"version": _version(w, "A-1", 3),
                                                             "reason": "Venue invoice was wrong."}),
    "POST reopen on A's submitted Q1": ReturnRoute(
        "POST", detail("A-1", 2023, 1, "reopen"), lambda w: {"version": _version(w, "A-1", 1), "reason": "Why not."}),
    "POST verify spend on A's submitted Q1": ReturnRoute(
        "POST", detail("A-1", 2023, 1, "spend"), lambda w: {"version": _version(w, "A-1", 1), "action": "verify"}),
    "POST verify spend on A's approved Q3": ReturnRoute(
        "POST", detail("A-1", 2023, 3, "spend"), lambda w: {"version": _version(w, "A-1", 3), "action": "verify"}),
    "POST query spend on A's draft Q2": ReturnRoute(
        "POST", detail("A-1", 2023, 2, "spend"), lambda w: {"version": _version(w, "A-1", 2), "action": "query",
                                                            "note": "Too early."}),
    "GET the history of A's Q1": ReturnRoute("GET", detail("A-1", 2023, 1, "history")),
    "GET the history of A's unstarted Q4": ReturnRoute("GET", detail("A-1", 2023, 4, "history")),
    "GET a POST-only URL": ReturnRoute("GET", detail("A-1", 2023, 1, "review")),
    "GET A's 2024-25 Q1, after the project ends": ReturnRoute("GET", detail("A-1", 2024, 1)),
    "GET A's 2022-23 Q4, before the project starts": ReturnRoute("GET", detail("A-1", 2022, 4)),
    "GET year 0": ReturnRoute("GET", detail("A-1", 0, 1)),
    "GET quarter 5": ReturnRoute("GET", detail("A-1", 2023, 5)),
    "GET quarter 0": ReturnRoute("GET", detail("A-1", 2023, 0)),
    "POST figures to quarter 5": ReturnRoute(
        "POST", detail("A-1", 2023, 5), lambda w: {"version": "", "action": "save", "progress": "Nope."}),
    "POST approve on quarter 5": ReturnRoute(
        "POST", detail("A-1", 2023, 5, "review"), lambda w: {"version": "1", "action": "approve", "officer_rag": "red"}),
    "GET the history of quarter 5": ReturnRoute("GET", detail("A-1", 2023, 5, "history")),
    "GET a project that does not exist": ReturnRoute("GET", detail("NO-SUCH", 2023, 1)),
}


@dataclass
class MoneyRoute:
    method: str
    path: Callable
    data: Callable = lambda w: {}


MONEY_FORMS = {
    "GET programmes": MoneyRoute("GET", lambda w: "/programmes/"),
    "GET new programme": MoneyRoute("GET", lambda w: "/programmes/new/"),
    "POST new programme": MoneyRoute("POST", lambda w: "/programmes/new/", programme_data),
    "GET the programme": MoneyRoute("GET", lambda w: f"/programmes/{w.programme.pk}/"),
    "GET programme edit": MoneyRoute("GET", lambda w: f"/programmes/{w.programme.pk}/edit/"),
    "POST programme edit": MoneyRoute("POST", lambda w: f"/programmes/{w.programme.pk}/edit/", programme_edit_data),
    "GET add 2024-25 to CSF": MoneyRoute("GET", lambda w: f"/programmes/{w.programme.pk}/years/2024/"),
    "POST add 2024-25 to CSF": MoneyRoute("POST", lambda w: f"/programmes/{w.programme.pk}/years/2024/", lambda w: {
        "budget": "£500,000", "version": str(type(w.programme).objects.get(pk=w.programme.pk).version)}),
    "GET allocate": MoneyRoute("GET", lambda w: f"/programmes/{w.programme.pk}/allocate/"),
    "POST allocate": MoneyRoute("POST", lambda w: f"/programmes/{w.programme.pk}/allocate/", allocation_data),
    "GET allocation A": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_a.pk}/"),
    "GET allocation B": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_b.pk}/"),
    "GET the draft to A": MoneyRoute("GET", lambda w: f"/allocations/{w.draft.pk}/"),
    "GET allocation A edit": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_a.pk}/edit/"),
    "POST allocation A edit": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/edit/",
                                    lambda w: allocation_edit_data(w, w.allocation_a)),
    "POST approve the draft": MoneyRoute("POST", lambda w: f"/allocations/{w.draft.pk}/approve/", lambda w: {
        "version": w.draft.version, "decision_reference": "DEC-9", **date_boxes(decision_date="1/3/2023")}),
    "POST sign the draft": MoneyRoute("POST", lambda w: f"/allocations/{w.draft.pk}/sign/", lambda w: {
        "version": w.draft.version, **date_boxes(signed_on="2/3/2023")}),
    "POST withdraw the draft": MoneyRoute("POST", lambda w: f"/allocations/{w.draft.pk}/withdraw/", lambda w: {
        "version": w.draft.version, "reason": "No match funding."}),
    "POST activate the draft": MoneyRoute("POST", lambda w: f"/allocations/{w.draft.pk}/activate/",
                                     lambda w: {"version": w.draft.version}),
    "POST close allocation B": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_b.pk}/close/",
                                     lambda w: {"version": w.allocation_b.version}),
    "GET a POST-only URL": MoneyRoute("GET", lambda w: f"/allocations/{w.draft.pk}/approve/"),
    "GET new project under A": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_a.pk}/projects/new/"),
    "POST new project under A": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/projects/new/",
                                      project_data),
    "GET project A-1": MoneyRoute("GET", lambda w: "/projects/A-1/"),
    "GET project B-2 (A delivers for B)": MoneyRoute("GET", lambda w: "/projects/B-2/"),
    "GET project A-1 edit": MoneyRoute("GET", lambda w: "/projects/A-1/edit/"),
    "POST project A-1 edit": MoneyRoute("POST", lambda w: "/projects/A-1/edit/",
                                   lambda w: project_data(w, reference="A-1", name="Renamed",
                                                          version=str(type(w.project_a).objects.get(pk=w.project_a.pk)
                                                                      .version))),
    "GET new budget line": MoneyRoute("GET", lambda w: "/projects/A-1/budget/new/"),
    "POST new budget line": MoneyRoute("POST", lambda w: "/projects/A-1/budget/new/", line_data),
    "POST budget line edit": MoneyRoute("POST", lambda w: f"/projects/A-1/budget/{w.venue.pk}/", lambda w: line_data(
        w, description="Venue hire", category="non_staff", amount="4,400", profile_q4="4,100",
        version=w.venue.version)),
    "GET remove budget line": MoneyRoute("GET", lambda w: f"/projects/A-1/budget/{w.spare.pk}/remove/"),
    "POST remove budget line": MoneyRoute("POST", lambda w: f"/projects/A-1/budget/{w.spare.pk}/remove/",
                                     lambda w: {"version": w.spare.version}),
    "GET another project's line": MoneyRoute("GET", lambda w: f"/projects/B-1/budget/{w.venue.pk}/"),
    "POST vary allocation A": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/variations/new/",
                                        lambda w: {"conditions": "Returns within 14 days.", "reason": "Faster reporting."}),
    "GET re-profile A-1": MoneyRoute("GET", lambda w: "/projects/A-1/reprofile/2023/"),
    "POST re-profile A-1": MoneyRoute("POST", lambda w: "/projects/A-1/reprofile/2023/", lambda w: {
        **{f"line_{w.staff.pk}_q{n}": v for n, v in enumerate(["0", "20000", "10000", "10000"], 1)},
        **{f"line_{w.venue.pk}_q{n}": "1000" for n in (1, 2, 3, 4)},
        **{f"line_{w.spare.pk}_q{n}": "100" for n in (1, 2, 3, 4)}, "reason": "Recruitment slipped."}),
    "GET variations": MoneyRoute("GET", lambda w: "/variations/"),
    "GET move A's underspend": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_a.pk}/reallocate/"),
    "POST move A's underspend to B": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/reallocate/",
                                                lambda w: {"target": str(w.allocation_b.pk), "amount": "1,000",
                                                           "reason": "A started late."}),
    "POST new other funding": MoneyRoute("POST", lambda w: "/projects/A-1/funding/new/", lambda w: {
        "financial_year": "2023", "funder": "The council", "amount": "2,000", "status": "confirmed", "version": ""}),
    "GET new project measure": MoneyRoute("GET", lambda w: "/projects/A-1/measures/new/"),
    "POST new project measure": MoneyRoute("POST", lambda w: "/projects/A-1/measures/new/", measure_data),
    "GET remove project measure": MoneyRoute("GET",
                                             lambda w: f"/projects/A-1/measures/{w.project_measure.pk}/remove/"),
    "POST remove project measure": MoneyRoute("POST", lambda w: f"/projects/A-1/measures/{w.project_measure.pk}/remove/"),
    "GET the measure library": MoneyRoute("GET", lambda w: "/measures/"),
    "GET new library measure": MoneyRoute("GET", lambda w: "/measures/new/"),
    "POST new library measure": MoneyRoute("POST", lambda w: "/measures/new/", lambda w: {
        "name": "Referrals received", "definition": "Referrals from any agency.", "unit": "count",
        "direction": "higher", "aggregation": "events"}),
    "GET virements": MoneyRoute("GET", lambda w: "/virements/"),
    "GET A's virement": MoneyRoute("GET", lambda w: f"/virements/{w.virement.pk}/"),
    "GET ask for a virement on A-1": MoneyRoute("GET", lambda w: "/projects/A-1/virements/new/"),
    "POST ask for a virement on A-1": MoneyRoute("POST", lambda w: "/projects/A-1/virements/new/", lambda w: {
        "from_line": w.venue.pk, "to_line": w.staff.pk, "amount": "100", "quarter": "2", "reason": "More staff."}),
    "POST approve A's virement": MoneyRoute("POST", lambda w: f"/virements/{w.virement.pk}/decide/", lambda w: {
        "version": w.virement.version, "action": "approve", "note": ""}),
    "POST refuse A's virement": MoneyRoute("POST", lambda w: f"/virements/{w.virement.pk}/decide/", lambda w: {
        "version": w.virement.version, "action": "refuse", "note": "Not now."}),
    "GET the finance page": MoneyRoute("GET", lambda w: "/finance/"),
    "POST update A's schedule": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/schedule/"),
    "GET A's Q1 payment": MoneyRoute("GET", lambda w: f"/payments/{w.q1.pk}/"),
    "GET B's payment": MoneyRoute("GET", lambda w: f"/payments/{w.b_payment.pk}/"),
    "POST release A's Q1": MoneyRoute("POST", lambda w: f"/payments/{w.q1.pk}/release/", lambda w: {
        "version": w.q1.version, "reference": "BACS-1", **date_boxes(paid_on="1/5/2024")}),
    "POST withhold A's Q1": MoneyRoute("POST", lambda w: f"/payments/{w.q1.pk}/withhold/", lambda w: {
        "version": w.q1.version, "reason": "Q4 return missing."}),
    "POST A's purchase order": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/finance-codes/",
                                          lambda w: {"version": w.allocation_a.version, "purchase_order": "PO-1"}),
    "GET A's released Q2 remittance": MoneyRoute("GET", lambda w: f"/payments/{w.q2.pk}/remittance/"),
    "GET A's scheduled Q1 remittance": MoneyRoute("GET", lambda w: f"/payments/{w.q1.pk}/remittance/"),
    "GET B's remittance (A delivers for B)": MoneyRoute("GET", lambda w: f"/payments/{w.b_payment.pk}/remittance/"),
    "GET the payment file": MoneyRoute("GET", lambda w: "/finance/payment-file/?" + urlencode(
        date_boxes(paid_from="1/4/2023", paid_to="31/3/2024"))),
    "GET the payment file as CSV": MoneyRoute("GET", lambda w: "/finance/payment-file/?" + urlencode(
        {**date_boxes(paid_from="1/4/2023", paid_to="31/3/2024"), "format": "csv"})),
    "POST release A's released Q2": MoneyRoute("POST", lambda w: f"/payments/{w.q2.pk}/release/", lambda w: {
        "version": w.q2.version, "reference": "BACS-2", **date_boxes(paid_on="1/5/2024")}),
    "GET recover money from A": MoneyRoute("GET", lambda w: f"/allocations/{w.allocation_a.pk}/clawbacks/new/"),
    "POST recover money from A": MoneyRoute("POST", lambda w: f"/allocations/{w.allocation_a.pk}/clawbacks/new/",
                                       lambda w: {"amount": "500", "reason": "Underspend.",
                                                  **date_boxes(requested_on="2/5/2024")}),
    "GET A's clawback": MoneyRoute("GET", lambda w: f"/clawbacks/{w.clawback.pk}/"),
    "POST A's clawback received": MoneyRoute("POST", lambda w: f"/clawbacks/{w.clawback.pk}/received/", lambda w: {
        "version": w.clawback.version, **date_boxes(received_on="10/5/2024")}),
    "POST A's clawback waived": MoneyRoute("POST", lambda w: f"/clawbacks/{w.clawback.pk}/waived/", lambda w: {
        "version": w.clawback.version, "waived_reason": "Spent after all."}),
    "GET funding": MoneyRoute("GET", lambda w: "/funding/"),
    "GET a programme that does not exist": MoneyRoute("GET", lambda w: "/programmes/999999/"),
    "GET a payment that does not exist": MoneyRoute("GET", lambda w: "/payments/999999/"),
}


# --- The table ------------------------------------------------------------------------------------

# `urls` rows: one per method, URL name and owner of the objects in it ("-" for a URL without objects).
# Two-factor sign-in is as while developing (REQUIRE_2FA off) and nobody has set it up: entering a
# code or recovery codes sends them to set it up, and turning it off has nothing to turn off. With it
# required, test_two_factor_required_stands_before_every_page below. 405 is GET on a POST-only URL;
# logout answers a signed-in POST with a redirect to sign in; the sign-in page sends someone signed in home.
# `returns` and `money` rows: one per request with a filled-in form (RETURN_FORMS, MONEY_FORMS); a 302
# for anonymous is the redirect to sign in, for anyone else the action done and the redirect back.
MATRIX = """
world        what                                          owner anonymous user_a user_b viewer commissioner finance outsider
urls    GET  home                                          -           302    200    200    200          200     200      200
urls    GET  login                                         -           200    302    302    302          302     302      302
urls    GET  logout                                        -           405    405    405    405          405     405      405
urls    POST logout                                        -           302    302    302    302          302     302      302
urls    GET  password-reset                                -           200    200    200    200          200     200      200
urls    GET  password-reset-sent                           -           200    200    200    200          200     200      200
urls    GET  password-reset-confirm                        -           200    200    200    200          200     200      200
urls    GET  password-reset-complete                       -           200    200    200    200          200     200      200
urls    GET  two-factor-verify                             -           302    302    302    302          302     302      302
urls    GET  two-factor                                    -           302    200    200    200          200     200      200
urls    GET  two-factor-setup                              -           302    200    200    200          200     200      200
urls    GET  two-factor-recovery-codes                     -           302    302    302    302          302     302      302
urls    GET  two-factor-turn-off                           -           302    405    405    405          405     405      405
urls    POST two-factor-turn-off                           -           302    302    302    302          302     302      302
urls    GET  my-returns                                    -           302    200    200    403          403     403      403
urls    GET  review-queue                                  -           302    403    403    200          200     200      200
urls    GET  return-detail                                 A           302    200    404    200          200     200      404
urls    GET  return-detail                                 B           302    404    200    200          200     200      404
urls    GET  return-detail                                 X           302    404    404    404          404     404      200
urls    GET  return-review                                 A           302    405    405    405          405     405      405
urls    GET  return-review                                 B           302    405    405    405          405     405      405
urls    GET  return-review                                 X           302    405    405    405          405     405      405
urls    POST return-review                                 A           302    403    404    403          400     403      404
urls    POST return-review                                 B           302    404    403    403          400     403      404
urls    POST return-review                                 X           302    404    404    404          404     404      400
urls    GET  return-reopen                                 A           302    405    405    405          405     405      405
urls    GET  return-reopen                                 B           302    405    405    405          405     405      405
urls    GET  return-reopen                                 X           302    405    405    405          405     405      405
urls    POST return-reopen                                 A           302    403    404    403          400     403      404
urls    POST return-reopen                                 B           302    404    403    403          400     403      404
urls    POST return-reopen                                 X           302    404    404    404          404     404      400
urls    GET  return-spend                                  A           302    405    405    405          405     405      405
urls    GET  return-spend                                  B           302    405    405    405          405     405      405
urls    GET  return-spend                                  X           302    405    405    405          405     405      405
urls    POST return-spend                                  A           302    403    404    403          403     400      404
urls    POST return-spend                                  B           302    404    403    403          403     400      404
urls    POST return-spend                                  X           302    404    404    404          404     404      403
urls    GET  return-history                                A           302    200    404    200          200     200      404
urls    GET  return-history                                B           302    404    200    200          200     200      404
urls    GET  return-history                                X           302    404    404    404          404     404      200
urls    GET  return-partnership-review                      A           302    405    405    405          405     405      405
urls    GET  return-partnership-review                      B           302    405    405    405          405     405      405
urls    GET  return-partnership-review                      X           302    405    405    405          405     405      405
urls    POST return-partnership-review                      A           302    403    404    403          403     403      404
urls    POST return-partnership-review                      B           302    404    403    403          403     403      404
urls    POST return-partnership-review                      X           302    404    404    404          404     404      403
urls    GET  partnership-returns                            -           302    200    200    200          200     200      200
urls    GET  partnership-return                             A           302    404    404    404          404     404      404
urls    GET  partnership-return                             B           302    404    404    404          404     404      404
urls    GET  partnership-return                             X           302    404    404    404          404     404      404
urls    GET  partnership-return-decide                      A           302    405    405    405          405     405      405
urls    GET  partnership-return-decide                      B           302    405    405    405          405     405      405
urls    GET  partnership-return-decide                      X           302    405    405    405          405     405      405
urls    POST partnership-return-decide                      A           302    404    404    404          404     404      404
urls    POST partnership-return-decide                      B           302    404    404    404          404     404      404
urls    POST partnership-return-decide                      X           302    404    404    404          404     404      404
urls    GET  programmes                                    -           302    403    403    200          200     200      200
urls    GET  programme-create                              -           302    403    403    403          200     403      200
urls    GET  programme-detail                              A           302    403    403    200          200     200      404
urls    GET  programme-detail                              B           302    403    403    200          200     200      404
urls    GET  programme-detail                              X           302    404    404    404          404     404      200
urls    GET  programme-edit                                A           302    403    403    403          200     403      404
urls    GET  programme-edit                                B           302    403    403    403          200     403      404
urls    GET  programme-edit                                X           302    404    404    404          404     404      200
urls    GET  programme-year-edit                           A           302    403    403    403          200     403      404
urls    GET  programme-year-edit                           B           302    403    403    403          200     403      404
urls    GET  programme-year-edit                           X           302    404    404    404          404     404      200
urls    GET  programme-year-remove                         A           302    405    405    405          405     405      405
urls    GET  programme-year-remove                         B           302    405    405    405          405     405      405
urls    GET  programme-year-remove                         X           302    405    405    405          405     405      405
urls    POST programme-year-remove                         A           302    403    403    403          302     403      404
urls    POST programme-year-remove                         B           302    403    403    403          302     403      404
urls    POST programme-year-remove                         X           302    404    404    404          404     404      302
urls    GET  allocation-years-edit                         A           302    403    404    403          404     403      404
urls    GET  allocation-years-edit                         B           302    404    403    403          404     403      404
urls    GET  allocation-years-edit                         X           302    404    404    404          404     404      404
urls    GET  allocation-create                             A           302    403    403    403          200     403      404
urls    GET  allocation-create                             B           302    403    403    403          200     403      404
urls    GET  allocation-create                             X           302    404    404    404          404     404      200
urls    GET  allocation-detail                             A           302    200    404    200          200     200      404
urls    GET  allocation-detail                             B           302    404    200    200          200     200      404
urls    GET  allocation-detail                             X           302    404    404    404          404     404      200
urls    GET  allocation-edit                               A           302    403    404    403          200     403      404
urls    GET  allocation-edit                               B           302    404    403    403          200     403      404
urls    GET  allocation-edit                               X           302    404    404    404          404     404      200
urls    GET  allocation-approve                            A           302    405    405    405          405     405      405
urls    GET  allocation-approve                            B           302    405    405    405          405     405      405
urls    GET  allocation-approve                            X           302    405    405    405          405     405      405
urls    POST allocation-approve                            A           302    403    404    403          400     403      404
urls    POST allocation-approve                            B           302    404    403    403          400     403      404
urls    POST allocation-approve                            X           302    404    404    404          404     404      400
urls    GET  allocation-sign                               A           302    405    405    405          405     405      405
urls    GET  allocation-sign                               B           302    405    405    405          405     405      405
urls    GET  allocation-sign                               X           302    405    405    405          405     405      405
urls    POST allocation-sign                               A           302    403    404    403          400     403      404
urls    POST allocation-sign                               B           302    404    403    403          400     403      404
urls    POST allocation-sign                               X           302    404    404    404          404     404      400
urls    GET  allocation-activate                           A           302    405    405    405          405     405      405
urls    GET  allocation-activate                           B           302    405    405    405          405     405      405
urls    GET  allocation-activate                           X           302    405    405    405          405     405      405
urls    POST allocation-activate                           A           302    403    404    403          400     403      404
urls    POST allocation-activate                           B           302    404    403    403          400     403      404
urls    POST allocation-activate                           X           302    404    404    404          404     404      400
urls    GET  allocation-withdraw                           A           302    405    405    405          405     405      405
urls    GET  allocation-withdraw                           B           302    405    405    405          405     405      405
urls    GET  allocation-withdraw                           X           302    405    405    405          405     405      405
urls    POST allocation-withdraw                           A           302    403    404    403          400     403      404
urls    POST allocation-withdraw                           B           302    404    403    403          400     403      404
urls    POST allocation-withdraw                           X           302    404    404    404          404     404      400
urls    GET  project-create                                A           302    403    404    403          200     403      404
urls    GET  project-create                                B           302    404    403    403          200     403      404
urls    GET  project-create                                X           302    404    404    404          404     404      200
urls    GET  project-detail                                A           302    200    404    200          200     200      404
urls    GET  project-detail                                B           302    404    200    200          200     200      404
urls    GET  project-detail                                X           302    404    404    404          404     404      200
urls    GET  project-edit                                  A           302    403    404    403          200     403      404
urls    GET  project-edit                                  B           302    404    403    403          200     403      404
urls    GET  project-edit                                  X           302    404    404    404          404     404      200
urls    GET  budget-line-create                            A           302    403    404    403          200     403      404
urls    GET  budget-line-create                            B           302    404    403    403          200     403      404
urls    GET  budget-line-create                            X           302    404    404    404          404     404      200
urls    GET  budget-line-edit                              A           302    403    404    403          200     403      404
urls    GET  budget-line-edit                              B           302    404    403    403          200     403      404
urls    GET  budget-line-edit                              X           302    404    404    404          404     404      200
urls    GET  budget-line-delete                            A           302    403    404    403          200     403      404
urls    GET  budget-line-delete                            B           302    404    403    403          200     403      404
urls    GET  budget-line-delete                            X           302    404    404    404          404     404      200
urls    GET  other-funding-create                          A           302    403    404    403          200     403      404
urls    GET  other-funding-create                          B           302    404    403    403          200     403      404
urls    GET  other-funding-create                          X           302    404    404    404          404     404      200
urls    GET  other-funding-edit                            A           302    403    404    403          200     403      404
urls    GET  other-funding-edit                            B           302    404    403    403          200     403      404
urls    GET  other-funding-edit                            X           302    404    404    404          404     404      200
urls    GET  other-funding-delete                          A           302    403    404    403          200     403      404
urls    GET  other-funding-delete                          B           302    404    403    403          200     403      404
urls    GET  other-funding-delete                          X           302    404    404    404          404     404      200
urls    GET  project-measure-create                        A           302    403    404    403          200     403      404
urls    GET  project-measure-create                        B           302    404    403    403          200     403      404
urls    GET  project-measure-create                        X           302    404    404    404          404     404      200
urls    GET  project-measure-edit                          A           302    403    404    403          200     403      404
urls    GET  project-measure-edit                          B           302    404    403    403          200     403      404
urls    GET  project-measure-edit                          X           302    404    404    404          404     404      200
urls    GET  project-measure-delete                        A           302    403    404    403          200     403      404
urls    GET  project-measure-delete                        B           302    404    403    403          200     403      404
urls    GET  project-measure-delete                        X           302    404    404    404          404     404      200
urls    GET  virement-create                               A           302    200    404    403          403     403      404
urls    GET  virement-create                               B           302    404    200    403          403     403      404
urls    GET  virement-create                               X           302    404    404    404          404     404      403
urls    GET  measure-list                                  -           302    200    200    200          200     200      200
urls    GET  measure-create                                -           302    403    403    403          200     403      200
urls    GET  virement-list                                 -           302    200    200    200          200     200      200
urls    GET  virement-detail                               A           302    200    404    200          200     200      404
urls    GET  virement-detail                               B           302    404    200    200          200     200      404
urls    GET  virement-detail                               X           302    404    404    404          404     404      200
urls    GET  virement-decide                               A           302    405    405    405          405     405      405
urls    GET  virement-decide                               B           302    405    405    405          405     405      405
urls    GET  virement-decide                               X           302    405    405    405          405     405      405
urls    POST virement-decide                               A           302    403    404    403          400     403      404
urls    POST virement-decide                               B           302    404    403    403          400     403      404
urls    POST virement-decide                               X           302    404    404    404          404     404      400
urls    GET  variation-create                              A           302    200    404    403          200     403      404
urls    GET  variation-create                              B           302    404    200    403          200     403      404
urls    GET  variation-create                              X           302    404    404    404          404     404      200
urls    GET  variation-detail                              A           302    200    404    200          200     200      404
urls    GET  variation-detail                              B           302    404    200    200          200     200      404
urls    GET  variation-detail                              X           302    404    404    404          404     404      200
urls    GET  variation-list                                -           302    200    200    200          200     200      200
urls    GET  reallocate                                    A           302    403    404    403          200     403      404
urls    GET  reallocate                                    B           302    404    403    403          200     403      404
urls    GET  reallocate                                    X           302    404    404    404          404     404      200
urls    GET  reprofile-create                              A           302    200    404    403          200     403      404
urls    GET  reprofile-create                              B           302    404    200    403          200     403      404
urls    GET  reprofile-create                              X           302    404    404    404          404     404      200
urls    GET  variation-decide                              A           302    405    405    405          405     405      405
urls    GET  variation-decide                              B           302    405    405    405          405     405      405
urls    GET  variation-decide                              X           302    405    405    405          405     405      405
urls    POST variation-decide                              A           302    403    404    403          400     403      404
urls    POST variation-decide                              B           302    404    403    403          400     403      404
urls    POST variation-decide                              X           302    404    404    404          404     404      400
urls    GET  finance                                       -           302    403    403    200          200     200      200
urls    GET  year-end                                      -           302    403    403    200          200     200      200
urls    GET  schedule-update                               A           302    405    405    405          405     405      405
urls    GET  schedule-update                               B           302    405    405    405          405     405      405
urls    GET  schedule-update                               X           302    405    405    405          405     405      405
urls    POST schedule-update                               A           302    403    404    403          403     302      404
urls    POST schedule-update                               B           302    404    403    403          403     302      404
urls    POST schedule-update                               X           302    404    404    404          404     404      403
urls    GET  allocation-close                              A           302    405    405    405          405     405      405
urls    GET  allocation-close                              B           302    405    405    405          405     405      405
urls    GET  allocation-close                              X           302    405    405    405          405     405      405
urls    POST allocation-close                              A           302    403    404    403          403     400      404
urls    POST allocation-close                              B           302    404    403    403          403     400      404
urls    POST allocation-close                              X           302    404    404    404          404     404      403
urls    GET  clawback-create                               A           302    403    404    403          403     200      404
urls    GET  clawback-create                               B           302    404    403    403          403     200      404
urls    GET  clawback-create                               X           302    404    404    404          404     404      403
urls    GET  payment-detail                                A           302    200    404    200          200     200      404
urls    GET  payment-detail                                B           302    404    200    200          200     200      404
urls    GET  payment-detail                                X           302    404    404    404          404     404      200
urls    GET  payment-release                               A           302    405    405    405          405     405      405
urls    GET  payment-release                               B           302    405    405    405          405     405      405
urls    GET  payment-release                               X           302    405    405    405          405     405      405
urls    POST payment-release                               A           302    403    404    403          403     400      404
urls    POST payment-release                               B           302    404    403    403          403     400      404
urls    POST payment-release                               X           302    404    404    404          404     404      403
urls    GET  payment-withhold                              A           302    405    405    405          405     405      405
urls    GET  payment-withhold                              B           302    405    405    405          405     405      405
urls    GET  payment-withhold                              X           302    405    405    405          405     405      405
urls    POST payment-withhold                              A           302    403    404    403          403     400      404
urls    POST payment-withhold                              B           302    404    403    403          403     400      404
urls    POST payment-withhold                              X           302    404    404    404          404     404      403
urls    GET  payment-remittance                            A           302    200    404    200          200     200      404
urls    GET  payment-remittance                            B           302    404    200    200          200     200      404
urls    GET  payment-remittance                            X           302    404    404    404          404     404      200
urls    GET  allocation-finance-codes                      A           302    405    405    405          405     405      405
urls    GET  allocation-finance-codes                      B           302    405    405    405          405     405      405
urls    GET  allocation-finance-codes                      X           302    405    405    405          405     405      405
urls    POST allocation-finance-codes                      A           302    403    404    403          400     400      404
urls    POST allocation-finance-codes                      B           302    404    403    403          400     400      404
urls    POST allocation-finance-codes                      X           302    404    404    404          404     404      400
urls    GET  payment-file                                  -           302    403    403    403          200     200      200
urls    GET  clawback-detail                               A           302    200    404    200          200     200      404
urls    GET  clawback-detail                               B           302    404    200    200          200     200      404
urls    GET  clawback-detail                               X           302    404    404    404          404     404      200
urls    GET  clawback-receive                              A           302    405    405    405          405     405      405
urls    GET  clawback-receive                              B           302    405    405    405          405     405      405
urls    GET  clawback-receive                              X           302    405    405    405          405     405      405
urls    POST clawback-receive                              A           302    403    404    403          403     400      404
urls    POST clawback-receive                              B           302    404    403    403          403     400      404
urls    POST clawback-receive                              X           302    404    404    404          404     404      403
urls    GET  clawback-waive                                A           302    405    405    405          405     405      405
urls    GET  clawback-waive                                B           302    405    405    405          405     405      405
urls    GET  clawback-waive                                X           302    405    405    405          405     405      405
urls    POST clawback-waive                                A           302    403    404    403          403     400      404
urls    POST clawback-waive                                B           302    404    403    403          403     400      404
urls    POST clawback-waive                                X           302    404    404    404          404     404      403
urls    GET  allocation-document-add                       A           302    200    404    403          200     200      404
urls    GET  allocation-document-add                       B           302    404    200    403          200     200      404
urls    GET  allocation-document-add                       X           302    404    404    404          404     404      200
urls    GET  return-document-add                           A           302    200    404    403          200     200      404
urls    GET  return-document-add                           B           302    404    200    403          200     200      404
urls    GET  return-document-add                           X           302    404    404    404          404     404      200
urls    GET  payment-document-add                          A           302    403    404    403          403     200      404
urls    GET  payment-document-add                          B           302    404    403    403          403     200      404
urls    GET  payment-document-add                          X           302    404    404    404          404     404      403
urls    GET  clawback-document-add                         A           302    403    404    403          403     200      404
urls    GET  clawback-document-add                         B           302    404    403    403          403     200      404
urls    GET  clawback-document-add                         X           302    404    404    404          404     404      403
urls    GET  document-download                             A           302    200    404    200          200     200      404
urls    GET  document-download                             B           302    404    200    200          200     200      404
urls    GET  document-download                             X           302    404    404    404          404     404      200
urls    GET  document-remove                               A           302    403    404    403          200     200      404
urls    GET  document-remove                               B           302    404    403    403          200     200      404
urls    GET  document-remove                               X           302    404    404    404          404     404      200
urls    GET  funding                                       -           302    200    200    403          403     403      403
urls    GET  invitation                                    -           200    200    200    200          200     200      200
urls    GET  invitation-complete                           -           200    200    200    200          200     200      200
urls    GET  organisation-detail                           A           302    200    404    200          200     200      404
urls    GET  organisation-detail                           B           302    404    200    200          200     200      404
urls    GET  organisation-detail                           X           302    404    404    404          404     404      200
urls    GET  administration                                -           302    403    403    403          403     403      403
urls    GET  organisation-list                             -           302    403    403    403          403     403      403
urls    GET  organisation-create                           -           302    403    403    403          200     403      200
urls    GET  organisation-edit                             A           302    403    403    403          403     403      403
urls    GET  organisation-edit                             B           302    403    403    403          403     403      403
urls    GET  organisation-edit                             X           302    403    403    403          403     403      403
urls    GET  user-list                                     -           302    403    403    403          403     403      403
urls    GET  user-invite                                   -           302    403    403    403          403     403      403
urls    GET  user-detail                                   A           302    403    403    403          403     403      403
urls    GET  user-detail                                   B           302    403    403    403          403     403      403
urls    GET  user-detail                                   X           302    403    403    403          403     403      403
urls    GET  user-role                                     A           302    405    405    405          405     405      405
urls    GET  user-role                                     B           302    405    405    405          405     405      405
urls    GET  user-role                                     X           302    405    405    405          405     405      405
urls    POST user-role                                     A           302    403    403    403          403     403      403
urls    POST user-role                                     B           302    403    403    403          403     403      403
urls    POST user-role                                     X           302    403    403    403          403     403      403
urls    GET  user-resend                                   A           302    405    405    405          405     405      405
urls    GET  user-resend                                   B           302    405    405    405          405     405      405
urls    GET  user-resend                                   X           302    405    405    405          405     405      405
urls    POST user-resend                                   A           302    403    403    403          403     403      403
urls    POST user-resend                                   B           302    403    403    403          403     403      403
urls    POST user-resend                                   X           302    403    403    403          403     403      403
urls    GET  user-deactivate                               A           302    405    405    405          405     405      405
urls    GET  user-deactivate                               B           302    405    405    405          405     405      405
urls    GET  user-deactivate                               X           302    405    405    405          405     405      405
urls    POST user-deactivate                               A           302    403    403    403          403     403      403
urls    POST user-deactivate                               B           302    403    403    403          403     403      403
urls    POST user-deactivate                               X           302    403    403    403          403     403      403
urls    GET  user-reactivate                               A           302    405    405    405          405     405      405
urls    GET  user-reactivate                               B           302    405    405    405          405     405      405
urls    GET  user-reactivate                               X           302    405    405    405          405     405      405
urls    POST user-reactivate                               A           302    403    403    403          403     403      403
urls    POST user-reactivate                               B           302    403    403    403          403     403      403
urls    POST user-reactivate                               X           302    403    403    403          403     403      403
urls    GET  priority-list                                 -           302    403    403    403          403     403      403
urls    GET  priority-create                               -           302    403    403    403          403     403      403
urls    GET  priority-edit                                 A           302    403    403    403          403     403      403
urls    GET  priority-edit                                 B           302    403    403    403          403     403      403
urls    GET  priority-edit                                 X           302    403    403    403          403     403      403
urls    GET  area-list                                     -           302    403    403    403          403     403      403
urls    GET  area-create                                   -           302    403    403    403          403     403      403
urls    GET  area-edit                                     -           302    403    403    403          403     403      403
urls    GET  reporting:return-template                     A           302    200    404    200          200     200      404
urls    GET  reporting:return-template                     B           302    404    200    200          200     200      404
urls    GET  reporting:return-template                     X           302    404    404    404          404     404      200
urls    GET  reporting:return-upload                       A           302    200    404    403          403     403      404
urls    GET  reporting:return-upload                       B           302    404    200    403          403     403      404
urls    GET  reporting:return-upload                       X           302    404    404    404          404     404      403
urls    GET  reporting:return-upload-confirm               A           302    405    405    405          405     405      405
urls    GET  reporting:return-upload-confirm               B           302    405    405    405          405     405      405
urls    GET  reporting:return-upload-confirm               X           302    405    405    405          405     405      405
urls    POST reporting:return-upload-confirm               A           302    400    404    403          403     403      404
urls    POST reporting:return-upload-confirm               B           302    404    400    403          403     403      404
urls    POST reporting:return-upload-confirm               X           302    404    404    404          404     404      403
urls    GET  reporting:commissioner-workbook               -           302    403    403    403          200     200      200
urls    GET  reporting:year-end-workbook                   -           302    403    403    200          200     200      200
urls    GET  reporting:dashboard                           -           302    200    200    200          200     200      200
urls    GET  reporting:performance                         -           302    200    200    200          200     200      200
urls    GET  reporting:open-data                           -           302    403    403    403          200     403      200
urls    GET  reporting:open-data-download                  -           302    403    403    403          200     403      200
urls    GET  reporting:index                               -           302    200    200    200          200     200      200
urls    GET  reporting:programme-list                      -           302    200    200    200          200     200      200
urls    GET  reporting:allocation-list                     -           302    200    200    200          200     200      200
urls    GET  reporting:project-list                        -           302    200    200    200          200     200      200
urls    GET  reporting:return-list                         -           302    200    200    200          200     200      200
urls    GET  reporting:payment-list                        -           302    200    200    200          200     200      200
urls    GET  reporting:export-list                         -           302    200    200    200          200     200      200
urls    GET  reporting:export-detail                       A           302    200    404    404          404     404      404
urls    GET  reporting:export-detail                       B           302    404    200    404          404     404      404
urls    GET  reporting:export-detail                       X           302    404    404    404          404     404      404
urls    GET  reporting:export-file                         A           302    200    404    404          404     404      404
urls    GET  reporting:export-file                         B           302    404    200    404          404     404      404
urls    GET  reporting:export-file                         X           302    404    404    404          404     404      404
urls    GET  reporting:indicator-list                      -           302    200    200    200          200     200      200
urls    GET  reporting:indicator-edit                      A           302    403    403    403          200     403      404
urls    GET  reporting:indicator-edit                      B           302    403    403    403          200     403      404
urls    GET  reporting:indicator-edit                      X           302    404    404    404          404     404      200
urls    GET  reporting:indicator-import                    -           302    403    403    403          200     403      200
urls    GET  reporting:indicator-import-confirm            -           302    405    405    405          405     405      405
urls    POST reporting:indicator-import-confirm            -           302    403    403    403          400     403      400
urls    GET  places                                        -           302    200    200    200          200     200      200
urls    GET  place-trends                                  A           302    200    404    200          200     200      404
urls    GET  place-trends                                  B           302    404    200    200          200     200      404
urls    GET  place-trends                                  X           302    404    404    404          404     404      200
urls    GET  reporting:place-trends-csv                    A           302    200    404    200          200     200      404
urls    GET  reporting:place-trends-csv                    B           302    404    200    200          200     200      404
urls    GET  reporting:place-trends-csv                    X           302    404    404    404          404     404      200
urls    GET  board-action-list                             -           302    200    200    200          200     200      200
urls    GET  board-action-create                           -           302    403    403    403          200     403      200
urls    GET  board-action-detail                           A           302    200    404    200          200     200      404
urls    GET  board-action-detail                           B           302    404    200    200          200     200      404
urls    GET  board-action-detail                           X           302    404    404    404          404     404      200
urls    GET  board-action-edit                             A           302    403    404    403          403     403      404
urls    GET  board-action-edit                             B           302    404    403    403          403     403      404
urls    GET  board-action-edit                             X           302    404    404    404          404     404      403
urls    GET  board-action-close                            A           302    403    404    403          403     403      404
urls    GET  board-action-close                            B           302    404    403    403          403     403      404
urls    GET  board-action-close                            X           302    404    404    404          404     404      403
urls    GET  board-action-reopen                           A           302    405    405    405          405     405      405
urls    GET  board-action-reopen                           B           302    405    405    405          405     405      405
urls    GET  board-action-reopen                           X           302    405    405    405          405     405      405
urls    POST board-action-reopen                           A           302    403    404    403          403     403      404
urls    POST board-action-reopen                           B           302    404    403    403          403     403      404
urls    POST board-action-reopen                           X           302    404    404    404          404     404      403
urls    GET  reporting:sna-pack                            A           302    404    404    404          404     404      404
urls    GET  reporting:sna-pack                            B           302    404    403    403          200     200      404
urls    GET  reporting:sna-pack                            X           302    404    404    404          404     404      404
returns GET  my returns                                    -           302    200    200    403          403     403      403
returns GET  the review queue                              -           302    403    403    200          200     200      200
returns GET  A's submitted Q1                              -           302    200    404    200          200     200      404
returns GET  A's draft Q2                                  -           302    200    404    200          200     200      404
returns GET  A's unstarted Q4                              -           302    200    404    200          200     200      404
returns GET  B's submitted Q1                              -           302    404    200    200          200     200      404
returns POST figures to A's draft Q2                       -           302    302    404    403          403     403      404
returns POST figures to A's unstarted Q4                   -           302    302    404    403          403     403      404
returns POST figures to A's submitted Q1                   -           302    403    404    403          403     403      404
returns POST approve on A's submitted Q1                   -           302    403    404    403          302     403      404
returns POST send back on A's submitted Q1                 -           302    403    404    403          302     403      404
returns POST approve on A's draft Q2                       -           302    403    404    403          403     403      404
returns POST approve on A's unstarted Q4                   -           302    404    404    404          404     404      404
returns POST reopen on A's approved Q3                     -           302    403    404    403          302     403      404
returns POST reopen on A's submitted Q1                    -           302    403    404    403          403     403      404
returns POST verify spend on A's submitted Q1              -           302    403    404    403          403     302      404
returns POST verify spend on A's approved Q3               -           302    403    404    403          403     302      404
returns POST query spend on A's draft Q2                   -           302    403    404    403          403     403      404
returns GET  the history of A's Q1                         -           302    200    404    200          200     200      404
returns GET  the history of A's unstarted Q4               -           302    404    404    404          404     404      404
returns GET  a POST-only URL                               -           302    405    405    405          405     405      405
returns GET  A's 2024-25 Q1, after the project ends        -           302    404    404    404          404     404      404
returns GET  A's 2022-23 Q4, before the project starts     -           302    404    404    404          404     404      404
returns GET  year 0                                        -           302    404    404    404          404     404      404
returns GET  quarter 5                                     -           302    404    404    404          404     404      404
returns GET  quarter 0                                     -           302    404    404    404          404     404      404
returns POST figures to quarter 5                          -           302    404    404    404          404     404      404
returns POST approve on quarter 5                          -           302    404    404    404          404     404      404
returns GET  the history of quarter 5                      -           302    404    404    404          404     404      404
returns GET  a project that does not exist                 -           302    404    404    404          404     404      404
money   GET  programmes                                    -           302    403    403    200          200     200      200
money   GET  new programme                                 -           302    403    403    403          200     403      200
money   POST new programme                                 -           302    403    403    403          302     403      302
money   GET  the programme                                 -           302    403    403    200          200     200      404
money   GET  programme edit                                -           302    403    403    403          200     403      404
money   POST programme edit                                -           302    403    403    403          302     403      404
money   GET  add 2024-25 to CSF                            -           302    403    403    403          200     403      404
money   POST add 2024-25 to CSF                            -           302    403    403    403          302     403      404
money   GET  allocate                                      -           302    403    403    403          200     403      404
money   POST allocate                                      -           302    403    403    403          302     403      404
money   GET  allocation A                                  -           302    200    404    200          200     200      404
money   GET  allocation B                                  -           302    200    200    200          200     200      404
money   GET  the draft to A                                -           302    200    404    200          200     200      404
money   GET  allocation A edit                             -           302    403    404    403          200     403      404
money   POST allocation A edit                             -           302    403    404    403          302     403      404
money   POST approve the draft                             -           302    403    404    403          302     403      404
money   POST sign the draft                                -           302    403    404    403          403     403      404
money   POST withdraw the draft                            -           302    403    404    403          302     403      404
money   POST activate the draft                            -           302    403    404    403          403     403      404
money   POST close allocation B                            -           302    403    403    403          403     302      404
money   GET  a POST-only URL                               -           302    405    405    405          405     405      405
money   GET  new project under A                           -           302    403    404    403          200     403      404
money   POST new project under A                           -           302    403    404    403          302     403      404
money   GET  project A-1                                   -           302    200    404    200          200     200      404
money   GET  project B-2 (A delivers for B)                -           302    200    200    200          200     200      404
money   GET  project A-1 edit                              -           302    403    404    403          200     403      404
money   POST project A-1 edit                              -           302    403    404    403          302     403      404
money   GET  new budget line                               -           302    403    404    403          200     403      404
money   POST new budget line                               -           302    403    404    403          302     403      404
money   POST new other funding                             -           302    403    404    403          302     403      404
money   POST vary allocation A                             -           302    302    404    403          302     403      404
money   GET  re-profile A-1                                -           302    200    404    403          200     403      404
money   POST re-profile A-1                                -           302    302    404    403          302     403      404
money   GET  variations                                    -           302    200    200    200          200     200      200
money   GET  move A's underspend                           -           302    403    404    403          200     403      404
money   POST move A's underspend to B                      -           302    403    404    403          302     403      404
money   POST budget line edit                              -           302    403    404    403          302     403      404
money   GET  remove budget line                            -           302    403    404    403          200     403      404
money   POST remove budget line                            -           302    403    404    403          302     403      404
money   GET  another project's line                        -           302    404    404    404          404     404      404
money   GET  new project measure                           -           302    403    404    403          200     403      404
money   POST new project measure                           -           302    403    404    403          302     403      404
money   GET  remove project measure                        -           302    403    404    403          200     403      404
money   POST remove project measure                        -           302    403    404    403          302     403      404
money   GET  the measure library                           -           302    200    200    200          200     200      200
money   GET  new library measure                           -           302    403    403    403          200     403      200
money   POST new library measure                           -           302    403    403    403          302     403      302
money   GET  virements                                     -           302    200    200    200          200     200      200
money   GET  A's virement                                  -           302    200    404    200          200     200      404
money   GET  ask for a virement on A-1                     -           302    200    404    403          403     403      404
money   POST ask for a virement on A-1                     -           302    302    404    403          403     403      404
money   POST approve A's virement                          -           302    403    404    403          302     403      404
money   POST refuse A's virement                           -           302    403    404    403          302     403      404
money   GET  the finance page                              -           302    403    403    200          200     200      200
money   POST update A's schedule                           -           302    403    404    403          403     302      404
money   GET  A's Q1 payment                                -           302    200    404    200          200     200      404
money   GET  B's payment                                   -           302    404    200    200          200     200      404
money   POST release A's Q1                                -           302    403    404    403          403     302      404
money   POST withhold A's Q1                               -           302    403    404    403          403     302      404
money   POST release A's released Q2                       -           302    403    404    403          403     403      404
money   POST A's purchase order                            -           302    403    404    403          302     302      404
money   GET  A's released Q2 remittance                    -           302    200    404    200          200     200      404
money   GET  A's scheduled Q1 remittance                   -           302    409    404    409          409     409      404
money   GET  B's remittance (A delivers for B)             -           302    404    200    200          200     200      404
money   GET  the payment file                              -           302    403    403    403          200     200      200
money   GET  the payment file as CSV                       -           302    403    403    403          200     200      200
money   GET  recover money from A                          -           302    403    404    403          403     200      404
money   POST recover money from A                          -           302    403    404    403          403     302      404
money   GET  A's clawback                                  -           302    200    404    200          200     200      404
money   POST A's clawback received                         -           302    403    404    403          403     302      404
money   POST A's clawback waived                           -           302    403    404    403          403     302      404
money   GET  funding                                       -           302    200    200    403          403     403      403
money   GET  a programme that does not exist               -           302    404    404    404          404     404      404
money   GET  a payment that does not exist                 -           302    404    404    404          404     404      404
"""
ROW = re.compile(r"^(urls|returns|money)\s+(GET|POST)\s+(.+?)\s+(-|A|B|X)\s+((?:\d{3}\s+){6}\d{3})$")
FORMS = {"returns": RETURN_FORMS, "money": MONEY_FORMS}


def table() -> dict[tuple[str, str, str, str], list[int]]:
    """{(world, method, what, owner): [the answer of each actor]}"""
    found = {}
    for line in MATRIX.strip().splitlines()[1:]:
        match = ROW.match(line)
        assert match, f"row {line!r} needs a world, a method, what is asked, an owner and one answer per actor"
        world, method, what, owner, codes = match.groups()
        if world in FORMS:
            assert f"{method} {what}" in FORMS[world], f"{world}: no request for {method} {what}"
        assert (world, method, what, owner) not in found, f"row {line!r} appears twice"
        found[world, method, what, owner] = [int(c) for c in codes.split()]
    for world, forms in FORMS.items():
        assert {f"{m} {w}" for (wd, m, w, _) in found if wd == world} == set(forms), f"{world}: rows and requests differ"
    return found


def rows() -> dict[tuple[str, str, str], list[int]]:
    """The `urls` rows, by method, URL name and owner."""
    return {(method, name, owner): codes for (world, method, name, owner), codes in table().items() if world == "urls"}


def expected_rows() -> list[tuple[str, str, str]]:
    """The rows the table must have: GET (and POST for POST-only URLs) for each owner."""
    wanted = []
    for name in url_names():
        spec = URLS.get(name)
        if spec is None:
            continue
        owners = ["-"] if spec.kwargs is None or name in WITHOUT_OWNER else list(OWNERS)
        for method in ["GET", "POST"] if spec.post_only else ["GET"]:
            wanted += [(method, name, owner) for owner in owners]
    return wanted


def test_every_url_has_its_expected_answers():
    missing = [name for name in url_names() if name not in URLS]
    assert not missing, f"URLs with no expected answers in tests/test_permission_matrix.py: {', '.join(missing)}"
    gone = sorted(set(URLS) - set(url_names()))
    assert not gone, f"the permission matrix names URLs that no longer exist: {', '.join(gone)}"
    table = rows()
    without = [" ".join(key) for key in expected_rows() if key not in table]
    assert not without, "rows missing from the permission matrix: " + "; ".join(without)
    extra = [" ".join(key) for key in table if key not in expected_rows()]
    assert not extra, "rows of the permission matrix that match no URL: " + "; ".join(extra)


def cases(world):
    return [pytest.param(method, what, owner, actor, code,
                         id=f"{method} {what}" + (f" {owner}" if world == "urls" else "") + f" as {actor}")
            for (wd, method, what, owner), codes in table().items() if wd == world
            for actor, code in zip(ACTORS, codes)]


def path_for(w, name, owner) -> str:
    spec = URLS[name]
    kwargs = {} if spec.kwargs is None else spec.kwargs(w.of.get(owner, w.of["A"]))
    return reverse(name, kwargs=kwargs)


# --- The worlds, each built once for its class ------------------------------------------------------

every_object_once = worlds.built_once(worlds.three_organisations_with_one_of_everything, scope="class", on=TODAY)
returns_once = worlds.built_once(
    lambda: worlds.a_return_in_every_state(worlds.project_a_with_named_people(worlds.two_providers_one_programme())),
    scope="class")
money_once = worlds.built_once(
    lambda: worlds.money_in_flight_on_an_advance_programme(
        worlds.a_second_officer_of_each_kind(worlds.two_providers_one_programme())),
    scope="class", on=TODAY)


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


@pytest.fixture
def full_world(every_object_once, db, today):
    return every_object_once


@pytest.fixture
def returns_in_every_state(returns_once, db):
    return worlds.fresh(returns_once)


@pytest.fixture
def pages(money_once, db, today):
    return worlds.fresh(money_once)


# --- Every row, every actor --------------------------------------------------------------------------


class TestEveryUrlWithAnEmptyForm:
    @pytest.mark.parametrize("method, name, owner, actor, expected", cases("urls"))
    def test_answers_as_the_table_says(self, full_world, method, name, owner, actor, expected):
        w = full_world
        path = path_for(w, name, owner)
        user = None if actor == "anonymous" else getattr(w, actor)
        before = database_state() if user is None or expected not in (200, 302) else None

        client = client_for(user)
        response = client.get(path) if method == "GET" else client.post(path, {})

        assert response.status_code == expected, f"{method} {path}: {actor} got {response.status_code}"
        if expected == 302 and (user is None or name == "logout"):
            assert response["Location"].startswith(SIGN_IN), response["Location"]
        if user is None and name not in PUBLIC:
            assert expected == 302, "every page but sign-in needs a signed-in user"
        if user is None or expected not in (200, 302):
            after = database_state()
            assert after == before, f"{actor} got {expected} but the database changed: {changes(before, after)}"

    def test_two_factor_required_stands_before_every_page(self, full_world, settings):
        """With REQUIRE_2FA on, the commissioner and finance officer signed in with a password alone reach no
        page of the table but those that finish signing in: every other sends them to set up the app. The
        providers and the viewer, who are not required to use it, get the table's answers."""
        settings.REQUIRE_2FA = True
        w = full_world
        finishing = {"login", "logout", "two-factor-setup", "two-factor-verify"} | PUBLIC
        wrong = []
        for (method, name, owner), codes in rows().items():
            if method != "GET" or name in finishing:
                continue
            path = path_for(w, name, owner)
            for actor in ("commissioner", "finance"):
                response = client_for(getattr(w, actor)).get(path)
                if response.status_code != 302 or not response["Location"].startswith("/two-factor/set-up/"):
                    wrong.append(f"{actor} GET {path}: {response.status_code}")
            expected = dict(zip(ACTORS, codes))["viewer"]
            if client_for(w.viewer).get(path).status_code != expected:
                wrong.append(f"viewer GET {path}")
        assert not wrong, "; ".join(wrong)


class TestTheReturnPagesWithAFilledInForm:
    @pytest.mark.parametrize("method, what, owner, actor, expected", cases("returns"))
    def test_answers_as_the_table_says(self, returns_in_every_state, method, what, owner, actor, expected):
        w = returns_in_every_state
        route = RETURN_FORMS[f"{method} {what}"]
        user = None if actor == "anonymous" else getattr(w, actor)
        before = state_of_every_return()

        if route.method == "GET":
            response = client_for(user).get(route.path)
        else:
            response = client_for(user).post(route.path, route.data(w))

        assert response.status_code == expected, response.content.decode()[:2000]
        done = expected == 302 and user is not None
        if expected == 302 and user is None:
            assert response["Location"].startswith(f"{SIGN_IN}?next=")
        if done:
            assert response["Location"] == re.sub(r"(review|reopen|spend)/$", "", route.path)
            assert state_of_every_return() != before
        else:
            assert state_of_every_return() == before


class TestTheCommissioningAndFinancePagesWithAFilledInForm:
    @pytest.mark.parametrize("method, what, owner, actor, expected", cases("money"))
    def test_answers_as_the_table_says(self, pages, method, what, owner, actor, expected):
        route = MONEY_FORMS[f"{method} {what}"]
        user = None if actor == "anonymous" else getattr(pages, actor)
        path, data = route.path(pages), route.data(pages)
        before = money_state()

        client = client_for(user)
        response = client.get(path) if route.method == "GET" else client.post(path, data)

        assert response.status_code == expected, response.content.decode()[:3000]
        if expected == 302 and user is None:
            assert response["Location"].startswith(f"{SIGN_IN}?next=")
        if expected == 302 and user is not None:
            assert money_state() != before, "a 302 for someone signed in means the action was done"
        else:
            assert money_state() == before
