"""
The Content-Security-Policy header on every response.

Every script and stylesheet is a file served from the site itself (static/ and the npm assets,
through WhiteNoise); charts read their figures from json_script blocks, which are data, not code.
So the policy allows nothing inline and nothing from elsewhere: an injected <script> or style
attribute does not run even if it ever got past the template's escaping.
"""

from django.conf import settings

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
