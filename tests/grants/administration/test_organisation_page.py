"""
The organisation page: its details, its people (for its administrator), and the allocations and projects
it holds that the reader may see. A provider's user sees their own organisation's page only; the funder's
people see any organisation holding something in their reach; everyone else gets 404.
"""

from django.urls import reverse

from tests.worlds import client_for


def page(user, organisation):
    return client_for(user).get(reverse("organisation-detail", args=[organisation.pk]))


def test_the_funders_people_see_an_organisation_they_fund(w):
    for user in (w.commissioner, w.finance, w.viewer, w.administrator):
        response = page(user, w.provider_a)
        assert response.status_code == 200
        content = response.content.decode()
        assert f'href="{reverse("allocation-detail", args=[w.allocation_a.pk])}"' in content
        assert f'href="{reverse("project-detail", args=[w.project_a.reference])}"' in content


def test_only_the_administrator_sees_its_people(w):
    assert w.user_a.username in page(w.administrator, w.provider_a).content.decode()
    assert 'data-testid="organisation-people"' not in page(w.commissioner, w.provider_a).content.decode()
    assert 'data-testid="organisation-people"' not in page(w.user_a, w.provider_a).content.decode()


def test_a_provider_sees_its_own_organisation_only(w):
    assert page(w.user_a, w.provider_a).status_code == 200
    assert page(w.user_a, w.provider_b).status_code == 404
    assert page(w.user_a, w.commissioner_org).status_code == 404


def test_a_provider_delivering_under_another_allocation_still_sees_only_its_own(w):
    from tests import factories as f

    f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference="B-2")
    assert page(w.user_a, w.provider_b).status_code == 404


def test_another_funder_gets_404(w):
    assert page(w.outsider, w.provider_a).status_code == 404
    assert page(w.other_administrator, w.provider_a).status_code == 404
    assert page(w.outsider, w.provider_x).status_code == 200


def test_the_funders_people_see_their_own_organisation(w):
    assert page(w.viewer, w.commissioner_org).status_code == 200
    assert page(w.viewer, w.other_commissioner_org).status_code == 404


def test_an_organisation_with_nothing_in_reach_is_404_but_for_its_administrator(w):
    from tests import factories as f

    listed = f.OrganisationFactory(name="Listed partner")
    w.commissioner_org.works_with.add(listed)
    assert page(w.commissioner, listed).status_code == 404
    assert page(w.administrator, listed).status_code == 200
