"""
Organisations: the administrator adds and edits the recipients and providers the funder works with (with
their charity, company or local authority numbers); each is then offered by the allocation and project
forms, which offer no organisation the funder does not work with. A commissioner officer may add one from
those forms and comes back to them. Every change is in the audit history.
"""

from django.urls import reverse

from grants.models import Organisation
from grants.selectors import administration as reach
from tests import factories as f
from tests.worlds import client_for


def organisation_data(**changes):
    return {"name": "Safer Leeds", "kind": "csp", "charity_number": "", "company_number": "",
            "local_authority_code": "", **changes}


def test_the_administrator_adds_an_organisation_the_funder_then_works_with(w):
    response = client_for(w.administrator).post(reverse("organisation-create"),
                                                 organisation_data(charity_number=" 1123456 "))

    added = Organisation.objects.get(name="Safer Leeds")
    assert response.status_code == 302 and response["Location"] == reverse("organisation-detail", args=[added.pk])
    assert (added.kind, added.charity_number, added.org_identifier) == ("csp", "1123456", "GB-CHC-1123456")
    assert added in w.commissioner_org.works_with.all()
    assert added not in reach.organisations_worked_with(w.other_commissioner_org.pk)
    assert added.history.get().history_user == w.administrator
    assert w.commissioner_org.history.first().history_change_reason == "Works with Safer Leeds"


def test_every_mistake_in_the_numbers_is_listed_at_once(w):
    response = client_for(w.administrator).post(reverse("organisation-create"), organisation_data(
        charity_number="12", company_number="123", local_authority_code="B1"))
    page = response.content.decode()
    assert response.status_code == 400 and 'class="govuk-error-summary"' in page
    for message in ("A charity number is 6 to 8 digits.", "A company number is 8 characters",
                    "A local authority code is 3 or 4 letters"):
        assert message in page
    assert not Organisation.objects.filter(name="Safer Leeds").exists()


def test_a_name_or_number_already_registered_is_refused_on_its_field(w):
    f.OrganisationFactory(name="Registered charity", charity_number="1123456", org_identifier="GB-CHC-1123456")
    client = client_for(w.administrator)
    taken = client.post(reverse("organisation-create"), organisation_data(name="Provider B")).content.decode()
    assert "An organisation with this name is already registered" in taken
    number = client.post(reverse("organisation-create"), organisation_data(charity_number="1123456")).content.decode()
    assert "Another organisation already has this number." in number


def test_nobody_adds_a_funder_from_the_pages(w):
    response = client_for(w.administrator).post(reverse("organisation-create"), organisation_data(kind="commissioner"))
    assert response.status_code == 400 and not Organisation.objects.filter(name="Safer Leeds").exists()


def test_the_administrator_edits_an_organisation_and_its_identifier_follows_the_number(w):
    w.provider_a.charity_number = "1123456"
    w.provider_a.full_clean()
    w.provider_a.save()
    response = client_for(w.administrator).post(reverse("organisation-edit", args=[w.provider_a.pk]), organisation_data(
        name="Provider A Trust", kind="charity", charity_number="7654321"))
    assert response.status_code == 302
    w.provider_a.refresh_from_db()
    assert (w.provider_a.name, w.provider_a.org_identifier) == ("Provider A Trust", "GB-CHC-7654321")
    assert w.provider_a.history.first().history_user == w.administrator


def test_the_funders_own_organisation_stays_a_commissioner(w):
    client = client_for(w.administrator)
    response = client.post(reverse("organisation-edit", args=[w.commissioner_org.pk]), organisation_data(
        name="Office of the Police, Fire and Crime Commissioner for Testshire", kind="csp"))
    assert response.status_code == 400
    response = client.post(reverse("organisation-edit", args=[w.commissioner_org.pk]), organisation_data(
        name="Office of the Police, Fire and Crime Commissioner for Testshire", kind="commissioner"))
    assert response.status_code == 302
    w.commissioner_org.refresh_from_db()
    assert w.commissioner_org.kind == "commissioner"


def test_the_allocation_and_project_forms_offer_only_the_organisations_the_funder_works_with(w):
    listed = f.OrganisationFactory(name="Listed partner")
    w.commissioner_org.works_with.add(listed)
    f.OrganisationFactory(name="A stranger")
    client = client_for(w.commissioner)
    for path in (reverse("allocation-create", args=[w.programme.pk]),
                 reverse("project-create", args=[w.allocation_a.pk])):
        page = client.get(path).content.decode()
        for name in ("Provider A", "Provider B", "Listed partner"):
            assert f">{name}</option>" in page, (path, name)
        for name in ("A stranger", "Provider X", "Office of the Police"):
            assert f">{name}" not in page, (path, name)


def test_an_organisation_the_funder_does_not_work_with_is_refused_when_posted(w):
    stranger = f.OrganisationFactory(name="A stranger")
    response = client_for(w.commissioner).post(reverse("allocation-create", args=[w.programme.pk]), {
        "recipient": stranger.pk, "title": "To a stranger", "amount": "1000", "start_date": "1/4/2023",
        "end_date": "31/3/2024"})
    assert response.status_code == 400 and "Choose an organisation from the list." in response.content.decode()


def test_the_forms_link_to_adding_an_organisation_and_come_back_after(w):
    client = client_for(w.commissioner)
    path = reverse("allocation-create", args=[w.programme.pk])
    page = client.get(path).content.decode()
    link = reverse("organisation-create") + "?next=" + path.replace("/", "%2F")
    assert f'href="{link}"' in page and "Add an organisation" in page

    response = client.post(reverse("organisation-create"), organisation_data(next=path))
    assert response.status_code == 302 and response["Location"] == path
    assert ">Safer Leeds</option>" in client.get(path).content.decode()


def test_coming_back_goes_nowhere_but_this_site(w):
    response = client_for(w.commissioner).post(reverse("organisation-create"),
                                               organisation_data(next="https://elsewhere.example.org/"))
    added = Organisation.objects.get(name="Safer Leeds")
    assert response["Location"] == reverse("organisation-detail", args=[added.pk])


def test_those_who_cannot_add_an_organisation_see_no_link(w):
    w.allocation_a.status = "draft"
    w.allocation_a.save()
    page = client_for(w.administrator).get(reverse("allocation-detail", args=[w.allocation_a.pk])).content.decode()
    assert "Add an organisation" not in page
