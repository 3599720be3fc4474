"""
What model validation (`full_clean()`) refuses in an organisation, with the message
people see: malformed charity and company numbers, local authority codes and
org-id identifiers; and how an identifier left blank is derived from the numbers.
"""

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from tests import factories as f
from tests.grants.constraints.helpers import validation_errors

pytestmark = pytest.mark.django_db


# --- Validation: organisations ---------------------------------------------------


@pytest.mark.parametrize("number", ["12345", "123456789", "12A4567", "GB-CHC-1234567"])
def test_it_refuses_a_bad_charity_number(number):
    errors = validation_errors(f.OrganisationFactory.build(charity_number=number))
    assert "A charity number is 6 to 8 digits." in errors["charity_number"]


@pytest.mark.parametrize("number", ["1234567", "123456789", "S1234567", "SCO12345", "1234567A"])
def test_it_refuses_a_bad_company_number(number):
    errors = validation_errors(f.OrganisationFactory.build(company_number=number))
    assert "A company number is 8 characters, for example 01234567 or SC123456." in errors["company_number"]


@pytest.mark.parametrize("code", ["BR", "B1D", "12", "BR-D"])
def test_it_refuses_a_bad_local_authority_code(code):
    errors = validation_errors(f.OrganisationFactory.build(kind="local_authority", local_authority_code=code))
    assert errors == {"local_authority_code": ["A local authority code is 3 or 4 letters, for example BRD."]}


@pytest.mark.parametrize(
    "identifier",
    ["GB-CHC-12345", "GB-CHC-123456789", "GB-COH-1234567", "GB-COH-S1234567", "GB-LAE-brd", "GB-LAE-B1D",
     "XI-ABC-123", "360G-", "360G-pcc--fund", "1234567", "gb-chc-1234567"],
)
def test_it_refuses_a_bad_org_identifier(identifier):
    errors = validation_errors(f.OrganisationFactory.build(org_identifier=identifier))
    assert errors == {
        "org_identifier": [
            "Use an org-id.guide identifier such as GB-CHC-1234567, GB-COH-01234567, GB-LAE-BRD or 360G-yourprefix-name."
        ]
    }


def test_it_refuses_an_org_identifier_with_a_trailing_newline():
    errors = validation_errors(f.OrganisationFactory.build(org_identifier="GB-CHC-1234567\n"))
    assert "org_identifier" in errors


@pytest.mark.parametrize(
    "numbers, identifier",
    [
        ({"charity_number": "1234567"}, "GB-CHC-1234567"),
        ({"charity_number": " 123456 "}, "GB-CHC-123456"),
        ({"company_number": "01234567"}, "GB-COH-01234567"),
        ({"company_number": "00012345"}, "GB-COH-00012345"),
        ({"company_number": "sc123456"}, "GB-COH-SC123456"),
        ({"local_authority_code": "BRD"}, "GB-LAE-BRD"),
        ({"local_authority_code": "kirk"}, "GB-LAE-KIRK"),
        ({"charity_number": "1234567", "company_number": "01234567"}, "GB-CHC-1234567"),
        ({"company_number": "01234567", "local_authority_code": "BRD"}, "GB-COH-01234567"),
        ({}, ""),
    ],
)
def test_an_organisation_identifier_left_blank_is_derived_from_its_numbers(numbers, identifier):
    organisation = f.OrganisationFactory.build(**numbers)
    organisation.full_clean()
    assert organisation.org_identifier == identifier
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.org_identifier == identifier


def test_an_organisation_identifier_given_is_kept():
    organisation = f.OrganisationFactory.build(charity_number="1234567", org_identifier="360G-pcc-testshire")
    organisation.full_clean()
    assert organisation.org_identifier == "360G-pcc-testshire"


def test_it_refuses_a_second_organisation_whose_identifier_derives_to_one_in_use():
    f.OrganisationFactory(org_identifier="GB-CHC-1234567")
    with pytest.raises(ValidationError) as caught:
        f.OrganisationFactory.build(charity_number="1234567").full_clean()
    assert NON_FIELD_ERRORS in caught.value.message_dict or "org_identifier" in caught.value.message_dict
