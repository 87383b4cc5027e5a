"""`manage.py check` refuses a broker set-up under which a report could be built
twice: the tasks' time limits must stay below the broker's visibility timeout
(after which Redis hands an unacknowledged task to another worker). The
timeout comes from the environment (CELERY_VISIBILITY_TIMEOUT), so it is
checked where the environment is read, not only in a test."""

from django.conf import settings
from django.core.checks import Error, register


@register("celery")
def task_time_limits_below_visibility_timeout(app_configs, **kwargs):
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    if "visibility_timeout" not in options:
        return []  # a broker without one (the filesystem transport)
    visibility = int(options["visibility_timeout"])
    soft, hard = settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT
    errors = []
    if not soft < hard < visibility:
        errors.append(
            Error(
                f"Report tasks' time limits (soft {soft} s, hard {hard} s) must be below the "
                f"broker's visibility timeout ({visibility} s), soft below hard.",
                hint="Raise CELERY_VISIBILITY_TIMEOUT (seconds) above the hard time limit.",
                id="reports.E001",
            )
        )
    return errors
