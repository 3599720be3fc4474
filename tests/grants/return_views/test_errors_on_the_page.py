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


def test_a_submission_with_several_kinds_of_mistake_lists_every_one_at_once(project):
    """A negative amount (refused by the field), a variance over the threshold without an explanation and
    an e-mail address in the narrative (refused on submitting): all three in the summary, in page order."""
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)
    form = complete_form(w, version_on(provider.get(page)), progress="Call me on jo.bloggs@example.org.", **{
        s.spend_key(w.staff.pk): "-50", s.spend_key(w.venue.pk): "5,000",
    })

    response = provider.post(page, form)

    assert response.status_code == 400
    html = response.content.decode()
    expected = [f"id_{s.spend_key(w.staff.pk)}", f"id_{s.explanation_key(w.venue.pk)}", "id_progress"]
    assert error_summary_links(response) == sorted(expected, key=lambda target: html.index(f'id="{target}"'))
    assert "Spend on Youth workers must be £0 or more." in html
    assert "Explain the variance on" in html
    # The programme's threshold (10.00) said as people write it, not "1E+1%".
    assert "more than the 10% allowed without explanation." in html
    assert "looks like it contains an e-mail address" in html
    assert 'value="-50"' in html
    assert not QuarterlyReturn.objects.exists()


def test_once_the_negative_amount_is_fixed_nothing_new_appears(project):
    """What the first answer listed is all there was: fixing those, the return is submitted."""
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)
    fixed = complete_form(w, version_on(provider.get(page)), **{
        s.spend_key(w.venue.pk): "5,000", s.explanation_key(w.venue.pk): "The hall's rent for the year was paid up front.",
    })

    response = provider.post(page, fixed)

    assert response.status_code == 302
    assert QuarterlyReturn.objects.get().status == Status.SUBMITTED


def test_saving_a_draft_lists_only_what_a_draft_cannot_hold(project):
    """A draft needs nothing complete: a negative amount is refused, a missing narrative is not."""
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, version_on(provider.get(page)), action="save", progress="", **{
        s.spend_key(w.staff.pk): "-50"}))

    assert response.status_code == 400
    assert error_summary_links(response) == [f"id_{s.spend_key(w.staff.pk)}"]


def test_a_figure_the_field_refuses_does_not_hide_the_other_problems(project):
    """'ten thousand' is refused by the page's own field; the missing narrative and rating, which only
    the submission checks, are listed with it."""
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, version_on(provider.get(page)), progress="", self_rag="", **{
        s.spend_key(w.staff.pk): "ten thousand"}))

    assert response.status_code == 400
    html = response.content.decode()
    expected = [f"id_{s.spend_key(w.staff.pk)}", "id_progress", "id_self_rag"]
    assert error_summary_links(response) == sorted(expected, key=lambda target: html.index(f'id="{target}"'))
    assert "Enter the spend on Youth workers as a number, like 1250.50." in html
    assert "Describe the progress made this quarter." in html
    assert not QuarterlyReturn.objects.exists()
