"""
Every administration page opens for the funder's administrator, and for nobody else: the funder's
commissioner officer, finance officer and viewer and the providers' users get 403 with the reason; the
other funder's administrator gets 404 for this funder's organisations, people and priorities, and sees
only their own in the lists.
"""

import pytest
from django.urls import reverse

from tests.worlds import client_for

LISTS = ["administration", "organisation-list", "user-list", "priority-list", "area-list", "organisation-create",
         "user-invite", "priority-create", "area-create"]


def object_pages(w):
    return [
        reverse("organisation-edit", args=[w.provider_a.pk]),
        reverse("organisation-edit", args=[w.commissioner_org.pk]),
        reverse("user-detail", args=[w.user_a.pk]),
        reverse("user-detail", args=[w.commissioner.pk]),
        reverse("priority-edit", args=[w.priority.pk]),
        reverse("area-edit", args=[w.area.pk]),
    ]


@pytest.mark.parametrize("name", LISTS)
def test_each_page_opens_for_the_administrator(w, name):
    assert client_for(w.administrator).get(reverse(name)).status_code == 200


def test_each_object_page_opens_for_the_administrator(w):
    client = client_for(w.administrator)
    for path in object_pages(w) + [reverse("organisation-detail", args=[w.provider_a.pk])]:
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("actor", ["commissioner", "finance", "viewer", "user_a", "user_b"])
def test_everyone_but_the_administrator_is_refused_with_the_reason(w, actor):
    client = client_for(getattr(w, actor))
    for path in [reverse(name) for name in LISTS if name != "organisation-create"] + object_pages(w):
        response = client.get(path)
        assert response.status_code == 403, f"{actor} {path}: {response.status_code}"
    assert "Only an administrator of the funder" in response.content.decode()


@pytest.mark.parametrize("actor", ["finance", "viewer", "user_a"])
def test_adding_an_organisation_is_refused_to_those_who_do_not_set_up_funding(w, actor):
    assert client_for(getattr(w, actor)).get(reverse("organisation-create")).status_code == 403


def test_a_commissioner_officer_may_add_an_organisation_for_an_allocation(w):
    assert client_for(w.commissioner).get(reverse("organisation-create")).status_code == 200


def test_another_funders_administrator_gets_404_for_this_funders_objects(w):
    client = client_for(w.other_administrator)
    for path in object_pages(w)[:-1]:  # areas are shared by the funders
        assert client.get(path).status_code == 404, path
    assert client.get(reverse("organisation-detail", args=[w.provider_a.pk])).status_code == 404
    assert client.post(reverse("user-deactivate", args=[w.user_a.pk])).status_code == 404
    assert client.post(reverse("user-role", args=[w.user_a.pk]), {"role": "viewer"}).status_code == 404


def test_another_funders_administrator_lists_only_their_own(w):
    client = client_for(w.other_administrator)
    organisations = client.get(reverse("organisation-list")).content.decode()
    people = client.get(reverse("user-list")).content.decode()
    priorities = client.get(reverse("priority-list")).content.decode()
    assert "Provider X" in organisations and "Provider A" not in organisations and "Testshire" not in organisations
    assert "provider-x" in people and "provider-a" not in people and ">administrator@example.org<" not in people
    assert "Hate crime" in priorities and "Serious violence" not in priorities


def test_the_administrator_has_an_administration_item_in_the_navigation(w):
    page = client_for(w.administrator).get("/").content.decode()
    assert f'href="{reverse("administration")}"' in page
    for actor in (w.commissioner, w.finance, w.viewer, w.user_a):
        assert f'href="{reverse("administration")}"' not in client_for(actor).get("/").content.decode()


def test_a_staff_administrator_keeps_the_django_admin_link_beside_the_administration_pages(w):
    w.administrator.is_staff = True
    w.administrator.save()
    page = client_for(w.administrator).get("/").content.decode()
    assert f'href="{reverse("administration")}"' in page and 'href="/admin/"' in page


def test_the_administrator_reads_the_funders_programmes_but_takes_no_decision(w):
    client = client_for(w.administrator)
    assert client.get(reverse("programme-detail", args=[w.programme.pk])).status_code == 200
    assert client.get(reverse("allocation-detail", args=[w.allocation_a.pk])).status_code == 200
    assert client.get(reverse("programme-create")).status_code == 403
    assert client.get(reverse("allocation-edit", args=[w.allocation_a.pk])).status_code == 403
    assert client.get(reverse("allocation-detail", args=[w.allocation_x.pk])).status_code == 404
