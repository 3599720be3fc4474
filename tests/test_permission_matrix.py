"""
Every URL the project defines, for every actor, with the objects of each organisation: one table of
the answer each gets. The URL patterns are read from the resolver, so a new URL without its row in
the table fails `test_every_url_has_its_expected_answers` with its name.

The answers: 302 to sign in for anyone signed out; 404 for an object outside the actor's reach
(another provider's project, another funder's programme); 403 inside reach but not allowed; 200 (or
the page's own answer, such as 405 for GET on a POST-only URL) when allowed. GET for every URL; an
empty form POSTed to each POST-only URL, which must never succeed for those not allowed and must
leave the database as it was for them.

The world (tests/full_world.py): objects of provider A and provider B under the funder's programme,
and of provider X under another funder's programme ("X"), whose commissioner is the outsider.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.full_world import OWNERS, _full_world_once, full_world, today  # noqa: F401  (fixtures)
from tests.grants.commissioning.helpers import client_for
from tests.database_state import changes, database_state

ACTORS = ["anonymous", "user_a", "user_b", "viewer", "commissioner", "finance", "outsider"]
SIGN_IN = "/sign-in/"
# Pages for anyone, signed in or not: signing in, and getting back in.
PUBLIC = {"login", "logout", "password-reset", "password-reset-sent", "password-reset-confirm",
          "password-reset-complete"}
# URLs whose arguments name no organisation's object.
WITHOUT_OWNER = {"reporting:open-data-download", "password-reset-confirm"}

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
    "programmes": Url(),
    "programme-create": Url(),
    "programme-detail": Url(lambda o: pk(o.programme)),
    "programme-edit": Url(lambda o: pk(o.programme)),
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
    "budget-line-delete": Url(lambda o: {**project(o), **pk(o.staff)}, post_only=True),
    "project-measure-create": Url(project),
    "project-measure-edit": Url(lambda o: {**project(o), **pk(o.people)}),
    "project-measure-delete": Url(lambda o: {**project(o), **pk(o.people)}, post_only=True),
    "virement-create": Url(project),
    "measure-list": Url(),
    "measure-create": Url(),
    "virement-list": Url(),
    "virement-detail": Url(lambda o: pk(o.virement)),
    "virement-decide": Url(lambda o: pk(o.virement), post_only=True),
    "finance": Url(),
    "schedule-update": Url(lambda o: pk(o.allocation), post_only=True),
    "allocation-close": Url(lambda o: pk(o.allocation), post_only=True),
    "clawback-create": Url(lambda o: pk(o.allocation)),
    "payment-detail": Url(lambda o: pk(o.payment)),
    "payment-release": Url(lambda o: pk(o.payment), post_only=True),
    "payment-withhold": Url(lambda o: pk(o.payment), post_only=True),
    "clawback-detail": Url(lambda o: pk(o.clawback)),
    "clawback-receive": Url(lambda o: pk(o.clawback), post_only=True),
    "clawback-waive": Url(lambda o: pk(o.clawback), post_only=True),
    "funding": Url(),
    "reporting:return-template": Url(lambda o: ret(o.draft)),
    "reporting:return-upload": Url(lambda o: ret(o.draft)),
    "reporting:return-upload-confirm": Url(lambda o: ret(o.draft), post_only=True),
    "reporting:commissioner-workbook": Url(),
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
}

# One row per method, URL name and owner of the objects in it ("-" for a URL without objects).
# Two-factor sign-in is as while developing (REQUIRE_2FA off) and nobody has set it up: entering a
# code or recovery codes sends them to set it up, and turning it off has nothing to turn off. With it
# required, test_two_factor_required_stands_before_every_page below.
# The columns are ACTORS. 405 is GET on a POST-only URL; logout answers a signed-in POST with a
# redirect to sign in; the sign-in page sends someone signed in home.
MATRIX = """
method name                            owner  anonymous user_a user_b viewer commissioner finance outsider
GET    home                            -            302    200    200    200          200     200      200
GET    login                           -            200    302    302    302          302     302      302
GET    logout                          -            405    405    405    405          405     405      405
POST   logout                          -            302    302    302    302          302     302      302
GET    password-reset                  -            200    200    200    200          200     200      200
GET    password-reset-sent             -            200    200    200    200          200     200      200
GET    password-reset-confirm          -            200    200    200    200          200     200      200
GET    password-reset-complete         -            200    200    200    200          200     200      200
GET    two-factor-verify               -            302    302    302    302          302     302      302
GET    two-factor                      -            302    200    200    200          200     200      200
GET    two-factor-setup                -            302    200    200    200          200     200      200
GET    two-factor-recovery-codes       -            302    302    302    302          302     302      302
GET    two-factor-turn-off             -            302    405    405    405          405     405      405
POST   two-factor-turn-off             -            302    302    302    302          302     302      302
GET    my-returns                      -            302    200    200    403          403     403      403
GET    review-queue                    -            302    403    403    200          200     200      200
GET    return-detail                   A            302    200    404    200          200     200      404
GET    return-detail                   B            302    404    200    200          200     200      404
GET    return-detail                   X            302    404    404    404          404     404      200
GET    return-review                   A            302    405    405    405          405     405      405
GET    return-review                   B            302    405    405    405          405     405      405
GET    return-review                   X            302    405    405    405          405     405      405
POST   return-review                   A            302    403    404    403          400     403      404
POST   return-review                   B            302    404    403    403          400     403      404
POST   return-review                   X            302    404    404    404          404     404      400
GET    return-reopen                   A            302    405    405    405          405     405      405
GET    return-reopen                   B            302    405    405    405          405     405      405
GET    return-reopen                   X            302    405    405    405          405     405      405
POST   return-reopen                   A            302    403    404    403          400     403      404
POST   return-reopen                   B            302    404    403    403          400     403      404
POST   return-reopen                   X            302    404    404    404          404     404      400
GET    return-spend                    A            302    405    405    405          405     405      405
GET    return-spend                    B            302    405    405    405          405     405      405
GET    return-spend                    X            302    405    405    405          405     405      405
POST   return-spend                    A            302    403    404    403          403     400      404
POST   return-spend                    B            302    404    403    403          403     400      404
POST   return-spend                    X            302    404    404    404          404     404      403
GET    return-history                  A            302    200    404    200          200     200      404
GET    return-history                  B            302    404    200    200          200     200      404
GET    return-history                  X            302    404    404    404          404     404      200
GET    programmes                      -            302    403    403    200          200     200      200
GET    programme-create                -            302    403    403    403          200     403      200
GET    programme-detail                A            302    403    403    200          200     200      404
GET    programme-detail                B            302    403    403    200          200     200      404
GET    programme-detail                X            302    404    404    404          404     404      200
GET    programme-edit                  A            302    403    403    403          200     403      404
GET    programme-edit                  B            302    403    403    403          200     403      404
GET    programme-edit                  X            302    404    404    404          404     404      200
GET    allocation-create               A            302    403    403    403          200     403      404
GET    allocation-create               B            302    403    403    403          200     403      404
GET    allocation-create               X            302    404    404    404          404     404      200
GET    allocation-detail               A            302    200    404    200          200     200      404
GET    allocation-detail               B            302    404    200    200          200     200      404
GET    allocation-detail               X            302    404    404    404          404     404      200
GET    allocation-edit                 A            302    403    404    403          200     403      404
GET    allocation-edit                 B            302    404    403    403          200     403      404
GET    allocation-edit                 X            302    404    404    404          404     404      200
GET    allocation-approve              A            302    405    405    405          405     405      405
GET    allocation-approve              B            302    405    405    405          405     405      405
GET    allocation-approve              X            302    405    405    405          405     405      405
POST   allocation-approve              A            302    403    404    403          400     403      404
POST   allocation-approve              B            302    404    403    403          400     403      404
POST   allocation-approve              X            302    404    404    404          404     404      400
GET    allocation-sign                 A            302    405    405    405          405     405      405
GET    allocation-sign                 B            302    405    405    405          405     405      405
GET    allocation-sign                 X            302    405    405    405          405     405      405
POST   allocation-sign                 A            302    403    404    403          400     403      404
POST   allocation-sign                 B            302    404    403    403          400     403      404
POST   allocation-sign                 X            302    404    404    404          404     404      400
GET    allocation-activate             A            302    405    405    405          405     405      405
GET    allocation-activate             B            302    405    405    405          405     405      405
GET    allocation-activate             X            302    405    405    405          405     405      405
POST   allocation-activate             A            302    403    404    403          400     403      404
POST   allocation-activate             B            302    404    403    403          400     403      404
POST   allocation-activate             X            302    404    404    404          404     404      400
GET    allocation-withdraw             A            302    405    405    405          405     405      405
GET    allocation-withdraw             B            302    405    405    405          405     405      405
GET    allocation-withdraw             X            302    405    405    405          405     405      405
POST   allocation-withdraw             A            302    403    404    403          400     403      404
POST   allocation-withdraw             B            302    404    403    403          400     403      404
POST   allocation-withdraw             X            302    404    404    404          404     404      400
GET    project-create                  A            302    403    404    403          200     403      404
GET    project-create                  B            302    404    403    403          200     403      404
GET    project-create                  X            302    404    404    404          404     404      200
GET    project-detail                  A            302    200    404    200          200     200      404
GET    project-detail                  B            302    404    200    200          200     200      404
GET    project-detail                  X            302    404    404    404          404     404      200
GET    project-edit                    A            302    403    404    403          200     403      404
GET    project-edit                    B            302    404    403    403          200     403      404
GET    project-edit                    X            302    404    404    404          404     404      200
GET    budget-line-create              A            302    403    404    403          200     403      404
GET    budget-line-create              B            302    404    403    403          200     403      404
GET    budget-line-create              X            302    404    404    404          404     404      200
GET    budget-line-edit                A            302    403    404    403          200     403      404
GET    budget-line-edit                B            302    404    403    403          200     403      404
GET    budget-line-edit                X            302    404    404    404          404     404      200
GET    budget-line-delete              A            302    405    405    405          405     405      405
GET    budget-line-delete              B            302    405    405    405          405     405      405
GET    budget-line-delete              X            302    405    405    405          405     405      405
POST   budget-line-delete              A            302    403    404    403          302     403      404
POST   budget-line-delete              B            302    404    403    403          302     403      404
POST   budget-line-delete              X            302    404    404    404          404     404      302
GET    project-measure-create          A            302    403    404    403          200     403      404
GET    project-measure-create          B            302    404    403    403          200     403      404
GET    project-measure-create          X            302    404    404    404          404     404      200
GET    project-measure-edit            A            302    403    404    403          200     403      404
GET    project-measure-edit            B            302    404    403    403          200     403      404
GET    project-measure-edit            X            302    404    404    404          404     404      200
GET    project-measure-delete          A            302    405    405    405          405     405      405
GET    project-measure-delete          B            302    405    405    405          405     405      405
GET    project-measure-delete          X            302    405    405    405          405     405      405
POST   project-measure-delete          A            302    403    404    403          302     403      404
POST   project-measure-delete          B            302    404    403    403          302     403      404
POST   project-measure-delete          X            302    404    404    404          404     404      302
GET    virement-create                 A            302    200    404    403          403     403      404
GET    virement-create                 B            302    404    200    403          403     403      404
GET    virement-create                 X            302    404    404    404          404     404      403
GET    measure-list                    -            302    200    200    200          200     200      200
GET    measure-create                  -            302    403    403    403          200     403      200
GET    virement-list                   -            302    200    200    200          200     200      200
GET    virement-detail                 A            302    200    404    200          200     200      404
GET    virement-detail                 B            302    404    200    200          200     200      404
GET    virement-detail                 X            302    404    404    404          404     404      200
GET    virement-decide                 A            302    405    405    405          405     405      405
GET    virement-decide                 B            302    405    405    405          405     405      405
GET    virement-decide                 X            302    405    405    405          405     405      405
POST   virement-decide                 A            302    403    404    403          400     403      404
POST   virement-decide                 B            302    404    403    403          400     403      404
POST   virement-decide                 X            302    404    404    404          404     404      400
GET    finance                         -            302    403    403    200          200     200      200
GET    schedule-update                 A            302    405    405    405          405     405      405
GET    schedule-update                 B            302    405    405    405          405     405      405
GET    schedule-update                 X            302    405    405    405          405     405      405
POST   schedule-update                 A            302    403    404    403          403     302      404
POST   schedule-update                 B            302    404    403    403          403     302      404
POST   schedule-update                 X            302    404    404    404          404     404      403
GET    allocation-close                A            302    405    405    405          405     405      405
GET    allocation-close                B            302    405    405    405          405     405      405
GET    allocation-close                X            302    405    405    405          405     405      405
POST   allocation-close                A            302    403    404    403          403     400      404
POST   allocation-close                B            302    404    403    403          403     400      404
POST   allocation-close                X            302    404    404    404          404     404      403
GET    clawback-create                 A            302    403    404    403          403     200      404
GET    clawback-create                 B            302    404    403    403          403     200      404
GET    clawback-create                 X            302    404    404    404          404     404      403
GET    payment-detail                  A            302    200    404    200          200     200      404
GET    payment-detail                  B            302    404    200    200          200     200      404
GET    payment-detail                  X            302    404    404    404          404     404      200
GET    payment-release                 A            302    405    405    405          405     405      405
GET    payment-release                 B            302    405    405    405          405     405      405
GET    payment-release                 X            302    405    405    405          405     405      405
POST   payment-release                 A            302    403    404    403          403     400      404
POST   payment-release                 B            302    404    403    403          403     400      404
POST   payment-release                 X            302    404    404    404          404     404      403
GET    payment-withhold                A            302    405    405    405          405     405      405
GET    payment-withhold                B            302    405    405    405          405     405      405
GET    payment-withhold                X            302    405    405    405          405     405      405
POST   payment-withhold                A            302    403    404    403          403     400      404
POST   payment-withhold                B            302    404    403    403          403     400      404
POST   payment-withhold                X            302    404    404    404          404     404      403
GET    clawback-detail                 A            302    200    404    200          200     200      404
GET    clawback-detail                 B            302    404    200    200          200     200      404
GET    clawback-detail                 X            302    404    404    404          404     404      200
GET    clawback-receive                A            302    405    405    405          405     405      405
GET    clawback-receive                B            302    405    405    405          405     405      405
GET    clawback-receive                X            302    405    405    405          405     405      405
POST   clawback-receive                A            302    403    404    403          403     400      404
POST   clawback-receive                B            302    404    403    403          403     400      404
POST   clawback-receive                X            302    404    404    404          404     404      403
GET    clawback-waive                  A            302    405    405    405          405     405      405
GET    clawback-waive                  B            302    405    405    405          405     405      405
GET    clawback-waive                  X            302    405    405    405          405     405      405
POST   clawback-waive                  A            302    403    404    403          403     400      404
POST   clawback-waive                  B            302    404    403    403          403     400      404
POST   clawback-waive                  X            302    404    404    404          404     404      403
GET    funding                         -            302    200    200    403          403     403      403
GET    reporting:return-template       A            302    200    404    200          200     200      404
GET    reporting:return-template       B            302    404    200    200          200     200      404
GET    reporting:return-template       X            302    404    404    404          404     404      200
GET    reporting:return-upload         A            302    200    404    403          403     403      404
GET    reporting:return-upload         B            302    404    200    403          403     403      404
GET    reporting:return-upload         X            302    404    404    404          404     404      403
GET    reporting:return-upload-confirm A            302    405    405    405          405     405      405
GET    reporting:return-upload-confirm B            302    405    405    405          405     405      405
GET    reporting:return-upload-confirm X            302    405    405    405          405     405      405
POST   reporting:return-upload-confirm A            302    400    404    403          403     403      404
POST   reporting:return-upload-confirm B            302    404    400    403          403     403      404
POST   reporting:return-upload-confirm X            302    404    404    404          404     404      403
GET    reporting:commissioner-workbook -            302    403    403    403          200     200      200
GET    reporting:dashboard             -            302    200    200    200          200     200      200
GET    reporting:performance           -            302    200    200    200          200     200      200
GET    reporting:open-data             -            302    403    403    403          200     403      200
GET    reporting:open-data-download    -            302    403    403    403          200     403      200
GET    reporting:index                 -            302    200    200    200          200     200      200
GET    reporting:programme-list        -            302    200    200    200          200     200      200
GET    reporting:allocation-list       -            302    200    200    200          200     200      200
GET    reporting:project-list          -            302    200    200    200          200     200      200
GET    reporting:return-list           -            302    200    200    200          200     200      200
GET    reporting:payment-list          -            302    200    200    200          200     200      200
"""


def rows() -> dict[tuple[str, str, str], list[int]]:
    table = {}
    for line in MATRIX.strip().splitlines()[1:]:
        method, name, owner, *codes = line.split()
        assert len(codes) == len(ACTORS), f"row {line!r} needs one answer per actor"
        table[method, name, owner] = [int(c) for c in codes]
    return table


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


def path_for(w, name, owner) -> str:
    spec = URLS[name]
    kwargs = {} if spec.kwargs is None else spec.kwargs(w.of.get(owner, w.of["A"]))
    return reverse(name, kwargs=kwargs)


def _rows():
    return [pytest.param(method, name, owner, codes, id=f"{method} {name} {owner}")
            for (method, name, owner), codes in rows().items()]


@pytest.mark.parametrize("method, name, owner, codes", _rows())
def test_every_url_answers_every_actor_as_the_table_says(full_world, method, name, owner, codes):
    w = full_world
    path = path_for(w, name, owner)
    wrong = []
    for actor, expected in zip(ACTORS, codes):
        user = None if actor == "anonymous" else getattr(w, actor)
        client = client_for(user)
        before = database_state() if user is None or expected not in (200, 302) else None

        response = client.get(path) if method == "GET" else client.post(path, {})

        if response.status_code != expected:
            wrong.append(f"{actor} got {response.status_code}, not {expected}")
            continue
        if expected == 302 and (user is None or name == "logout"):
            assert response["Location"].startswith(SIGN_IN), response["Location"]
        if user is None and name not in PUBLIC:
            assert expected == 302, "every page but sign-in needs a signed-in user"
        if user is None or expected not in (200, 302):
            after = database_state()
            if after != before:
                wrong.append(f"{actor} got {expected} but the database changed: {changes(before, after)}")
    assert not wrong, f"{method} {path}: " + "; ".join(wrong)


def test_two_factor_required_stands_before_every_page(full_world, settings):
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
