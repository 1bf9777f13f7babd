"""What a request says about its client."""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. Behind our TLS proxy (BEHIND_TLS_PROXY) it is the last entry
    of X-Forwarded-For, the one the proxy appended: earlier entries are whatever the client
    sent and prove nothing. Anything that is not an IP address is dropped."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        address = next((p for p in reversed(forwarded) if p), address)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
