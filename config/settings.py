"""Settings for the 一柜通 acceptance inspection app.

Everything that differs between a laptop, CI and production comes from the
environment (or a `.env` file at the repository root); the defaults give a
working development set-up on SQLite with a broker that needs no server.
"""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.deploy_checks import production_problems
from config.storage import storages_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Everything the app writes on a development machine: the SQLite database, the
# filesystem broker's folders, uploaded media, beat's schedule. The test suite
# points it at a temporary folder of its own (tests/isolation.py).
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
# Development only (DEBUG=1): production must set its own, or it does not start.
DEVELOPMENT_SECRET_KEY = "django-insecure-dev-only-0d5c1f1e6a4b4c8e9a7f3b2d1c0e9f8a"
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
# An insecure production start stops here, naming what to set.
_problems = [] if DEBUG else production_problems(SECRET_KEY, ALLOWED_HOSTS, DEVELOPMENT_SECRET_KEY)
if _problems:
    raise ImproperlyConfigured(" ".join(_problems))
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django admin on our AdminSite: admins only (config/admin.py).
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-axes, named in the user's language in admin (config/apps.py).
    "config.apps.AxesConfig",
    "auditlog",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    "scoring",
    "inspections",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early, so that redirects made further in (APPEND_SLASH) and WhiteNoise's
    # static files carry the header too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The site's 404 page with DEBUG on too (the demo), not Django's technical one.
    "config.errors.NotFoundPageMiddleware",
    "config.middleware.AccessDeniedLogMiddleware",
    # Who made each recorded change of a visit (inspections.history).
    "config.middleware.AuditActorMiddleware",
    # An unreachable database answers 503 with a plain page (tests/ops/test_database_restart.py).
    "config.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Log-in protection (config/login_protection.py): failures lock for 15 minutes
# once one user name fails 5 times from one address, 10 times from any
# addresses, or one address fails 20 times for any user names.
LOGIN_FAILURE_LIMITS = {
    "user_at_address": env.int("LOGIN_FAILURES_PER_USER_AND_ADDRESS", default=5),
    "user": env.int("LOGIN_FAILURES_PER_USER", default=10),
    "address": env.int("LOGIN_FAILURES_PER_ADDRESS", default=20),
}
AXES_HANDLER = "config.login_protection.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["user_at_address"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "config.login_protection.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password"]
# Behind this many proxies of ours (a TLS terminator: 1) the client's address
# is read from X-Forwarded-For, for the lock-out and the logs alike.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"

# Change history of visits (inspections.history): django-auditlog's entries, in
# our model that carries the visit; changes stored as JSON so answers diff item by item.
AUDITLOG_LOGENTRY_MODEL = "inspections.VisitChange"
AUDITLOG_STORE_JSON_CHANGES = True
# auditlog's migrations would create its own log table even though the model is
# swapped for ours (they do not mark it swappable); without them it is never made.
MIGRATION_MODULES = {"auditlog": None}

# Sessions end after two hours without activity.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=2 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A refused form gets the site's 403 page saying how to send it again.
CSRF_FAILURE_VIEW = "config.errors.csrf_failure"

# Security headers on every response; HTTPS settings follow the environment so
# production (behind TLS) gets them and a laptop on http:// still works.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# With DEBUG off, HTTPS is the default: the redirect, secure cookies and HSTS.
# PLAIN_HTTP=1 turns all three off for a plain-HTTP test set-up (never production).
PLAIN_HTTP = env.bool("PLAIN_HTTP", default=False)
_HTTPS = not DEBUG and not PLAIN_HTTP
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=_HTTPS)
# The load balancer's health check speaks plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The pages load scripts and styles from static/ only: no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
    # The score sheet's part cards and the results tables only (config/jinja2.py says why).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "autoescape": True,
            # Block tags on lines of their own leave no blank lines behind.
            "trim_blocks": True,
            "lstrip_blocks": True,
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one SQLite file: wait for locks
    # instead of failing, and take the write lock up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # pytest-django would otherwise use an in-memory database that a worker
    # process started by a test could not see.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "inspections.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Simplified Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = storages_from_env(env)
# No MEDIA_URL is routed: uploaded files and reports are served only through
# access-checked views.

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Uploads and imports are bounded (config/uploads.py): a request's size and its
# number of files, each file's size while it streams in, the evidence a visit or
# an action holds, and what an Excel import may unpack.
MB = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * MB
FILE_UPLOAD_HANDLERS = [
    "config.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_MB", default=60) * MB
UPLOAD_MAX_FILE_BYTES = env.int("UPLOAD_MAX_FILE_MB", default=20) * MB
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("UPLOAD_MAX_FILES", default=10)
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_MB", default=5) * MB
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_FILE_MB", default=10) * MB
EVIDENCE_MAX_PER_VISIT = env.int("EVIDENCE_MAX_PER_VISIT", default=300)
EVIDENCE_MAX_PER_ACTION = env.int("EVIDENCE_MAX_PER_ACTION", default=30)
# An .xlsx is a zip archive: refused before openpyxl opens it when it would
# unpack to more than this, or at a higher compression ratio (a zip bomb).
IMPORT_MAX_UNPACKED_BYTES = env.int("IMPORT_MAX_UNPACKED_MB", default=50) * MB
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)

# Celery. The default broker keeps its messages in files under var/, so a
# development machine needs no server; production and CI use Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The transport ignores the host, but kombu warns at every connection
    # ("No hostname was supplied") when the URL names none.
    if CELERY_BROKER_URL.rstrip("/") == "filesystem:":
        CELERY_BROKER_URL = "filesystem://localhost/"
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    # kombu's filesystem transport expects its folders to exist already.
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Soft and hard task time limits stay below this (see reports' tasks).
    # CELERY_VISIBILITY_TIMEOUT: how long (s) an unacknowledged message waits
    # before Redis hands it to another worker (a worker killed mid-task).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
# A person may have this many report jobs queued or running at once.
REPORT_MAX_UNFINISHED_PER_USER = env.int("REPORT_MAX_UNFINISHED_PER_USER", default=4)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 900
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "action-reminders": {
        "task": "inspections.tasks.send_action_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "objection-window-reminders": {
        "task": "inspections.tasks.send_objection_window_reminders",
        "schedule": crontab(hour=8, minute=5),
    },
    "problem-reminders": {
        "task": "inspections.tasks.send_problem_reminders",
        "schedule": crontab(hour=8, minute=10),
    },
    "worker-heartbeat": {
        "task": "inspections.tasks.record_worker_heartbeat",
        "schedule": 60.0,
    },
    "requeue-unsent-reports": {
        "task": "reports.tasks.requeue_unsent_jobs",
        "schedule": 60.0,
    },
}

MAILERS = {
    "default": {
        "BACKEND": env.str(
            "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": env.str("EMAIL_HOST", default=""),
                "port": env.int("EMAIL_PORT", default=0),
                "username": env.str("EMAIL_HOST_USER", default=""),
                "password": env.str("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=False),
            }.items()
            if value
        },
    }
}
# Rectification action reminders: due within this many days, and escalated to
# head office when overdue by more than ACTION_ESCALATION_DAYS.
ACTION_REMINDER_DAYS_BEFORE = env.int("ACTION_REMINDER_DAYS_BEFORE", default=3)
ACTION_ESCALATION_DAYS = env.int("ACTION_ESCALATION_DAYS", default=7)
# Problem register entries: their owner responds within PROBLEM_RESPONSE_DAYS
# of the visit's approval, and is reminded from PROBLEM_REMINDER_DAYS_BEFORE
# days before the due date until they respond.
PROBLEM_RESPONSE_DAYS = env.int("PROBLEM_RESPONSE_DAYS", default=30)
PROBLEM_REMINDER_DAYS_BEFORE = env.int("PROBLEM_REMINDER_DAYS_BEFORE", default=3)
# Used for links in e-mails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="yiguitong@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line carries its time; security lines add user and address.
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools narrate every step at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Axes narrates every successful log-in; failures stay at WARNING.
        "axes": {"level": "WARNING"},
    },
}
