"""A place's context beside its grants: the areas and themes one may see, and the trends of one area and
theme (grants.selectors.trends). An area or theme outside the user's reach is 404."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from grants.selectors import trends


@login_required
def places(request):
    """The areas and themes the user may see figures for, each a link to its trends."""
    return render(request, "grants/places.html", {"themes": trends.place_themes(request.user)})


@login_required
def place_trends(request, code, theme):
    page = trends.place_trends(request.user, code, theme, request.GET.get("to"))
    if page is None:
        raise Http404("No figures of this theme for this area")
    return render(request, "grants/place_trends.html", {"page": page})
