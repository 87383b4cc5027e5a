"""Redis down: inspectors still save and submit, approval still succeeds, its
report jobs stay queued and unsent,
and beat's `requeue_unsent_jobs` sends them once the broker is back; nothing is
lost, nothing is sent twice.

The outage is simulated by pointing this process's Celery app at a port where
nothing listens (`DEAD_BROKER_URL`); the machine's Redis keeps running.
"""

import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from inspections import services as inspection_services
from inspections.models import Visit
from reports.models import ReportJob
from reports.tasks import build_report, requeue_unsent_jobs
from tests.reports.conftest import fill_report_extras
from tests.reports.test_report_worker import start_worker, stop

from .conftest import DEAD_BROKER_URL, broker

WAIT_SECONDS = 120


def approve_during_outage(world, visit, complete_visit, capture):
    """The whole visit happens while Redis is down: the inspector saves every
    score, checklist and text and submits; head office approves."""
    started = time.monotonic()
    with broker(DEAD_BROKER_URL), capture(execute=True):
        fill_report_extras(world, visit)
        complete_visit(visit)
        inspection_services.submit_visit(user=world.inspector_a, visit=visit)
        assert Visit.objects.get(pk=visit.pk).sheet_records.exists()
        inspection_services.approve_visit(user=world.hq, visit=visit)
    return time.monotonic() - started


@pytest.mark.django_db
def test_approval_succeeds_with_the_broker_down_and_the_jobs_are_sent_once_it_is_back(
    world, visit, complete_visit, media_root, django_capture_on_commit_callbacks, caplog
):
    celery_app.conf.task_always_eager = False
    try:
        elapsed = approve_during_outage(
            world, visit, complete_visit, django_capture_on_commit_callbacks
        )
        visit.refresh_from_db()
        assert visit.state == Visit.State.APPROVED
        assert elapsed < 30, f"the visit waited {elapsed:.1f} s for the dead broker"
        jobs = list(ReportJob.objects.filter(visit=visit).order_by("exporter"))
        assert [j.exporter for j in jobs] == ["visit-pdf", "visit-xlsx"]
        assert all(
            j.state == ReportJob.State.QUEUED and j.sent_at is None and not j.task_id for j in jobs
        )
        assert "Could not send report job" in caplog.text

        # Still down: beat's run sends nothing and changes nothing.
        with broker(DEAD_BROKER_URL):
            assert requeue_unsent_jobs(grace_seconds=0) == 0
        assert not ReportJob.objects.filter(visit=visit, sent_at__isnull=False).exists()
    finally:
        celery_app.conf.task_always_eager = True

    # Back (eager here: the task runs in this process as a worker would).
    assert requeue_unsent_jobs(grace_seconds=0) == 2
    for job in jobs:
        job.refresh_from_db()
        assert job.state == ReportJob.State.DONE, job.error
        assert job.sent_at is not None and job.is_current and job.attempts == 1
    # Nothing left to send, nothing sent twice.
    assert requeue_unsent_jobs(grace_seconds=0) == 0


@pytest.mark.django_db
def test_requeue_leaves_fresh_and_recently_sent_jobs_alone_and_resends_lost_ones(
    approved_visit, monkeypatch
):
    sent = []

    class Sent:
        id = "task"

    def apply_async(args=None, **options):
        sent.append(args[0])
        return Sent()

    monkeypatch.setattr(build_report, "apply_async", apply_async)
    ReportJob.objects.all().delete()  # the approval's own jobs
    campaign, branch = approved_visit.campaign, approved_visit.branch
    fresh = ReportJob.objects.create(exporter="visit-pdf", format="pdf", visit=approved_visit)
    recent = ReportJob.objects.create(
        exporter="visit-xlsx", format="xlsx", visit=approved_visit, sent_at=timezone.now()
    )
    lost = ReportJob.objects.create(
        exporter="branch-pdf",
        format="pdf",
        campaign=campaign,
        branch=branch,
        sent_at=timezone.now() - timedelta(days=1),
    )
    done = ReportJob.objects.create(
        exporter="visit-xlsx", format="xlsx", visit=approved_visit, state=ReportJob.State.FAILED
    )
    # Running for a day: its worker died and nothing will bring the message back.
    stuck = ReportJob.objects.create(
        exporter="consolidated-pdf",
        format="pdf",
        campaign=campaign,
        state=ReportJob.State.RUNNING,
        sent_at=timezone.now() - timedelta(days=1),
        started_at=timezone.now() - timedelta(days=1),
    )
    running = ReportJob.objects.create(
        exporter="consolidated-xlsx",
        format="xlsx",
        campaign=campaign,
        state=ReportJob.State.RUNNING,
        sent_at=timezone.now(),
        started_at=timezone.now(),
    )
    # The fresh job may still be waiting for its own on-commit send.
    assert requeue_unsent_jobs() == 2
    assert sent == [lost.pk, stuck.pk]
    assert requeue_unsent_jobs(grace_seconds=0) == 1
    assert sent == [lost.pk, stuck.pk, fresh.pk]
    recent.refresh_from_db()
    done.refresh_from_db()
    assert recent.state == ReportJob.State.QUEUED and done.state == ReportJob.State.FAILED
    assert running.pk not in sent


@pytest.mark.worker
def test_a_real_worker_builds_what_was_approved_during_the_outage(
    transactional_db, world, visit, complete_visit, settings, tmp_path, through_the_broker
):
    queue = f"test-outage-{uuid.uuid4().hex}"
    settings.REPORTS_TASK_QUEUE = queue
    settings.MEDIA_ROOT = tmp_path / "media"

    fill_report_extras(world, visit)
    complete_visit(visit)
    inspection_services.submit_visit(user=world.inspector_a, visit=visit)
    with broker(DEAD_BROKER_URL):
        inspection_services.approve_visit(user=world.hq, visit=visit)  # commits
    visit.refresh_from_db()
    assert visit.state == Visit.State.APPROVED
    assert set(
        ReportJob.objects.filter(visit=visit).values_list("state", "sent_at", "task_id")
    ) == {(ReportJob.State.QUEUED, None, "")}

    assert requeue_unsent_jobs(grace_seconds=0) == 2
    jobs = list(ReportJob.objects.filter(visit=visit).order_by("exporter"))
    assert all(j.sent_at and j.task_id for j in jobs)

    with tempfile.TemporaryFile(mode="w+", prefix="celery-worker-") as log:
        worker = start_worker(queue, settings.MEDIA_ROOT, log)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline and worker.poll() is None:
                states = set(ReportJob.objects.filter(visit=visit).values_list("state", flat=True))
                if states <= {ReportJob.State.DONE, ReportJob.State.FAILED}:
                    break
                time.sleep(0.5)
        finally:
            stop(worker)
        log.seek(0)
        output = log.read()
    for job in jobs:
        job.refresh_from_db()
        assert job.state == ReportJob.State.DONE, f"{job.state} {job.error}\n{output}"
        assert job.attempts == 1
        assert (Path(settings.MEDIA_ROOT) / job.file.name).is_file()
    assert settings.CELERY_BROKER_URL != DEAD_BROKER_URL
