"""
The form data each commissioning and finance page posts, and the state a refused request must
leave as it was. The `pages` fixture (conftest.py) builds the world the page tests share:

Programme "Community Safety Fund" (the base actors') pays in advance. Allocation A (to A) is
active with a scheduled payment for Q1 and a released one for Q2 with a clawback asked for;
allocation B (to B) is active and settled, and funds B's project and one delivered by A, so
that A reaches B's allocation without seeing what B is paid. A draft allocation to A waits for
its decision; project A has three budget lines (one spare), a measure, and a virement requested by A.
"""

from grants.models import (
    Allocation,
    AllocationYear,
    BudgetLine,
    Clawback,
    OtherFunding,
    OutcomeMeasure,
    Payment,
    ProfileChange,
    Programme,
    ProgrammeYear,
    Project,
    ProjectMeasure,
    Variation,
    Virement,
)
from tests import factories as f
from tests.dates import with_date_boxes


def state() -> list:
    """Everything a page here can change."""
    return [
        sorted(Programme.objects.values_list("pk", "name", "total_budget")),
        sorted(Allocation.objects.values_list("pk", "status", "version", "amount", "title")),
        sorted(Project.objects.values_list("pk", "name")),
        sorted(BudgetLine.objects.values_list("pk", "amount", "version", "profile_q1", "profile_q4")),
        ProfileChange.objects.count(),
        sorted(ProgrammeYear.objects.values_list("programme_id", "financial_year", "budget")),
        sorted(AllocationYear.objects.values_list("allocation_id", "financial_year", "amount")),
        sorted(ProjectMeasure.objects.values_list("pk", "annual_target")),
        OutcomeMeasure.objects.count(),
        sorted(Virement.objects.values_list("pk", "status")),
        sorted(Payment.objects.values_list("pk", "status", "amount", "version")),
        sorted(Clawback.objects.values_list("pk", "status", "amount")),
        sorted(OtherFunding.objects.values_list("pk", "amount", "version")),
        sorted(Variation.objects.values_list("pk", "status", "version")),
    ]


def programme_data(w, **changes):
    data = dict(name="Serious Violence Duty", code="SVD-2024", financial_year="2024-25",
                funding_source="Home Office", description="", total_budget="£250,000", payment_terms="arrears",
                return_due_days="30", reminder_days_before="7", overdue_reminder_days="7",
                variance_threshold_percent="10%", over_allocation_percent="0")
    data.update(changes)
    return data


def programme_edit_data(w, **changes):
    values = dict(name="Community Safety Fund (renamed)", code=w.programme.code, financial_year="2023-24",
                  total_budget="1,000,000.00", payment_terms="advance",
                  version=str(type(w.programme).objects.get(pk=w.programme.pk).version))
    values.update(changes)
    return programme_data(w, **values)


def allocation_data(w, **changes):
    data = dict(recipient=str(w.provider_b.pk), title="Extra for B", purpose="", amount="5,000.00",
                start_date="1/4/2023", end_date="31/3/2024", conditions="", version="")
    data.update(changes)
    return with_date_boxes(data, "start_date", "end_date")


def allocation_edit_data(w, allocation, **changes):
    data = dict(title=allocation.title + " (renamed)", purpose="Youth work.", conditions="Quarterly returns.",
                version=str(allocation.version))
    data.update(changes)
    return data


def project_data(w, **changes):
    data = dict(reference="NEW-1", name="New project", description="", provider=str(w.provider_a.pk),
                start_date="1/4/2023", end_date="31/3/2024", area="")
    data.update(changes)
    return with_date_boxes(data, "start_date", "end_date")


def line_data(w, **changes):
    data = dict(financial_year="2023", category="other", description="Training", amount="400",
                profile_q1="100", profile_q2="100", profile_q3="100", profile_q4="100", version="")
    data.update(changes)
    return data


def measure_data(w, **changes):
    data = dict(measure=str(f.OutcomeMeasureFactory(name="Sessions run").pk), financial_year="2023", baseline="",
                annual_target="48", target_q1="", target_q2="", target_q3="", target_q4="")
    data.update(changes)
    return data
