from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grants"

    def ready(self):
        # Notes at sign-in whether the user has a second factor (grants/middleware.py).
        from grants import middleware  # noqa: F401
