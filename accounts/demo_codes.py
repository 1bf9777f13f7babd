"""The demo logins' documented authenticator secret, and its current code.

Accounts owns the second factor, so it owns this too: the demo seed (``demo``) gives the
secret to demo logins, and the "Enter your code" page shows the current code for them,
both only with demo passwords (DEBUG).
"""

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# Every demo login's authenticator secret (README: base32 MVYGQZLEOJQS2ZDFNVXS25DPORYC2MRW),
# given only with demo passwords; the sign-in's code page also shows its current code then.
DEMO_TOTP_KEY = b"ephedra-demo-totp-26".hex()


def demo_code(user) -> str | None:
    """Only with demo passwords (DEBUG): the current code of a demo account's documented
    secret, so a demonstration does not need a phone."""
    if not settings.DEMO_PASSWORDS:
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_TOTP_KEY).first()
    if device is None:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
