"""Forms for administration: organisations, inviting a person, a role, plan priorities and areas."""

from django import forms

from grants.models import Area, Organisation, User

from .base import BaseForm
from .fields import ObjectChoiceField, text

PARTNER_KINDS = [(value, label) for value, label in Organisation.Kind.choices if value != Organisation.Kind.COMMISSIONER]


class OrganisationForm(BaseForm):
    name = text("Name", "the organisation's name", max_length=200,
                help_text="Its registered name, for example Keeping Bristol Safe Partnership.")
    kind = forms.ChoiceField(label="Kind of organisation", choices=PARTNER_KINDS,
                             widget=forms.Select(attrs={"radios": True}),
                             error_messages={"required": "Choose what kind of organisation it is.",
                                             "invalid_choice": "Choose what kind of organisation it is."})
    charity_number = forms.CharField(label="Registered charity number (if it has one)", required=False, max_length=8,
                                     help_text="6 to 8 digits, for example 1123456.",
                                     error_messages={"max_length": "A charity number is 6 to 8 digits."})
    company_number = forms.CharField(label="Companies House number (if it has one)", required=False, max_length=8,
                                     help_text="8 characters with the leading zeros, for example 01234567 or SC123456.",
                                     error_messages={"max_length": "A company number is 8 characters."})
    local_authority_code = forms.CharField(label="Local authority code (for a council)", required=False, max_length=4,
                                           help_text="3 or 4 letters, for example BRD.",
                                           error_messages={"max_length": "A local authority code is 3 or 4 letters."})
    supplier_number = text("Supplier number (if the finance system has one for it)", "the supplier number",
                           required=False, max_length=30,
                           help_text="Its number in your finance system, carried onto each payment and the payment "
                                     "file. For a partnership paid through its council, the council's is used when "
                                     "the partnership has none.")

    accountable_body = ObjectChoiceField(
        label="Accountable body (for a community safety partnership)", required=False, queryset=None,
        empty_label="None", help_text="The council that holds the partnership's grant agreements and money. It is "
        "named as the recipient when the grants are published as open data.",
        error_messages={"invalid_choice": "Choose a council from the list."})

    service_fields = ("name", "kind", "charity_number", "company_number", "local_authority_code", "supplier_number",
                      "accountable_body")

    def __init__(self, *args, funder=False, councils=None, **kwargs):
        super().__init__(*args, **kwargs)
        if councils is None or funder:
            del self.fields["accountable_body"]
        else:
            self.fields["accountable_body"].queryset = councils
        for name in ("charity_number", "company_number", "local_authority_code", "supplier_number"):
            self.fields[name].widget.attrs["width"] = "10"
        if funder:
            # The funder's own organisation stays a commissioner.
            self.fields["kind"].choices = [(Organisation.Kind.COMMISSIONER, Organisation.Kind.COMMISSIONER.label)]

    @classmethod
    def initial_for(cls, organisation) -> dict:
        return {**{name: getattr(organisation, name) for name in cls.service_fields if name != "accountable_body"},
                "accountable_body": organisation.accountable_body_id}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.service_fields if name in self.cleaned_data}


class InviteForm(BaseForm):
    first_name = text("First name", "their first name", max_length=150)
    last_name = text("Last name", "their last name", max_length=150)
    email = forms.EmailField(
        label="Email address", max_length=254,
        help_text="The invitation goes here, and it is the username they sign in with.",
        error_messages={"required": "Enter their email address.",
                        "invalid": "Enter an email address in the correct format, like name@example.org."},
    )
    organisation = ObjectChoiceField(
        label="Organisation", queryset=Organisation.objects.none(), empty_label="Choose an organisation",
        error_messages={"required": "Choose the organisation they work for.",
                        "invalid_choice": "Choose an organisation from the list."},
    )
    role = forms.ChoiceField(
        label="Role", choices=User.Role.choices, widget=forms.Select(attrs={"radios": True}),
        help_text="Providers belong to an organisation you work with, and partnership managers to a community "
                  "safety partnership; the other roles to your own.",
        error_messages={"required": "Choose their role.", "invalid_choice": "Choose their role."},
    )

    service_fields = ("first_name", "last_name", "email", "organisation", "role")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["email"].widget.attrs["width"] = "20"


class RoleForm(BaseForm):
    role = forms.ChoiceField(label="Role", choices=User.Role.choices, widget=forms.Select(attrs={"radios": True}),
                             error_messages={"required": "Choose a role.", "invalid_choice": "Choose a role."})

    service_fields = ("role",)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]


class DeactivateForm(BaseForm):
    reason = text("Why is the account being switched off? (optional)", "the reason", required=False, max_length=200,
                  help_text="For example, left the organisation.")


class PriorityForm(BaseForm):
    name = text("Name", "the priority's name", max_length=200, help_text="For example, Tackling domestic abuse.")
    code = forms.SlugField(
        label="Code", max_length=40, help_text="A short code used in reports: letters, numbers and hyphens.",
        error_messages={"required": "Enter a short code for the priority, like domestic-abuse.",
                        "invalid": "The code can only have letters, numbers, hyphens and underscores."},
    )
    description = text("Description", "a description", required=False, rows=3)

    service_fields = ("code", "name", "description")

    @classmethod
    def initial_for(cls, priority) -> dict:
        return {} if priority is None else {name: getattr(priority, name) for name in cls.service_fields}


class AreaForm(BaseForm):
    name = text("Name", "the area's name", max_length=200, help_text="For example, Bradford district.")
    code = forms.CharField(label="ONS code (if it has one)", required=False, max_length=9,
                           help_text="A letter and 8 digits, for example E08000032. Open data names the area by it.",
                           error_messages={"max_length": "An ONS code is a letter and 8 digits."})
    code_type = forms.ChoiceField(label="Kind of area (for an ONS code)", required=False,
                                  choices=[("", "Choose the kind of area")] + Area.CodeType.choices,
                                  error_messages={"invalid_choice": "Choose the kind of area from the list."})

    service_fields = ("name", "code", "code_type")

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()

    @classmethod
    def initial_for(cls, area) -> dict:
        return {} if area is None else {name: getattr(area, name) for name in cls.service_fields}
