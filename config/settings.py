"""Settings, read from the environment with safe development defaults.

With no environment set, the site runs on SQLite under var/, Celery tasks run in process and
e-mail is written to files under var/mail/. DATABASE_URL, REDIS_URL and EMAIL_URL switch to the
real services. Production hardening lives in config/settings_production.py.
"""

import datetime as dt
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.utils.translation import gettext_lazy

from config.database import database_from_url
from config.schedules import BEAT_SCHEDULE
from core.areas import ApiEnumNames

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "django_tables2",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "health_check",
    "axes",
    "csp",
    "core",
    "dropout",
    "aid",
    "facilities",
    "teachers",
    "alliances",
    "disaster",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChineseFirstLocaleMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
# PostgreSQL with a bounded connection pool per process (DB_POOL_* variables): config/database.py.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": database_from_url(DATABASE_URL)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 30},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "xiangjiao",
            # The cache holds only live job progress: a down or frozen Redis costs a page at most
            # REDIS_TIMEOUT seconds, then the page reads the job's row (core.jobs).
            "OPTIONS": {
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "1")),
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "1")),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://localhost/"  # a host named: kombu warns of none on every job
    CELERY_RESULT_BACKEND = "cache+memory://"
    # No broker on a bare machine: tasks run in the calling process.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker a job runs in the process that starts it: there and then (commands, the test
# suite), or with JOBS_IN_THREAD=1 (`make run` sets it for its web server) in a thread of its own,
# so that the page that started it is answered at once and shows its progress.
JOBS_IN_THREAD = env_bool("JOBS_IN_THREAD", default=False)
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Jobs that survive faults (core.jobs). A job's message is acknowledged only when the job ends, and
# handed back if its worker process dies; a redelivery of a job that ended, or that another worker
# is running, does nothing. Redis hands an unacknowledged message to another worker after the
# visibility timeout, so it is longer than the longest job (JOB_MAX_SECONDS, also its time limit).
JOB_MAX_SECONDS = int(os.environ.get("JOB_MAX_SECONDS", str(2 * 60 * 60)))
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False  # a job needs no broker to end
# The worker reconnects to Redis for as long as it takes (the default gives up after 100 tries and
# stops the worker for good); publishing a job does not wait: the user is told at once.
BROKER_TIMEOUT = float(os.environ.get("BROKER_TIMEOUT", "3"))
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": JOB_MAX_SECONDS + 15 * 60,
    "socket_timeout": BROKER_TIMEOUT,
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_keepalive": True,
    "health_check_interval": 10,
    "max_retries": 1,  # connecting when publishing
}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_TIMEOUT
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 10
# The reaper (core.tasks.reap_jobs, every minute) looks at jobs whose worker went silent: a running
# job touches its row every JOB_HEARTBEAT_SECONDS; one silent for JOB_STALE_SECONDS whose worker is
# gone (on PostgreSQL: whose lock is free) is failed and its import run or round reset. A job queued
# for JOB_QUEUED_RESEND_SECONDS is sent again once; one queued for JOB_QUEUED_MAX_SECONDS is failed.
JOB_HEARTBEAT_SECONDS = float(os.environ.get("JOB_HEARTBEAT_SECONDS", "15"))
JOB_STALE_SECONDS = float(os.environ.get("JOB_STALE_SECONDS", "90"))
JOB_QUEUED_RESEND_SECONDS = float(os.environ.get("JOB_QUEUED_RESEND_SECONDS", "600"))
JOB_QUEUED_MAX_SECONDS = float(os.environ.get("JOB_QUEUED_MAX_SECONDS", str(JOB_MAX_SECONDS)))
CELERY_BEAT_SCHEDULER = "config.beat:Scheduler"  # the database scheduler, with the areas' entries
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# --- E-mail ----------------------------------------------------------------------------------


def email_settings(url: str) -> dict:
    """EMAIL_URL such as smtp://user:pass@host:587?tls=1, or empty for files under var/mail."""
    if not url:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
        }
    parsed = urlparse(url)
    query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parsed.scheme not in {"smtp", "smtps"}:
        raise ValueError(f"EMAIL_URL: unsupported scheme {parsed.scheme!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("tls", "0") in {"1", "true"},
        "EMAIL_TIMEOUT": 30,
    }


globals().update(email_settings(os.environ.get("EMAIL_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "督导平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Users, passwords, log-in throttling -----------------------------------------------------
AUTH_USER_MODEL = "core.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed log-ins (web and API) lock for an hour: a user name at one address after
# AXES_FAILURE_LIMIT, and an address across all user names after AXES_ADDRESS_FAILURE_LIMIT
# (ours: axes knows one limit; core.lockout.LockoutHandler gives the address its own). A success
# clears the failures of that user name only, never the address's count of other names.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
AXES_RESET_ON_SUCCESS = True
# Reverse proxies in front of the web that append to X-Forwarded-For (the TLS proxy: 1). With 0
# the client's address is REMOTE_ADDR; behind a proxy that would be the proxy's, shared by all.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates as 2026-12-06 and times as 2026-12-06 14:05 in both languages (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded files live outside the code tree and are served only through views that check scope.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"  # never routed: no URL serves MEDIA_ROOT directly
WHITENOISE_USE_FINDERS = True

# --- Content Security Policy: nothing inline, nothing off the machine -----------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials answers 401 (WWW-Authenticate: Token).
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # 50 rows a page; `?page_size=` up to API_MAX_PAGE_SIZE (core/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "core.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AreaTaggedAutoSchema",  # a tag per area
    # Django's ValidationError / PermissionDenied and the write door's conflicts: 400 / 403 / 409
    # with the same Chinese messages as the pages.
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
}
# The most rows an API page holds, whatever `?page_size=` asks.
API_MAX_PAGE_SIZE = int(os.environ.get("API_MAX_PAGE_SIZE", "1000"))
# API tokens (django-rest-knox): one per log-in at /api/v1/auth/token/, stored hashed, valid
# API_TOKEN_TTL_HOURS; revoked by log-out (the web log-out revokes all of the user's), a new
# password and deactivation (core.tokens); listed and revoked at /account/tokens/.
API_TOKEN_TTL_HOURS = float(os.environ.get("API_TOKEN_TTL_HOURS", "12"))
REST_KNOX = {
    "TOKEN_TTL": dt.timedelta(hours=API_TOKEN_TTL_HOURS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "乡村教育振兴督导平台 API",
    "DESCRIPTION": "Ledgers of the rural-education programmes, scoped to the caller's county.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs are for signed-in users only (the docs page: config/urls.py).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # No badge from the online validator (the schema's URL would leave the machine).
    # Each area's operations under their own tag (core.api_schema), folded until opened: a list of
    # 150 or more operations Swagger UI draws only near the window, as one scrolls.
    "SWAGGER_UI_SETTINGS": {
        "deepLinking": True,
        "validatorUrl": None,
        "docExpansion": "none",
        "filter": True,
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.order_tags",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name ("status", "kind") get names of their own.
    "ENUM_NAME_OVERRIDES": ApiEnumNames(
        {
            "StudentStatusEnum": "core.models.StudentStatus",
            "SchoolKindEnum": "core.models.SchoolKind",
            "RegionLevelEnum": "core.models.RegionLevel",
            "JobStatusEnum": "core.jobs.JobStatus",
            "ImportStatusEnum": "core.importing.models.ImportStatus",
            "AttachmentKindEnum": "core.attachments.models.AttachmentKind",
        }
    ),  # and each area's (AreaConfig.area_api_enums), read when the schema is built
}

# --- The platform's own settings -------------------------------------------------------------
# Role that may reveal a full ID number (each reveal is logged).
ID_REVEAL_ROLES = ("city_admin", "county_reviewer")
LIST_PAGE_SIZE = 50
# A programme area's own settings are read by the area (core.areas.setting), not declared here.
# The school-age rule is the city's reference data (core.reference.SchoolAgeRule).
# Imports (core/importing): limits on what a file may be, and the size above which the check
# and the commit run as a job.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "5000"))
# Uploaded files (and rejected-rows workbooks) hold children's ID numbers: deleted this many days
# after the upload by a daily task; the import-run record stays.
IMPORT_KEEP_FILES_DAYS = int(os.environ.get("IMPORT_KEEP_FILES_DAYS", "30"))
IMPORT_MAX_ROWS = 500_000
IMPORT_MAX_CELLS = 20_000_000
IMPORT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
IMPORT_MAX_ZIP_RATIO = 100
# Attachments (core/attachments): per file, per upload, and the unpacked size of .xlsx/.docx.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
ATTACHMENT_MAX_PIXELS = int(os.environ.get("ATTACHMENT_MAX_PIXELS", "40000000"))
ATTACHMENT_MAX_FILES = 20
ATTACHMENT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("Any")
EXPORT_MAX_ROWS_INLINE = int(os.environ.get("EXPORT_MAX_ROWS_INLINE", "20000"))

# Every handler carries the ID-number redaction filter (core/logredact.py); Django's own loggers
# write through the root's handlers so that none of them bypasses it.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_id_numbers": {"()": "core.logredact.RedactIdNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_id_numbers"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},  # "Watching for file changes…"
        # Tasks run in the web process without a broker (no REDIS_URL): their "Task … succeeded"
        # lines would mix into what `make run` and seed_demo print. A worker keeps them.
        **({} if REDIS_URL else {"celery.app.trace": {"level": "WARNING"}}),
    },
}
