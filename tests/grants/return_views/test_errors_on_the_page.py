"""
Errors on the quarterly return pages, through the test client: the GOV.UK error
summary links each problem to its field in page order, a figure that is not a
number is kept as typed, and personal data in the narrative is flagged.
"""

from grants.models import QuarterlyReturn
from grants.services import returns as s
from tests.grants.return_views.helpers import (
    Status,
    client_for,
    complete_form,
    detail,
    error_summary_links,
    version_on,
)


# --- Errors on the page ----------------------------------------------------------------------


def test_the_error_summary_links_each_problem_to_its_field_in_page_order(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)
    form = complete_form(w, version_on(provider.get(page)), progress="", self_rag="", **{
        s.spend_key(w.staff.pk): "", s.spend_key(w.venue.pk): "5,000", s.value_key(w.people.pk): "",
    })

    response = provider.post(page, form)

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    expected = [f"id_{s.spend_key(w.staff.pk)}", f"id_{s.explanation_key(w.venue.pk)}",
                f"id_{s.value_key(w.people.pk)}", "id_progress", "id_self_rag"]
    for target in expected:
        assert f'id="{target}"' in html
    in_page_order = sorted(expected, key=lambda target: html.index(f'id="{target}"'))
    assert error_summary_links(response) == in_page_order
    assert f'id="id_{s.spend_key(w.staff.pk)}-error"' in html
    assert not QuarterlyReturn.objects.exists()


def test_a_figure_that_is_not_a_number_is_explained_and_kept_as_typed(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, "", **{s.spend_key(w.staff.pk): "ten thousand"}))

    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_links(response) == [f"id_{s.spend_key(w.staff.pk)}"]
    assert "Enter the spend on Youth workers as a number, like 1250.50." in html
    assert 'value="ten thousand"' in html
    assert not QuarterlyReturn.objects.exists()


def test_personal_data_in_the_case_study_is_flagged_with_a_link_to_it(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, "", case_study="She lives at BD1 1HY."))

    assert response.status_code == 400
    assert error_summary_links(response) == ["id_case_study"]
    assert "looks like it contains a full postcode" in response.content.decode()

    response = provider.post(page, complete_form(w, "", case_study="She lives at BD1 1HY.", personal_data_checked="on"))
    assert response.status_code == 302


def test_sending_back_without_a_comment_shows_the_error_against_the_comment_box(returns_in_every_state):
    commissioner = client_for(returns_in_every_state.commissioner)
    page = detail("A-1", 2023, 1)

    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "send_back", "comment": "  ",
    })

    assert response.status_code == 400
    assert error_summary_links(response) == ["id_comment"]
    assert QuarterlyReturn.objects.get(pk=returns_in_every_state.q1.pk).status == Status.SUBMITTED
