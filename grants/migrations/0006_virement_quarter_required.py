from django.db import migrations, models

QUARTERS = [(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")]


class Migration(migrations.Migration):
    """Virement.quarter is required: every virement names the quarter whose profile moves (filled in 0005)."""

    dependencies = [
        ("grants", "0005_virement_quarter_filled"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="virement",
            name="virement_quarter_1_to_4",
        ),
        migrations.AlterField(
            model_name="historicalvirement",
            name="quarter",
            field=models.PositiveSmallIntegerField(choices=QUARTERS, verbose_name="quarter"),
        ),
        migrations.AlterField(
            model_name="virement",
            name="quarter",
            field=models.PositiveSmallIntegerField(choices=QUARTERS, verbose_name="quarter"),
        ),
        migrations.AddConstraint(
            model_name="virement",
            constraint=models.CheckConstraint(condition=models.Q(("quarter__gte", 1), ("quarter__lte", 4)),
                                              name="virement_quarter_1_to_4"),
        ),
    ]
