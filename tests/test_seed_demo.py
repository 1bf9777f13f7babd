"""seed_demo builds the same synthetic world however often it runs."""

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import Role, User
from patrols.models import Arrest, Patrol, PatrolStatus, WorkReturn
from referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db

DOMAIN_APPS = ("accounts", "partners", "patrols", "referrals", "reporting")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in DOMAIN_APPS
        for model in apps.get_app_config(app).get_models()
    }


def test_running_twice_yields_the_same_counts(settings):
    settings.DEMO_PASSWORDS = True
    call_command("seed_demo", stdout=None)
    first = row_counts()
    call_command("seed_demo")
    assert row_counts() == first
    assert first["patrols.Patrol"] > 90
    assert first["referrals.Referral"] >= 20


def test_demo_world_covers_what_the_operation_records():
    call_command("seed_demo")
    statuses = set(Patrol.objects.values_list("status", flat=True))
    assert {PatrolStatus.CANCELLED, PatrolStatus.PLANNED, PatrolStatus.CLOSED} <= statuses
    assert WorkReturn.objects.filter(women_seen=0).exists(), "a quiet night is still a return"
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert Arrest.objects.filter(caution__isnull=False).exists()
    friday_or_saturday = Patrol.objects.filter(starts_at__week_day__in=[6, 7]).count()
    assert friday_or_saturday == Patrol.objects.count()
    # The partner logins are their agencies' named contacts, so escalations reach someone.
    partner = User.objects.get(username="demo-partner")
    assert partner.agency.contact_user == partner


def test_one_login_per_role_with_demo_password_only_when_debug(settings):
    settings.DEMO_PASSWORDS = False
    call_command("seed_demo")
    roles = set(User.objects.filter(username__startswith="demo-").values_list("role", flat=True))
    assert roles == set(Role.values)
    assert not User.objects.get(username="demo-lead").has_usable_password()

    settings.DEMO_PASSWORDS = True
    call_command("seed_demo")
    assert User.objects.get(username="demo-lead").check_password("ephedra-demo-2026")


def test_the_evidence_figures_are_asked_for_not_worked_out_here(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Working them out takes seconds per area: the worker does (`make run`), not the seed."""
    from accounts.models import Area
    from reporting import evidence_jobs
    from reporting.models import EvidenceRun, EvidenceStatus

    def refuse(run_id):
        raise AssertionError("the seed sent a run to be worked out")

    monkeypatch.setattr(evidence_jobs, "enqueue", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo")
    runs = EvidenceRun.objects.all()
    assert {run.status for run in runs} == {EvidenceStatus.PENDING}
    assert {run.area_id for run in runs} == set(Area.objects.values_list("pk", flat=True))
