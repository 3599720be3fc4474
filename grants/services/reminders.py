"""
E-mail reminders for quarterly returns: before the due date, on it, and when overdue.

Each (project, quarter, kind) is sent at most once: the ReminderSent row is
written in the same transaction as the e-mail is handed to the mail backend,
and its unique constraint stops a second run (or a run at the same moment)
from sending it again. Safe to run hourly from cron.

One reminder that cannot be sent (a mail server that refuses an address, a
header it will not take) stops nothing else: every other reminder is sent, the
failure is logged and put on the return's timeline, nothing is recorded as sent
for it (so the next run tries again), and the run reports the failures after
trying everything, for the command to exit non-zero.
"""

import logging


from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from grants.models import Allocation, Project, QuarterlyReturn, ReminderSent, ReturnEvent, User
from grants.models.organisations import PARTNER_ROLES
from grants.periods import Quarter

log = logging.getLogger(__name__)


def one_line(text: str) -> str:
    """Text for a header: line breaks and other control characters become single spaces. Names are
    refused with a line break at input; this keeps a name saved before that from breaking the header."""
    return " ".join("".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in text).split())

ACTIVE = (Allocation.Status.APPROVED, Allocation.Status.AGREEMENT_SIGNED, Allocation.Status.ACTIVE)
WAITING = (None, QuarterlyReturn.Status.DRAFT, QuarterlyReturn.Status.RETURNED)


@dataclass
class Reminder:
    project: Project
    quarter: Quarter
    kind: str
    due: date
    recipients: list[str]
    ret: QuarterlyReturn | None

    @property
    def subject(self) -> str:
        what = f"{one_line(self.project.name)} {self.quarter.label} quarterly return"
        if self.kind == ReminderSent.Kind.BEFORE:
            return f"{what} is due on {self.due:%-d %B %Y}"
        if self.kind == ReminderSent.Kind.DUE:
            return f"{what} is due today"
        return f"{what} is overdue"

    @property
    def body(self) -> str:
        url = settings.SITE_URL.rstrip("/") + reverse(
            "return-detail", args=[self.project.reference, self.quarter.financial_year, self.quarter.number]
        )
        return (
            f"{self.subject}.\n\n"
            f"Project: {one_line(self.project.name)} ({self.project.reference})\n"
            f"Quarter: {self.quarter.label} ({self.quarter.months})\n"
            f"Due: {self.due:%-d %B %Y}\n\n"
            f"Complete and submit it at {url}\n\n"
            "Payment can be withheld while monitoring information is missing.\n"
        )


def _kind_for(today: date, due: date, programme) -> str | None:
    if due - timedelta(days=programme.reminder_days_before) <= today < due:
        return ReminderSent.Kind.BEFORE
    if due <= today < due + timedelta(days=programme.overdue_reminder_days):
        return ReminderSent.Kind.DUE
    window = timedelta(days=programme.overdue_reminder_days + settings.REMINDER_OVERDUE_WINDOW_DAYS)
    if due + timedelta(days=programme.overdue_reminder_days) <= today <= due + window:
        return ReminderSent.Kind.OVERDUE
    return None


def reminders_due(today: date) -> list[Reminder]:
    """The reminders to send on `today` that have not been sent. A fixed number of queries."""
    projects = list(
        Project.objects.filter(allocation__status__in=ACTIVE).select_related("allocation__programme", "provider")
    )
    ids = [p.pk for p in projects]
    returns = {(r.project_id, r.financial_year, r.quarter): r for r in QuarterlyReturn.objects.filter(project_id__in=ids)}
    sent = set(ReminderSent.objects.filter(project_id__in=ids).values_list("project_id", "financial_year", "quarter", "kind"))
    emails = defaultdict(list)
    for org_id, email in (
        User.objects.filter(organisation__in={p.provider_id for p in projects}, role__in=PARTNER_ROLES, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("organisation_id", "email")
    ):
        emails[org_id].append(email)

    reminders = []
    for project in projects:
        programme = project.allocation.programme
        # A reminder can fall before its quarter ends, so look one quarter ahead.
        last = min(project.last_quarter, Quarter.from_date(today) + 1)
        for quarter in Quarter.range(project.first_quarter, last):
            due = quarter.due_date(programme.return_due_days)
            kind = _kind_for(today, due, programme)
            ret = returns.get((project.pk, quarter.financial_year, quarter.number))
            if kind is None or (ret.status if ret else None) not in WAITING:
                continue
            if (project.pk, quarter.financial_year, quarter.number, kind) in sent or not emails[project.provider_id]:
                continue
            reminders.append(Reminder(project, quarter, kind, due, emails[project.provider_id], ret))
    return reminders


@dataclass
class Failure:
    reminder: Reminder
    error: str


@dataclass
class RunResult:
    sent: list[Reminder]
    failed: list[Failure]


def reminders_send(*, today: date, dry_run: bool = False) -> RunResult:
    """Send what is due, each on its own; returns what was sent (or, with dry_run, what would be) and
    what could not be, having tried every one."""
    reminders = reminders_due(today)
    if dry_run:
        return RunResult(reminders, [])
    sent, failed = [], []
    for reminder in reminders:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    project=reminder.project, financial_year=reminder.quarter.financial_year,
                    quarter=reminder.quarter.number, kind=reminder.kind, sent_at=timezone.now(),
                    recipients=", ".join(reminder.recipients),
                )
                if reminder.ret is not None:
                    ReturnEvent.objects.create(
                        quarterly_return=reminder.ret, kind=ReturnEvent.Kind.REMINDER_SENT, at=timezone.now(),
                        comment=f"{reminder.subject}: e-mailed to {', '.join(reminder.recipients)}",
                    )
                # If the mail server refuses, the transaction rolls back and the next run tries again.
                send_mail(reminder.subject, reminder.body, None, reminder.recipients)
        except IntegrityError:
            continue  # another run sent it a moment ago
        except Exception as error:  # noqa: BLE001 - whatever stops one e-mail must not stop the others
            failed.append(_record_failure(reminder, error))
            continue
        sent.append(reminder)
    return RunResult(sent, failed)


def _record_failure(reminder: Reminder, error: Exception) -> Failure:
    message = f"{type(error).__name__}: {one_line(str(error))}"[:500]
    log.error("Reminder not sent: %s %s %s to %s: %s", reminder.project.reference, reminder.quarter.label,
              reminder.kind, ", ".join(reminder.recipients), message)
    if reminder.ret is not None:
        ReturnEvent.objects.create(
            quarterly_return=reminder.ret, kind=ReturnEvent.Kind.REMINDER_FAILED, at=timezone.now(),
            comment=f"{reminder.subject}: could not be e-mailed to {', '.join(reminder.recipients)} ({message}). "
                    "It will be tried again.",
        )
    return Failure(reminder, message)
