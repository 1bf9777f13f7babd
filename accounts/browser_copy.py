"""What a page keeps in the browser is encrypted with a key that leaves with the session.

The work return keeps a copy of what is typed in ``localStorage`` (static/js/return-draft.js),
so that a dropped connection on a phone loses nothing. That copy holds names and
intelligence, and phones and desktops in a police station are shared: it is encrypted
(AES-GCM, in the browser) with a random key that lives only in the server session and
reaches the page while the session lasts. After sign-out, "sign out everywhere", a timeout
or a second-factor reset the key is gone and the copy cannot be read; the page then
deletes it. Signing out also asks the browser to clear the site's storage outright
(``Clear-Site-Data``).
"""

from __future__ import annotations

import base64
import secrets

SESSION_KEY = "_browser_copy_key"
KEY_BYTES = 32  # AES-256


def browser_copy_key(request) -> str:
    """This session's key (base64), made on first use."""
    key = request.session.get(SESSION_KEY)
    if not key:
        key = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")
        request.session[SESSION_KEY] = key
    return key


def clear_browser_storage(response):
    """Tell the browser to drop what the site stored (localStorage included)."""
    response["Clear-Site-Data"] = '"storage"'
    return response
