"""What a request says about its client."""

from __future__ import annotations

import ipaddress

from django.conf import settings

# The unspecified address: "the client's address is not known" (a request with no peer
# address, such as one made in a management command), never an empty value.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 - a value recorded, never bound


def client_ip(request) -> str:
    """The client's address: the one resolver for the lockout (django-axes), throttling
    and the audit log, so that all three count the same client.

    Behind our TLS proxy (BEHIND_TLS_PROXY) it is the last entry of X-Forwarded-For, the
    one the proxy appended: earlier entries are whatever the client sent and prove
    nothing, and the proxy's own address (REMOTE_ADDR) is every client's, so keying a
    lockout on it would lock out everyone. Where the header holds no address (a proxy
    misconfigured), the peer's address is used; where that is not an address either, the
    unspecified address. Never empty: axes would count every such request as one client.
    """
    candidates = []
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        last = next((p.strip() for p in reversed(forwarded) if p.strip()), "")
        candidates.append(last)
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return UNKNOWN_ADDRESS
