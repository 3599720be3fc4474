from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grants"

    def ready(self):
        # Notes at sign-in whether the user has a second factor (grants/middleware.py).
        from grants import middleware  # noqa: F401

        # A reach kept for the request in flight is forgotten when what it is made of changes
        # (grants/models/scoping.py).
        from django.db.models.signals import post_delete, post_save

        from grants.models.scoping import forget_reach

        for name in ("Programme", "Allocation", "Project"):
            model = self.get_model(name)
            post_save.connect(forget_reach, sender=model, dispatch_uid=f"forget_reach_{name}_saved")
            post_delete.connect(forget_reach, sender=model, dispatch_uid=f"forget_reach_{name}_deleted")
