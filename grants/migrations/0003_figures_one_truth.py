
from django.db import migrations, models


def aggregation_from_cumulative(apps, schema_editor):
    OutcomeMeasure = apps.get_model("grants", "OutcomeMeasure")
    OutcomeMeasure.objects.filter(cumulative=True).update(aggregation="events")
    OutcomeMeasure.objects.filter(cumulative=False, unit="yes_no").update(aggregation="milestone")
    OutcomeMeasure.objects.filter(cumulative=False).exclude(unit="yes_no").update(aggregation="level")


def cumulative_from_aggregation(apps, schema_editor):
    OutcomeMeasure = apps.get_model("grants", "OutcomeMeasure")
    OutcomeMeasure.objects.update(cumulative=False)
    OutcomeMeasure.objects.filter(aggregation="events").update(cumulative=True)


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0002_commissioning_and_finance'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='outcomemeasure',
            name='measure_cumulative_only_count_or_money',
        ),
        migrations.AddField(
            model_name='clawback',
            name='kind',
            field=models.CharField(choices=[('underspend', 'Unspent grant'), ('ineligible', 'Ineligible or misspent spend')], default='underspend', help_text='Unspent grant, or spend found ineligible (which then no longer counts as verified spend).', max_length=10, verbose_name='what is recovered'),
        ),
        migrations.AddField(
            model_name='historicalclawback',
            name='kind',
            field=models.CharField(choices=[('underspend', 'Unspent grant'), ('ineligible', 'Ineligible or misspent spend')], default='underspend', help_text='Unspent grant, or spend found ineligible (which then no longer counts as verified spend).', max_length=10, verbose_name='what is recovered'),
        ),
        migrations.AddField(
            model_name='historicalmeasurevalue',
            name='denominator',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicalmeasurevalue',
            name='numerator',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='historicaloutcomemeasure',
            name='aggregation',
            field=models.CharField(choices=[('events', 'Events or contacts: quarters add up'), ('people', 'People: unique people in the year so far'), ('level', 'Level: the latest value stands'), ('rate', 'Rate: a numerator over a denominator'), ('milestone', 'Milestone: yes or no')], default='events', help_text='Events or contacts add up over the quarters. People do not: the provider reports the unique people so far in the year. A level is its latest value. A rate is a numerator over a denominator (engaged of those offered), added up before it is divided. A milestone is yes or no.', max_length=10, verbose_name='how it adds up'),
        ),
        migrations.AddField(
            model_name='measurevalue',
            name='denominator',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='measurevalue',
            name='numerator',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='outcomemeasure',
            name='aggregation',
            field=models.CharField(choices=[('events', 'Events or contacts: quarters add up'), ('people', 'People: unique people in the year so far'), ('level', 'Level: the latest value stands'), ('rate', 'Rate: a numerator over a denominator'), ('milestone', 'Milestone: yes or no')], default='events', help_text='Events or contacts add up over the quarters. People do not: the provider reports the unique people so far in the year. A level is its latest value. A rate is a numerator over a denominator (engaged of those offered), added up before it is divided. A milestone is yes or no.', max_length=10, verbose_name='how it adds up'),
        ),
        # Each measure says how it adds up: what added up over the quarters is events, what did not
        # is a level (the latest value stands), and a yes or no is a milestone. Rates need their
        # numerator and denominator, which earlier returns do not have: a commissioner can change a
        # percentage measure to a rate while no project reports it yet.
        migrations.RunPython(aggregation_from_cumulative, cumulative_from_aggregation),
        migrations.RemoveField(
            model_name='historicaloutcomemeasure',
            name='cumulative',
        ),
        migrations.RemoveField(
            model_name='outcomemeasure',
            name='cumulative',
        ),
        migrations.AlterField(
            model_name='historicaloutcomemeasure',
            name='direction',
            field=models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better'), ('none', 'Context only: not rated')], default='higher', help_text='Context only for a figure where more is not simply better or worse, such as reports of a crime that rise when more victims come forward: it is shown but never rated.', max_length=6),
        ),
        migrations.AlterField(
            model_name='outcomemeasure',
            name='direction',
            field=models.CharField(choices=[('higher', 'Higher is better'), ('lower', 'Lower is better'), ('none', 'Context only: not rated')], default='higher', help_text='Context only for a figure where more is not simply better or worse, such as reports of a crime that rise when more victims come forward: it is shown but never rated.', max_length=6),
        ),
        migrations.AddConstraint(
            model_name='measurevalue',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('denominator__isnull', True), ('numerator__isnull', True)), models.Q(('denominator__gt', 0), ('denominator__isnull', False), ('numerator__isnull', False), ('numerator__lte', models.F('denominator'))), _connector='OR'), name='measure_value_rate_parts'),
        ),
        migrations.AddConstraint(
            model_name='outcomemeasure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('aggregation', 'events'), ('unit__in', ['count', 'money'])), models.Q(('aggregation', 'people'), ('unit__in', ['count'])), models.Q(('aggregation', 'level'), ('unit__in', ['count', 'money', 'percentage'])), models.Q(('aggregation', 'rate'), ('unit__in', ['percentage'])), models.Q(('aggregation', 'milestone'), ('unit__in', ['yes_no'])), _connector='OR'), name='measure_unit_fits_aggregation'),
        ),
    ]
