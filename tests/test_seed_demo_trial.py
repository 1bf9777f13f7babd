"""The demo world has a randomised trial a new user can open: registered in Lambeth, weeks
allocated, plans that follow the allocation but for the two planted departures (recorded
by the trial service, one with a supervisor's reason); its lead can open it, a partner
cannot (404)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from patrols.models import DeviationKind, Trial
from reporting import trial_jobs

pytestmark = pytest.mark.django_db


def test_the_lead_opens_the_demo_trial_and_a_partner_cannot(client):
    """(Seeding again keeps the one trial: test_seed_demo counts every model's rows.)"""
    call_command("seed_demo")
    trial = Trial.objects.get()
    url = reverse("reporting:trial", args=[trial.uuid])

    client.force_login(User.objects.get(username="demo-lead"))
    lead = client.get(url)
    client.force_login(User.objects.get(username="demo-partner"))
    partner = client.get(url)

    assert lead.status_code == 200
    html = lead.content.decode()
    assert "Week 6, from" in html  # six weeks allocated so far, and more
    assert "trial: patrol" in html
    assert "Called to a disturbance nearby" in html
    assert partner.status_code == 404

    # The plans follow the allocation but for the two planted departures.
    deviations = set(trial.deviations.values_list("week", "kind"))
    assert deviations == {
        (2, DeviationKind.PLANNED_CONTROL),
        (2, DeviationKind.VISITED_CONTROL),
        (4, DeviationKind.MISSED_PATROL),
    }
    assert trial.hotspots.count() == 6
    assert trial.registered_at.date() < trial.starts_on

    # Once the worker has run the area's Evidence job, the page shows a result.
    trial_jobs.analyse_area(trial.area_id)
    client.force_login(User.objects.get(username="demo-lead"))
    assert "data-result" in client.get(url).content.decode()
