"""
Amendments beyond an allocation's amount and dates, through their services and pages:

- a re-profile moves a project's planned spend between the quarters of a year, each line keeping its
  total and each quarter already reported keeping its profile; asked by the provider, decided by the
  commissioner (or made by the commissioner at once), the figures that compare spend with the plan
  following it;
- a reallocation moves underspend from one allocation to another in one decision: both change, or
  neither does;
- requested variations and re-profiles are on the commissioner's work list and the provider's.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, BudgetLine, ProfileChange, Project, Variation
from grants.services import Invalid, NotAllowed
from grants.services import variations as s
from grants.services.variations import profile_key
from reporting import quarters as figures_reader
from tests import factories as f
from tests.grants.commissioning.helpers import Q, client_for, line, verified_return

Status = Variation.Status
D = Decimal


def reprofile(w, new: dict, *, actor=None, project=None, year=2023, reason="Recruitment slipped a quarter."):
    return s.reprofile_request(actor=actor or w.user_a, project=project or w.project_a, financial_year=year,
                               profiles={ln.pk: [D(v) for v in q] for ln, q in new.items()}, reason=reason)


# Re-profiles ------------------------------------------------------------------------------------------


def test_the_provider_asks_to_re_profile_and_the_commissioner_approves(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    venue = line(w.project_a, "Venue hire", "8000.00")
    variation = reprofile(w, {staff: ["0", "10000", "15000", "15000"], venue: ["2000", "2000", "2000", "2000"]})
    assert (variation.status, variation.project, variation.financial_year) == (Status.REQUESTED, w.project_a, 2023)
    # Only the line that changes is kept on the request; nothing moves until it is approved.
    assert list(variation.profile_changes.values_list("line", flat=True)) == [staff.pk]
    assert BudgetLine.objects.get(pk=staff.pk).profile == [D("10000.00")] * 4

    variation = s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version,
                                    note="Agreed: the team starts in July.")
    staff.refresh_from_db()
    assert staff.profile == [D("0.00"), D("10000.00"), D("15000.00"), D("15000.00")]
    assert staff.amount == D("40000.00")
    change = ProfileChange.objects.get(variation=variation)
    assert change.previous == [D("10000.00")] * 4
    record = staff.history.latest()
    assert (record.history_change_reason, record.history_user) == (
        f"Re-profiled by variation {variation.pk}", w.commissioner)


def test_the_figures_compare_spend_with_the_new_profile(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    reprofile(w, {staff: ["4000", "12000", "12000", "12000"]}, actor=w.commissioner)
    [row] = figures_reader.read(w.commissioner, [Q(1), Q(2)], projects=Project.objects.filter(pk=w.project_a.pk))
    assert list(row.plan) == [D("4000.00"), D("12000.00")]


def test_a_commissioner_makes_a_re_profile_at_once(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    variation = reprofile(w, {staff: ["0", "20000", "10000", "10000"]}, actor=w.commissioner)
    assert (variation.status, variation.decided_by) == (Status.APPROVED, w.commissioner)
    assert BudgetLine.objects.get(pk=staff.pk).profile_q1 == D("0.00")


def test_a_reported_quarter_keeps_its_profile(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    verified_return(w, w.project_a, Q(1), {staff: "9000.00"}, verify=False)
    with pytest.raises(Invalid) as refused:
        reprofile(w, {staff: ["0", "20000", "10000", "10000"]})
    assert refused.value.errors == {profile_key(staff.pk, 1): (
        "Q1 2023-24 has been reported: the profile of Youth workers for it stays £10,000.00.")}
    # Moving spend among the quarters still ahead is allowed.
    variation = reprofile(w, {staff: ["10000", "5000", "10000", "15000"]})
    assert variation.status == Status.REQUESTED


@pytest.mark.parametrize("new, key, message", [
    (["10000", "10000", "10000", "9000"], 4, "The new profile of Youth workers adds up to £39,000.00 but the line is "
     "£40,000.00: a re-profile moves spend between quarters, it does not change the line (ask for a virement or a "
     "variation for that)."),
    (["-1", "20001", "10000", "10000"], 1, "The new Q1 profile of Youth workers must be £0 or more."),
    (["10000", "10000", "10000", "10000"], "__all__", "The new profile is the same as the old one: change at least "
     "one quarter."),
])
def test_each_bad_re_profile_is_refused_with_what_is_wrong_and_where(actors, new, key, message):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    with pytest.raises(Invalid) as refused:
        reprofile(w, {staff: new})
    key = key if key == "__all__" else profile_key(staff.pk, key)
    assert refused.value.errors == {key: message}
    assert not Variation.objects.exists()


def test_a_re_profile_needs_a_reason_and_lines_of_this_project_and_year(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    theirs = line(w.project_b, "Youth workers", "40000.00")
    with pytest.raises(Invalid) as refused:
        reprofile(w, {staff: ["0", "20000", "10000", "10000"]}, reason=" ")
    assert refused.value.errors == {"reason": "Say why the spend needs re-profiling: the decision rests on this reason."}
    with pytest.raises(Invalid) as refused:
        reprofile(w, {theirs: ["0", "20000", "10000", "10000"]})
    assert refused.value.errors == {"__all__": "A budget line in the request is not one of this project's lines for "
                                               "2023-24."}
    with pytest.raises(Invalid) as refused:
        reprofile(w, {}, year=2024)
    assert refused.value.errors["__all__"] == "The project has no budget lines in 2024-25: there is nothing to re-profile."


def test_the_rules_are_checked_again_when_the_re_profile_is_approved(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    variation = reprofile(w, {staff: ["0", "20000", "10000", "10000"]})
    verified_return(w, w.project_a, Q(1), {staff: "9000.00"}, verify=False)  # Q1 reported meanwhile
    assert s.check_approve_variation(variation).startswith("This re-profile can no longer be made: Q1 2023-24")
    with pytest.raises(Invalid):
        s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version)
    assert BudgetLine.objects.get(pk=staff.pk).profile_q1 == D("10000.00")
    s.variation_refuse(actor=w.commissioner, variation=variation, version=variation.version,
                       note="Q1 is reported; ask again for the quarters ahead.")


def test_who_may_re_profile(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    for who in (w.user_b, w.finance, w.viewer, w.outsider):
        with pytest.raises(NotAllowed):
            reprofile(w, {staff: ["0", "20000", "10000", "10000"]}, actor=who)
    variation = reprofile(w, {staff: ["0", "20000", "10000", "10000"]})
    for who in (w.user_a, w.finance, w.outsider):
        with pytest.raises(NotAllowed):
            s.variation_approve(actor=who, variation=variation, version=variation.version)
    Allocation.objects.filter(pk=w.allocation_a.pk).update(status=Allocation.Status.CLOSED)
    w.project_a.refresh_from_db()
    with pytest.raises(NotAllowed):
        reprofile(w, {staff: ["0", "20000", "10000", "10000"]})


def test_the_re_profile_pages_for_the_provider_and_the_commissioner(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    provider = client_for(w.user_a)
    url = f"/projects/{w.project_a.reference}/reprofile/2023/"
    page = provider.get(f"/projects/{w.project_a.reference}/").content.decode()
    assert url in page and "Ask to re-profile 2023-24 spend" in page
    form = provider.get(url)
    assert form.status_code == 200 and f'name="line_{staff.pk}_q4"' in form.content.decode()

    bad = provider.post(url, {f"line_{staff.pk}_q{n}": v for n, v in enumerate(["0", "1", "2", "3"], 1)} | {
        "reason": "Slipped."})
    assert bad.status_code == 400
    assert "adds up to £6.00 but the line is £40,000.00" in bad.content.decode()
    assert not Variation.objects.exists()

    done = provider.post(url, {f"line_{staff.pk}_q{n}": v for n, v in enumerate(
        ["0", "£20,000", "10000", "10000"], 1)} | {"reason": "Slipped."})
    assert done.status_code == 302
    variation = Variation.objects.get()
    detail = provider.get(f"/variations/{variation.pk}/").content.decode()
    assert "re-profile of A-1" in detail and "£20,000.00" in detail

    # Another provider reaches neither the form nor the request.
    other = client_for(w.user_b)
    assert other.get(url).status_code == 404
    assert other.get(f"/variations/{variation.pk}/").status_code == 404
    assert other.post(f"/variations/{variation.pk}/decide/", {
        "version": variation.version, "action": "approve"}).status_code == 404

    commissioner = client_for(w.commissioner)
    assert "Variations and re-profiles to decide" in commissioner.get("/").content.decode()
    listed = commissioner.get("/variations/?status=requested").content.decode()
    assert f"/variations/{variation.pk}/" in listed and "Re-profile of A-1 spend in 2023-24" in listed
    assert commissioner.post(f"/variations/{variation.pk}/decide/", {
        "version": variation.version, "action": "approve", "note": ""}).status_code == 302
    assert BudgetLine.objects.get(pk=staff.pk).profile_q2 == D("20000.00")
    assert provider.get(f"/projects/{w.project_a.reference}/reprofile/1/").status_code == 404
    assert provider.get(f"/projects/{w.project_a.reference}/reprofile/99999999999/").status_code == 404


def test_a_reported_quarter_is_shown_but_cannot_be_changed_on_the_form(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    verified_return(w, w.project_a, Q(1), {staff: "9000.00"}, verify=False)
    provider = client_for(w.user_a)
    url = f"/projects/{w.project_a.reference}/reprofile/2023/"
    page = provider.get(url).content.decode()
    assert "Reported: stays £10,000.00." in page
    # A forged value for the reported quarter is ignored: the field is disabled and keeps its figure.
    done = provider.post(url, {f"line_{staff.pk}_q1": "0", f"line_{staff.pk}_q2": "5000",
                               f"line_{staff.pk}_q3": "10000", f"line_{staff.pk}_q4": "15000", "reason": "Late."})
    assert done.status_code == 302
    assert ProfileChange.objects.get().profile == [D("10000.00"), D("5000.00"), D("10000.00"), D("15000.00")]


# Reallocations ----------------------------------------------------------------------------------------


def test_underspend_moves_from_one_allocation_to_another_in_one_decision(actors):
    w = actors
    down = s.reallocate(actor=w.commissioner, source=w.allocation_a, target=w.allocation_b, amount=D("25000.00"),
                        reason="A started late; B has a waiting list.")
    a, b = Allocation.objects.get(pk=w.allocation_a.pk), Allocation.objects.get(pk=w.allocation_b.pk)
    assert (a.amount, b.amount) == (D("75000.00"), D("125000.00"))
    assert a.amount + b.amount == D("200000.00")
    up = down.moves_to
    assert (down.status, up.status, down.previous_amount, up.previous_amount) == (
        Status.APPROVED, Status.APPROVED, D("100000.00"), D("100000.00"))
    assert up.allocation == w.allocation_b
    assert a.history.latest().history_change_reason == f"Variation {down.pk} approved"
    assert b.history.latest().history_change_reason == f"Variation {up.pk} approved"


def test_a_reallocation_that_one_side_refuses_changes_neither(actors):
    w = actors
    line(w.project_a, "Youth workers", "90000.00")
    with pytest.raises(Invalid) as refused:
        s.reallocate(actor=w.commissioner, source=w.allocation_a, target=w.allocation_b, amount=D("25000.00"),
                     reason="Underspend.")
    assert refused.value.errors == {"amount": (
        "£25,000.00 cannot come off Allocation to A: The projects' budget lines add up to £90,000.00: reduce them "
        "to £75,000.00 or less first.")}
    # The receiving side over its programme's budget: the side already taken off is put back.
    w.programme.total_budget = D("200000.00")
    w.programme.save()
    other = f.ProgrammeFactory(commissioner=w.commissioner_org, code="VRU", total_budget=D("100000.00"))
    full = f.AllocationFactory(programme=other, recipient=w.provider_b, title="Full allocation")
    with pytest.raises(Invalid) as refused:
        s.reallocate(actor=w.commissioner, source=w.allocation_b, target=full, amount=D("5000.00"),
                     reason="Underspend.")
    assert refused.value.errors["amount"].startswith("£5,000.00 cannot go to Full allocation: £105,000.00 would take")
    assert Allocation.objects.get(pk=w.allocation_b.pk).amount == D("100000.00")
    assert not Variation.objects.exists()


def test_each_bad_reallocation_is_refused_with_what_is_wrong(actors):
    w = actors
    elsewhere = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=w.other_commissioner_org))
    next_year = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=w.commissioner_org, financial_year=2024))
    cases = [
        (dict(target=w.allocation_b, amount=D("0.00")), "amount"),
        (dict(target=None, amount=D("10.00")), "target"),
        (dict(target=w.allocation_a, amount=D("10.00")), "target"),
        (dict(target=elsewhere, amount=D("10.00")), "target"),
        (dict(target=next_year, amount=D("10.00")), "target"),
    ]
    for kwargs, field in cases:
        with pytest.raises(Invalid) as refused:
            s.reallocate(actor=w.commissioner, source=w.allocation_a, reason="Underspend.", **kwargs)
        assert list(refused.value.errors) == [field], kwargs
    with pytest.raises(Invalid) as refused:
        s.reallocate(actor=w.commissioner, source=w.allocation_a, target=w.allocation_b, amount=D("10.00"), reason="")
    assert refused.value.errors == {"reason": "Say why the money moves: the decision rests on this reason."}
    for who in (w.user_a, w.finance, w.viewer, w.outsider):
        with pytest.raises(NotAllowed):
            s.reallocate(actor=who, source=w.allocation_a, target=w.allocation_b, amount=D("10.00"), reason="x")
    assert not Variation.objects.exists()


def test_the_reallocation_page(actors):
    w = actors
    commissioner = client_for(w.commissioner)
    url = f"/allocations/{w.allocation_a.pk}/reallocate/"
    assert url in commissioner.get(f"/allocations/{w.allocation_a.pk}/").content.decode()
    form = commissioner.get(url).content.decode()
    assert "Allocation to B (Provider B, Community Safety Fund): £100,000.00" in form
    refused = commissioner.post(url, {"target": w.allocation_b.pk, "amount": "£500,000", "reason": "Underspend."})
    assert refused.status_code == 400 and "cannot come off Allocation to A" in refused.content.decode()
    done = commissioner.post(url, {"target": w.allocation_b.pk, "amount": "£10,000", "reason": "Underspend."})
    assert done.status_code == 302
    down = Variation.objects.get(allocation=w.allocation_a)
    page = commissioner.get(f"/variations/{down.pk}/").content.decode()
    assert "Moved to" in page and "Allocation to B" in page
    up_page = commissioner.get(f"/variations/{down.moves_to_id}/").content.decode()
    assert "Moved from" in up_page and "Allocation to A" in up_page
    # Nobody else may move money, and a provider cannot even see the page.
    assert client_for(w.user_a).get(url).status_code == 403
    assert client_for(w.finance).get(url).status_code == 403
    assert client_for(w.outsider).get(url).status_code == 404


def test_the_provider_sees_its_own_requests_on_its_work_list(actors):
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    reprofile(w, {staff: ["0", "20000", "10000", "10000"]})
    assert "Variations and re-profiles awaiting a decision" in client_for(w.user_a).get("/").content.decode()
    mine = client_for(w.user_a).get("/variations/").content.decode()
    assert "Re-profile of A-1" in mine
    assert "Re-profile of A-1" not in client_for(w.user_b).get("/variations/").content.decode()


def test_the_end_date_and_the_start_date_of_the_year_do_not_matter_to_a_reprofile(actors):
    """A re-profile of a project's year is independent of the allocation's dates: a variation that
    moves the end date and a re-profile can both be requested at once."""
    w = actors
    staff = line(w.project_a, "Youth workers", "40000.00")
    reprofile(w, {staff: ["0", "20000", "10000", "10000"]})
    s.variation_request(actor=w.user_a, allocation=w.allocation_a, amount=None, end_date=date(2024, 6, 30),
                        conditions="", reason="Extension.")
    assert Variation.objects.filter(status=Status.REQUESTED).count() == 2
