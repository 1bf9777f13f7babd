"""Every signed-in user sees how many notifications are unread beside "Notifications" in
the header: police and administrators as partner users do (tests/referrals/
test_portal_caseload.py has the partner's)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who", ["pc", "sergeant", "project_lead", "admin_user"])
def test_the_header_counts_unread_notifications_for_everyone(client, request, who):
    user = request.getfixturevalue(who)
    other = request.getfixturevalue("sergeant" if who != "sergeant" else "pc")
    notify([user], "A referral passed its deadline (synthetic).", "/referrals/")
    notify([user], "Another one (synthetic).", "/referrals/")
    notify([other], "Not yours (synthetic).", "/referrals/")
    client.force_login(user)

    body = client.get(reverse("home")).content.decode()
    assert 'data-unread="2">2<span class="govuk-visually-hidden"> unread</span>' in body

    Notification.objects.filter(recipient=user).update(read_at=timezone.now())
    assert "data-unread" not in client.get(reverse("home")).content.decode()
