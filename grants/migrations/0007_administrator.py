"""
The administrator role, the organisations each funder works with (filled in from the allocations its
programmes make and the projects they fund), an account's timeline, and the audit history of plan
priorities and areas.
"""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def works_with_from_funding(apps, schema_editor):
    """Each funder works with the recipients of its allocations and the providers of the projects under them."""
    Allocation = apps.get_model("grants", "Allocation")
    Project = apps.get_model("grants", "Project")
    Organisation = apps.get_model("grants", "Organisation")
    Link = Organisation.works_with.through
    pairs = set(Allocation.objects.values_list("programme__commissioner_id", "recipient_id"))
    pairs |= set(Project.objects.values_list("allocation__programme__commissioner_id", "provider_id"))
    Link.objects.bulk_create(
        [Link(from_organisation_id=funder, to_organisation_id=partner)
         for funder, partner in sorted(pairs) if funder != partner],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0006_virement_quarter_required'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='works_with',
            field=models.ManyToManyField(blank=True, help_text='The recipients and providers this funder works with.', related_name='funders', to='grants.organisation'),
        ),
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(blank=True, choices=[('commissioner', 'Commissioner officer'), ('finance', 'Finance officer'), ('provider', 'Provider'), ('viewer', 'Viewer'), ('administrator', 'Administrator')], max_length=20),
        ),
        migrations.CreateModel(
            name='HistoricalAccountEvent',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('invited', 'Invited'), ('invitation_resent', 'Invitation sent again'), ('role_changed', 'Role changed'), ('deactivated', 'Deactivated'), ('reactivated', 'Reactivated')], max_length=20)),
                ('at', models.DateTimeField()),
                ('comment', models.CharField(blank=True, max_length=200)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical account event',
                'verbose_name_plural': 'historical account events',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalArea',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(max_length=200, validators=[django.core.validators.RegexValidator('[\\x00-\\x1f\\x7f]', inverse_match=True, message='Enter this on one line: it cannot hold line breaks, tabs or other control characters.')])),
                ('code', models.CharField(blank=True, help_text='ONS code, for example E22000001.', max_length=9)),
                ('code_type', models.CharField(blank=True, choices=[('CSP', 'Community safety partnership'), ('PFA', 'Police force area'), ('MD', 'Metropolitan district'), ('UA', 'Unitary authority'), ('NMD', 'Non-metropolitan district'), ('LONB', 'London borough'), ('WD', 'Electoral ward')], max_length=4)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical area',
                'verbose_name_plural': 'historical areas',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalPriority',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('code', models.SlugField(max_length=40)),
                ('name', models.CharField(max_length=200, validators=[django.core.validators.RegexValidator('[\\x00-\\x1f\\x7f]', inverse_match=True, message='Enter this on one line: it cannot hold line breaks, tabs or other control characters.')])),
                ('description', models.TextField(blank=True, max_length=10000, validators=[django.core.validators.MaxLengthValidator(10000, message='This can be at most 10,000 characters long (it has %(show_value)s).')])),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('commissioner', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='grants.organisation')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical priority',
                'verbose_name_plural': 'historical priorities',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='AccountEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('invited', 'Invited'), ('invitation_resent', 'Invitation sent again'), ('role_changed', 'Role changed'), ('deactivated', 'Deactivated'), ('reactivated', 'Reactivated')], max_length=20)),
                ('at', models.DateTimeField()),
                ('comment', models.CharField(blank=True, max_length=200)),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='account_events', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['at', 'pk'],
                'indexes': [models.Index(fields=['user', 'at'], name='account_event_timeline')],
            },
        ),
        migrations.RunPython(works_with_from_funding, migrations.RunPython.noop),
    ]
