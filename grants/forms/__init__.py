"""
The forms, one module per workflow over shared fields and bases:

- `fields`: numbers, money, years, dates and text as people type them; choices of objects by id
- `dates`: the GOV.UK date input (day, month and year boxes) and its field
- `base`: the version seen, the services' messages back on the fields, the values for a service
- `returns`: the quarterly return and the officers' decisions on it
- `commissioning`: programmes, allocations, projects, budget lines, measures
- `finance`: virements, payments, clawback
- `accounts`: signing in
- `administration`: organisations, inviting people, roles, plan priorities and areas (imported as a module)
- `documents`: attaching a document (imported as a module)
"""

from .accounts import SignInForm
from .base import BaseForm, ServiceErrorsMixin, VersionedForm, VersionForm
from .commissioning import (
    ActionForm,
    AllocationForm,
    ApproveForm,
    BudgetLineForm,
    MeasureForm,
    OtherFundingForm,
    AllocationYearsForm,
    ProgrammeYearForm,
    ReallocationForm,
    ReprofileForm,
    VariationDecisionForm,
    VariationForm,
    ProgrammeForm,
    ProjectForm,
    ProjectMeasureForm,
    SignForm,
    WithdrawForm,
)
from .dates import GovukDateField, GovukDateInput
from .fields import (
    ID_MAX,
    PLAIN_NUMBER,
    QUARTERS,
    MoneyField,
    NumberField,
    ObjectChoiceField,
    ObjectsChoiceField,
    YearField,
    date_field,
    long_text,
    parse_number,
    text,
    whole_number,
)
from .finance import (
    ClawbackForm,
    DecisionForm,
    LineChoiceField,
    ReceiveForm,
    ReleaseForm,
    VirementForm,
    WaiveForm,
    WithholdForm,
)
from .returns import ReasonForm, ReturnForm, ReviewForm, SpendCheckForm

__all__ = [
    # fields and bases
    "GovukDateField", "GovukDateInput", "ID_MAX", "PLAIN_NUMBER", "QUARTERS", "MoneyField", "NumberField", "ObjectChoiceField",
    "ObjectsChoiceField", "YearField", "date_field", "long_text", "parse_number", "text", "whole_number",
    "BaseForm", "ServiceErrorsMixin", "VersionedForm", "VersionForm",
    # accounts
    "SignInForm",
    # returns
    "ReasonForm", "ReturnForm", "ReviewForm", "SpendCheckForm",
    # commissioning
    "ActionForm", "AllocationForm", "ApproveForm", "BudgetLineForm", "MeasureForm", "OtherFundingForm", "AllocationYearsForm", "ProgrammeYearForm", "ReallocationForm", "ReprofileForm", "VariationDecisionForm", "VariationForm", "ProgrammeForm", "ProjectForm",
    "ProjectMeasureForm", "SignForm", "WithdrawForm",
    # finance
    "ClawbackForm", "DecisionForm", "LineChoiceField", "ReceiveForm", "ReleaseForm", "VirementForm", "WaiveForm",
    "WithholdForm",
]
