"""The grant domain: money promised, delivered and accounted for."""

from .common import RAG
from .organisations import AccountEvent, Area, Organisation, Priority, User
from .payments import Clawback, Payment, PaymentReturn, Virement
from .programmes import Allocation, AllocationYear, Programme, ProgrammeYear, Variation
from .projects import BudgetLine, OtherFunding, ProfileChange, OutcomeMeasure, Project, ProjectMeasure, ProjectPriority
from .security import PasswordResetRequest
from .kept import FiguresVersion, MeasureToDate, ProjectQuarter
from .documents import Document
from .places import BoardAction, Indicator, IndicatorImport, IndicatorValue
from .returns import (
    MeasureValue, PartnershipReturn, PartnershipReturnEvent, QuarterlyReturn, ReminderSent, ReturnEvent, SpendLine,
)

__all__ = [
    "RAG", "AccountEvent", "Area", "Organisation", "Priority", "User", "Clawback", "Payment", "PaymentReturn", "Virement",
    "Allocation", "AllocationYear", "Programme", "ProgrammeYear", "Variation", "BudgetLine", "OtherFunding", "ProfileChange", "OutcomeMeasure", "Project", "ProjectMeasure", "ProjectPriority",
    "PasswordResetRequest", "MeasureValue", "PartnershipReturn", "PartnershipReturnEvent", "QuarterlyReturn", "ReminderSent", "ReturnEvent", "SpendLine",
    "ProjectQuarter", "MeasureToDate", "FiguresVersion", "Document",
    "BoardAction", "Indicator", "IndicatorImport", "IndicatorValue",
]
