"""Return reminders: before the due date, on it, when overdue; once each; never for a sent return."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from grants.models import QuarterlyReturn, ReminderSent, ReturnEvent, User
from tests import factories as f

# Project A runs through 2023-24; its programme's returns are due 30 days after quarter end,
# so Q1 (ends 30 June 2023) is due 30 July 2023. Reminders: 7 days before, on the day, 7 days after.
Q1_DUE = date(2023, 7, 30)


def send(day, *extra):
    call_command("send_return_reminders", "--today", day.isoformat(), *extra, stdout=open("/dev/null", "w"))


@pytest.fixture
def a_second_user_of_a(actors):
    return f.UserFactory(username="provider-a-2", organisation=actors.provider_a, role=User.Role.PROVIDER)


@pytest.mark.parametrize(
    "day, subject_end",
    [
        (date(2023, 7, 23), "is due on 30 July 2023"),
        (date(2023, 7, 30), "is due today"),
        (date(2023, 8, 6), "is overdue"),
    ],
)
def test_it_reminds_the_providers_users_before_on_and_after_the_due_date(actors, day, subject_end):
    send(day)
    subjects = [m.subject for m in mail.outbox if "Project of A 2023-24 Q1" in m.subject]
    assert subjects == [f"Project of A 2023-24 Q1 quarterly return {subject_end}"]
    message = next(m for m in mail.outbox if m.subject == subjects[0])
    assert message.to == [actors.user_a.email]
    assert "/returns/A-1/2023/1/" in message.body


def test_it_sends_nothing_between_the_reminder_dates(actors):
    send(date(2023, 7, 10))
    assert mail.outbox == []


def test_it_never_sends_the_same_reminder_twice(actors):
    send(date(2023, 7, 23))
    send(date(2023, 7, 24))
    send(date(2023, 7, 29))
    sent = [m for m in mail.outbox if "Project of A 2023-24 Q1" in m.subject]
    assert len(sent) == 1
    assert ReminderSent.objects.filter(project=actors.project_a, quarter=1, kind="before").count() == 1


def test_a_dry_run_lists_what_it_would_send_and_sends_nothing(actors, capsys):
    call_command("send_return_reminders", "--dry-run", "--today", "2023-07-30")
    output = capsys.readouterr().out
    assert "Would send: Project of A 2023-24 Q1 quarterly return is due today" in output
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_it_does_not_chase_a_submitted_or_approved_return(actors):
    for status in (QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED):
        QuarterlyReturn.objects.update_or_create(project=actors.project_a, financial_year=2023, quarter=1, defaults={"status": status})
        send(date(2023, 7, 30))
        assert not [m for m in mail.outbox if "Project of A" in m.subject]


def test_it_does_chase_a_draft_and_records_it_on_the_returns_timeline(actors):
    ret = f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=QuarterlyReturn.Status.DRAFT)
    send(date(2023, 8, 6))
    assert [m.subject for m in mail.outbox if "Project of A" in m.subject] == ["Project of A 2023-24 Q1 quarterly return is overdue"]
    event = ret.events.get(kind=ReturnEvent.Kind.REMINDER_SENT)
    assert actors.user_a.email in event.comment


def test_it_writes_only_to_the_delivering_organisations_active_provider_users(actors, a_second_user_of_a):
    f.UserFactory(username="gone", organisation=actors.provider_a, role=User.Role.PROVIDER, is_active=False)
    send(date(2023, 7, 30))
    message = next(m for m in mail.outbox if "Project of A" in m.subject)
    assert sorted(message.to) == sorted([actors.user_a.email, a_second_user_of_a.email])
    assert actors.user_b.email not in message.to and actors.commissioner.email not in message.to


def test_the_offsets_come_from_the_programme(actors):
    programme = actors.programme
    programme.reminder_days_before = 14
    programme.save()
    send(date(2023, 7, 16))
    assert [m.subject for m in mail.outbox if "Project of A" in m.subject] == [
        "Project of A 2023-24 Q1 quarterly return is due on 30 July 2023"
    ]


def test_it_stops_chasing_long_overdue_returns(actors, settings):
    settings.REMINDER_OVERDUE_WINDOW_DAYS = 60
    send(date(2024, 3, 1))  # Q1 is seven months overdue; Q3 (due 30 January 2024) is within the window
    subjects = [m.subject for m in mail.outbox if "Project of A" in m.subject]
    assert subjects == ["Project of A 2023-24 Q3 quarterly return is overdue"]


def test_it_refuses_a_today_that_is_not_a_date(actors):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_return_reminders", "--today", "30/07/2023")


# --- One bad reminder stops nothing else -------------------------------------------------------


def test_a_project_name_with_a_line_break_saved_before_names_were_checked_stops_nothing(actors):
    """A name holding "\\r\\nBcc: ..." used to fail the subject line and stop the whole run, hourly, for
    everyone queued after it. Such a name is now refused at input; one already saved is sent on one line."""
    from grants.models import Project

    Project.objects.filter(pk=actors.project_a.pk).update(name="Project of A\r\nBcc: attacker@example.com")

    send(date(2023, 7, 30))

    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["Project of A Bcc: attacker@example.com 2023-24 Q1 quarterly return is due today",
                        "Project of B 2023-24 Q1 quarterly return is due today"]
    assert all("attacker@example.com" not in m.bcc and len(m.recipients()) == 1 for m in mail.outbox)
    assert ReminderSent.objects.count() == 2


def test_a_reminder_that_cannot_be_sent_is_recorded_and_every_other_is_sent_then_the_run_fails(actors):
    QuarterlyReturn.objects.create(project=actors.project_a, financial_year=2023, quarter=1)
    User.objects.filter(pk=actors.user_a.pk).update(email="provider-a@example.org\r\nBcc: attacker@example.com")

    with pytest.raises(CommandError) as error:
        send(date(2023, 7, 30))

    assert "1 reminder could not be sent; every other reminder was" in str(error.value)
    assert [m.subject for m in mail.outbox] == ["Project of B 2023-24 Q1 quarterly return is due today"]
    assert list(ReminderSent.objects.values_list("project__reference", flat=True)) == ["B-1"]
    failure = ReturnEvent.objects.get(kind=ReturnEvent.Kind.REMINDER_FAILED)
    assert "could not be e-mailed" in failure.comment and "tried again" in failure.comment
    assert failure.quarterly_return.project == actors.project_a


def test_a_reminder_that_failed_is_tried_again_on_the_next_run(actors):
    User.objects.filter(pk=actors.user_a.pk).update(email="provider-a@example.org\r\nBcc: attacker@example.com")
    with pytest.raises(CommandError):
        send(date(2023, 7, 30))
    User.objects.filter(pk=actors.user_a.pk).update(email="provider-a@example.org")

    send(date(2023, 7, 31))

    assert sorted(ReminderSent.objects.values_list("project__reference", flat=True)) == ["A-1", "B-1"]
    assert "Project of A 2023-24 Q1 quarterly return is due today" in [m.subject for m in mail.outbox]


def test_a_partnership_delivering_its_own_project_reminds_its_partnership_managers_too(actors):
    manager = f.UserFactory(username="manager-b", organisation=actors.provider_b, role=User.Role.PARTNERSHIP)
    send(date(2023, 7, 30))
    message = next(m for m in mail.outbox if "Project of B" in m.subject)
    assert sorted(message.to) == sorted([actors.user_b.email, manager.email])
