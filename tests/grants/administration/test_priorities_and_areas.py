"""
Police and Crime Plan priorities (each funder's own) and areas (shared by every funder): the administrator
adds and changes them, audited; an area that another funder's projects serve is changed by nobody here.
"""

from django.urls import reverse

from grants.models import Area, Priority
from tests import factories as f
from tests.worlds import client_for


def test_the_administrator_adds_a_priority_to_the_funders_plan(w):
    response = client_for(w.administrator).post(reverse("priority-create"), {
        "name": "Tackling domestic abuse", "code": "domestic-abuse", "description": "Victims first."})
    assert response.status_code == 302
    priority = Priority.objects.get(code="domestic-abuse")
    assert priority.commissioner == w.commissioner_org
    assert priority.history.get().history_user == w.administrator


def test_a_code_already_in_the_plan_is_refused_on_its_field(w):
    response = client_for(w.administrator).post(reverse("priority-create"), {"name": "Again", "code": "violence"})
    assert response.status_code == 400
    assert "Your plan already has a priority with this code" in response.content.decode()


def test_another_funders_code_is_no_clash(w):
    response = client_for(w.administrator).post(reverse("priority-create"), {"name": "Hate", "code": "hate"})
    assert response.status_code == 302


def test_the_administrator_changes_a_priority(w):
    response = client_for(w.administrator).post(reverse("priority-edit", args=[w.priority.pk]), {
        "name": "Serious violence and organised crime", "code": "violence", "description": ""})
    assert response.status_code == 302
    w.priority.refresh_from_db()
    assert w.priority.name == "Serious violence and organised crime"


def test_the_administrator_adds_and_changes_an_area(w):
    client = client_for(w.administrator)
    response = client.post(reverse("area-create"), {"name": "Leeds", "code": "e08000035", "code_type": "MD"})
    assert response.status_code == 302
    leeds = Area.objects.get(name="Leeds")
    assert leeds.code == "E08000035" and leeds.history.get().history_user == w.administrator

    response = client.post(reverse("area-edit", args=[leeds.pk]), {"name": "Leeds district", "code": "E08000035",
                                                                    "code_type": "MD"})
    assert response.status_code == 302


def test_area_mistakes_are_listed(w):
    response = client_for(w.administrator).post(reverse("area-create"), {"name": "", "code": "E08000099",
                                                                         "code_type": "MD"})
    page = response.content.decode()
    assert response.status_code == 400 and "Enter the area&#x27;s name." in page


def test_an_ons_code_already_used_is_refused(w):
    response = client_for(w.administrator).post(reverse("area-create"), {"name": "Again", "code": "E08000099",
                                                                         "code_type": "MD"})
    assert response.status_code == 400 and "Another area already has this ONS code." in response.content.decode()


def test_an_area_another_funder_uses_cannot_be_changed_here(w):
    w.project_x.area = w.area
    w.project_x.save()
    response = client_for(w.administrator).post(reverse("area-edit", args=[w.area.pk]), {
        "name": "Renamed", "code": "E08000099", "code_type": "MD"})
    assert response.status_code == 403
    w.area.refresh_from_db()
    assert w.area.name == "Testshire district"


def test_priorities_of_the_plan_are_offered_by_the_project_form(w):
    f.PriorityFactory(commissioner=w.commissioner_org, name="Anti-social behaviour")
    page = client_for(w.commissioner).get(reverse("project-create", args=[w.allocation_a.pk])).content.decode()
    assert "Anti-social behaviour" in page and "Hate crime" not in page
