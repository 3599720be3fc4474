from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grants"

    def ready(self):
        # Notes at sign-in whether the user has a second factor (grants/middleware.py).
        from grants import middleware  # noqa: F401

        # A reach kept for the request in flight is forgotten when what it is made of changes
        # (grants/models/scoping.py).
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

        from grants.models.scoping import forget_reach

        for name in ("Programme", "Allocation", "Project"):
            model = self.get_model(name)
            post_save.connect(forget_reach, sender=model, dispatch_uid=f"forget_reach_{name}_saved")
            post_delete.connect(forget_reach, sender=model, dispatch_uid=f"forget_reach_{name}_deleted")

        # Every change to what a page shows changes the token the kept pages are kept under
        # (grants.services.kept.figures_moved; grants/kept_pages.py), in the change's transaction and
        # before the row is written: the tokens are the first lock a change takes. A save outside any
        # transaction commits at once: its token moves after it, so that no page is read between the
        # two under the new token with the old row.
        from django.db import connections

        from grants.services.kept import figures_moved, on_kept_pages

        def before(sender, instance, using, **kwargs):
            if connections[using].in_atomic_block:
                figures_moved(using, row=instance)

        def after(sender, instance, using, **kwargs):
            if not connections[using].in_atomic_block:
                figures_moved(using, row=instance)

        def priorities(sender, instance, using, action, **kwargs):  # in the add's or removal's transaction
            if action.startswith("pre_"):
                figures_moved(using, row=instance)

        for model in self.get_models():
            if not on_kept_pages(model):
                continue
            name = model.__name__
            pre_save.connect(before, sender=model, weak=False, dispatch_uid=f"figures_moved_{name}_saving")
            post_save.connect(after, sender=model, weak=False, dispatch_uid=f"figures_moved_{name}_saved")
            pre_delete.connect(before, sender=model, weak=False, dispatch_uid=f"figures_moved_{name}_deleting")
            post_delete.connect(after, sender=model, weak=False, dispatch_uid=f"figures_moved_{name}_deleted")
        m2m_changed.connect(priorities, sender=self.get_model("Project").priorities.through, weak=False,
                            dispatch_uid="figures_moved_project_priorities")

        # A person's name and organisation show on kept pages too (who changed what, who added a document,
        # who may remove it); a person just invited is on none yet, and signing in and a new password
        # change nothing a page shows.
        def person(handler):
            def moved(sender, instance, using, update_fields=None, created=False, **kwargs):
                if created or instance._state.adding or (
                        update_fields is not None and set(update_fields) <= {"last_login", "password"}):
                    return
                handler(sender, instance, using)
            return moved

        user = self.get_model("User")
        pre_save.connect(person(before), sender=user, weak=False, dispatch_uid="figures_moved_user_saving")
        post_save.connect(person(after), sender=user, weak=False, dispatch_uid="figures_moved_user_saved")
