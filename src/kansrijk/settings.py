"""Kansrijk settings: one module, read from the environment.

Every value that differs between a laptop and production comes from an environment
variable (or a ``.env`` file in the project root). The defaults are safe for production:
``DEBUG`` is off and a secret key and encryption key are required unless ``DEBUG`` is on
or the test suite runs. See the configuration table in README.md.
"""

import sys
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
TESTING = "pytest" in sys.modules
ENV_FILE = Path(env("KANSRIJK_ENV_FILE", default=str(BASE_DIR / ".env")))
if not TESTING and ENV_FILE.is_file():
    # A developer's .env (written by `make install`) must not change what the tests see.
    environ.Env.read_env(ENV_FILE, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
VAR_DIR = Path(env("KANSRIJK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _required_unless_development(name: str, development_value: str) -> str:
    value = env(name, default="")
    if value:
        return value
    if DEBUG or TESTING:
        return development_value
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")


SECRET_KEY = _required_unless_development(
    "SECRET_KEY", "development-only-secret-key-never-use-this-in-production-0123456789"
)

# Fernet keys for the encrypted fields of the case register. A comma-separated list:
# the first key encrypts, all keys decrypt, so a key can be rotated (docs/operations.md).
FIELD_ENCRYPTION_KEYS = _required_unless_development(
    "FIELD_ENCRYPTION_KEYS", "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="
).split(",")


def _check_fernet_keys(keys: list[str]) -> None:
    from cryptography.fernet import Fernet

    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.strip())
        except ValueError:
            raise ImproperlyConfigured(
                f"FIELD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; see docs/operations.md)."
            ) from None


_check_fernet_keys(FIELD_ENCRYPTION_KEYS)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "kansrijk.organisations",
    "kansrijk.audit",
    "kansrijk.accounts",
    "kansrijk.throttling",
    "kansrijk.operations",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "kansrijk.agenda",
    "kansrijk.indicators",
    "kansrijk.reports",
    "kansrijk.cases",
    "kansrijk.socialmap",
    "kansrijk.imports",
    "kansrijk.drills",
    "kansrijk.documents",
    "kansrijk.storage",
    "kansrijk.agenda_intake",
    "kansrijk.api",
    "django_tasks",
    "django_tasks_db",
    "kansrijk.demo",
]

MIDDLEWARE = [
    # First: the request id is set before anything logs, and the access line and the
    # metrics see every answer, also the redirects and refusals of the middleware below.
    "kansrijk.operations.middleware.RequestObservationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every answer under /api/ carries API-Version, and every error there is
    # application/problem+json, including Django's own 404 and 500 (decision 0045).
    "kansrijk.api.middleware.ApiAnswerMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kansrijk.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Before any view: a NUL or other control character in a parameter is a 400.
    "kansrijk.input_guard.RefuseForbiddenCharactersMiddleware",
    "kansrijk.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Answers a login refused by the throttle (per address, per account) with HTTP 429.
    "kansrijk.throttling.responses.ThrottleResponseMiddleware",
    # Axes must be last: it turns a lockout raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kansrijk.urls"
WSGI_APPLICATION = "kansrijk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kansrijk.context_processors.kansrijk",
            ],
        },
    },
]

# SQLite under var/ by default; PostgreSQL in production through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'kansrijk.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets a web process read while a worker writes; IMMEDIATE transactions and a
    # busy timeout make concurrent writers wait instead of failing with "locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "organisations.User"

AUTHENTICATION_BACKENDS = [
    # The throttle and axes first: they refuse before any password is checked.
    "kansrijk.throttling.backends.ThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling: five failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Axes and the throttle see the same client address (KANSRIJK_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "kansrijk.throttling.services.client_ip"

OTP_TOTP_ISSUER = "Kansrijk"


def _rate(variable: str, default: str) -> tuple[int, int]:
    """A limit from the environment as "attempts/minutes", for example "20/15"."""
    value = env(variable, default=default)
    attempts, _, minutes = value.partition("/")
    if not (attempts.strip().isdigit() and minutes.strip().isdigit()) or int(minutes) < 1:
        raise ImproperlyConfigured(
            f"{variable}: {value!r} is not a limit like '20/15' (attempts/minutes)."
        )
    return int(attempts), int(minutes)


def _networks(variable: str) -> list[str]:
    """A comma-separated list of addresses and networks (CIDR), each checked now."""
    import ipaddress

    networks = [part.strip() for part in env(variable, default="").split(",") if part.strip()]
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{variable}: {network!r} is not an address or network."
            ) from None
    return networks


LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end packages come from the npm registry (package.json); `make install` puts them
# in node_modules and collectstatic copies only the files we serve.
NODE_MODULES = Path(env("KANSRIJK_NODE_MODULES", default=str(BASE_DIR / "node_modules")))
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    *(
        (prefix, NODE_MODULES / path)
        for prefix, path in [
            ("vendor/utrecht", "@utrecht/component-library-css/dist"),
            ("vendor/voorbeeld-theme", "@nl-design-system-unstable/voorbeeld-design-tokens/dist"),
            ("vendor/htmx", "htmx.org/dist"),
        ]
        if (NODE_MODULES / path).is_dir()
    ),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed file names for far-future caching need `kansrijk collectstatic` first.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("KANSRIJK_STATIC_MANIFEST", default=not (DEBUG or TESTING))
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Nothing is kept here any more: uploads and documents are in the database (decision
# 0050). Read once by the migration that moved the files an older version kept here.
MEDIA_ROOT = VAR_DIR / "media"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kansrijk@localhost")
# The agenda's reminders (decision 0039): the worker sends what falls due at most once
# every INTERVAL_SECONDS; BASE_URL ("https://kansrijk.gemeente.nl") makes the links in
# the mails whole, since the worker answers no request to learn its own address.
AGENDA_REMINDERS = {
    "INTERVAL_SECONDS": env.float("KANSRIJK_REMINDER_INTERVAL_SECONDS", default=60 * 60),
    "BASE_URL": env("KANSRIJK_BASE_URL", default=""),
}

# Reading an uploaded policy document (decision 0052): an agenda is tens of pages, so a
# file over these limits is refused before it is parsed.
AGENDA_INTAKE_MAX_BYTES = env.int("KANSRIJK_AGENDA_INTAKE_MAX_BYTES", default=50 * 1024 * 1024)
AGENDA_INTAKE_MAX_PAGES = env.int("KANSRIJK_AGENDA_INTAKE_MAX_PAGES", default=300)
AGENDA_INTAKE_MAX_UNCOMPRESSED_BYTES = env.int(
    "KANSRIJK_AGENDA_INTAKE_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024
)
# A proposal nobody has reviewed or changed for this many days is dropped with its
# document by the sweep: an uploaded file is not kept for a review that will not come.
AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS = env.int("KANSRIJK_AGENDA_INTAKE_DRAFT_MAX_AGE_DAYS", default=30)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads no cookie: the token is put in hx-headers
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not TESTING)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # A load balancer probes and Prometheus scrapes the process itself, often over plain
    # HTTP inside the network: a redirect to https would fail their checks (decision 0043).
    SECURE_REDIRECT_EXEMPT = [r"^gezond/", r"^metrics$"]
    if env.bool("USE_X_FORWARDED_PROTO", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# KANSRIJK_LOG_FORMAT=json writes one JSON object per line with the request id (decision
# 0043); "text" keeps the plain message.
LOG_FORMAT = env("KANSRIJK_LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"KANSRIJK_LOG_FORMAT: {LOG_FORMAT!r} is not 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "kansrijk.operations.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(message)s"},
        "json": {"()": "kansrijk.operations.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Kansrijk's own settings.
KANSRIJK = {
    # A published count below this number is shown as "<5" (domain.md, small numbers).
    "SMALL_NUMBER_THRESHOLD": env.int("KANSRIJK_SMALL_NUMBER_THRESHOLD", default=5),
    # RMC/Doorstroompunt follows young people up to this age; due to rise to 27.
    "RMC_UPPER_AGE": env.int("KANSRIJK_RMC_UPPER_AGE", default=23),
    # The thuiszitters register (kansrijk.cases). An open case without a timeline event
    # for this many days is proposed for the doorbraakberaad.
    "STAGNATION_DAYS": env.int("KANSRIJK_STAGNATION_DAYS", default=30),
    # A renewal of a vrijstelling 5 onder a is due before 1 July; the signal shows from
    # this many days before.
    "EXEMPTION_RENEWAL_NOTICE_DAYS": env.int("KANSRIJK_EXEMPTION_RENEWAL_NOTICE_DAYS", default=91),
    # The peildata of the quarterly count (day-month); seed 002 asks for four a year.
    "PEILDATA": env.list("KANSRIJK_PEILDATA", default=["1-10", "1-1", "1-4", "1-7"]),
    # When the SWV sends its cumulative registration to the Inspectie (day-month); the
    # frequency differs by year.
    "INSPECTIE_PEILDATA": env.list("KANSRIJK_INSPECTIE_PEILDATA", default=["1-10", "1-3"]),
    # Retention of the register (VNG selectielijst), per record type.
    # Where `kansrijk audit_anchor` appends the head of the audit trail's hash chain
    # (decision 0025): a file outside the database, best on another machine or
    # append-only (chattr +a). Empty: the anchor goes to the log only.
    "AUDIT_ANCHOR_FILE": env("KANSRIJK_AUDIT_ANCHOR_FILE", default=""),
    "RETENTION": {
        # The leerplicht dossier: until this many years after birth.
        "DOSSIER_YEARS_AFTER_BIRTH": env.int("KANSRIJK_RETENTION_DOSSIER_YEARS", default=19),
        # The kwalificatieplicht dossier: this many years after the duty ended.
        "QUALIFICATION_YEARS_AFTER_END": env.int(
            "KANSRIJK_RETENTION_QUALIFICATION_YEARS", default=2
        ),
        # A proces-verbaal: this many years after it was made.
        "OFFICIAL_REPORT_YEARS": env.int("KANSRIJK_RETENTION_OFFICIAL_REPORT_YEARS", default=5),
        # A verwijsindex signal: this many years, or earlier at this age.
        "REFERRAL_SIGNAL_YEARS": env.int("KANSRIJK_RETENTION_REFERRAL_SIGNAL_YEARS", default=2),
        "REFERRAL_SIGNAL_AGE": env.int("KANSRIJK_RETENTION_REFERRAL_SIGNAL_AGE", default=23),
    },
    # How many reverse proxies in front of Kansrijk append to X-Forwarded-For; 0 means
    # none, and the client's address is REMOTE_ADDR (docs/operations.md).
    "PROXY_COUNT": env.int("KANSRIJK_PROXY_COUNT", default=0),
    # Limits on attempts, counted in the database (decision 0024, docs/operations.md):
    # (attempts, minutes) per address or per account.
    "THROTTLE": {
        # Failed logins from one address, whatever the user name: stops a password spray.
        "login_per_address": _rate("KANSRIJK_THROTTLE_LOGIN_PER_ADDRESS", "20/15"),
        # Failed logins for one user name, from whatever address.
        "login_per_account": _rate("KANSRIJK_THROTTLE_LOGIN_PER_ACCOUNT", "10/15"),
        # Password-reset requests from one address, and for one e-mail address.
        "password_reset_per_address": _rate("KANSRIJK_THROTTLE_RESET_PER_ADDRESS", "10/60"),
        "password_reset_per_email": _rate("KANSRIJK_THROTTLE_RESET_PER_EMAIL", "3/60"),
        # Forms anyone may send without logging in (the education prize's nominations).
        "public_form_per_address": _rate("KANSRIJK_THROTTLE_PUBLIC_FORM_PER_ADDRESS", "10/60"),
        # New builds of a public document asked for without logging in (decision 0051);
        # a document another visitor already had built does not count.
        "public_document_per_address": _rate(
            "KANSRIJK_THROTTLE_PUBLIC_DOCUMENT_PER_ADDRESS", "60/60"
        ),
        # API requests with a key (or a login), per key or account; and without, per
        # address (decision 0045).
        "api_per_token": _rate("KANSRIJK_THROTTLE_API_PER_TOKEN", "1000/60"),
        "api_per_address": _rate("KANSRIJK_THROTTLE_API_PER_ADDRESS", "100/1"),
    },
    # Who may read /metrics (decision 0043): a request with "Authorization: Bearer
    # <TOKEN>", or from one of ADDRESSES (addresses or networks, e.g. "10.0.0.0/8").
    # Neither set: /metrics answers 404 to everyone.
    "METRICS": {
        "TOKEN": env("KANSRIJK_METRICS_TOKEN", default=""),
        "ADDRESSES": _networks("KANSRIJK_METRICS_ADDRESSES"),
    },
    # Where load_reference_data finds the CSV files of the shared reference data.
    "REFERENCE_DATA_DIR": Path(
        env("KANSRIJK_REFERENCE_DATA_DIR", default=str(PACKAGE_DIR / "reference_data"))
    ),
}

# Background work (the case import): Django's task interface through django-tasks with
# its database backend, run by `kansrijk db_worker`. The tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING or env.bool("KANSRIJK_TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}
# A running import (a case import's run, decision 0028; an import job, decision 0029)
# writes a heartbeat every second or so; the worker sweeps every SWEEP_SECONDS (and when
# it starts) and marks an import failed whose heartbeat is older than STALE_SECONDS (its
# worker died). An uploaded file is never kept longer than FILE_MAX_AGE_HOURS, whatever
# became of its import.
IMPORT_RECOVERY = {
    "STALE_SECONDS": env.float("KANSRIJK_IMPORT_STALE_SECONDS", default=120),
    "SWEEP_SECONDS": env.float("KANSRIJK_IMPORT_SWEEP_SECONDS", default=60),
    "FILE_MAX_AGE_HOURS": env.float("KANSRIJK_IMPORT_FILE_MAX_AGE_HOURS", default=24),
}
# The task worker's own heartbeat (decision 0043): written every INTERVAL_SECONDS by
# `kansrijk db_worker`; /gezond/klaar calls the worker stale after STALE_SECONDS.
WORKER_HEARTBEAT = {
    "INTERVAL_SECONDS": env.float("KANSRIJK_WORKER_HEARTBEAT_SECONDS", default=15),
    "STALE_SECONDS": env.float("KANSRIJK_WORKER_STALE_SECONDS", default=120),
}
# Generated documents (decision 0047) are built by the worker and kept for download for
# EXPIRY_HOURS; a second request for the same document within REUSE_SECONDS gets the
# job already made instead of a new build.
DOCUMENT_JOBS = {
    "EXPIRY_HOURS": env.float("KANSRIJK_DOCUMENT_EXPIRY_HOURS", default=24),
    "REUSE_SECONDS": env.float("KANSRIJK_DOCUMENT_REUSE_SECONDS", default=300),
}
# An import job's worker also beats in a file cache while the importer writes (its own
# transaction hides the heartbeat in the database); the sweep runs in the worker, on the
# same machine, and reads it there (decision 0029).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "progress"),
        "TIMEOUT": 24 * 60 * 60,
    },
}

# The REST API (kansrijk.api, docs/api.md): organisation-scoped API keys or a logged-in
# session; read-only unless a view says otherwise; JSON only (the browsable API needs
# inline scripts, which the CSP forbids). Swagger UI is served locally by the sidecar.
INSTALLED_APPS += ["drf_spectacular_sidecar"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kansrijk.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["kansrijk.api.permissions.ReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["kansrijk.api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "kansrijk.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["kansrijk.api.throttles.ApiRateThrottle"],
    "EXCEPTION_HANDLER": "kansrijk.api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# The full semantic version of the API, sent as API-Version on every answer and published
# as info.version; only the major version is in the address, /api/v1/ (decision 0045).
API_VERSION = "1.0.0"
SPECTACULAR_SETTINGS = {
    "TITLE": "Kansrijk API",
    "DESCRIPTION": (
        "Read the shared agenda of a municipality and its education and youth partners "
        "(uitvoeringsagenda, LEA/LEJA, GKA-agenda): agendas, spearheads (speerpunten), goals "
        "(doelen), activities, interventions and funding lines. Without a key only published "
        "(openbare) agendas are visible; an organisation's API key sees what a partner of "
        "that organisation sees, and may report status and progress of the activities and "
        "interventions the organisation leads (voortrekker)."
    ),
    "VERSION": API_VERSION,
    "LICENSE": {"name": "EUPL-1.2"},
    "CONTACT": {
        "name": "Kansrijk",
        "url": "https://github.com/kansrijk/kansrijk",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Problem details, API-Version and rate-limit headers on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "kansrijk.api.schema.design_rules",
    ],
    "ENUM_NAME_OVERRIDES": {
        "AgendaKindEnum": "kansrijk.agenda.models.AgendaKind",
        "AgendaStatusEnum": "kansrijk.agenda.models.AgendaStatus",
        "ThemeKindEnum": "kansrijk.agenda.models.ThemeKind",
        "ActivityKindEnum": "kansrijk.agenda.models.ActivityKind",
        "WorkStatusEnum": "kansrijk.agenda.models.WorkStatus",
        "InvolvementRoleEnum": "kansrijk.agenda.models.InvolvementRole",
        "FundingSourceEnum": "kansrijk.agenda.models.FundingSource",
        "OrganisationKindEnum": "kansrijk.organisations.models.OrganisationKind",
    },
}
