"""Planning pages: list, week, plan/edit, cancel, risk assessment, deploy, copy a week."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from patrols.models import (
    EngagementActivity,
    OfficerRole,
    Patrol,
    PatrolOfficer,
    PatrolStatus,
    RiskAssessment,
)
from tests.factories import (
    AgencyFactory,
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    WardFactory,
)

from .cast import assess

pytestmark = pytest.mark.django_db


def next_friday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)


def plan_form(ward, ephedra_pc, local_pc, **overrides) -> dict:
    data = {
        "ward": ward.pk,
        "date": next_friday().isoformat(),
        "start_time": "20:00",
        "end_time": "04:00",
        "meeting_point": "Brixton police office",
        "ephedra_pcs": [ephedra_pc.pk],
        "local_pcs": [local_pc.pk],
        "invitations-TOTAL_FORMS": "1",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
        "invitations-0-agency": "",
        "invitations-0-activity": "",
        "invitations-0-notes": "",
    }
    data.update(overrides)
    return data


def crewed_patrol(ward, ephedra_pc, local_pc, **fields) -> Patrol:
    patrol = PatrolFactory(ward=ward, **fields)
    PatrolOfficer.objects.create(patrol=patrol, officer=ephedra_pc, role=OfficerRole.EPHEDRA_PC)
    PatrolOfficer.objects.create(patrol=patrol, officer=local_pc, role=OfficerRole.LOCAL_PC)
    return patrol


# --- Who may see what --------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["patrols:list", "patrols:week", "patrols:create", "patrols:wellbeing"]
)
def test_partner_users_get_404(client, partner_a, name):
    client.force_login(partner_a)
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["patrols:list", "patrols:week"])
def test_pc_may_read_the_plan(client, pc, name):
    client.force_login(pc)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["patrols:create", "patrols:wellbeing"])
def test_pc_may_not_plan(client, pc, name):
    client.force_login(pc)
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("patrols:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_patrol_in_another_area_is_404(client, sergeant, other_area):
    patrol = PatrolFactory(ward=WardFactory(area=other_area))
    client.force_login(sergeant)
    for name in ["patrols:detail", "patrols:edit", "patrols:cancel", "patrols:risk_assessment"]:
        assert client.get(reverse(name, args=[patrol.uuid])).status_code == 404, name


@pytest.mark.parametrize("name", ["patrols:deploy", "patrols:approve_risk_assessment"])
def test_one_button_steps_refuse_get(client, sergeant, ward, name):
    patrol = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    assert client.get(reverse(name, args=[patrol.uuid])).status_code == 405


# --- Lists -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_patrol_list_runs_constant_queries(
    client, sergeant, ward, ephedra_pc, local_pc, count, django_assert_num_queries
):
    for n in range(count):
        patrol = crewed_patrol(
            ward, ephedra_pc, local_pc, starts_at=timezone.now() - dt.timedelta(days=2 * n + 30)
        )
        patrol.hotspots.add(HotspotFactory(ward=ward))
    client.force_login(sergeant)
    # savepoint, session, user, count; the page of patrols (with their ward's name), their
    # hotspots' names, their officers' names (patrol_list_rows); release; filter choices:
    # areas, wards ... and the header's count of unread notifications (every signed-in page).
    with django_assert_num_queries(11):
        response = client.get(reverse("patrols:list"))
    assert response.status_code == 200
    assert len(response.context["page_obj"]) == count


def test_patrol_list_rows_show_crew_hotspots_and_status_tag(
    client, sergeant, ward, ephedra_pc, local_pc
):
    """The list reads only what its table shows; each row still names the crew and
    hotspots, and colours the status tag (grey planned, red cancelled)."""
    patrol = crewed_patrol(ward, ephedra_pc, local_pc)
    patrol.hotspots.add(HotspotFactory(ward=ward, name="Acre Lane (test)"))
    PatrolFactory(ward=ward, status=PatrolStatus.CANCELLED, cancel_reason="Weather")
    client.force_login(sergeant)

    page = client.get(reverse("patrols:list")).content.decode()

    assert "Acre Lane (test)" in page
    assert f"{ephedra_pc}, {local_pc}" in page or f"{local_pc}, {ephedra_pc}" in page
    assert 'govuk-tag govuk-tag--grey">Planned' in page
    assert 'govuk-tag govuk-tag--red">Cancelled' in page


def test_patrol_list_filters_by_status(client, sergeant, ward):
    PatrolFactory(ward=ward, status=PatrolStatus.CANCELLED, cancel_reason="Weather")
    planned = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    response = client.get(reverse("patrols:list"), {"status": "planned"})
    assert [row.uuid for row in response.context["page_obj"]] == [planned.uuid]


def test_patrol_list_bad_filter_input_is_not_a_500(client, sergeant):
    client.force_login(sergeant)
    response = client.get(reverse("patrols:list"), {"date_from": "not-a-date", "ward": "999"})
    assert response.status_code == 200
    assert "Enter a valid date." in response.content.decode()


def test_week_view_places_patrols_on_their_day(client, sergeant, ward):
    friday = next_friday()
    PatrolFactory(
        ward=ward, starts_at=timezone.make_aware(dt.datetime.combine(friday, dt.time(20)))
    )
    client.force_login(sergeant)
    response = client.get(reverse("patrols:week"), {"week": friday.isoformat()})
    days = dict(response.context["days"])
    assert len(days[friday]) == 1
    assert sum(len(patrols) for patrols in days.values()) == 1


def test_week_view_ignores_a_bad_week(client, sergeant):
    client.force_login(sergeant)
    assert client.get(reverse("patrols:week"), {"week": "2025-13-45"}).status_code == 200


# --- Planning ----------------------------------------------------------------------


def test_sergeant_plans_a_patrol(client, sergeant, ward, ephedra_pc, local_pc):
    hotspot = HotspotFactory(ward=ward)
    client.force_login(sergeant)
    response = client.post(
        reverse("patrols:create"), plan_form(ward, ephedra_pc, local_pc, hotspots=[hotspot.pk])
    )
    patrol = Patrol.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patrols:detail", args=[patrol.uuid])
    assert patrol.status == PatrolStatus.PLANNED
    assert timezone.localtime(patrol.ends_at).date() == next_friday() + dt.timedelta(days=1)
    assert set(patrol.officers.values_list("officer", "role")) == {
        (ephedra_pc.pk, OfficerRole.EPHEDRA_PC),
        (local_pc.pk, OfficerRole.LOCAL_PC),
    }
    assert list(patrol.hotspots.all()) == [hotspot]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"local_pcs": []}, "This field is required."),
        ({"end_time": "12:00"}, "A patrol cannot last more than 14 hours."),
        ({"date": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_plan_re_renders_with_errors_and_writes_nothing(
    client, sergeant, ward, ephedra_pc, local_pc, change, message
):
    client.force_login(sergeant)
    response = client.post(
        reverse("patrols:create"), plan_form(ward, ephedra_pc, local_pc, **change)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Brixton police office"' in response.content.decode()
    assert not Patrol.objects.exists()


def test_crew_needs_a_local_pc_from_the_ward(client, sergeant, area, ward, ephedra_pc):
    elsewhere = OfficerFactory(
        role=Role.PC,
        areas=[area],
        profile__home_ward=WardFactory(area=area),
        profile__ephedra_trained_on=None,
    )
    client.force_login(sergeant)
    response = client.post(reverse("patrols:create"), plan_form(ward, ephedra_pc, elsewhere))
    assert f"A patrol needs at least one local PC from {ward}." in response.content.decode()
    assert not Patrol.objects.exists()


def test_untrained_officer_cannot_be_the_ephedra_pc(client, sergeant, ward, local_pc):
    client.force_login(sergeant)
    response = client.post(reverse("patrols:create"), plan_form(ward, local_pc, local_pc))
    assert response.status_code == 200
    assert not Patrol.objects.exists()


def test_officer_cannot_be_on_two_patrols_at_once(client, sergeant, ward, ephedra_pc, local_pc):
    friday = next_friday()
    crewed_patrol(
        ward,
        ephedra_pc,
        local_pc,
        starts_at=timezone.make_aware(dt.datetime.combine(friday, dt.time(22))),
    )
    client.force_login(sergeant)
    response = client.post(reverse("patrols:create"), plan_form(ward, ephedra_pc, local_pc))
    assert "is already on another patrol at that time." in response.content.decode()
    assert Patrol.objects.count() == 1


def test_edit_keeps_the_crew_rules(client, sergeant, ward, ephedra_pc, local_pc):
    patrol = crewed_patrol(ward, ephedra_pc, local_pc)
    client.force_login(sergeant)
    page = client.get(reverse("patrols:edit", args=[patrol.uuid]))
    assert page.status_code == 200
    response = client.post(
        reverse("patrols:edit", args=[patrol.uuid]),
        plan_form(ward, ephedra_pc, local_pc, meeting_point="Stockwell office"),
    )
    assert response.status_code == 302
    patrol.refresh_from_db()
    assert patrol.meeting_point == "Stockwell office"


def test_planning_a_third_shift_in_a_week_warns(client, sergeant, ward, ephedra_pc, local_pc):
    friday = timezone.make_aware(dt.datetime.combine(next_friday(), dt.time(20)))
    for days_before in (1, 3):
        other_local = OfficerFactory(
            role=Role.PC, areas=[ephedra_pc.areas.get()], profile__home_ward=ward,
            profile__ephedra_trained_on=None,
        )  # fmt: skip
        crewed_patrol(
            ward, ephedra_pc, other_local, starts_at=friday - dt.timedelta(days=days_before)
        )
    client.force_login(sergeant)
    response = client.post(
        reverse("patrols:create"), plan_form(ward, ephedra_pc, local_pc), follow=True
    )
    assert "would work a third extended shift within seven days" in response.content.decode()


# --- Cancel, risk assessment, deploy -----------------------------------------------


def test_cancel_needs_a_reason(client, sergeant, ward):
    patrol = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    response = client.post(reverse("patrols:cancel", args=[patrol.uuid]), {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED


def test_cancelled_patrol_keeps_its_reason_and_cannot_be_edited(client, sergeant, ward):
    patrol = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    client.post(reverse("patrols:cancel", args=[patrol.uuid]), {"reason": "Severe weather warning"})
    patrol.refresh_from_db()
    assert (patrol.status, patrol.cancel_reason) == (
        PatrolStatus.CANCELLED,
        "Severe weather warning",
    )
    response = client.get(reverse("patrols:edit", args=[patrol.uuid]))
    assert response.status_code == 302


def test_risk_assessment_approval_and_deployment(client, sergeant, pc, ward):
    patrol = PatrolFactory(ward=ward)
    client.force_login(pc)
    client.post(
        reverse("patrols:risk_assessment", args=[patrol.uuid]),
        {"hazards": "Poor lighting", "controls": "Work in pairs"},
    )
    assert RiskAssessment.objects.get(patrol=patrol).assessed_by == pc
    assert (
        client.post(reverse("patrols:approve_risk_assessment", args=[patrol.uuid])).status_code
        == 403
    )

    client.force_login(sergeant)
    client.post(reverse("patrols:approve_risk_assessment", args=[patrol.uuid]))
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.APPROVED
    client.post(reverse("patrols:deploy", args=[patrol.uuid]))
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED


def test_patrol_without_approved_assessment_cannot_deploy(client, sergeant, ward):
    patrol = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    response = client.post(reverse("patrols:deploy", args=[patrol.uuid]), follow=True)
    assert "cannot deploy until its risk assessment is approved" in response.content.decode()
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED


def test_revising_an_approved_assessment_withdraws_approval(client, sergeant, ward):
    patrol = PatrolFactory(ward=ward)
    client.force_login(sergeant)
    form = {"hazards": "Traffic", "controls": "Hi-vis in the van"}
    client.post(reverse("patrols:risk_assessment", args=[patrol.uuid]), form)
    client.post(reverse("patrols:approve_risk_assessment", args=[patrol.uuid]))
    client.post(
        reverse("patrols:risk_assessment", args=[patrol.uuid]), {**form, "hazards": "Traffic, dogs"}
    )
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.PLANNED
    assert not patrol.risk_assessment.is_approved


# --- Copy last week ----------------------------------------------------------------


def test_copy_last_week_into_an_empty_week(client, sergeant, ward, ephedra_pc, local_pc):
    friday = timezone.make_aware(dt.datetime.combine(next_friday(), dt.time(20)))
    crewed_patrol(ward, ephedra_pc, local_pc, starts_at=friday - dt.timedelta(days=7))
    client.force_login(sergeant)
    week = (next_friday() - dt.timedelta(days=4)).isoformat()
    client.post(reverse("patrols:copy_last_week"), {"week": week})
    copy = Patrol.objects.get(starts_at=friday)
    assert copy.status == PatrolStatus.PLANNED
    assert copy.officers.count() == 2

    client.post(reverse("patrols:copy_last_week"), {"week": week})
    assert Patrol.objects.filter(starts_at=friday).count() == 1, "a second copy is refused"


def test_pc_cannot_copy_a_week(client, pc):
    client.force_login(pc)
    assert client.post(reverse("patrols:copy_last_week"), {"week": "2026-01-05"}).status_code == 403


def test_htmx_request_after_sign_out_redirects_the_whole_page(client, ward):
    patrol = PatrolFactory(ward=ward, status=PatrolStatus.DEPLOYED)
    response = client.post(
        reverse("patrols:save_draft", args=[patrol.uuid]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_return_link_only_for_officers_who_can_file_it(client, pc, sergeant, ward):
    patrol = PatrolFactory(ward=ward, status=PatrolStatus.DEPLOYED)
    return_url = reverse("patrols:work_return", args=[patrol.uuid])
    client.force_login(pc)
    assert (
        return_url not in client.get(reverse("patrols:detail", args=[patrol.uuid])).content.decode()
    )
    client.force_login(sergeant)
    assert return_url in client.get(reverse("patrols:detail", args=[patrol.uuid])).content.decode()


def test_the_patrol_page_says_why_it_offers_no_approval_or_deployment(client, sergeant, ward):
    own = PatrolFactory(ward=ward, status=PatrolStatus.PLANNED)
    assess(own, sergeant)
    early = PatrolFactory(
        ward=ward,
        status=PatrolStatus.APPROVED,
        starts_at=timezone.now() + dt.timedelta(days=3),
    )
    assess(early, OfficerFactory(role=Role.PC, areas=[ward.area]), approved_by=sergeant)
    client.force_login(sergeant)

    own_page = client.get(reverse("patrols:detail", args=[own.uuid])).content.decode()
    early_page = client.get(reverse("patrols:detail", args=[early.uuid])).content.decode()

    assert "ask another sergeant" in own_page
    assert "Approve the risk assessment</button>" not in own_page
    assert "not before." in early_page
    assert "Mark as deployed</button>" not in early_page


def test_a_hotspot_in_another_ward_needs_a_confirmation(
    client, sergeant, area, ward, ephedra_pc, local_pc
):
    elsewhere = HotspotFactory(ward=WardFactory(area=area, name="Stockwell"), name="Far Street")
    client.force_login(sergeant)
    form = plan_form(ward, ephedra_pc, local_pc, hotspots=[elsewhere.pk])

    asked = client.post(reverse("patrols:create"), form)
    confirmed = client.post(reverse("patrols:create"), form | {"other_wards": "on"})

    content = asked.content.decode()
    assert asked.status_code == 200
    assert f"Far Street (Stockwell) is not in {ward.name}: untick it" in content
    assert 'name="other_wards"' in content
    assert confirmed.status_code == 302
    assert list(Patrol.objects.get().hotspots.all()) == [elsewhere]


def test_hotspots_are_labelled_with_their_ward_and_no_confirmation_is_asked_unprompted(
    client, sergeant, ward
):
    HotspotFactory(ward=ward, name="Near Street")
    client.force_login(sergeant)

    content = client.get(reverse("patrols:create")).content.decode()

    assert f"Near Street ({ward.name})" in content
    assert 'name="other_wards"' not in content


def test_several_partners_are_invited_at_once(client, sergeant, ward, ephedra_pc, local_pc):
    soup, health = AgencyFactory(name="Soup Run"), AgencyFactory(name="Health Van")
    data = plan_form(ward, ephedra_pc, local_pc)
    data.update({
        "invitations-TOTAL_FORMS": "2",
        "invitations-0-agency": soup.pk,
        "invitations-0-activity": EngagementActivity.SOUP_KITCHEN,
        "invitations-1-agency": health.pk,
        "invitations-1-activity": EngagementActivity.HEALTH_CHECK,
        "invitations-1-notes": "",
    })  # fmt: skip
    client.force_login(sergeant)
    client.post(reverse("patrols:create"), data)
    patrol = Patrol.objects.get()
    assert sorted(patrol.invitations.values_list("agency__name", "activity")) == [
        ("Health Van", EngagementActivity.HEALTH_CHECK),
        ("Soup Run", EngagementActivity.SOUP_KITCHEN),
    ]


def test_the_plan_form_can_add_another_partner(client, sergeant):
    client.force_login(sergeant)
    content = client.get(reverse("patrols:create")).content.decode()
    # The blank invitation the script copies, numbered by it ("__prefix__").
    assert '<template id="invitation-template">' in content
    assert 'name="invitations-__prefix__-agency"' in content
    assert 'data-add-row="invitation" hidden' in content


def test_hotspots_and_local_pcs_carry_their_ward_for_the_page_to_filter(
    client, sergeant, ward, local_pc
):
    hotspot = HotspotFactory(ward=ward)
    client.force_login(sergeant)
    content = client.get(reverse("patrols:create")).content.decode()
    ward_item = f'<div class="govuk-checkboxes__item" data-ward="{ward.pk}">'
    assert content.count(ward_item) == 2  # the hotspot and the local PC
    assert f'value="{hotspot.pk}"' in content
    assert "js/ward-filter.js" in content
