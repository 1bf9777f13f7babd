"""Backup codes are stored as keyed hashes and work once; codes are checked through
django-otp's public API with its throttling, and the answer says when to wait; wrong
codes and enrolment are audited; new codes need a recent password and end the user's
other sessions."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import backup_codes as hashing
from accounts import second_factor, services
from accounts.middleware import REAUTHENTICATED_AT, SecondFactorMiddleware
from accounts.models import BackupCode, BackupCodeDevice
from governance.models import AuditEvent, object_key
from tests.accounts.test_mfa import current_code, sign_in_with_password
from tests.factories import backup_codes

pytestmark = pytest.mark.django_db
SHOWN_CODE = re.compile(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>")
FAILED = "accounts.user.second_factor_failed"


@pytest.fixture
def app_device(pc):
    return TOTPDevice.objects.create(user=pc, name="phone", confirmed=True)


def every_stored_string() -> str:
    """Every text column of the backup-code and django-otp tables, as one string."""
    tables = ["accounts_backupcode", "accounts_backupcodedevice", "otp_static_statictoken"]
    found = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed names)
            found += [str(value) for row in cursor.fetchall() for value in row]
    return " ".join(found)


def forget_pause(device) -> None:
    """As if the pause after the last wrong code were over (the count stays)."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1)
    )


# --- Stored hashed, each code once -----------------------------------------------------


def test_the_database_holds_no_backup_code_in_clear(pc):
    codes = services.confirm_app_device(pc, services.pending_app_device(pc))

    stored = every_stored_string()
    assert len(codes) == 10
    for code in codes:
        assert hashing.normalised(code) not in stored
        assert code not in stored
    assert not StaticToken.objects.exists()
    assert BackupCode.objects.filter(device__user=pc).count() == 10


def test_a_hash_is_keyed_and_bound_to_its_device(settings):
    one = hashing.digest(1, "abcde23456")
    assert one == hashing.digest(1, "ABCDE-23456")  # as typed, spaces and dashes ignored
    assert one != hashing.digest(2, "abcde23456")  # the same code on another device
    settings.SECRET_KEY = "another-key-entirely-for-this-test-only-0123456789"
    assert hashing.digest(1, "abcde23456") != one  # not a plain SHA-256 of the code


def test_a_code_survives_a_key_rotation(pc, settings):
    device = backup_codes(pc, "abcde23456")
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-key-after-rotation-0123456789-abcdefghijkl"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert second_factor.verify(pc, "abcde23456").device == device


def test_a_backup_code_works_once_and_its_use_is_audited(pc):
    device = backup_codes(pc, "abcde23456", "fghjk78923")

    assert second_factor.verify(pc, "abcde-23456").device == device
    assert BackupCode.objects.filter(device=device).count() == 1
    used = AuditEvent.objects.get(action=second_factor.BACKUP_CODE_USED)
    assert used.object_id == object_key(pc)
    assert used.detail == "1 backup code left."

    forget_pause(device)
    assert second_factor.verify(pc, "abcde23456").device is None  # spent


def test_a_wrong_backup_code_is_audited_and_counted(client, pc, app_device):
    device = backup_codes(pc, "abcde23456")
    sign_in_with_password(client, pc)

    response = client.post(reverse("accounts:verify"), {"code": "zzzzz22222"})

    assert "The code is not right" in response.content.decode()
    row = AuditEvent.objects.get(action=FAILED)
    assert row.object_id == object_key(pc)
    assert row.actor == pc
    assert row.detail == "Backup code wrong (1 in a row)."
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    app_device.refresh_from_db()
    assert app_device.throttling_failure_count == 0  # a backup code never pauses the app


def test_a_wrong_app_code_is_audited(client, pc, app_device):
    sign_in_with_password(client, pc)
    wrong = f"{(int(current_code(app_device)) + 1) % 1_000_000:06d}"
    client.post(reverse("accounts:verify"), {"code": wrong})
    assert AuditEvent.objects.filter(action=FAILED, object_id=object_key(pc)).count() == 1


def test_clear_codes_from_before_are_hashed_by_the_migration(pc):
    old = StaticDevice.objects.create(user=pc, name="Backup codes", confirmed=True)
    old.token_set.create(token="abcd2345")  # noqa: S106 (a synthetic code)
    old.token_set.create(token="efgh6723")  # noqa: S106 (a synthetic code)
    migration = importlib.import_module("accounts.migrations.0008_hash_static_tokens")

    migration.hash_clear_codes(apps, None)

    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert "abcd2345" not in every_stored_string()
    device = BackupCodeDevice.objects.get(user=pc)
    assert device.codes.count() == 2
    assert second_factor.verify(pc, "abcd2345").device == device  # the printed code works
    assert second_factor.has_second_factor(pc)


# --- Throttling: the wait in words, never "not right" for a right code -----------------


def test_after_three_wrong_codes_the_page_says_to_wait_even_for_a_right_code(
    client, pc, app_device
):
    sign_in_with_password(client, pc)
    for _attempt in range(3):
        forget_pause(app_device)
        response = client.post(reverse("accounts:verify"), {"code": "000000"})
    content = response.content.decode()
    assert "You have entered 3 wrong codes in a row: wait 4 seconds" in content

    response = client.post(reverse("accounts:verify"), {"code": current_code(app_device)})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Wait 4 seconds" in content or "Wait 3 seconds" in content
    assert "even a right one" in content
    assert "The code is not right" not in content
    assert client.get("/").status_code == 302  # still not signed in
    assert AuditEvent.objects.filter(action=FAILED, detail__contains="refused unchecked").exists()

    forget_pause(app_device)
    response = client.post(reverse("accounts:verify"), {"code": current_code(app_device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_the_wait_is_said_in_words():
    assert second_factor.in_words(0.2) == "1 second"
    assert second_factor.in_words(4) == "4 seconds"
    assert second_factor.in_words(61) == "2 minutes"
    assert second_factor.in_words(60) == "1 minute"


def test_enrolment_is_throttled_and_audited_too(client, pc):
    sign_in_with_password(client, pc)
    client.get(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=pc)
    for _attempt in range(3):
        forget_pause(device)
        client.post(reverse("accounts:enrol"), {"code": "000000"})
    response = client.post(reverse("accounts:enrol"), {"code": current_code(device)})
    assert "even a right one" in response.content.decode()
    assert AuditEvent.objects.filter(action=FAILED).count() == 4

    forget_pause(device)
    response = client.post(reverse("accounts:enrol"), {"code": current_code(device)})
    assert response.status_code == 200
    assert len(SHOWN_CODE.findall(response.content.decode())) == 10
    assert AuditEvent.objects.filter(
        action="accounts.user.second_factor_enrolled", object_id=object_key(pc)
    ).exists()


def test_the_middleware_uses_no_private_django_otp_method():
    assert not issubclass(SecondFactorMiddleware, OTPMiddleware)
    assert not any(name.startswith("_verify") for name in vars(SecondFactorMiddleware))


def test_a_session_verified_by_a_spent_backup_code_stays_verified(client, pc):
    backup_codes(pc, "abcde23456")
    sign_in_with_password(client, pc)
    assert client.post(reverse("accounts:verify"), {"code": "abcde23456"}).status_code == 302
    assert client.get("/").status_code == 200  # the device remains, its last code spent


# --- New codes: password again, other sessions end ---------------------------------------


def test_new_codes_need_a_recent_password(client, pc):
    client.force_login(pc)
    session = client.session
    session[REAUTHENTICATED_AT] -= 3600
    session.save()
    backup_codes(pc, "abcde23456")

    response = client.post(
        reverse("accounts:backup_codes"), HTTP_REFERER=reverse("accounts:security")
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:confirm_identity"))
    assert BackupCode.objects.filter(device__user=pc).count() == 1  # unchanged
    response = client.post(
        response.url, {"password": "correct-horse-battery-staple", "next": "/account/"}
    )
    assert response.url == reverse("accounts:security")
    response = client.post(reverse("accounts:backup_codes"))
    assert len(SHOWN_CODE.findall(response.content.decode())) == 10


def test_new_codes_end_every_other_session_but_this_one(client, pc):
    client.force_login(pc)
    elsewhere = Client()
    elsewhere.force_login(pc)
    assert elsewhere.get("/").status_code == 200

    response = client.post(reverse("accounts:backup_codes"))

    assert len(SHOWN_CODE.findall(response.content.decode())) == 10
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:security")).status_code == 200
    response = elsewhere.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    row = AuditEvent.objects.get(action="accounts.user.backup_codes_regenerated")
    assert row.actor == pc
