"""A small OpenID provider on loopback, for the single sign-on tests (accounts/oidc.py).

It serves the authorization code flow as a force's provider would: /authorize sends the
browser back with a code and the state, /token checks the client's secret, the redirect
address and the PKCE verifier and answers an RS256-signed ID token (with the nonce), and
/userinfo and /jwks answer as their names say. One RSA key per test session.

A test says who signs in (``provider.person``) and may spoil one thing on the way
(``provider.spoil``): another nonce, state, signature, issuer or audience.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "ephedra-test"
CLIENT_SECRET = "test-secret-not-real"  # noqa: S105 - the loopback provider's only client
KID = "test-key-1"


def switch_on(settings, provider: "Provider") -> "Provider":
    """Single sign-on on, against this provider (pytest-django's ``settings`` fixture)."""
    provider.reset()
    for name, value in provider.settings().items():
        setattr(settings, name, value)
    settings.OIDC_ENABLED = True
    settings.OIDC_TRUST_PROVIDER_MFA = False
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "accounts.oidc.PoliceOIDCBackend",
    ]
    return provider


def _new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self):
        self.key = _new_key()
        self.other_key = _new_key()  # a forger's: signatures with it must be refused
        self.person: dict = {}
        self.spoil: dict = {}
        self.codes: dict[str, dict] = {}
        self.last_authorize: dict = {}
        self.tokens: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "Provider":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        self.person, self.spoil = {}, {}
        self.codes.clear()
        self.tokens.clear()

    def settings(self) -> dict:
        return {
            "OIDC_ISSUER": self.url,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    # --- The endpoints' answers -----------------------------------------------------

    def authorize(self, query: dict) -> str:
        """Where the browser goes next: the client's redirect address, code and state."""
        self.last_authorize = query
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query.get("code_challenge"),
            "person": dict(self.person),
        }
        state = self.spoil.get("state", query["state"])
        return query["redirect_uri"] + "?" + urlencode({"code": code, "state": state})

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        if grant["challenge"] and _challenge(form.get("code_verifier", "")) != grant["challenge"]:
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = grant["person"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant),
        }

    def id_token(self, grant: dict) -> str:
        person, now = grant["person"], int(time.time())
        claims = {
            "iss": self.spoil.get("iss", self.url),
            "aud": self.spoil.get("aud", CLIENT_ID),
            "sub": person.get("sub", "subject-1"),
            "iat": now,
            "exp": now + self.spoil.get("lifetime", 300),
            "nonce": self.spoil.get("nonce", grant["nonce"]),
            "amr": person.get("amr", ["pwd", "mfa"]),
        }
        key = self.other_key if self.spoil.get("signature") else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        person = self.tokens.get(authorization.removeprefix("Bearer "))
        if person is None:
            return 401, {"error": "invalid_token"}
        return 200, {"sub": person.get("sub", "subject-1")} | {
            k: v for k, v in person.items() if k not in {"amr", "sub"}
        }

    def jwks(self) -> dict:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [jwk | {"kid": KID, "alg": "RS256", "use": "sig"}]}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
            elif parts.path == "/userinfo":
                self._json(*provider.userinfo(self.headers.get("Authorization", "")))
            elif parts.path == "/jwks":
                self._json(200, provider.jwks())
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):  # noqa: N802
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if self.path == "/token":
                self._json(*provider.token(form))
            else:
                self._json(404, {"error": "not_found"})

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):  # noqa: A002 - quiet in the test output
            pass

    return Handler
