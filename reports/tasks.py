"""The Celery tasks that build reports. They take ids, never objects.

`build_report(job_id)`:
- transient failures (the database going away, a full disk or another OS
  error, a lost connection) are retried by Celery's autoretry at most
  three times with exponential backoff; then the job fails with a readable
  message;
- anything else fails the job at once with a readable message (the traceback
  goes to the log, the detail to the job for admins);
- acks_late with reject_on_worker_lost: a worker that dies mid-task leaves the
  message to be redelivered; the time limits stay below the broker's
  visibility timeout (settings), so a running task is never handed out twice
  for being slow;
- idempotent: see `reports.services`.

`requeue_unsent_jobs()` (beat, every minute): a job whose task could not be
sent because the broker was down stays queued with `sent_at` null; this sends
it once the broker is back. A job sent longer ago than the broker's visibility
timeout (plus the task's time limit) and still queued is sent again: its message
was lost (a Redis restart keeps nothing). Building is idempotent, so a job sent
twice still ends with one report.
"""

import logging
import os
import time
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.models import User, Visit

from . import services
from .models import ReportJob
from .selectors.types import ReportDataError

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, ConnectionError)
MAX_RETRIES = 3


def _language(job_id: int) -> str:
    try:
        return ReportJob.objects.values_list("language", flat=True).get(pk=job_id)
    except Exception:  # the database may be what failed
        return settings.LANGUAGE_CODE


def _transient_message(error: BaseException, attempts: int) -> str:
    return _(
        "The report could not be built after %(attempts)s attempts because a service it "
        "needs was unavailable (%(error)s). Try again later; if it keeps failing, tell the "
        "administrators."
    ) % {"attempts": attempts, "error": type(error).__name__}


class ReportTask(Task):
    """Records retries and final failures on the job row."""

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        try:
            with translation.override(_language(job_id)):
                message = _(
                    "Attempt %(attempt)s failed (%(error)s); the report will be tried again."
                ) % {"attempt": self.request.retries + 1, "error": type(exc).__name__}
            services.note_retry(job_id=job_id, message=message, detail=str(einfo))
        except Exception:
            logger.warning("Could not record the retry of report job %s", job_id, exc_info=True)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        job_id = args[0] if args else kwargs.get("job_id")
        logger.error("Report job %s failed: %r", job_id, exc, exc_info=exc)
        try:
            with translation.override(_language(job_id)):
                if isinstance(exc, TRANSIENT_ERRORS):
                    message = _transient_message(exc, self.request.retries + 1)
                else:
                    message = _(
                        "The report could not be built because of an unexpected error. "
                        "The administrators can find the details in the log."
                    )
            services.mark_failed(job_id=job_id, message=message, detail=str(einfo))
        except Exception:
            logger.error("Could not record the failure of report job %s", job_id, exc_info=True)


def _test_delay():
    """Test hook, off unless REPORT_TEST_DELAY_SECONDS is set in the worker's
    environment: once the report is built, the task waits that long before it
    puts the file in place, so that a fault test (tests/ops/test_worker_killed.py)
    can kill the worker mid-job (running, the message unacknowledged). Never
    set it in production."""
    delay = os.environ.get("REPORT_TEST_DELAY_SECONDS")
    if delay:
        time.sleep(float(delay))


@shared_task(
    bind=True,
    base=ReportTask,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=MAX_RETRIES,
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def build_report(self, job_id: int) -> str:
    """Build one report job's file. Returns the job's final state."""
    if not ReportJob.objects.filter(pk=job_id).exists():
        # Deleted since, or sent by another database's app to a shared broker
        # folder: nothing to build and nobody waiting. Dropped with one line.
        logger.warning("Report job %s does not exist; its message is dropped", job_id)
        return "missing"
    try:
        job = services.run_job(job_id=job_id, before_finish=_test_delay)
    except TRANSIENT_ERRORS:
        raise  # autoretry; `ReportTask.on_failure` once the retries are spent
    except (services.JobError, ReportDataError, ObjectDoesNotExist) as error:
        logger.warning("Report job %s cannot be built: %s", job_id, error, exc_info=True)
        with translation.override(_language(job_id)):
            message = (
                str(error)
                if not isinstance(error, ObjectDoesNotExist)
                else _("What this report is about no longer exists.")
            )
        services.mark_failed(job_id=job_id, message=message, detail=repr(error))
        return ReportJob.State.FAILED
    except SoftTimeLimitExceeded as error:
        logger.error("Report job %s ran out of time", job_id, exc_info=True)
        with translation.override(_language(job_id)):
            message = _(
                "Building the report took longer than %(minutes)s minutes and was stopped."
            ) % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60}
        services.mark_failed(job_id=job_id, message=message, detail=repr(error))
        return ReportJob.State.FAILED
    except Exception as error:
        logger.exception("Report job %s failed with an unexpected error", job_id)
        with translation.override(_language(job_id)):
            message = _(
                "The report could not be built because of an unexpected error (%(error)s). "
                "The administrators can find the details in the log."
            ) % {"error": type(error).__name__}
        services.mark_failed(job_id=job_id, message=message, detail=repr(error))
        return ReportJob.State.FAILED
    return job.state


def queue_visit_reports(*, visit_id: int, requested_by_id: int | None = None) -> list[ReportJob]:
    """Queue the PDF and Excel reports of an approved visit (on commit of the
    approval: `inspections.hooks.visit_approved`). Returns the jobs; does
    nothing for a visit not approved."""
    visit = Visit.objects.filter(pk=visit_id, state=Visit.State.APPROVED).first()
    if visit is None:
        return []
    user = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
    return [
        services.request_report(exporter=identifier, requested_by=user, visit=visit, quota=False)
        for identifier in services.VISIT_EXPORTERS
    ]


def queue_visit_reports_on_approval(sender, *, visit_id: int, approved_by_id: int, **kwargs):
    queue_visit_reports(visit_id=visit_id, requested_by_id=approved_by_id)


def queue_visit_reports_on_change(sender, *, visit_id: int, changed_by_id: int, **kwargs):
    queue_visit_reports(visit_id=visit_id, requested_by_id=changed_by_id)


# A job created this recently may still be waiting for its own on-commit send.
UNSENT_GRACE_SECONDS = 30


def lost_after_seconds() -> int:
    """How long a sent job may stay queued before its message counts as lost."""
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    return int(options.get("visibility_timeout", 3600)) + settings.CELERY_TASK_TIME_LIMIT


@shared_task(ignore_result=True)
def requeue_unsent_jobs(grace_seconds: int = UNSENT_GRACE_SECONDS) -> int:
    """Send the queued jobs never sent (broker down) or whose message was lost,
    and the running ones whose worker died without the message coming back (a
    job is reused however old, so one stuck would block its report for good).
    Returns how many were sent."""
    now = timezone.now()
    lost = now - timedelta(seconds=lost_after_seconds())
    job_ids = list(
        ReportJob.objects.filter(
            Q(
                state=ReportJob.State.QUEUED,
                sent_at__isnull=True,
                requested_at__lte=now - timedelta(seconds=grace_seconds),
            )
            | Q(state=ReportJob.State.QUEUED, sent_at__lte=lost)
            # Not sent again since: one new send per lost period.
            | (Q(state=ReportJob.State.RUNNING, started_at__lte=lost) & ~Q(sent_at__gt=lost))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:500]
    )
    sent = 0
    for job_id in job_ids:
        if not services.send_job(job_id=job_id):
            break  # the broker is still down: the next beat tries again
        sent += 1
    if job_ids:
        logger.info("Re-sent %s of %s unsent report jobs", sent, len(job_ids))
    return sent
