from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from grants import selectors
from grants.kept_pages import kept_page

# Where each kind of work on the work list is done.
_WORK_PAGES = {
    "review": lambda: reverse("review-queue"),
    "virements": lambda: reverse("virement-list") + "?status=requested",
    "virements-mine": lambda: reverse("virement-list") + "?status=requested",
    "variations": lambda: reverse("variation-list") + "?status=requested",
    "variations-mine": lambda: reverse("variation-list") + "?status=requested",
    "allocations-draft": lambda: reverse("reporting:allocation-list") + "?status=draft",
    "allocations-approved": lambda: reverse("reporting:allocation-list") + "?status=approved",
    "allocations-signed": lambda: reverse("reporting:allocation-list") + "?status=agreement_signed",
    "arrears-to-schedule": lambda: reverse("finance") + "#to-schedule",
    "payments-ready": lambda: reverse("finance") + "#due",
    "payments-waiting": lambda: reverse("finance") + "#due",
    "payments-withheld": lambda: reverse("finance") + "#withheld",
    "clawbacks": lambda: reverse("finance") + "#clawbacks",
    "invitations": lambda: reverse("user-list"),
    "organisations-unstaffed": lambda: reverse("organisation-list"),
    "returns-returned": lambda: reverse("my-returns"),
    "partnership-review": lambda: reverse("partnership-returns"),
    "partnership-returned": lambda: reverse("partnership-returns") + "?status=returned",
    "partnership-returns": lambda: reverse("partnership-returns") + "?status=submitted",
    "board-actions-overdue": lambda: reverse("board-action-list") + "?show=overdue",
    "returns-overdue": None,  # by role, below
    "returns-due": None,
}


def _url(key: str, user) -> str:
    if key in ("returns-overdue", "returns-due"):
        return reverse("my-returns") if user.is_provider else reverse("reporting:dashboard") + "#overdue"
    return _WORK_PAGES[key]()


@login_required
def home(request):
    """What needs the signed-in user now (their work list), then what they look after, by role."""
    user = request.user
    # An administrator's work list counts people and invitations, which the tokens do not follow.
    if user.is_administrator:
        template, context = _home(user)
        return render(request, template, context)
    template = _home_template(user)
    return kept_page(request, template, ("home",), content=lambda _: _home(user)[1])


def _home_template(user) -> str:
    if user.is_provider:
        return "grants/home_provider.html"
    if user.is_finance:
        return "grants/home_finance.html"
    if user.is_funder_side:
        return "grants/home_funder.html"
    return "grants/home_no_role.html"  # signed in, but not yet given an organisation and role


def _home(user) -> tuple[str, dict]:
    """The home page's template and everything it shows for `user`."""
    work = [(item, _url(item.key, user)) for item in selectors.work_list(user, timezone.localdate())]
    context = {"work_now": [(item, url) for item, url in work if item.count],
               "work_none": [(item, url) for item, url in work if not item.count]}
    if user.is_provider:
        context["projects"] = selectors.projects_with_latest_return(user)
    elif user.is_finance:
        context["allocations"] = selectors.allocations_for_user(user)
    elif user.is_funder_side:
        context["programmes"] = selectors.programme_list(user)
        context["allocations"] = selectors.allocations_for_user(user)
    return _home_template(user), context
