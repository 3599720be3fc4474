"""
What every view stands on: the permission check (403 with the reason; reach is the scoped selectors'
404), the version the person's form was drawn at, the "stale or forbidden" decision, and calling a
service and turning its refusal (Stale, NotAllowed, Invalid) into form errors or a message.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from grants import selectors
from grants.periods import Quarter
from grants.services import Invalid, ServiceError

_POSTED = object()


def require(allowed_reason: tuple[bool, str]) -> None:
    """403 with the reason unless a permission check (`can_<verb>_<noun>`) allowed it."""
    allowed, reason = allowed_reason
    if not allowed:
        raise PermissionDenied(reason)


@dataclass(frozen=True)
class Offer:
    """How a page offers an action: not at all (not this user's to take, or not in this state), ready to
    take, or shown disabled with what stands in the way and what to do first (`reason`)."""

    shown: bool
    reason: str = ""

    @property
    def ready(self) -> bool:
        return self.shown and not self.reason

    @property
    def blocked(self) -> str:
        return self.reason if self.shown else ""


def offer(allowed_reason: tuple[bool, str], check=None) -> Offer:
    """Ask what the service asks: the permission (`can_<verb>_<noun>`, who and in which status) and then,
    only if it allows, `check()`: the service's own `check_<verb>_<noun>` of what stands in the way now."""
    if not allowed_reason[0]:
        return Offer(False)
    return Offer(True, check() if check is not None else "")


def funder_only(user, what: str) -> None:
    if not user.is_funder_side:
        raise PermissionDenied(f"{what} are for the funder's officers.")


def project_and_quarter(user, reference, year, number):
    """The project (404 outside the user's reach) and a quarter it runs in (404 otherwise): the return
    page and the documents added to a return."""
    project = selectors.project_for_user(user, reference)
    try:
        quarter = Quarter(year, number)
    except ValueError:
        raise Http404("No such quarter")
    if not project.first_quarter <= quarter <= project.last_quarter:
        raise Http404("The project does not run in this quarter")
    return project, quarter


def posted_version(request) -> int | None:
    """The version of the object the person's form was drawn at (its hidden "version" field), or None."""
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def stale_or_forbidden(request, check, *args, obj, version=_POSTED) -> bool:
    """Decide an action `check(request.user, *args)` on `obj` asked for at `version` (the posted one unless
    given): False if the user may do it; True if they may in principle (`check(..., any_status=True)`) but
    `obj` has moved on since their form was drawn (their version is old), so that they are told it changed;
    otherwise 403 with the reason. `obj` None (nothing there yet) is never stale."""
    allowed, reason = check(request.user, *args)
    if allowed:
        return False
    if version is _POSTED:
        version = posted_version(request)
    if obj is not None and check(request.user, *args, any_status=True)[0] and version != obj.version:
        return True
    raise PermissionDenied(reason)


def add_service_errors(form, errors: dict[str, str]) -> None:
    """Put a service's messages on the fields they name (the rest above the form)."""
    for key, message in errors.items():
        form.add_error(key if key in form.fields and key != "__all__" else None, message)


def call_service(form, call, stale_message: str | None = None) -> bool:
    """Validate the form and call the service with its cleaned data; True on success, else the form
    carries the errors (the stale message, the service's Invalid on its fields, Stale or NotAllowed above)."""
    if stale_message:
        form.is_valid()
        form.add_error(None, stale_message)
        return False
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except Invalid as error:
        add_service_errors(form, error.errors)
    except ServiceError as error:
        form.add_error(None, error.message)
    else:
        return True
    return False


def error_text(error: ServiceError) -> str:
    """One line for a refusal: the first problem of an Invalid, else its message."""
    if isinstance(error, Invalid) and error.errors:
        return next(iter(error.errors.values()))
    return error.message


def run_service(request, call, *, success, catch=(ServiceError,)) -> bool:
    """Call a service that needs no form; on success add the `success` message (a text, or a function of
    what the service returned), on a refusal of a `catch` kind add it as an error message. True on success.
    A refusal not caught goes on up (NotAllowed is a 403)."""
    try:
        result = call()
    except catch as error:
        messages.error(request, error_text(error))
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def form_page(request, form, *, title, heading, submit, back_url, caption="", intro="", status=200, extra=None):
    """A page with one form on it (grants/form_page.html)."""
    context = {"form": form, "title": title, "heading": heading, "submit": submit, "back_url": back_url,
               "caption": caption, "intro": intro, **(extra or {})}
    return render(request, "grants/form_page.html", context, status=status)


def form_status(form) -> int:
    return 400 if form.is_bound else 200


def server_error(request):
    """The 500 page, drawn without the request's context: nothing that reads the database or the
    signed-in user, which may be what failed."""
    return HttpResponseServerError(loader.render_to_string("500.html", {"product_name": settings.SITE_NAME}))
