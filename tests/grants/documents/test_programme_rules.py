"""
The programme says which documents its grant conditions require before money is released: set on the
programme's form, shown on its page and in its history.
"""

from django.urls import reverse

from grants.models import Programme
from tests.grants.commissioning.views_world import programme_data, programme_edit_data
from tests.worlds import client_for


def terms(response) -> str:
    from tests.grants.commissioning.helpers import summary_list

    return summary_list(response, "programme-terms")["Documents before payment"]


def test_the_programme_form_sets_the_documents_required_before_payment(actors):
    client = client_for(actors.commissioner)
    url = reverse("programme-edit", args=[actors.programme.pk])
    form = client.get(url).content.decode()
    assert 'name="agreement_before_payment"' in form and 'name="safeguarding_before_payment"' in form

    response = client.post(url, programme_edit_data(actors, payment_terms="arrears", agreement_before_payment="on",
                                                    safeguarding_before_payment="on"))

    assert response.status_code == 302
    programme = Programme.objects.get(pk=actors.programme.pk)
    assert programme.agreement_before_payment and programme.safeguarding_before_payment
    page = client.get(reverse("programme-detail", args=[programme.pk]))
    assert terms(page) == ("The signed agreement, attached before an allocation's first payment Safeguarding "
                           "evidence, attached before any payment")
    history = page.content.decode()
    assert "signed agreement attached before the first payment" in history.lower()


def test_a_new_programme_requires_nothing_unless_ticked_and_says_so(actors):
    client = client_for(actors.commissioner)
    response = client.post(reverse("programme-create"), programme_data(actors, safeguarding_before_payment="on"))
    assert response.status_code == 302
    programme = Programme.objects.get(code="SVD-2024")
    assert (programme.agreement_before_payment, programme.safeguarding_before_payment) == (False, True)
    assert terms(client.get(reverse("programme-detail", args=[programme.pk]))) == (
        "Safeguarding evidence, attached before any payment")


def test_a_programme_that_requires_nothing_says_none_required(actors):
    page = client_for(actors.viewer).get(reverse("programme-detail", args=[actors.programme.pk]))
    assert terms(page) == "None required"
