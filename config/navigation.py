"""The site's navigation: it spans every app, so it lives in the frame (config), not in one of them."""

from django.conf import settings
from django.urls import reverse


def _navigation(request):
    """The links a user's role gives them, the current page marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = [("Home", reverse("home"))]
    if user.organisation_id and user.role:
        items.append(("Dashboard", reverse("reporting:dashboard")))
    if user.is_provider:
        items.append(("My returns", reverse("my-returns")))
    elif user.is_finance:
        items.append(("Spend to verify", reverse("review-queue")))
    elif user.is_funder_side and not user.is_administrator:
        items.append(("Returns to review", reverse("review-queue")))
    if user.is_partnership_manager or user.is_commissioner:
        items.append(("Partnership returns", reverse("partnership-returns")))
    # Commissioning and finance.
    if user.is_provider:
        items.append(("Funding", reverse("funding")))
        items.append(("Virements", reverse("virement-list")))
    elif user.is_finance:
        items.append(("Payments", reverse("finance")))
        items.append(("Programmes", reverse("programmes")))
    elif user.is_administrator:
        items.append(("Programmes", reverse("programmes")))
    elif user.is_funder_side:
        items.append(("Programmes", reverse("programmes")))
        items.append(("Virements", reverse("virement-list")))
    if user.is_commissioner or user.is_finance:
        items.append(("Quarter workbook", reverse("reporting:commissioner-workbook")))
    if user.organisation_id and user.role:
        items.append(("Reports", reverse("reporting:index")))
    if user.organisation_id and (user.is_funder_side or user.is_provider):
        items.append(("Places", reverse("places")))
    if user.is_administrator and user.organisation_id:
        items.append(("Administration", reverse("administration")))
    if user.is_staff:
        items.append(("Django admin" if user.is_administrator else "Administration", reverse("admin:index")))
    # The page itself is current (aria-current="page"); a page under an item (a virement under
    # Virements) marks the item with the longest matching path as active (aria-current="true").
    within = max((url for _, url in items if url != "/" and request.path.startswith(url)), key=len, default=None)
    return [{"label": label, "url": url, "current": request.path == url,
             "active": request.path != url and url == within} for label, url in items]


def site(request):
    return {"product_name": settings.SITE_NAME, "nav_items": _navigation(request)}
