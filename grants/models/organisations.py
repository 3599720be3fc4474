"""Who is who: organisations, their users and roles, plan priorities and areas."""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from .common import long_text, single_line, text_limits

# org-id.guide prefixes used by 360Giving (DOMAIN.md). Company numbers keep
# their leading zeros; Scottish and NI companies start with letters.
ORG_ID_PATTERNS = {
    "GB-CHC-": re.compile(r"^GB-CHC-\d{6,8}$"),
    "GB-COH-": re.compile(r"^GB-COH-(?:\d{8}|[A-Z]{2}\d{6})$"),
    "GB-LAE-": re.compile(r"^GB-LAE-[A-Z]{3,4}$"),
    "360G-": re.compile(r"^360G-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"),
}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner"
        CSP = "csp", "Community safety partnership"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        CHARITY = "charity", "Charity or voluntary sector"
        POLICE = "police", "Police"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    kind = models.CharField(max_length=20, choices=Kind.choices)
    charity_number = models.CharField(
        max_length=8, blank=True, help_text="Registered charity number, digits only."
    )
    company_number = models.CharField(
        max_length=8, blank=True, help_text="Companies House number, with its leading zeros."
    )
    local_authority_code = models.CharField(
        max_length=4, blank=True, help_text="The council's three- or four-letter code (for example BRD)."
    )
    supplier_number = models.CharField(
        "supplier number", max_length=30, blank=True, validators=[single_line],
        help_text="The organisation's number in the funder's finance system, carried onto each payment.",
    )
    org_identifier = models.CharField(
        "organisation identifier",
        max_length=100,
        blank=True,
        help_text="360Giving organisation identifier. Left blank, it is made from the charity, "
        "company or local authority number.",
    )
    # A community safety partnership is not a legal body: its grant agreements are with its council.
    accountable_body = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="accountable_for",
        help_text="For a community safety partnership: the council that holds its grant agreements and money.",
    )
    # The recipients and providers a funder works with: the organisations its commissioning forms offer
    # and whose users its administrators manage. Kept on the funder's side only (not symmetrical).
    works_with = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="funders",
        help_text="The recipients and providers this funder works with.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org_identifier"],
                condition=~models.Q(org_identifier=""),
                name="organisation_identifier_unique",
            ),
        ]

    def __str__(self):
        return self.name

    def derived_identifier(self) -> str:
        """The org-id.guide identifier from the strongest number we hold, or ''."""
        if self.charity_number:
            return f"GB-CHC-{self.charity_number}"
        if self.company_number:
            return f"GB-COH-{self.company_number}"
        if self.local_authority_code:
            return f"GB-LAE-{self.local_authority_code}"
        return ""

    def clean(self):
        errors = {}
        self.charity_number = self.charity_number.strip()
        self.company_number = self.company_number.strip().upper()
        self.local_authority_code = self.local_authority_code.strip().upper()
        if self.charity_number and not re.fullmatch(r"\d{6,8}", self.charity_number):
            errors["charity_number"] = "A charity number is 6 to 8 digits."
        if self.company_number and not re.fullmatch(r"\d{8}|[A-Z]{2}\d{6}", self.company_number):
            errors["company_number"] = "A company number is 8 characters, for example 01234567 or SC123456."
        if self.local_authority_code and not re.fullmatch(r"[A-Z]{3,4}", self.local_authority_code):
            errors["local_authority_code"] = "A local authority code is 3 or 4 letters, for example BRD."
        if self.accountable_body_id is not None:
            body = self.accountable_body
            if self.kind != self.Kind.CSP:
                errors["accountable_body"] = ("Only a community safety partnership has an accountable body: any "
                                              "other organisation holds its own grant agreements.")
            elif body.pk == self.pk:
                errors["accountable_body"] = "A partnership cannot be its own accountable body: choose its council."
            elif body.kind != self.Kind.LOCAL_AUTHORITY:
                errors["accountable_body"] = (f"{body.name} is not a local authority: a partnership's accountable "
                                              "body is its council.")
        if errors:
            raise ValidationError(errors)
        if not self.org_identifier:
            self.org_identifier = self.derived_identifier()
        if self.org_identifier:
            prefix = next((p for p in ORG_ID_PATTERNS if self.org_identifier.startswith(p)), None)
            if prefix is None or not ORG_ID_PATTERNS[prefix].fullmatch(self.org_identifier):
                raise ValidationError(
                    {
                        "org_identifier": "Use an org-id.guide identifier such as GB-CHC-1234567, "
                        "GB-COH-01234567, GB-LAE-BRD or 360G-yourprefix-name."
                    }
                )


class User(AbstractUser):
    """A person who signs in. Belongs to one organisation with one role."""

    class Role(models.TextChoices):
        COMMISSIONER = "commissioner", "Commissioner officer"
        FINANCE = "finance", "Finance officer"
        PROVIDER = "provider", "Provider"
        PARTNERSHIP = "partnership", "Partnership manager"
        VIEWER = "viewer", "Viewer"
        ADMINISTRATOR = "administrator", "Administrator"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, blank=True)

    class Meta:
        constraints = [
            # A role only means something inside an organisation.
            models.CheckConstraint(
                condition=models.Q(role="") | models.Q(organisation__isnull=False),
                name="user_role_needs_organisation",
            ),
        ]

    @property
    def is_provider(self) -> bool:
        """Works for an organisation the funder funds: a provider, or a partnership manager (who does all a
        provider of the partnership does, and more: grants.permissions)."""
        return self.role in (self.Role.PROVIDER, self.Role.PARTNERSHIP)

    @property
    def is_partnership_manager(self) -> bool:
        """Manages a community safety partnership's allocations: sets up the services it commissions, reviews
        its providers' returns first and reports to the commissioner in one partnership return a quarter."""
        return self.role == self.Role.PARTNERSHIP

    @property
    def is_commissioner(self) -> bool:
        return self.role == self.Role.COMMISSIONER

    @property
    def is_finance(self) -> bool:
        return self.role == self.Role.FINANCE

    @property
    def is_viewer(self) -> bool:
        return self.role == self.Role.VIEWER

    @property
    def is_administrator(self) -> bool:
        return self.role == self.Role.ADMINISTRATOR

    @property
    def is_funder_side(self) -> bool:
        """Commissioner officers, finance officers, viewers and administrators work for the funder.

        An administrator reads what the funder funds as a viewer does, and manages its organisations,
        users, priorities and areas; no decision about a return or money is theirs (grants.permissions
        names the role each decision needs)."""
        return self.role in (self.Role.COMMISSIONER, self.Role.FINANCE, self.Role.VIEWER, self.Role.ADMINISTRATOR)


# The roles a person of the funder's own organisation may have, and the one of an organisation it works with.
FUNDER_ROLES = (User.Role.ADMINISTRATOR, User.Role.COMMISSIONER, User.Role.FINANCE, User.Role.VIEWER)
PARTNER_ROLES = (User.Role.PROVIDER, User.Role.PARTNERSHIP)


class AccountEvent(models.Model):
    """One thing done to a person's account by an administrator (or at set-up): who, when, what.

    The account itself has no audit history (signing in saves it every time); its timeline is here."""

    class Kind(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_RESENT = "invitation_resent", "Invitation sent again"
        ROLE_CHANGED = "role_changed", "Role changed"
        DEACTIVATED = "deactivated", "Deactivated"
        REACTIVATED = "reactivated", "Reactivated"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    comment = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["user", "at"], name="account_event_timeline")]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%d %b %Y %H:%M}"


class Priority(models.Model):
    """A thematic priority of a commissioner's Police and Crime Plan."""

    commissioner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="priorities")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=200, validators=[single_line])
    description = long_text()
    history = HistoricalRecords()

    class Meta:
        ordering = ["commissioner__name", "name"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "code"], name="priority_code_unique_per_commissioner"),
            *text_limits("priority", "description"),
        ]

    def __str__(self):
        return self.name


class Area(models.Model):
    """A place a project serves, with an ONS code where it has one (for 360Giving)."""

    class CodeType(models.TextChoices):
        CSP = "CSP", "Community safety partnership"
        PFA = "PFA", "Police force area"
        MD = "MD", "Metropolitan district"
        UA = "UA", "Unitary authority"
        NMD = "NMD", "Non-metropolitan district"
        LONB = "LONB", "London borough"
        WD = "WD", "Electoral ward"

    name = models.CharField(max_length=200, validators=[single_line])
    code = models.CharField(max_length=9, blank=True, help_text="ONS code, for example E22000001.")
    code_type = models.CharField(max_length=4, choices=CodeType.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="area_code_unique"),
            models.CheckConstraint(
                condition=models.Q(code="") | ~models.Q(code_type=""), name="area_code_has_type"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.code and not re.fullmatch(r"[EWSN]\d{8}", self.code):
            raise ValidationError({"code": "An ONS code is a letter and 8 digits, for example E22000001."})
        if self.code and not self.code_type:
            raise ValidationError({"code_type": "Say what kind of area the code is for."})
