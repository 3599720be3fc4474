"""
Names and titles are one line: a project named "…\\r\\nBcc: …" was accepted by the edit form and then
broke every reminder run. Refused on the page, by the service, and in the admin, each with a message.
"""

import pytest
from django.test import Client
from django.urls import reverse

from grants.models import Project
from grants.services import Invalid
from grants.services import projects as s
from tests import factories as f
from tests.grants.commissioning.helpers import client_for
from tests.grants.commissioning.views_world import project_data

HOSTILE = "Project of A\r\nBcc: attacker@example.com"


def test_the_project_form_refuses_a_name_with_a_line_break(actors):
    response = client_for(actors.commissioner).post("/projects/A-1/edit/", project_data(
        actors, reference="A-1", name=HOSTILE, version=str(actors.project_a.version)))

    assert response.status_code == 400
    assert "Enter the project&#x27;s name on one line" in response.content.decode()
    assert Project.objects.get(reference="A-1").name == "Project of A"


@pytest.mark.parametrize("name", [HOSTILE, "Tab\there", "Bell\x07"])
def test_the_service_refuses_control_characters_in_a_name(actors, name):
    with pytest.raises(Invalid) as refused:
        s.project_update(actor=actors.commissioner, project=actors.project_a, version=actors.project_a.version,
                         values={"name": name})
    assert "on one line" in refused.value.errors["name"]


def test_the_admin_refuses_a_name_with_a_line_break(actors):
    admin = Client()
    admin.force_login(f.UserFactory(username="root", is_staff=True, is_superuser=True))
    path = reverse("admin:grants_project_change", args=[actors.project_a.pk])

    response = admin.post(path, {"name": HOSTILE, "description": "", "area": "",
                                 "budget_lines-TOTAL_FORMS": "0", "budget_lines-INITIAL_FORMS": "0",
                                 "measures-TOTAL_FORMS": "0", "measures-INITIAL_FORMS": "0"})

    assert response.status_code == 200
    assert "on one line" in response.content.decode()
    assert Project.objects.get(pk=actors.project_a.pk).name == "Project of A"


def test_the_control_an_ordinary_name_is_saved_everywhere(actors):
    changed = s.project_update(actor=actors.commissioner, project=actors.project_a, version=actors.project_a.version,
                               values={"name": "Project of A – evenings"})
    assert changed.name == "Project of A – evenings"
