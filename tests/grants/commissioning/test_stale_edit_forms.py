"""
Two tabs, two saves: the programme, project and measure-target edit forms carry the version they were
read at, as the return, allocation and payment forms do. The first save stands; the second is told
"this changed since you opened it", sees what it typed again, and nothing of the first is lost.
"""

import re
from decimal import Decimal

import pytest

from grants.models import Programme, Project, ProjectMeasure
from grants.services import Stale
from grants import services as s
from tests import factories as f
from tests.grants.commissioning.helpers import client_for
from tests.grants.commissioning.views_world import programme_data, project_data

CHANGED = "changed since you opened it"


def version_on(page) -> str:
    match = re.search(r'name="version" value="(\d+)"', page.content.decode())
    assert match, "the form carries no version"
    return match.group(1)


def two_tabs(client, path):
    """The same edit form opened twice, before either is saved: the version each carries."""
    return version_on(client.get(path)), version_on(client.get(path))


def test_the_second_of_two_programme_saves_is_told_and_the_first_stands(officers):
    client = client_for(officers.commissioner)
    path = f"/programmes/{officers.programme.pk}/edit/"
    first, second = two_tabs(client, path)
    common = dict(code=officers.programme.code, financial_year="2023-24", total_budget="1,000,000.00")

    saved = client.post(path, programme_data(officers, name="First tab's name", version=first, **common))
    refused = client.post(path, programme_data(officers, name="Second tab's name", version=second, **common))

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert CHANGED in refused.content.decode()
    assert 'value="Second tab&#x27;s name"' in refused.content.decode()  # what was typed is shown again
    assert Programme.objects.get(pk=officers.programme.pk).name == "First tab's name"


def test_the_second_of_two_project_saves_is_told_and_the_first_stands(officers):
    client = client_for(officers.commissioner)
    path = "/projects/A-1/edit/"
    first, second = two_tabs(client, path)

    saved = client.post(path, project_data(officers, reference="A-1", name="First tab's name", version=first))
    refused = client.post(path, project_data(officers, reference="A-1", name="Second tab's name", version=second))

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert CHANGED in refused.content.decode()
    assert Project.objects.get(reference="A-1").name == "First tab's name"


def test_the_second_of_two_target_saves_is_told_and_the_first_stands(officers):
    pm = f.ProjectMeasureFactory(project=officers.project_a, annual_target=Decimal("100"))
    client = client_for(officers.commissioner)
    path = f"/projects/A-1/measures/{pm.pk}/"
    first, second = two_tabs(client, path)

    def targets(target, version):
        return {"measure": str(pm.measure_id), "financial_year": "2023", "baseline": "", "annual_target": target,
                "target_q1": "", "target_q2": "", "target_q3": "", "target_q4": "", "version": version}

    saved = client.post(path, targets("120", first))
    refused = client.post(path, targets("80", second))

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert CHANGED in refused.content.decode()
    assert ProjectMeasure.objects.get(pk=pm.pk).annual_target == Decimal("120")


def test_a_form_without_its_version_saves_nothing(officers):
    client = client_for(officers.commissioner)

    response = client.post("/projects/A-1/edit/", project_data(officers, reference="A-1", name="No version"))

    assert response.status_code == 400
    assert CHANGED in response.content.decode()
    assert Project.objects.get(reference="A-1").name == "Project of A"


@pytest.mark.parametrize("update", [
    lambda w, v: s.programme_update(actor=w.commissioner, programme=w.programme, version=v, values={
        **{name: getattr(w.programme, name) for name in s.PROGRAMME_FIELDS}, "name": "Renamed"}),
    lambda w, v: s.project_update(actor=w.commissioner, project=w.project_a, version=v, values={"name": "Renamed"}),
], ids=["programme", "project"])
def test_the_services_refuse_a_stale_version_and_take_the_current_one(officers, update):
    with pytest.raises(Stale):
        update(officers, 7)
    assert update(officers, 0).name == "Renamed"
    with pytest.raises(Stale):
        update(officers, 0)  # the version moved on with the save
