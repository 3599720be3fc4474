"""The site's URLs and one view that fails, to see the server error page Django serves for it."""

from django.urls import path

from config.urls import handler500, urlpatterns as site


def broken(request):
    raise RuntimeError("something failed")


urlpatterns = [*site, path("broken-for-test/", broken)]
__all__ = ["handler500", "urlpatterns"]
