from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from grants import selectors


@login_required
def home(request):
    """What the signed-in user may see, by role."""
    user = request.user
    context = {}
    if user.is_provider:
        context["projects"] = selectors.projects_with_latest_return(user)
        template = "grants/home_provider.html"
    elif user.is_finance:
        context["allocations"] = selectors.allocations_for_user(user)
        template = "grants/home_finance.html"
    elif user.is_funder_side:
        context["programmes"] = selectors.programme_list(user)
        context["allocations"] = selectors.allocations_for_user(user)
        template = "grants/home_funder.html"
    else:
        # Signed in, but not yet given an organisation and role.
        template = "grants/home_no_role.html"
    return render(request, template, context)
