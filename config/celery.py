"""The Celery application shared by the web process, the worker and beat."""

import os
import warnings

from celery import Celery
from celery.exceptions import SecurityWarning

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

if os.environ.get("DEBUG", "").lower() in ("1", "true", "yes", "on"):
    # Development (scripts/run) often runs as root in a container; Celery's
    # warning against a root worker is for production, whose image runs as an
    # unprivileged user (Dockerfile).
    warnings.filterwarnings("ignore", category=SecurityWarning)

app = Celery("yiguitong")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
