"""Every virement names the quarter whose profile moves. A virement (or a version of one in its audit history)
without a quarter is given the financial quarter of the day it was requested, so that the column can then be
made required (0006). Kept apart from 0006 so that PostgreSQL changes the rows and the column in different
transactions."""

from django.db import migrations
from django.utils import timezone


def financial_quarter(moment) -> int:
    """The UK financial quarter (1 = April to June ... 4 = January to March) of the day of `moment`."""
    day = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return (day.month - 4) % 12 // 3 + 1


def fill_quarters(apps, schema_editor):
    for name in ("Virement", "HistoricalVirement"):
        model = apps.get_model("grants", name)
        for pk, requested_at in model.objects.filter(quarter__isnull=True).values_list("pk", "requested_at"):
            model.objects.filter(pk=pk).update(quarter=financial_quarter(requested_at))


class Migration(migrations.Migration):

    dependencies = [
        ("grants", "0004_hardening"),
    ]

    operations = [
        migrations.RunPython(fill_quarters, migrations.RunPython.noop),
    ]
