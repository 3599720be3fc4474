"""
A community safety partnership is not a legal body: its grant agreements are with its council, the
accountable body. The administrator records it on the partnership's page; it must be a council the
funder works with, only a partnership has one, and a council that is one stays a council. The
allocation records the reason for the award beside its purpose.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grants.models import Allocation, Organisation
from tests import factories as f
from tests.worlds import client_for


def organisation_data(organisation, **changes):
    return {"name": organisation.name, "kind": organisation.kind, "charity_number": organisation.charity_number,
            "company_number": organisation.company_number,
            "local_authority_code": organisation.local_authority_code, "accountable_body": "", **changes}


def a_council(w, name="Testshire Council", code="TST"):
    council = f.OrganisationFactory(name=name, kind=Organisation.Kind.LOCAL_AUTHORITY, local_authority_code=code)
    w.commissioner_org.works_with.add(council)
    return council


def test_the_administrator_records_a_partnerships_council_and_both_pages_show_it(w):
    council = a_council(w)
    partnership = w.provider_b  # a community safety partnership
    client = client_for(w.administrator)
    form = client.get(reverse("organisation-edit", args=[partnership.pk])).content.decode()
    assert f'<option value="{council.pk}">Testshire Council</option>' in form
    assert f'value="{w.provider_a.pk}">' not in form  # a charity is not offered
    response = client.post(reverse("organisation-edit", args=[partnership.pk]),
                           organisation_data(partnership, accountable_body=council.pk))
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert partnership.accountable_body == council
    assert partnership.history.latest().history_user == w.administrator
    page = client.get(reverse("organisation-detail", args=[partnership.pk])).content.decode()
    assert "Accountable body" in page and "Testshire Council" in page and "(TST)" in page
    council_page = client.get(reverse("organisation-detail", args=[council.pk])).content.decode()
    assert "Accountable body of" in council_page and partnership.name in council_page


def test_each_wrong_accountable_body_is_refused_with_what_is_wrong(w):
    council = a_council(w)
    client = client_for(w.administrator)
    cases = [
        (w.provider_a, council.pk, "Only a community safety partnership has an accountable body"),
        (w.provider_b, w.provider_a.pk, "Choose a council from the list."),
    ]
    for organisation, body, message in cases:
        response = client.post(reverse("organisation-edit", args=[organisation.pk]),
                               organisation_data(organisation, accountable_body=body))
        assert response.status_code == 400 and message in response.content.decode(), message
    # A council the funder does not work with is not offered, and a forged choice of it is refused.
    elsewhere = f.OrganisationFactory(name="Elsewhere Council", kind=Organisation.Kind.LOCAL_AUTHORITY)
    response = client.post(reverse("organisation-edit", args=[w.provider_b.pk]),
                           organisation_data(w.provider_b, accountable_body=elsewhere.pk))
    assert response.status_code == 400
    assert Organisation.objects.filter(accountable_body__isnull=False).count() == 0


def test_the_model_refuses_a_body_that_is_not_a_council_or_is_the_partnership_itself(w):
    partnership = w.provider_b
    for body, message in ((w.provider_a, "is not a local authority"), (partnership, "cannot be its own")):
        partnership.accountable_body = body
        with pytest.raises(ValidationError) as refused:
            partnership.full_clean()
        assert message in refused.value.message_dict["accountable_body"][0]


def test_a_council_that_is_an_accountable_body_stays_a_council(w):
    council = a_council(w)
    Organisation.objects.filter(pk=w.provider_b.pk).update(accountable_body=council)
    response = client_for(w.administrator).post(reverse("organisation-edit", args=[council.pk]),
                                                organisation_data(council, kind="charity"))
    assert response.status_code == 400
    assert "is the accountable body of Provider B: it stays a local authority." in response.content.decode()
    assert Organisation.objects.get(pk=council.pk).kind == Organisation.Kind.LOCAL_AUTHORITY


def test_the_reason_for_the_award_is_recorded_and_shown(w):
    client = client_for(w.commissioner)
    allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_b, status="draft",
                                     decision_reference="", decision_date=None, title="Draft to B")
    form = client.get(reverse("allocation-edit", args=[allocation.pk])).content.decode()
    assert 'name="award_reason"' in form
    Allocation.objects.filter(pk=allocation.pk).update(award_reason="Set by formula: population 50%.")
    page = client.get(reverse("allocation-detail", args=[allocation.pk])).content.decode()
    assert "Reason for the award" in page and "Set by formula: population 50%." in page
    # Another provider does not reach the allocation at all.
    assert client_for(w.user_a).get(reverse("allocation-detail", args=[allocation.pk])).status_code == 404
