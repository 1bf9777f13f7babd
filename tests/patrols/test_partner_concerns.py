"""Partners tell the police what they learn (issue 16, item 5): a partner sends a concern
with the woman's consent or anonymised; supervisors of the area see it on the
intelligence list, open it (received, once) and grade it; the partner sees only what
the agency sent and whether it was received."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, Role
from governance.models import AuditEvent
from patrols.models import IntelligenceReport, PartnerConcern
from patrols.services import PatrolRuleError
from patrols.services.concerns import Concern, grade_concern, mark_received, send_concern
from tests.factories import (
    AreaFactory,
    OfficerFactory,
    PartnerUserFactory,
    PersonFactory,
    consented_referral,
    sent_concern,
)

pytestmark = pytest.mark.django_db

NEW = "patrols:partner_concern_new"
SENT = "patrols:partner_concerns"
LIST = "patrols:intelligence"
GRADE = {
    "subject_description": "Man in a grey van (police wording)",
    "details": "Seen collecting money on Tuesdays (police wording)",
    "source_evaluation": "2",
    "intelligence_assessment": "B",
    "handling_code": "P",
    "handling_conditions": "",
}


def form_data(area, **overrides):
    data = {
        "area": area.pk,
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_time": "",
        "kind": "controller",
        "subject_description": "Tall man, grey coat, silver Ford (synthetic)",
        "details": "He took money from two women at the bus stop (synthetic)",
        "sharing": "anonymised",
        "consent_method": "",
        "consent_given_on": "",
        "person": "",
    }
    return data | overrides


def concern(area, **fields) -> Concern:
    values = {
        "area": area,
        "occurred_on": timezone.localdate(),
        "kind": "vehicle",
        "subject_description": "Silver Ford (synthetic)",
        "details": "Circling the block (synthetic)",
        "anonymised": True,
    }
    return Concern(**(values | fields))


# --- Sending -----------------------------------------------------------------------------


def test_a_partner_sends_an_anonymised_concern(client, partner_a, area, sergeant):
    client.force_login(partner_a)

    response = client.post(reverse(NEW), form_data(area))

    sent = PartnerConcern.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patrols:partner_concern", args=[sent.uuid])
    assert (sent.agency, sent.sent_by, sent.area, sent.anonymised) == (
        partner_a.agency,
        partner_a,
        area,
        True,
    )
    assert sent.consent_recorded_by is None
    assert sent.person is None
    assert AuditEvent.objects.filter(action="patrols.partnerconcern.sent").count() == 1
    told = Notification.objects.get(recipient=sergeant)
    assert told.url == reverse("patrols:concern", args=[sent.uuid])
    assert "grey coat" not in told.message
    assert "Lambeth" in told.message


def test_with_consent_she_may_be_linked_to_a_woman_the_agency_works_with(
    client, partner_a, agency_a, area, pc
):
    woman = PersonFactory(area=area, working_name="Linkname Bee")
    consented_referral(agency=agency_a, by=pc, person=woman)
    client.force_login(partner_a)
    data = form_data(
        area,
        sharing="consent",
        consent_method="verbal",
        consent_given_on=timezone.localdate().isoformat(),
        person=str(woman.uuid),
    )

    assert "Linkname Bee" in client.get(reverse(NEW)).content.decode()
    response = client.post(reverse(NEW), data)

    assert response.status_code == 302
    sent = PartnerConcern.objects.get()
    assert (sent.consent_method, sent.consent_recorded_by, sent.person) == (
        "verbal",
        partner_a,
        woman,
    )


def test_another_agency_s_woman_cannot_be_linked(partner_a, agency_b, area, pc):
    theirs = consented_referral(agency=agency_b, by=pc, person=PersonFactory(area=area)).person
    fields = {"anonymised": False, "consent_method": "verbal"}
    fields |= {"consent_given_on": timezone.localdate(), "person": theirs}

    with pytest.raises(PatrolRuleError) as refused:
        send_concern(partner_a, concern(area, **fields))

    assert refused.value.field == "person"


def test_consent_needs_its_method_and_date(client, partner_a, area):
    client.force_login(partner_a)

    response = client.post(reverse(NEW), form_data(area, sharing="consent"))

    assert response.status_code == 200
    assert "Say how she agreed" in str(response.context["form"].errors["consent_method"])
    assert not PartnerConcern.objects.exists()


@pytest.mark.parametrize(
    "extra",
    [{"consent_method": "verbal"}, {"consent_given_on": dt.date(2026, 1, 1)}],
)
def test_anonymised_records_no_consent(partner_a, area, extra):
    with pytest.raises(PatrolRuleError) as refused:
        send_concern(partner_a, concern(area, **extra))
    assert refused.value.field == "anonymised"


def test_the_database_refuses_both_or_neither(partner_a, agency_a, area):
    common = {
        "agency": agency_a,
        "sent_by": partner_a,
        "sent_at": timezone.now(),
        "area": area,
        "occurred_on": timezone.localdate(),
        "kind": "other",
        "subject_description": "x",
        "details": "y",
    }
    both = {"anonymised": True, "consent_method": "verbal"}
    both |= {"consent_given_on": timezone.localdate(), "consent_recorded_by": partner_a}
    for fields in (both, {"anonymised": False}):
        with pytest.raises(IntegrityError), transaction.atomic():
            PartnerConcern.objects.create(**common, **fields)


def test_it_cannot_have_happened_in_the_future(client, partner_a, area):
    client.force_login(partner_a)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = client.post(reverse(NEW), form_data(area, occurred_on=tomorrow))

    assert "cannot be in the future" in str(response.context["form"].errors["occurred_on"])


def test_an_inactive_agency_cannot_send(partner_a, agency_a, area):
    agency_a.active = False
    agency_a.save()

    with pytest.raises(PatrolRuleError, match="active partner agency"):
        send_concern(partner_a, concern(area))


def test_police_cannot_send_through_the_service(sergeant, area):
    with pytest.raises(PatrolRuleError):
        send_concern(sergeant, concern(area))


# --- What the partner sees ---------------------------------------------------------------


def test_the_partner_sees_sent_then_received_and_never_the_grade(client, partner_a, sergeant, area):
    sergeant.first_name = "Sergeantname"
    sergeant.save()
    sent = sent_concern(by=partner_a, area=area)
    client.force_login(partner_a)
    assert "Sent</strong>" in client.get(reverse(SENT)).content.decode()

    grade_concern(sent, sergeant, GRADE | {"handling_code": "C", "handling_conditions": "Cond"})

    for url in (reverse(SENT), reverse("patrols:partner_concern", args=[sent.uuid])):
        body = client.get(url).content.decode()
        assert f"Received by police on {timezone.localdate():%-d %b %Y}" in body
        for police in ("police wording", "Sergeantname", "Lawful sharing", "Cond", "2 –"):
            assert police not in body, (url, police)


def test_colleagues_see_the_agency_s_concerns_and_other_agencies_get_404(
    client, partner_a, partner_b, agency_a, area
):
    sent = sent_concern(by=partner_a, area=area)
    colleague = PartnerUserFactory(agency=agency_a)
    url = reverse("patrols:partner_concern", args=[sent.uuid])

    client.force_login(colleague)
    assert client.get(url).status_code == 200
    client.force_login(partner_b)
    assert client.get(url).status_code == 404
    assert sent.subject_description not in client.get(reverse(SENT)).content.decode()


# --- The police side ---------------------------------------------------------------------


def test_opening_marks_it_received_once(client, sergeant, project_lead, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    url = reverse("patrols:concern", args=[sent.uuid])
    client.force_login(sergeant)

    assert client.get(url).status_code == 200
    first = PartnerConcern.objects.get().received_at
    client.force_login(project_lead)
    client.get(url)

    sent.refresh_from_db()
    assert (sent.received_at, sent.received_by) == (first, sergeant)
    assert AuditEvent.objects.filter(action="patrols.partnerconcern.received").count() == 1


def test_a_sergeant_grades_it_and_it_joins_the_list(client, sergeant, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    client.force_login(sergeant)

    page = client.get(reverse(LIST)).content.decode()
    assert f"Partner: {partner_a.agency.name}" in page
    assert "Nothing to grade" not in page
    response = client.post(reverse("patrols:concern", args=[sent.uuid]), GRADE)

    assert response.status_code == 302
    report = IntelligenceReport.objects.get()
    assert (report.partner_concern, report.submitted_by, report.patrol) == (sent, sergeant, None)
    assert report.subject_description == GRADE["subject_description"]
    sent.refresh_from_db()
    assert sent.subject_description == "Tall man in a grey coat (synthetic)"  # hers, kept
    assert AuditEvent.objects.filter(action="patrols.partnerconcern.graded").count() == 1
    page = client.get(reverse(LIST)).content.decode()
    assert "Nothing to grade" in page
    assert "2BP" in page
    assert "Nothing to grade" in client.get(reverse(LIST), {"show": "to_grade"}).content.decode()


def test_the_grading_form_shows_the_3x5x2_wording(client, sergeant, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    client.force_login(sergeant)

    body = client.get(reverse("patrols:concern", args=[sent.uuid])).content.decode()

    assert "Known indirectly to the source but corroborated" in body
    assert "Lawful sharing permitted with conditions" in body


def test_code_c_needs_conditions_and_grading_happens_once(sergeant, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    with pytest.raises(PatrolRuleError) as refused:
        grade_concern(sent, sergeant, GRADE | {"handling_code": "C"})
    assert refused.value.field == "handling_conditions"

    grade_concern(sent, sergeant, GRADE)
    with pytest.raises(PatrolRuleError, match="already been graded"):
        grade_concern(sent, sergeant, GRADE)


def test_police_of_another_area_get_404_and_cannot_act(client, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    elsewhere = OfficerFactory(role=Role.SERGEANT, areas=[AreaFactory(name="Croydon")])
    client.force_login(elsewhere)

    assert client.get(reverse("patrols:concern", args=[sent.uuid])).status_code == 404
    assert sent.subject_description not in client.get(reverse(LIST)).content.decode()
    with pytest.raises(PatrolRuleError):
        mark_received(sent, elsewhere)


def test_a_pc_may_not_grade(pc, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    with pytest.raises(PatrolRuleError):
        grade_concern(sent, pc, GRADE)


# --- Query budgets -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_the_partner_list_runs_constant_queries(
    client, partner_a, area, count, django_assert_num_queries
):
    for _ in range(count):
        sent_concern(by=partner_a, area=area)
    client.force_login(partner_a)
    client.get(reverse(SENT))
    # 1 session, 2 user, 3 savepoint, 4 the concerns with their areas and people, 5 the
    # "viewed" rows (one INSERT), 6 the header's unread notification count, 7 the user's
    # agency (the caption), 8 release.
    with django_assert_num_queries(8):
        response = client.get(reverse(SENT))
    assert len(response.context["concerns"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_intelligence_list_runs_constant_queries(
    client, sergeant, partner_a, area, count, django_assert_num_queries
):
    for n in range(count):
        sent = sent_concern(by=partner_a, area=area)
        if n % 2:
            grade_concern(sent, sergeant, GRADE)
    client.force_login(sergeant)
    client.get(reverse(LIST))
    # 1 session, 2 user, 3 savepoint, 4 the concerns to grade with agency and area, 5 the
    # count of graded reports (pagination), 6 a page of them with their sources, 7 the
    # "viewed" rows (one INSERT), 8 the header's unread count, 9 release.
    with django_assert_num_queries(9):
        response = client.get(reverse(LIST))
    assert len(response.context["to_grade"]) + len(response.context["page"].object_list) == count


def test_grading_twice_through_the_page_says_so(client, sergeant, project_lead, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    grade_concern(sent, sergeant, GRADE)
    client.force_login(project_lead)

    response = client.post(reverse("patrols:concern", args=[sent.uuid]), GRADE, follow=True)

    assert "already been graded" in response.content.decode()
    assert IntelligenceReport.objects.count() == 1


def test_the_form_warns_to_leave_out_what_identifies_her(client, partner_a):
    client.force_login(partner_a)

    body = client.get(reverse(NEW)).content.decode()

    assert "leave out anything that could identify her" in body
    assert "Send it anonymised" in body


# --- Each rule says why, at its field (found by `make mutants`) ------------------------------


@pytest.fixture
def at_noon(monkeypatch):
    """The clock at noon today, so that "later today" is a definite time."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr(timezone, "localtime", lambda *args, **kwargs: noon)
    return noon


def test_a_time_later_today_is_refused_and_any_time_on_an_earlier_day_is_not(
    partner_a, area, at_noon
):
    with pytest.raises(
        PatrolRuleError, match="^The time it happened cannot be in the future.$"
    ) as refused:
        send_concern(partner_a, concern(area, occurred_time=dt.time(13, 0)))
    assert refused.value.field == "occurred_time"
    yesterday = at_noon.date() - dt.timedelta(days=1)
    send_concern(partner_a, concern(area, occurred_on=yesterday, occurred_time=dt.time(13, 0)))
    send_concern(partner_a, concern(area, occurred_time=dt.time(11, 0)))
    assert PartnerConcern.objects.count() == 2


@pytest.mark.parametrize("field", ["subject_description", "details"])
def test_who_or_what_and_what_happened_are_required(partner_a, area, field):
    with pytest.raises(
        PatrolRuleError, match="^Say who or what it is about, and what happened.$"
    ) as refused:
        send_concern(partner_a, concern(area, **{field: "  "}))
    assert refused.value.field == field
    assert not PartnerConcern.objects.exists()


def test_her_words_are_kept_without_surrounding_spaces(partner_a, area):
    sent = send_concern(partner_a, concern(area, subject_description=" Van ", details=" Seen "))
    assert (sent.subject_description, sent.details) == ("Van", "Seen")


@pytest.mark.parametrize(
    ("given_on", "why"),
    [(None, "^Enter the date she agreed.$"), (1, "^The date she agreed cannot be in the future.$")],
)
def test_consent_needs_a_date_that_has_come(partner_a, area, given_on, why):
    if given_on is not None:
        given_on = timezone.localdate() + dt.timedelta(days=given_on)
    fields = {"anonymised": False, "consent_method": "verbal", "consent_given_on": given_on}
    with pytest.raises(PatrolRuleError, match=why) as refused:
        send_concern(partner_a, concern(area, **fields))
    assert refused.value.field == "consent_given_on"
    assert not PartnerConcern.objects.exists()


def test_an_anonymised_concern_links_to_no_one(partner_a, agency_a, area, pc):
    woman = consented_referral(agency=agency_a, by=pc, person=PersonFactory(area=area)).person
    with pytest.raises(
        PatrolRuleError, match="^An anonymised concern records no consent and links to no one.$"
    ) as refused:
        send_concern(partner_a, concern(area, person=woman))
    assert refused.value.field == "anonymised"


def test_only_the_active_sergeants_of_the_borough_are_told(
    partner_a, area, other_area, sergeant, pc, project_lead
):
    OfficerFactory(role=Role.SERGEANT, areas=[area], is_active=False)
    OfficerFactory(role=Role.SERGEANT, areas=[other_area])
    second = OfficerFactory(role=Role.SERGEANT, areas=[area])
    sent = sent_concern(by=partner_a, area=area)
    told = Notification.objects.order_by("recipient_id")
    assert [n.recipient for n in told] == [sergeant, second]
    assert {n.message for n in told} == {
        f"A partner agency has sent a concern in {area} for you to grade."
    }
    assert {n.url for n in told} == {reverse("patrols:concern", args=[sent.uuid])}


def test_the_police_are_told_why_they_cannot_send_or_act(sergeant, pc, partner_a, area):
    with pytest.raises(
        PatrolRuleError, match="^Only a user of an active partner agency can send a concern.$"
    ):
        send_concern(sergeant, concern(area))
    sent = sent_concern(by=partner_a, area=area)
    with pytest.raises(
        PatrolRuleError, match="^Only a supervisor of its borough can act on this concern.$"
    ):
        grade_concern(sent, pc, GRADE)
    assert not IntelligenceReport.objects.exists()


AUTOMATIC = ("patrols.partnerconcern.created", "patrols.partnerconcern.changed")


def test_receiving_and_grading_are_audited_with_who(sergeant, partner_a, area):
    sent = sent_concern(by=partner_a, area=area)
    grade_concern(sent, sergeant, GRADE | {"handling_code": "C", "handling_conditions": "Ask"})
    rows = AuditEvent.objects.for_object(sent).exclude(action__in=AUTOMATIC)
    assert [(e.action, e.actor) for e in rows.order_by("pk")] == [
        ("patrols.partnerconcern.sent", partner_a),
        ("patrols.partnerconcern.received", sergeant),
        ("patrols.partnerconcern.graded", sergeant),
    ]
    assert IntelligenceReport.objects.get().review_on is not None
