from django.apps import AppConfig
from django.db.models.signals import post_delete


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and areas"

    def ready(self):
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .models import BackupCodeDevice

        for model in (TOTPDevice, BackupCodeDevice, StaticDevice):
            post_delete.connect(_end_sessions_verified_by, sender=model, dispatch_uid=f"{model}")


def _end_sessions_verified_by(sender, instance, **kwargs):
    """Sessions trust the device that verified them without looking it up on every request
    (accounts.middleware.SecondFactorMiddleware), so removing a confirmed device anywhere —
    the admin included — ends the owner's sessions ('sign out everywhere')."""
    from django.utils import timezone

    from .models import User

    if instance.confirmed:
        User.objects.filter(pk=instance.user_id).update(sessions_valid_after=timezone.now())
