"""
The one thing reporting keeps: a download written in the background (reporting/exports.py).

An export belongs to the user who asked for it and to nobody else, not even a colleague in the
same organisation: its file is what that user's reach showed them on that day. The file lives in
Django's default storage and is deleted once `expires_at` has passed (`manage.py purge_exports`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Export(models.Model):
    class Kind(models.TextChoices):
        LIST = "list", "List download"
        REPORT = "report", "Report workbook"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being written"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What the request asked for, enough to write the same file again: the GET parameters as a query
    # string, the list's slug or nothing, the format and the day it was asked on.
    parameters = models.JSONField(default=dict)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent written.")
    created = models.DateTimeField(default=timezone.now)
    finished = models.DateTimeField(null=True, blank=True)
    # When the worker writing it last said it was alive (claimed it, or saved its progress).
    touched = models.DateTimeField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=300)
    error = models.TextField(blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created"], name="export_owner_created"),
            models.Index(fields=["expires_at"], name="export_expires_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_progress_at_most_100"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
