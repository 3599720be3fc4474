"""
The statuses and kinds the grant records take, and the named sets of them that the rules count by.

Each set is defined here once; models, services, selectors, figures and reports use these names
rather than listing statuses again. `grants.figures` reads them without importing the models.
"""

from django.db import models


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class AllocationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    AGREEMENT_SIGNED = "agreement_signed", "Agreement signed"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Decided allocations: they count against the programme's budget, are reported and published.
ALLOCATION_COMMITTED = (AllocationStatus.APPROVED, AllocationStatus.AGREEMENT_SIGNED, AllocationStatus.ACTIVE,
                        AllocationStatus.CLOSED)
# Still funding work: their projects owe returns, their funding can be ending, money is left to pay.
ALLOCATION_LIVE = (AllocationStatus.APPROVED, AllocationStatus.AGREEMENT_SIGNED, AllocationStatus.ACTIVE)
# Under a signed agreement: payments can be released.
ALLOCATION_SIGNED = (AllocationStatus.AGREEMENT_SIGNED, AllocationStatus.ACTIVE)
# Not yet closed or withdrawn: the commissioner can still change the details.
ALLOCATION_OPEN = (AllocationStatus.DRAFT, *ALLOCATION_LIVE)


class VariationStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for amendment"
    APPROVED = "approved", "Approved"


# Sent to the commissioner at least once: the provider stands behind the figures.
RETURN_REPORTED = (ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, ReturnStatus.APPROVED)
# Reported but not approved: "awaiting approval", shown apart from approved figures.
RETURN_AWAITING = (ReturnStatus.SUBMITTED, ReturnStatus.RETURNED)
# The provider can change it.
RETURN_EDITABLE = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)
# The provider still owes it (with a return not started at all).
RETURN_OWED = (ReturnStatus.DRAFT, ReturnStatus.RETURNED)
# Finance can verify or query its spend.
RETURN_SPEND_CHECKABLE = (ReturnStatus.SUBMITTED, ReturnStatus.APPROVED)


class SpendStatus(models.TextChoices):
    NOT_CHECKED = "not_checked", "Not checked"
    VERIFIED = "verified", "Verified"
    QUERIED = "queried", "Queried"


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    RELEASED = "released", "Released"
    WITHHELD = "withheld", "Withheld"


PAYMENT_UNRELEASED = (PaymentStatus.SCHEDULED, PaymentStatus.WITHHELD)


class ClawbackStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received"
    WAIVED = "waived", "Waived"


class ClawbackKind(models.TextChoices):
    UNDERSPEND = "underspend", "Unspent grant"
    INELIGIBLE = "ineligible", "Ineligible or misspent spend"


class BudgetCategory(models.TextChoices):
    STAFF = "staff", "Staff (labour)"
    NON_STAFF = "non_staff", "Non-staff running costs"
    CAPITAL = "capital", "Capital"
    MANAGEMENT = "management", "Management fee"
    OTHER = "other", "Other"


class SpendKind(models.TextChoices):
    """Public accounts keep capital (buying or improving an asset: CCTV, a Sanctuary Scheme's target
    hardening) apart from revenue (running costs: staff, venues, fees)."""

    CAPITAL = "capital", "Capital"
    REVENUE = "revenue", "Revenue"


# The budget categories that are capital; every other category is revenue (figures.spend_kind).
CAPITAL_CATEGORIES = (BudgetCategory.CAPITAL,)


class FundingStatus(models.TextChoices):
    """Whether another funder's money for a project is promised in writing or still hoped for."""

    CONFIRMED = "confirmed", "Confirmed"
    EXPECTED = "expected", "Expected, not yet confirmed"


class MeasureUnit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENTAGE = "percentage", "Percentage"
    MONEY = "money", "Money (£)"
    YES_NO = "yes_no", "Yes or no"


class MeasureDirection(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    NONE = "none", "Context only: not rated"


class MeasureAggregation(models.TextChoices):
    """How a measure's quarters make a figure for a period, and how projects' figures combine."""

    EVENTS = "events", "Events or contacts: quarters add up"
    PEOPLE = "people", "People: unique people in the year so far"
    LEVEL = "level", "Level: the latest value stands"
    RATE = "rate", "Rate: a numerator over a denominator"
    MILESTONE = "milestone", "Milestone: yes or no"


# The units each way of adding up takes: a rate is worked out from its numerator and denominator
# as a percentage; people are counted; a milestone is yes or no.
AGGREGATION_UNITS = {
    MeasureAggregation.EVENTS: (MeasureUnit.COUNT, MeasureUnit.MONEY),
    MeasureAggregation.PEOPLE: (MeasureUnit.COUNT,),
    MeasureAggregation.LEVEL: (MeasureUnit.COUNT, MeasureUnit.MONEY, MeasureUnit.PERCENTAGE),
    MeasureAggregation.RATE: (MeasureUnit.PERCENTAGE,),
    MeasureAggregation.MILESTONE: (MeasureUnit.YES_NO,),
}
