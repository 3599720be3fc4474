"""
The database holds every free-text field to TEXT_MAX characters, whatever wrote it (an update that
bypasses the models' validation here); a text of exactly TEXT_MAX characters is kept. And a payment
names each return it pays once.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from grants import models
from grants.models.common import TEXT_MAX
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


def _objects(project, user):
    """One saved instance of every model with free text."""
    line = f.BudgetLineFactory(project=project)
    other = f.BudgetLineFactory(project=project)
    ret = f.QuarterlyReturnFactory(project=project)
    return {
        "priority": f.PriorityFactory(),
        "programme": project.allocation.programme,
        "allocation": project.allocation,
        "project": project,
        "measure": f.OutcomeMeasureFactory(),
        "return": ret,
        "spend": f.SpendLineFactory(quarterly_return=ret, budget_line=line),
        "measure_value": f.MeasureValueFactory(quarterly_return=ret),
        "return_event": models.ReturnEvent.objects.create(quarterly_return=ret, kind="saved", at=timezone.now()),
        "payment": f.PaymentFactory(allocation=project.allocation),
        "clawback": models.Clawback.objects.create(allocation=project.allocation, amount=Decimal("1.00"),
                                                   reason="Underspend.", requested_on=date(2024, 4, 1),
                                                   recorded_by=user),
        "virement": models.Virement.objects.create(from_line=line, to_line=other, amount=Decimal("1.00"),
                                                   quarter=1, reason="Moving money.", requested_by=user),
        "variation": models.Variation.objects.create(allocation=project.allocation, amount=Decimal("1.00"),
                                                     reason="More referrals.", requested_by=user),
        "partnership_return": (report := models.PartnershipReturn.objects.create(
            allocation=project.allocation, financial_year=2023, quarter=1)),
        "partnership_return_event": models.PartnershipReturnEvent.objects.create(
            partnership_return=report, kind="saved", at=timezone.now()),
    }


LIMITS = [
    ("priority", "description", "priority_description_length"),
    ("programme", "description", "programme_description_length"),
    ("allocation", "purpose", "allocation_purpose_length"),
    ("allocation", "award_reason", "allocation_award_reason_length"),
    ("allocation", "conditions", "allocation_conditions_length"),
    ("allocation", "withdrawn_reason", "allocation_withdrawn_reason_length"),
    ("allocation", "do_not_publish_reason", "allocation_do_not_publish_reason_length"),
    ("project", "description", "project_description_length"),
    ("measure", "definition", "measure_definition_length"),
    ("return", "spend_note", "return_spend_note_length"),
    ("return", "progress", "return_progress_length"),
    ("return", "challenges", "return_challenges_length"),
    ("return", "case_study", "return_case_study_length"),
    ("return", "risks", "return_risks_length"),
    ("spend", "variance_explanation", "spend_variance_explanation_length"),
    ("measure_value", "not_collected_reason", "measure_value_not_collected_reason_length"),
    ("return_event", "comment", "return_event_comment_length"),
    ("payment", "withheld_reason", "payment_withheld_reason_length"),
    ("clawback", "reason", "clawback_reason_length"),
    ("clawback", "waived_reason", "clawback_waived_reason_length"),
    ("virement", "reason", "virement_reason_length"),
    ("virement", "decision_note", "virement_decision_note_length"),
    ("variation", "conditions", "variation_conditions_length"),
    ("variation", "reason", "variation_reason_length"),
    ("variation", "decision_note", "variation_decision_note_length"),
    ("partnership_return", "narrative", "partnership_return_narrative_length"),
    ("partnership_return_event", "comment", "partnership_return_event_comment_length"),
]


@pytest.mark.parametrize("kind, field, constraint", LIMITS, ids=[c for _, _, c in LIMITS])
def test_free_text_longer_than_the_cap_is_refused_by_the_database(project, user, kind, field, constraint):
    obj = _objects(project, user)[kind]
    rows = type(obj).objects.filter(pk=obj.pk)

    rows.update(**{field: "é" * TEXT_MAX})  # at the cap, in characters (not bytes): kept
    assert len(getattr(rows.get(), field)) == TEXT_MAX

    assert_refused_by(constraint, lambda: rows.update(**{field: "x" * (TEXT_MAX + 1)}))


def test_the_table_above_names_every_free_text_field_with_a_cap():
    capped = {(model._meta.model_name, c.name) for model in (
        models.Priority, models.Programme, models.Allocation, models.Project, models.OutcomeMeasure,
        models.QuarterlyReturn, models.SpendLine, models.MeasureValue, models.ReturnEvent, models.Payment,
        models.Clawback, models.Virement, models.Variation, models.PartnershipReturn, models.PartnershipReturnEvent)
        for c in model._meta.constraints if c.name.endswith("_length")}
    assert {name for _, name in capped} == {c for _, _, c in LIMITS}


def test_a_payment_names_each_return_it_pays_once(project, user):
    payment = f.PaymentFactory(allocation=project.allocation)
    ret = f.QuarterlyReturnFactory(project=project)
    models.PaymentReturn.objects.create(payment=payment, quarterly_return=ret)

    assert_refused_by("payment_return_once",
                      lambda: models.PaymentReturn.objects.create(payment=payment, quarterly_return=ret))
