"""Quarterly returns on the web: providers fill and submit, commissioners review, finance verifies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import permissions, selectors
from grants.filters import ReviewQueueFilter
from grants.kept_pages import kept_page
from grants.forms.returns import PartnershipReviewForm, ReasonForm, ReturnForm, ReviewForm, SpendCheckForm
from grants.models import QuarterlyReturn
from grants.selectors.partnership import partnership_return_for
from grants.services import partnership as partnership_services
from grants.services import returns as services

from .base import call_service, project_and_quarter, stale_or_forbidden
from .documents import documents_section, return_target


def return_url(project, quarter) -> str:
    return reverse("return-detail", args=[project.reference, quarter.financial_year, quarter.number])


@login_required
def my_returns(request):
    if not request.user.is_provider:
        raise PermissionDenied("“My returns” lists the returns a provider's organisation has to send.")
    return kept_page(request, "grants/my_returns.html", ("my-returns",),
                     content=lambda _: {"rows": selectors.provider_returns(request.user, timezone.localdate())})


@login_required
def review_queue(request):
    if not request.user.is_funder_side:
        raise PermissionDenied("The review queue is for the funder's officers.")
    return kept_page(request, "grants/review_queue.html", ("review-queue",), content=lambda _: _review_queue(request),
                     query=tuple(ReviewQueueFilter.base_filters))


def _review_queue(request) -> dict:
    queryset = selectors.review_queue(request.user)
    filterset = ReviewQueueFilter(request.GET, queryset=queryset, user=request.user)
    valid = filterset.is_valid()  # a choice outside the lists shows nothing but the error, as the lists do
    return {"filter": filterset, "returns": filterset.qs if valid else queryset.none(),
            "filtered": any(request.GET.get(name) for name in filterset.filters), "http_status": 200 if valid else 400}


def _partnership_check(ret):
    """can_partnership_review_return for `ret`, knowing where the partnership's return for its quarter is."""
    report = partnership_return_for(ret.project.allocation, ret.period)

    def check(user, r, any_status=False):
        return permissions.can_partnership_review_return(user, r, any_status,
                                                         partnership_status=report.status if report else None)
    return check, report


def _render_return(request, page, *, status=200, **forms):
    return render(request, "grants/return_detail.html", _return_context(request, page, **forms), status=status)


def _return_context(request, page, *, form=None, review_form=None, reopen_form=None, spend_form=None,
                    partnership_form=None) -> dict:
    """Everything the return page shows, with a form for each action the user may take."""
    user, ret, project = request.user, page.ret, page.project
    can_edit, edit_reason = permissions.can_edit_return(user, project, ret)
    if can_edit and form is None:
        form = ReturnForm(initial=ReturnForm.initial_for(ret, page.lines, page.measures), lines=page.lines, measures=page.measures)
    context = {"page": page, "ret": ret, "project": project, "quarter": page.quarter, "can_edit": can_edit, "form": form}
    if ret is not None:
        version = {"version": ret.version}
        if permissions.can_review_return(user, ret)[0]:
            context["review_form"] = review_form or ReviewForm(initial={**version, "officer_rag": ret.officer_rag})
        if permissions.can_reopen_return(user, ret)[0]:
            context["reopen_form"] = reopen_form or ReasonForm(initial=version)
        if permissions.can_verify_spend(user, ret)[0]:
            context["spend_form"] = spend_form or SpendCheckForm(initial=version)
        allocation = project.allocation
        if allocation.partnership_reports:
            check, report = _partnership_check(ret)
            context["partnership_report"] = report
            if check(user, ret)[0]:
                context["partnership_form"] = partnership_form or PartnershipReviewForm(initial=version)
        context["document_section"] = documents_section(user, return_target(ret, project))
        sent_back = [e for e in page.events if e.kind in ("returned", "reopened")]
        context["latest_comment"] = sent_back[-1] if sent_back and ret.status == QuarterlyReturn.Status.RETURNED else None
    context["error_forms"] = [f for f in (form, review_form, reopen_form, spend_form, partnership_form)
                              if f is not None and f.errors]
    return context


@login_required
def return_detail(request, reference, year, quarter):
    if request.method != "POST":
        return kept_page(request, "grants/return_detail.html", ("return", reference, year, quarter),
                         load=lambda: project_and_quarter(request.user, reference, year, quarter),
                         frame=lambda found: {"project": found[0], "quarter": found[1]},
                         content=lambda found: _return_context(request, selectors.return_page(*found)))
    project, period = project_and_quarter(request.user, reference, year, quarter)
    page = selectors.return_page(project, period)

    stale = stale_or_forbidden(request, permissions.can_edit_return, project, page.ret, obj=page.ret)
    form = ReturnForm(request.POST, lines=page.lines, measures=page.measures)
    submit = request.POST.get("action") == "submit"
    service = services.return_submit if submit else services.return_save_draft
    if not stale and not form.is_valid():
        form.add_other_problems(services.return_problems(project=project, quarter=period, data=form.to_input(),
                                                         submit=submit))
    if call_service(form, lambda data: service(actor=request.user, project=project, quarter=period,
                                               version=data["version"], data=form.to_input()),
                    stale_message=services.STALE_MESSAGE if stale else None):
        messages.success(request, "Return submitted." if submit else "Draft saved.")
        return redirect(return_url(project, period))
    return _render_return(request, page, form=form, status=400)


def _return_for_action(request, reference, year, quarter):
    project, period = project_and_quarter(request.user, reference, year, quarter)
    page = selectors.return_page(project, period)
    if page.ret is None:
        raise Http404("This return has not been started")
    return page


def _act(request, reference, year, quarter, *, check, form_class, form_name, act, page=None):
    """The shape every review, reopen and spend-check post shares: check, validate, act, redirect or re-show.

    `act(user, ret, cleaned_data)` calls the service and returns the success message."""
    page = page or _return_for_action(request, reference, year, quarter)
    stale = stale_or_forbidden(request, check, page.ret, obj=page.ret)
    form = form_class(request.POST)
    done = {}

    def call(data):
        done["message"] = act(request.user, page.ret, data)

    if call_service(form, call, stale_message=services.STALE_MESSAGE if stale else None):
        messages.success(request, done["message"])
        return redirect(return_url(page.project, page.quarter))
    return _render_return(request, page, status=400, **{form_name: form})


@login_required
@require_POST
def return_review(request, reference, year, quarter):
    approve = request.POST.get("action") == "approve"

    def act(user, ret, data):
        if approve:
            services.return_approve(actor=user, ret=ret, version=data["version"], officer_rag=data["officer_rag"],
                                    comment=data["comment"])
            return "Return approved."
        services.return_send_back(actor=user, ret=ret, version=data["version"], comment=data["comment"],
                                  officer_rag=data["officer_rag"])
        return "Return sent back to the provider for amendment."

    return _act(request, reference, year, quarter, check=permissions.can_review_return, form_class=ReviewForm,
                form_name="review_form", act=act)


@login_required
@require_POST
def return_partnership_review(request, reference, year, quarter):
    """The partnership passes a provider's submitted return on to the commissioner, or sends it back."""
    pass_on = request.POST.get("action") == "pass_on"
    page = _return_for_action(request, reference, year, quarter)
    check, _ = _partnership_check(page.ret)

    def act(user, ret, data):
        if pass_on:
            partnership_services.return_pass_on(actor=user, ret=ret, version=data["version"], comment=data["partnership_comment"])
            return "Return passed on: it goes to the commissioner with the partnership's return for the quarter."
        partnership_services.return_partnership_send_back(actor=user, ret=ret, version=data["version"],
                                                          comment=data["partnership_comment"])
        return "Return sent back to the provider for amendment."

    return _act(request, reference, year, quarter, check=check, form_class=PartnershipReviewForm,
                form_name="partnership_form", act=act, page=page)


@login_required
@require_POST
def return_reopen(request, reference, year, quarter):
    def act(user, ret, data):
        services.return_reopen(actor=user, ret=ret, version=data["version"], reason=data["reason"])
        return "Return reopened: the provider can amend and resubmit it."

    return _act(request, reference, year, quarter, check=permissions.can_reopen_return, form_class=ReasonForm,
                form_name="reopen_form", act=act)


@login_required
@require_POST
def return_spend(request, reference, year, quarter):
    verify = request.POST.get("action") == "verify"

    def act(user, ret, data):
        service = services.return_verify_spend if verify else services.return_query_spend
        service(actor=user, ret=ret, version=data["version"], note=data["note"])
        return "Spend verified." if verify else "Spend queried: the provider can see your note."

    return _act(request, reference, year, quarter, check=permissions.can_verify_spend, form_class=SpendCheckForm,
                form_name="spend_form", act=act)


@login_required
def return_history(request, reference, year, quarter):
    """The field history of the return's money and figures, from the audit trail."""
    page = _return_for_action(request, reference, year, quarter)
    changes = selectors.return_field_history(page.ret)
    return render(request, "grants/return_history.html", {"page": page, "ret": page.ret, "changes": changes})
