"""Report jobs: asking for a report, building it, and swapping it in.

    request_report(...)   a job row, its task sent once the transaction commits
    run_job(job_id)       what the Celery task does: build through the exporter,
                          then finish_job
    finish_job(...)       write the file under a temporary name, then, in one
                          transaction, move it into place and make the job the
                          current report of its subject (the old one retires)

Idempotent: a job's file name is fixed by its id (`ReportJob.storage_name`),
a job already done returns at once, and the swap locks the job rows, so a
task that runs twice leaves one current report and one file.
"""

import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from inspections.models import Branch, Campaign, User, Visit

from .access import can_download, can_request, can_see_subject
from .exporters.base import REGISTRY, Exporter
from .models import ReportJob

__all__ = [
    "JobError",
    "can_download",
    "can_request",
    "can_see_subject",
    "current_job",
    "finish_job",
    "mark_failed",
    "note_retry",
    "request_report",
    "run_job",
]

logger = logging.getLogger(__name__)

BUILD_TASK = "reports.tasks.build_report"

VISIT_EXPORTERS = ("visit-pdf", "visit-xlsx")


class JobError(Exception):
    """A report cannot be built; the message is for the person who asked."""


# --- asking ------------------------------------------------------------------


def exporter_class(*, identifier: str) -> type[Exporter]:
    try:
        return REGISTRY[identifier]
    except KeyError:
        raise JobError(_("There is no report called “%(name)s”.") % {"name": identifier}) from None


def _unfinished_job(exporter: str, subject_key: str) -> ReportJob | None:
    """The job of the same report still queued or running, whatever its age
    (a constraint keeps it one): a job stuck since its worker died is sent
    again by `reports.tasks.requeue_unsent_jobs`."""
    return ReportJob.objects.filter(
        exporter=exporter,
        subject_key=subject_key,
        state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING],
    ).first()


def request_report(
    *,
    exporter: str,
    requested_by: User | None = None,
    visit: Visit | None = None,
    campaign: Campaign | None = None,
    branch: Branch | None = None,
    language: str | None = None,
    quota: bool = True,
) -> ReportJob:
    """Create a report job and send its task once the transaction commits.

    Subjects: `visit`, or `campaign`, or `campaign` and `branch`. Access is the
    caller's business (`reports.access.can_request`). A job of the same report
    still queued or running is returned instead of a second one. With `quota`,
    a person with REPORT_MAX_UNFINISHED_PER_USER unfinished jobs gets a
    JobError saying to wait (the reports an approval queues are not counted).
    """
    cls = exporter_class(identifier=exporter)
    if visit is not None:
        campaign = branch = None
    subject_key = ReportJob.make_subject_key(
        visit_id=visit.pk if visit else None,
        campaign_id=campaign.pk if campaign else None,
        branch_id=branch.pk if branch else None,
    )
    expected = {"visit": visit is not None, "branch": branch is not None}
    subject = "visit" if expected["visit"] else ("branch" if expected["branch"] else "campaign")
    if cls.subject and cls.subject != subject:
        raise JobError(
            _("The report “%(name)s” is not made for this subject.") % {"name": exporter}
        )
    if subject == "campaign" and campaign is None:
        raise JobError(_("A report needs a visit, a campaign or a branch."))
    active = _unfinished_job(exporter, subject_key)
    if active is not None:
        return active
    if quota and requested_by is not None:
        _check_quota(requested_by)
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                exporter=exporter,
                format=cls.format,
                visit=visit,
                campaign=campaign,
                branch=branch,
                requested_by=requested_by,
                language=language or settings.LANGUAGE_CODE,
            )
    except IntegrityError:
        # The same report asked for at the same moment (a double click): that job.
        return _unfinished_job(exporter, subject_key)
    transaction.on_commit(lambda: send_job(job_id=job.pk))
    return job


def _check_quota(user) -> None:
    limit = settings.REPORT_MAX_UNFINISHED_PER_USER
    unfinished = ReportJob.objects.filter(
        requested_by=user, state__in=[ReportJob.State.QUEUED, ReportJob.State.RUNNING]
    ).count()
    if unfinished >= limit:
        raise JobError(
            _(
                "You already have %(count)s reports being built. Wait until one of them is "
                "ready, then ask again."
            )
            % {"count": unfinished}
        )


def send_job(*, job_id: int) -> bool:
    """Send the build task (after commit). A broker that cannot be reached never
    fails the request: the job stays queued with `sent_at` null, and
    `reports.tasks.requeue_unsent_jobs` (beat, every minute) sends it once the
    broker is back. Returns whether the task was sent."""
    # The task by name from Celery's registry: reports.tasks builds on this module.
    build_report = current_app.tasks[BUILD_TASK]
    options = {}
    queue = getattr(settings, "REPORTS_TASK_QUEUE", None)
    if queue:
        options["queue"] = queue
    try:
        result = build_report.apply_async(args=[job_id], **options)
    except Exception as error:  # kombu raises many kinds: OperationalError, OSError …
        logger.error("Could not send report job %s to the broker: %r", job_id, error)
        return False
    # In eager mode the task has already run and may have finished the job.
    ReportJob.objects.filter(pk=job_id).update(task_id=result.id or "", sent_at=timezone.now())
    return True


# --- building ------------------------------------------------------------------


class ProgressWriter:
    """The exporter's progress callback: writes the percentage to the job row,
    at most every half second (and always 100)."""

    def __init__(self, job_id: int, interval: float = 0.5):
        self.job_id = job_id
        self.interval = interval
        self.last_percent = -1
        self.last_write = 0.0

    def __call__(self, percent: int):
        percent = max(0, min(99, int(percent)))  # 100 only once the file is in place
        now = time.monotonic()
        if percent <= self.last_percent:
            return
        if now - self.last_write < self.interval and percent < 99:
            return
        self.last_percent, self.last_write = percent, now
        ReportJob.objects.filter(pk=self.job_id, state=ReportJob.State.RUNNING).update(
            progress=percent
        )


def start_job(*, job_id: int) -> ReportJob:
    """Mark the job running and count the attempt; a job already done comes back as it is."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().get(pk=job_id)
        if job.state == ReportJob.State.DONE:
            return job
        job.state = ReportJob.State.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.finished_at = None
        job.progress = 0
        job.save(update_fields=["state", "attempts", "started_at", "finished_at", "progress"])
        return job


def run_job(*, job_id: int, before_finish: Callable[[], None] = lambda: None) -> ReportJob:
    """Build the job's report and swap it in. Exceptions propagate: the task
    decides which ones are worth another attempt. `before_finish` runs between
    building and putting the file in place (a fault test's hook)."""
    job = start_job(job_id=job_id)
    if job.state == ReportJob.State.DONE:
        return job
    cls = exporter_class(identifier=job.exporter)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        exporter = cls(progress=ProgressWriter(job.pk), **job.subject_ids())
        data = exporter.build()
        name = exporter.filename()
    before_finish()
    return finish_job(job_id=job.pk, data=data, download_name=name)


class _StagedFile:
    """A finished report file, written completely before its job points at it.

    On local disk (FileSystemStorage) it is written and flushed under a temporary name, then renamed
    to the job's name (`publish`), so readers see the old file or the whole new
    one. On a bucket (S3, no local path) the upload is the unit: an object
    appears whole or not at all, under the job's name or, if taken, a variant.
    `discard` removes whatever was not published."""

    def __init__(self, job: ReportJob, data: bytes):
        self.target = job.storage_name()
        self.published = False
        if not isinstance(default_storage, FileSystemStorage):
            self.temporary = None
            self.saved = default_storage.save(self.target, ContentFile(data))
            return
        directory = Path(default_storage.path("reports"))
        directory.mkdir(parents=True, exist_ok=True)
        self.temporary = directory / f".job-{job.pk}-{uuid.uuid4().hex}.part"
        with open(self.temporary, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())

    def publish(self) -> str:
        """Put the file in place; returns its storage name."""
        self.published = True
        if self.temporary is None:
            return self.saved
        os.replace(self.temporary, default_storage.path(self.target))
        return self.target

    def discard(self):
        if self.temporary is not None:
            if self.temporary.exists():
                self.temporary.unlink()
        elif not self.published:
            default_storage.delete(self.saved)


def finish_job(*, job_id: int, data: bytes, download_name: str = "") -> ReportJob:
    """Put a finished file in place and make its job the subject's current report.

    The file is complete before anything points at it (`_StagedFile`); it is
    put in place and the flags change together under row locks, so readers see
    either the old report or the complete new one. If a newer job of the same
    report is already current, this one is done but not current, and its file goes.
    """
    checksum = hashlib.sha256(data).hexdigest()
    staged = _StagedFile(ReportJob.objects.only("pk", "format").get(pk=job_id), data)
    try:
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.state == ReportJob.State.DONE:
                return job  # another run finished it first
            others = list(
                ReportJob.objects.select_for_update()
                .filter(exporter=job.exporter, subject_key=job.subject_key, is_current=True)
                .exclude(pk=job.pk)
            )
            newer = [o for o in others if o.pk > job.pk]
            job.state = ReportJob.State.DONE
            job.progress = 100
            job.finished_at = timezone.now()
            job.checksum = checksum
            job.size = len(data)
            job.download_name = download_name or Path(job.storage_name()).name
            job.error = ""
            retired_files = []
            if newer:
                # A later request already produced the current report: this
                # one is done, never current, and keeps no file.
                job.is_current = False
                job.file = ""
            else:
                name = staged.publish()
                for old in others:
                    if old.file and old.file.name != name:
                        retired_files.append(old.file.name)
                    old.is_current = False
                    old.file = ""
                    old.save(update_fields=["is_current", "file"])
                job.is_current = True
                job.file.name = name
            job.save()
            transaction.on_commit(lambda: _delete_files(retired_files))
            return job
    except BaseException:
        # Rolled back: a file published for this job is not pointed at by
        # anything committed. On a bucket it goes; a local rename reused the
        # job's own name, which the next run writes again.
        if staged.temporary is None:
            staged.published = False
        raise
    finally:
        staged.discard()


def _delete_files(names: list[str]):
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("Could not delete the retired report file %s", name, exc_info=True)


def mark_failed(*, job_id: int, message: str, detail: str = "") -> None:
    """The job failed for good: a readable message, and the detail for admins."""
    ReportJob.objects.filter(pk=job_id).exclude(state=ReportJob.State.DONE).update(
        state=ReportJob.State.FAILED,
        error=message,
        error_detail=detail[:5000],
        finished_at=timezone.now(),
    )


def note_retry(*, job_id: int, message: str, detail: str = "") -> None:
    """A transient failure: the job waits for its next attempt."""
    ReportJob.objects.filter(pk=job_id).exclude(state=ReportJob.State.DONE).update(
        state=ReportJob.State.QUEUED, error=message, error_detail=detail[:5000]
    )


# --- reading -----------------------------------------------------------------


def current_job(
    *,
    exporter: str,
    visit: Visit | None = None,
    campaign: Campaign | None = None,
    branch: Branch | None = None,
) -> ReportJob | None:
    """The current (downloadable) report of a subject, if any."""
    key = ReportJob.make_subject_key(
        visit_id=visit.pk if visit else None,
        campaign_id=campaign.pk if campaign else None,
        branch_id=branch.pk if branch else None,
    )
    return ReportJob.objects.filter(exporter=exporter, subject_key=key, is_current=True).first()


def built_branch_report(*, campaign: Campaign, branch: Branch) -> tuple[str, bytes] | None:
    """The branch's acceptance report (PDF) as last built: (file name, content),
    or None while none is built (`inspections.hooks.built_branch_report`)."""
    job = current_job(exporter="branch-pdf", campaign=campaign, branch=branch)
    if job is None or job.state != ReportJob.State.DONE or not job.file:
        return None
    with job.file.open("rb") as stream:
        return job.download_name or f"branch-{branch.code}.pdf", stream.read()
