"""End to end with a real Celery worker: approving a visit queues its reports
(after commit), a worker process builds them, and the files match their
checksums.

Like tests/test_worker.py, the worker runs as a subprocess on the test's own
database and broker (Redis in CI, via CELERY_BROKER_URL), on a queue of its
own, with the test's MEDIA_ROOT.
"""

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app as celery_app
from inspections import services
from reports.models import ReportJob
from tests.test_worker import ROOT, database_url_for_current_connection

from .conftest import fill_report_extras

WAIT_SECONDS = 120


@pytest.fixture
def through_the_broker():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


def start_worker(queue: str, media_root: Path, log, *, broker_url=None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_current_connection(),
        "CELERY_BROKER_URL": broker_url or settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(media_root),
        "PYTHONUNBUFFERED": "1",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-l",
            "info",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(worker: subprocess.Popen):
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


@pytest.mark.worker
def test_a_real_worker_builds_the_reports_of_an_approved_visit(
    transactional_db, world, visit, complete_visit, settings, tmp_path, through_the_broker
):
    queue = f"test-reports-{uuid.uuid4().hex}"
    settings.REPORTS_TASK_QUEUE = queue
    settings.MEDIA_ROOT = tmp_path / "media"

    fill_report_extras(world, visit)
    complete_visit(visit)
    services.submit_visit(user=world.inspector_a, visit=visit)
    # Not inside a test transaction: approval commits, and its on_commit hook
    # creates the jobs and sends their tasks to the broker.
    services.approve_visit(user=world.hq, visit=visit)
    jobs = list(ReportJob.objects.filter(visit=visit).order_by("exporter"))
    assert [j.exporter for j in jobs] == ["visit-pdf", "visit-xlsx"]
    assert all(j.state == ReportJob.State.QUEUED and j.task_id for j in jobs)

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
        assert job.state == ReportJob.State.DONE, (
            f"{job.exporter}: {job.state} {job.error}\nworker output:\n{output}"
        )
        assert job.is_current and job.attempts == 1 and job.progress == 100
        path = Path(settings.MEDIA_ROOT) / job.file.name
        assert path.is_file()
        data = path.read_bytes()
        assert job.size == len(data)
        assert job.checksum == hashlib.sha256(data).hexdigest()
    assert (Path(settings.MEDIA_ROOT) / jobs[0].file.name).read_bytes().startswith(b"%PDF")
    assert (Path(settings.MEDIA_ROOT) / jobs[1].file.name).read_bytes().startswith(b"PK")
    assert f"Task reports.tasks.build_report[{jobs[0].task_id}] succeeded" in output
