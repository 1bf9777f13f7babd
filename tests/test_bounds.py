"""Every date a person enters in a page is in the plausible range (core.dates): refused at
the field with the range in the message, nothing written, never a 500; and a ?week= out
of range or garbage shows the page with a message.

DATE_FIELDS is the list of every date input, found by hand (grep DateField,
DateTimeField, DateFilter); test_the_list_is_complete finds them again by walking every
form, filter and serializer of the project, so a new date input without the bound (or
without an entry here) fails."""

import datetime as dt
import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from accounts.forms import TrainingForm
from accounts.models import Role
from core.dates import EARLIEST, latest, range_message, validate_plausible
from dataprotection.forms_audit import AuditSearchForm
from patrols.filters import (
    ArrestFilter,
    CautionFilter,
    EncounterFilter,
    IntelligenceFilter,
    PatrolFilter,
)
from patrols.forms.hotspots import HotspotForm
from patrols.forms.planning import PatrolForm, PatrolListFilter
from patrols.forms.return_rows import ArrestForm
from patrols.forms.returns import ReturnForm
from patrols.models import Hotspot, Patrol, PatrolStatus
from referrals.filters import PersonApiFilter, ReferralApiFilter
from referrals.forms import PortalCourseForm
from referrals.forms_police import MakeReferralForm
from referrals.models import Referral
from reporting.models import GeneratedReport, ReportKind
from tests.factories import (
    HotspotFactory,
    OfficerFactory,
    PatrolFactory,
    PersonFactory,
    WardFactory,
)
from tests.patrols.test_hotspot_views import form_data as hotspot_form
from tests.patrols.test_planning_views import plan_form
from tests.patrols.test_return_views import crewed_patrol, quiet_night_page, typed, urls
from tests.referrals.test_police_views import consent_form, create_url

pytestmark = pytest.mark.django_db

EXTREMES = ["0001-01-01", "9999-12-31"]
RANGE = "Enter a date between 1 January 2000 and"
APPS = [
    "accounts",
    "core",
    "dataprotection",
    "demo",
    "governance",
    "pages",
    "partners",
    "patrols",
    "referrals",
    "reporting",
]

# Every date a person enters: (form, filter set or serializer, field name).
DATE_FIELDS = [
    (HotspotForm, "identified_on"),
    ("patrols.forms.concerns.ConcernForm", "occurred_on"),
    ("patrols.forms.concerns.ConcernForm", "consent_given_on"),
    (TrainingForm, "held_on"),
    ("accounts.forms_invite.InviteOfficerForm", "trained_on"),
    (PatrolForm, "date"),
    (ReturnForm, "date"),
    (ArrestForm, "caution_given_on"),
    (ArrestForm, "caution_deadline"),
    (PortalCourseForm, "on"),
    (MakeReferralForm, "consent_date"),
    (AuditSearchForm, "date_from"),
    (AuditSearchForm, "date_to"),
    ("reporting.forms_reports.ReportRequestForm", "week"),
    (PatrolListFilter, "date_from"),
    (PatrolListFilter, "date_to"),
    (PatrolFilter, "starts_after"),
    (PatrolFilter, "starts_before"),
    (EncounterFilter, "occurred_after"),
    (EncounterFilter, "occurred_before"),
    (ArrestFilter, "arrested_after"),
    (ArrestFilter, "arrested_before"),
    (CautionFilter, "given_after"),
    (CautionFilter, "given_before"),
    (CautionFilter, "deadline_before"),
    (IntelligenceFilter, "submitted_after"),
    (IntelligenceFilter, "submitted_before"),
    (ReferralApiFilter, "referred_after"),
    (ReferralApiFilter, "referred_before"),
    (PersonApiFilter, "first_seen_after"),
    (PersonApiFilter, "first_seen_before"),
    ("patrols.api.inputs.HotspotWriteSerializer", "identified_on"),
    ("patrols.api.inputs.PatrolWriteSerializer", "date"),
    ("patrols.api.inputs.EncounterInputSerializer", "occurred_at"),
    ("patrols.api.inputs.CautionInputSerializer", "given_on"),
    ("patrols.api.inputs.CautionInputSerializer", "deadline"),
    ("patrols.api.inputs.ArrestInputSerializer", "arrested_at"),
    ("patrols.api.inputs.ReferralInputSerializer", "consent_given_at"),
    ("patrols.api.inputs.VisitInputSerializer", "arrived_at"),
    ("patrols.api.inputs.VisitInputSerializer", "left_at"),
    ("patrols.api.inputs.ReturnMainFields", "started_at"),
    ("patrols.api.inputs.ReturnMainFields", "ended_at"),
    ("referrals.api.inputs.CourseStepSerializer", "on"),
    ("referrals.api.inputs.ReferralCreateSerializer", "consent_given_at"),
    ("reporting.api.ReportRequestSerializer", "week"),
    ("referrals.forms_safeguarding.RiskForm", "review_on"),
    ("referrals.forms_safeguarding.MarkerForm", "nrm_referred_on"),
    ("reporting.forms_trials.TrialForm", "starts_on"),
]


def resolve(owner):
    if isinstance(owner, str):
        module, name = owner.rsplit(".", 1)
        return getattr(importlib.import_module(module), name)
    return owner


def field_of(owner, name: str):
    """The field that reads the value: a form's, a filter's form field, a serializer's."""
    owner = resolve(owner)
    if issubclass(owner, forms.BaseForm):
        return owner.base_fields[name]
    if issubclass(owner, django_filters.FilterSet):
        return owner.base_filters[name].field
    return owner._declared_fields[name]


def clean(field, value: str):
    if isinstance(field, serializers.Field):
        return field.run_validation(value)
    return field.clean(value)


def name_of(owner) -> str:
    owner = resolve(owner)
    return f"{owner.__module__}.{owner.__qualname__}"


# --- The list, and each field in it -------------------------------------------------------


def project_classes():
    """Every class defined in the apps' modules (not tests, migrations or the admin)."""
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, f"{app}."):
            if any(part in info.name for part in ("migrations", "admin", "management")):
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__:
                    yield cls


# Serializers that only ever answer (never read a body): their dates are not inputs.
ANSWERS_ONLY = {
    ("referrals.api.serializers.StepSerializer", "at"),
    ("referrals.api.serializers.StepSerializer", "course_step_on"),
}
KINDS = (forms.DateField, forms.DateTimeField, serializers.DateField, serializers.DateTimeField)


def fields_of(cls) -> dict:
    if issubclass(cls, forms.BaseForm):
        return getattr(cls, "base_fields", {})
    if issubclass(cls, django_filters.FilterSet):
        filters = getattr(cls, "base_filters", {})
        return {name: f.field_class(**f.extra) for name, f in filters.items()}
    if issubclass(cls, serializers.Serializer):
        return getattr(cls, "_declared_fields", {})
    return {}


def date_inputs(cls) -> list[str]:
    """The date and date-time inputs a class declares (not those it inherits as they are)."""
    if issubclass(cls, django_filters.FilterSet):
        inherited = {n for base in cls.__mro__[1:] for n in getattr(base, "base_filters", {})}
        own = {n: f for n, f in fields_of(cls).items() if n not in inherited}
    else:
        own = {
            name: field
            for name, field in fields_of(cls).items()
            if not any(fields_of(base).get(name) is field for base in cls.__mro__[1:-1])
        }
    return [
        name
        for name, field in own.items()
        if isinstance(field, KINDS) and not getattr(field, "read_only", False)
    ]


def test_the_list_is_complete():
    found = {(name_of(cls), field) for cls in project_classes() for field in date_inputs(cls)}
    found -= ANSWERS_ONLY
    listed = {(name_of(owner), field) for owner, field in DATE_FIELDS}

    assert found - listed == set(), "date inputs missing from DATE_FIELDS (or unbounded)"
    assert listed - found == set(), "DATE_FIELDS names inputs that are not there"


@pytest.mark.parametrize(("owner", "name"), DATE_FIELDS, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize("value", EXTREMES)
def test_every_date_input_refuses_the_calendars_ends_with_the_range(owner, name, value):
    field = field_of(owner, name)
    errors = (ValidationError, serializers.ValidationError)

    with pytest.raises(errors) as refused:
        clean(field, value)

    assert RANGE in str(refused.value)


@pytest.mark.parametrize(("owner", "name"), DATE_FIELDS, ids=lambda v: getattr(v, "__name__", v))
def test_every_date_input_takes_the_ends_of_the_range(owner, name):
    field = field_of(owner, name)
    for day in (EARLIEST, latest()):
        assert clean(field, day.isoformat())
        with pytest.raises((ValidationError, serializers.ValidationError)):
            clean(field, (day + dt.timedelta(days=1 if day != EARLIEST else -1)).isoformat())


def test_the_range_is_named_in_words():
    assert range_message() == (
        f"Enter a date between 1 January 2000 and 31 December {timezone.localdate().year + 5}."
    )
    validate_plausible(None)  # nothing typed is for `required` to judge


# --- Pages: forms -------------------------------------------------------------------------


@pytest.fixture
def ward(area):
    return WardFactory(area=area, name="Brixton North")


@pytest.fixture
def local_pc(area, ward):
    return OfficerFactory(
        role=Role.PC, areas=[area], profile__home_ward=ward, profile__ephedra_trained_on=None
    )


def field_error(response, field_id: str) -> str:
    assert response.status_code == 200, response.status_code
    content = response.content.decode()
    start = content.find(f'id="{field_id}-error"')
    assert start >= 0, f"no error at {field_id}"
    return content[start : start + 400]


@pytest.mark.parametrize("day", EXTREMES)
def test_a_patrol_at_the_calendars_ends_overnight_is_refused_at_the_date(
    client, sergeant, ward, pc, local_pc, day
):
    client.force_login(sergeant)

    response = client.post(reverse("patrols:create"), plan_form(ward, pc, local_pc, date=day))

    assert RANGE in field_error(response, "id_date")
    assert not Patrol.objects.exists()


@pytest.mark.parametrize("day", EXTREMES)
def test_a_hotspot_identified_at_the_calendars_ends_is_refused(client, sergeant, ward, day):
    client.force_login(sergeant)

    response = client.post(reverse("patrols:hotspot_create"), hotspot_form(ward, identified_on=day))

    assert RANGE in field_error(response, "id_identified_on")
    assert not Hotspot.objects.exists()


@pytest.mark.parametrize("day", EXTREMES)
def test_a_work_return_at_the_calendars_ends_is_refused(client, pc, ward, local_pc, day):
    patrol = crewed_patrol(ward, pc, local_pc)
    client.force_login(pc)
    url = urls(patrol)["work_return"]

    response = client.post(
        url, quiet_night_page(client, patrol) | typed(date=day, end_time="04:00")
    )

    assert RANGE in field_error(response, "id_date")
    patrol.refresh_from_db()
    assert patrol.status == PatrolStatus.DEPLOYED
    assert not hasattr(patrol, "work_return") or patrol.work_return.pk is None


@pytest.mark.parametrize("day", EXTREMES)
def test_a_referral_with_consent_at_the_calendars_ends_is_refused(client, pc, area, agency_a, day):
    person = PersonFactory(area=area, created_by=pc)
    client.force_login(pc)

    response = client.post(create_url(person), consent_form(agency_a, consent_date=day))

    assert RANGE in field_error(response, "id_consent_date")
    assert not Referral.objects.exists()


@pytest.mark.parametrize("day", EXTREMES)
def test_a_report_for_a_week_at_the_calendars_ends_is_refused(client, project_lead, area, day):
    client.force_login(project_lead)
    data = {"kind": ReportKind.WEEKLY_DEPLOYMENT, "area": area.pk, "week": day}

    response = client.post(reverse("reporting:reports"), data)

    assert RANGE in field_error(response, "id_week")
    assert not GeneratedReport.objects.exists()


# --- Pages: filters and ?week= -------------------------------------------------------------

GARBAGE = ["0001-01-01", "9999-12-31", "2025-02-30", "not-a-date", "9" * 40]


@pytest.mark.parametrize("value", GARBAGE)
@pytest.mark.parametrize(
    ("url_name", "param"),
    [
        ("patrols:list", "date_from"),
        ("patrols:list", "date_to"),
        ("governance:audit_log", "date_from"),
        ("governance:audit_log", "date_to"),
    ],
)
def test_a_list_filter_out_of_range_is_a_field_error(client, project_lead, url_name, param, value):
    client.force_login(project_lead)

    response = client.get(reverse(url_name), {param: value})

    error = field_error(response, f"id_{param}")
    if value in EXTREMES:
        assert RANGE in error


WEEK_PAGES = ["patrols:week", "reporting:weekly_sheet", "reporting:ranking"]


@pytest.mark.parametrize("url_name", WEEK_PAGES)
@pytest.mark.parametrize("value", GARBAGE)
def test_a_week_out_of_range_or_garbage_shows_the_page_with_a_message(
    client, project_lead, area, url_name, value
):
    PatrolFactory(ward=WardFactory(area=area))
    client.force_login(project_lead)

    response = client.get(reverse(url_name), {"week": value, "area": area.pk})

    assert response.status_code == 200
    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "instead" in messages
    if value in EXTREMES:
        assert RANGE in messages
        assert RANGE in response.content.decode()


@pytest.mark.parametrize("url_name", WEEK_PAGES)
def test_a_plausible_week_shows_no_message(client, project_lead, area, url_name):
    client.force_login(project_lead)

    response = client.get(reverse(url_name), {"week": "2025-03-05", "area": area.pk})

    assert response.status_code == 200
    assert not list(get_messages(response.wsgi_request))


@pytest.mark.parametrize("value", EXTREMES)
def test_copying_into_a_week_out_of_range_copies_nothing(client, sergeant, ward, value):
    HotspotFactory(ward=ward)
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    PatrolFactory(
        ward=ward, starts_at=timezone.make_aware(dt.datetime.combine(monday, dt.time(20)))
    )
    client.force_login(sergeant)
    patrols = Patrol.objects.count()

    response = client.post(reverse("patrols:copy_last_week"), {"week": value})

    assert response.status_code == 302
    assert Patrol.objects.count() == patrols
    assert "Nothing was copied" in " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("value", EXTREMES)
def test_asking_for_a_sheet_of_a_week_out_of_range_asks_for_nothing(
    client, project_lead, area, value
):
    client.force_login(project_lead)

    response = client.post(reverse("reporting:weekly_sheet"), {"week": value, "area": area.pk})

    assert response.status_code == 302
    assert not GeneratedReport.objects.exists()


@pytest.mark.parametrize("value", GARBAGE)
def test_planning_from_a_night_out_of_range_leaves_the_date_empty(client, sergeant, value):
    client.force_login(sergeant)

    response = client.get(reverse("patrols:create"), {"date": value})

    assert response.status_code == 200
    assert response.context["form"].initial.get("date") is None
    assert "Choose the night below" in response.content.decode()


def test_planning_from_a_plausible_night_fills_it_in(client, sergeant):
    client.force_login(sergeant)

    response = client.get(reverse("patrols:create"), {"date": "2026-03-06"})

    assert response.context["form"].initial["date"] == dt.date(2026, 3, 6)
