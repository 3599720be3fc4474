"""
The Content-Security-Policy header on every response.

Every script and stylesheet is a file served from the site itself (static/ and the npm assets,
through WhiteNoise); charts read their figures from json_script blocks, which are data, not code.
So the policy allows nothing inline and nothing from elsewhere: an injected <script> or style
attribute does not run even if it ever got past the template's escaping.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.cache import patch_cache_control

DEFAULT_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class RequestSizeLimitMiddleware:
    """Refuse a request whose body is larger than REQUEST_MAX_BYTES, from its Content-Length, before
    anything reads the body.

    Django reads a multipart body to the end (writing files to memory or disk) before a form can
    look at a file's size, and WSGI servers pass bodies of any length; so a 60 MB upload used to be
    read in full before it was refused. Django reads no more of a body than its Content-Length says,
    and a body without one is read as empty, so the header is all there is to check."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.REQUEST_MAX_BYTES
        if length > limit:
            # A document is attached at .../documents/new/ (grants/urls.py); anything else is a workbook.
            document = "/documents/" in request.path
            largest = settings.DOCUMENT_MAX_BYTES if document else settings.UPLOAD_MAX_BYTES
            response = render(request, "413.html", {
                "size": length / 1024 / 1024, "largest_file": largest / 1024 / 1024, "document": document,
            }, status=413)
            # The body is left unread; the server closes the connection rather than read it.
            return response
        return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Every response to a signed-in user (pages, and the financial downloads above all) carries
    Cache-Control: no-store, so that neither the browser nor a shared cache keeps a copy of figures
    someone else at the same machine, or behind the same proxy, could then read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
