"""Ephedra settings: one module, read from the environment.

With no environment at all, a fresh checkout runs on the embedded default: a SQLite
file, Celery tasks run inline, files on local disk, e-mail printed to the console.
Production differences are environment variables (see README, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from ephedra import env
from ephedra.api_schema import settings as api_schema_settings
from ephedra.beat import BEAT_SCHEDULE
from ephedra.logging import config as logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

DEBUG = env.boolean("DEBUG", default=False)
ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", default=LOCAL_HOSTS)
SERVES_ONLY_LOCALHOST = set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS)
if DEBUG and not SERVES_ONLY_LOCALHOST:
    raise ImproperlyConfigured("DEBUG must be off when ALLOWED_HOSTS names a non-local host.")

SECRET_KEY = env.string("SECRET_KEY")
if SECRET_KEY is None:
    if not SERVES_ONLY_LOCALHOST:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production.")
    # Good enough for a laptop that only ever serves 127.0.0.1; never used in production.
    SECRET_KEY = "django-insecure-local-only-" + "ephedra" * 6  # noqa: S105
# Without an SMTP server, mail would be printed into the server's log (the console
# backend), which a production log must never hold; and notifications would never arrive.
if not SERVES_ONLY_LOCALHOST and not env.string("EMAIL_URL"):
    raise ImproperlyConfigured(
        "EMAIL_URL (or EMAIL_URL_FILE) is required in production, e.g. "
        "smtp+tls://user:password@mail.example.org:587."
    )

INSTALLED_APPS = [
    "ephedra.apps.EphedraAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # widget templates for the TemplatesSetting form renderer
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Only for the migration that hashed its clear backup codes (accounts 0007): nothing
    # writes StaticTokens now (accounts.BackupCodeDevice).
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "core",
    "accounts",
    "partners",
    "patrols",
    "referrals",
    "reporting",
    "governance",
    "dataprotection",
    "demo",
    "pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PrivateResponsesMiddleware",  # no-store for signed-in users' pages
    "accounts.middleware.SecondFactorMiddleware",  # django-otp's, without a query per request
    "accounts.middleware.SessionTimeoutMiddleware",  # idle, absolute, sign out everywhere
    "accounts.middleware.RequireSecondFactorMiddleware",  # nothing but enrolment until verified
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "governance.middleware.AuditContextMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "ephedra.urls"
# Forms render as GOV.UK Design System markup (templates/forms/), the admin keeps its own.
FORM_RENDERER = "core.forms.GovukFormRenderer"
WSGI_APPLICATION = "ephedra.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.navigation",
            ],
        },
    },
]

# --- Database: SQLite file unless DATABASE_URL says otherwise (PostgreSQL via psycopg 3).
DATABASE_URL = env.string("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'ephedra.sqlite3'}")
try:
    DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
except (ValueError, KeyError) as exc:
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a database URL Django understands: {exc}"
    ) from None
DATABASES["default"]["CONN_MAX_AGE"] = env.integer("DB_CONN_MAX_AGE", default=0, minimum=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves overlapping requests (the return's draft autosave, a
    # worker beside runserver, the browser tests' live server): write-ahead logging lets
    # readers run beside a writer, IMMEDIATE takes the write lock when a transaction
    # starts (no "database is locked" on upgrade), and a writer waits up to 20 s.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # Tests on a file, not a shared in-memory database: shared-cache memory databases
    # lock whole tables ("database table is locked") when the live server writes.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "test-ephedra.sqlite3")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compilation costs ~100 ms per aggregate query here and never pays back for
    # queries this size (make bench: ranking, reports).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker + results and the cache; without it tasks run inline, unless
# EMBEDDED_WORKER (set by `make run`) asks for a real worker on the filesystem transport.
REDIS_URL = env.string("REDIS_URL")
REDIS_CACHE_URL = env.string("REDIS_CACHE_URL")
EMBEDDED_WORKER = env.boolean("EMBEDDED_WORKER", default=False)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # The cache in its own Redis database (the broker's + 1 unless REDIS_CACHE_URL says),
    # so clearing the cache never wipes the queue.
    CACHES = {
        "default": {
            # Redis down is a cache miss, never a 500 (core.cache).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_CACHE_URL or env.redis_neighbour(REDIS_URL),
        }
    }
elif EMBEDDED_WORKER:
    # `make run`: runserver and `celery worker` share a queue of files (a folder per role,
    # gitignored). No result backend: results are ignored (below) and worker_health's
    # result is read only with Redis. Folders made here, since kombu expects them.
    _queue_root = Path(env.string("EMBEDDED_WORKER_FOLDER", default=str(BASE_DIR / ".celery")))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_root / "queue"),  # one folder: producer and consumer
        "data_folder_out": str(_queue_root / "queue"),
        "processed_folder": str(_queue_root / "processed"),
        "control_folder": str(_queue_root / "control"),  # else kombu writes to the cwd
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_queue_root / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BEAT_SCHEDULE_FILENAME = str(_queue_root / "beat-schedule")
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True  # results are kept only by tasks that declare otherwise
# A report build past the soft limit fails with that reason; the hard limit kills it.
REPORT_SOFT_TIME_LIMIT = env.integer("REPORT_SOFT_TIME_LIMIT", default=300, minimum=10)
REPORT_HARD_TIME_LIMIT = REPORT_SOFT_TIME_LIMIT + 60
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE  # ephedra/beat.py: what runs, and when

# --- data.police.uk fetch (reporting/policeuk_fetch.py): off unless POLICEUK_BASE_URL is set
# (https://data.police.uk, or a mirror of its monthly archives).
POLICEUK_BASE_URL = env.http_url("POLICEUK_BASE_URL")
POLICEUK_FORCES = env.strings("POLICEUK_FORCES", default=["metropolitan"])
POLICEUK_FETCH_ATTEMPTS = env.integer("POLICEUK_FETCH_ATTEMPTS", default=3, minimum=1)
POLICEUK_RETRY_SECONDS = env.integer("POLICEUK_RETRY_SECONDS", default=60, minimum=0)

# --- Users and permissions.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out accounts and addresses
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# No guardian "AnonymousUser" row: anonymous visitors never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Single sign-on for police users (OpenID Connect, accounts/oidc.py): off unless the
# force's identity provider is named (all of env.OIDC_REQUIRED, or start-up fails). Police
# accounts are matched, never created; partners and administrators keep Ephedra's own
# password and second factor. The /oidc/ pages answer 404 while it is off.
_oidc = env.oidc()
OIDC_ENABLED = _oidc is not None
if _oidc:
    OIDC_ISSUER = _oidc["OIDC_ISSUER"]  # the ID token's "iss" must be exactly this
    OIDC_RP_CLIENT_ID = _oidc["OIDC_RP_CLIENT_ID"]  # and its "aud" must name this
    OIDC_RP_CLIENT_SECRET = _oidc["OIDC_RP_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = _oidc["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = _oidc["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = _oidc["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = _oidc["OIDC_OP_JWKS_ENDPOINT"]
    INSTALLED_APPS.append("mozilla_django_oidc")
    # After axes (a locked-out address is refused here too) and the password backend.
    AUTHENTICATION_BACKENDS.insert(2, "accounts.oidc.PoliceOIDCBackend")
OIDC_RP_SIGN_ALGO = "RS256"  # ID tokens signed by the provider's keys (its JWKS endpoint)
OIDC_RP_SCOPES = "openid email"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10  # seconds for each call to the provider
# The claim whose value is compared, ignoring case, with the account's e-mail address.
OIDC_MATCH_CLAIM = env.string("OIDC_MATCH_CLAIM", default="email")
# The provider's sign-in is the second factor when its ID token says it asked for more than
# one ("mfa" in amr, RFC 8176); a force whose provider always does, without saying so, sets
# this true. Otherwise the officer also verifies Ephedra's own second factor.
OIDC_TRUST_PROVIDER_MFA = env.boolean("OIDC_TRUST_PROVIDER_MFA", default=False)

# --- Authentication and sessions (issue 7): second factor, lockout, timeouts.
OTP_TOTP_ISSUER = "Ephedra"
# django-otp's throttling: after n wrong codes in a row a device refuses every code for
# factor * 2^(n-1) seconds (accounts.second_factor says how long to wait).
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = 1
# Set-password links (accounts.set_password): how long one works, and the address that
# starts it in the e-mail.
PASSWORD_RESET_TIMEOUT = env.integer("SET_PASSWORD_LINK_HOURS", default=72, minimum=1) * 3600
SITE_URL = env.string(
    "SITE_URL",
    default="http://127.0.0.1:8000"
    if SERVES_ONLY_LOCALHOST
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
)
# Lockout (django-axes): after AXES_FAILURE_LIMIT failures for one username, or from one
# address, sign-in is refused until an administrator lifts it or the cool-off passes.
AXES_FAILURE_LIMIT = env.integer("LOCKOUT_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOCKOUT_MINUTES", default=30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The client behind our proxy, as the audit log sees it (core.http). The API throttles
# count per user, not per address.
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # axes' own log lines name the username tried
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"  # the sign-in page, saying it is paused
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.integer("SESSION_IDLE_MINUTES", default=30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(
    hours=env.integer("SESSION_ABSOLUTE_HOURS", default=12, minimum=1)
)
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# An API token stops working this many days after it is made (its owner makes another).
API_TOKEN_DAYS = env.integer("API_TOKEN_DAYS", default=90, minimum=1)
# Exporting or downloading personal data asks for the password again after this long.
REAUTHENTICATE_AFTER = timedelta(
    minutes=env.integer("REAUTHENTICATE_MINUTES", default=15, minimum=1)
)

# --- Retention (issue 7): when a record comes up for review (dataprotection/retention.py).
# Police records (people, intelligence): a Management of Police Information style review
# six years after the record's last relevant activity. Referral detail held for partner
# agencies: a year after the referral closed (an open referral is never due).
RETENTION_PERSON_MONTHS = env.integer("RETENTION_PERSON_MONTHS", default=72, minimum=1)
RETENTION_INTELLIGENCE_MONTHS = env.integer("RETENTION_INTELLIGENCE_MONTHS", default=72, minimum=1)
RETENTION_REFERRAL_MONTHS = env.integer("RETENTION_REFERRAL_MONTHS", default=12, minimum=1)
# The rest of the review schedule (dataprotection/schedule.py names the MoPI group of each).
RETENTION_ENCOUNTER_MONTHS = env.integer("RETENTION_ENCOUNTER_MONTHS", default=72, minimum=1)
RETENTION_ARREST_MONTHS = env.integer("RETENTION_ARREST_MONTHS", default=72, minimum=1)
RETENTION_ARREST_SERIOUS_MONTHS = env.integer(
    "RETENTION_ARREST_SERIOUS_MONTHS", default=120, minimum=1
)
RETENTION_CAUTION_MONTHS = env.integer("RETENTION_CAUTION_MONTHS", default=72, minimum=1)
RETENTION_REPORT_MONTHS = env.integer("RETENTION_REPORT_MONTHS", default=24, minimum=1)
RETENTION_AUDIT_MONTHS = env.integer("RETENTION_AUDIT_MONTHS", default=84, minimum=1)

# --- Internationalisation: one borough-based operation in London.
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Files.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.string("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.boolean("STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail: printed to the console unless an SMTP URL (smtp+tls://user:pass@host:587) is given.
EMAIL_URL = env.string("EMAIL_URL")
if EMAIL_URL:
    _smtp = environ.Env.email_url_config(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp.get("EMAIL_PORT"),
                "username": _smtp.get("EMAIL_HOST_USER"),
                "password": _smtp.get("EMAIL_HOST_PASSWORD"),
                "use_tls": _smtp.get("EMAIL_USE_TLS", False),
                "use_ssl": _smtp.get("EMAIL_USE_SSL", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", default="ephedra@localhost")

# --- Security: cookies and headers that hold in production (DEBUG off).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.boolean("SECURE_COOKIES", default=not DEBUG)
if SESSION_COOKIE_SECURE:
    # A browser keeps a __Host- cookie only if it is Secure, for Path=/ and names no
    # Domain (Django's defaults, kept): no other host, not even a subdomain, can set or
    # overwrite our session or CSRF cookie. Without Secure (DEBUG, plain-http checkout)
    # the browser would drop such a cookie, so the names stay plain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# On a production host: HTTPS only, and browsers told so for a year (HSTS). Behind a
# TLS-terminating proxy, set BEHIND_TLS_PROXY=true or the redirect never ends.
SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", default=not SERVES_ONLY_LOCALHOST)
SECURE_HSTS_SECONDS = env.integer(
    "SECURE_HSTS_SECONDS", default=0 if SERVES_ONLY_LOCALHOST else 31_536_000, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.boolean("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS", default=[])

# --- The hotspot map: LSOA boundaries shipped with Ephedra (static/geo/), drawn without
# map tiles, so by default no third party learns where the operation patrols. A force that
# hosts its own tiles names them (an https URL template with {z}/{x}/{y}; {s} for its
# subdomains) and their attribution; the policy below then allows that origin only.
MAP_TILE_URL = env.tile_url("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env.string("MAP_TILE_ATTRIBUTION", default="") or ""

# --- Security headers (issue 7): Django's own Content Security Policy, no inline script.
# Map tiles (if configured above) are the one outside source.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *filter(None, [env.tile_origin(MAP_TILE_URL)])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Browser features Ephedra never uses, refused to every origin (the page and any frame).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- REST API (issue 6): /api/v1/, tokens or the browser session, OpenAPI at /api/schema/.
# JSON in and out; every error in one shape (core.api_defaults.exception_handler);
# requests rate-limited per user, by token or session (generous: an integration pulling
# all day fits).
# A request body (form fields or API JSON; uploaded files are not counted) up to 1 MiB:
# the largest real one, a long work return, is a few tens of kilobytes.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",  # first: 401s say "Bearer"
        "rest_framework.authentication.SessionAuthentication",  # enforces CSRF
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON up to DATA_UPLOAD_MAX_MEMORY_SIZE and 50 levels deep; beyond is a 400 (core.api_parsers).
    "DEFAULT_PARSER_CLASSES": ["core.api_parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "core.api_defaults.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api_defaults.ApiBurstRateThrottle",
        "core.api_defaults.ApiRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {  # per user: their tokens and their browser session together
        "api_burst": env.string("API_RATE_BURST", default="300/min"),
        "api_sustained": env.string("API_RATE_SUSTAINED", default="5000/hour"),
    },
    "EXCEPTION_HANDLER": "core.api_defaults.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = api_schema_settings()  # ephedra/api_schema.py: the OpenAPI document

# Personal data must never reach a log line (ephedra/logging.py builds the configuration:
# one filtered handler for everything, Django's loggers included). The audit log is also
# written as JSON lines for the force's log collector (governance/forwarding.py): to a
# file it tails, and/or to UDP syslog at host:port. Off when neither is set.
AUDIT_LOG_FILE = env.string("AUDIT_LOG_FILE", default="") or ""
AUDIT_SYSLOG_ADDRESS = env.string("AUDIT_SYSLOG_ADDRESS", default="") or ""
AUDIT_FORWARD = bool(AUDIT_LOG_FILE or AUDIT_SYSLOG_ADDRESS)
LOGGING = logging_config(
    level=env.string("LOG_LEVEL", default="INFO"),
    audit_file=AUDIT_LOG_FILE,
    audit_syslog=AUDIT_SYSLOG_ADDRESS,
)
# The Celery worker would otherwise replace the root's handlers with its own, unfiltered
# ones, and a failed task's log line would carry its exception's message.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Demo logins (seed_demo) get passwords only when this is true; see README.
DEMO_PASSWORDS = DEBUG
