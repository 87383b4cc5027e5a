"""`kill -9` of the worker mid-job (the job running, its report built but not yet
in place): a new worker builds it again, and exactly one finished report (one
current job, one file) exists for it.

The task is acks_late with reject_on_worker_lost, so the killed worker never
acknowledged the message; Redis hands it out again once the visibility timeout
has passed (CELERY_VISIBILITY_TIMEOUT, 5 s here, through the workers'
environment). The first worker is held by the test hook
REPORT_TEST_DELAY_SECONDS (reports/tasks.py) between building the report and
putting it in place, so it is surely killed mid-job. The worker runs the solo
pool: the whole worker process dies, as when its container is killed.

Needs Redis (the filesystem broker has no redelivery): the suite's broker, or
the machine's Redis when the suite runs on the filesystem broker.
"""

import os
import signal
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from inspections import services as inspection_services
from reports import services
from reports.models import ReportJob
from tests.reports.conftest import fill_report_extras
from tests.reports.test_report_worker import start_worker, stop

from .conftest import DEAD_BROKER_URL, broker

VISIBILITY_TIMEOUT = 5
WAIT_SECONDS = 120

pytestmark = [pytest.mark.worker]


def wait_for(predicate, seconds, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        if worker is not None and worker.poll() is not None:
            return False
        time.sleep(0.3)
    return predicate()


def test_a_killed_worker_leaves_exactly_one_finished_report(
    transactional_db,
    world,
    visit,
    complete_visit,
    settings,
    tmp_path,
    through_the_broker,
    redis_broker_url,
    monkeypatch,
):
    queue = f"test-killed-{uuid.uuid4().hex}"
    settings.REPORTS_TASK_QUEUE = queue
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", str(VISIBILITY_TIMEOUT))

    fill_report_extras(world, visit)
    complete_visit(visit)
    inspection_services.submit_visit(user=world.inspector_a, visit=visit)
    with broker(DEAD_BROKER_URL):  # the jobs are created but not sent yet
        inspection_services.approve_visit(user=world.hq, visit=visit)
    job = ReportJob.objects.get(visit=visit, exporter="visit-pdf")
    ReportJob.objects.filter(visit=visit).exclude(pk=job.pk).delete()
    assert services.send_job(job_id=job.pk)
    job.refresh_from_db()

    with tempfile.NamedTemporaryFile(mode="w+", prefix="celery-worker-") as log1:
        monkeypatch.setenv("REPORT_TEST_DELAY_SECONDS", "60")
        first = start_worker(queue, settings.MEDIA_ROOT, log1, broker_url=redis_broker_url)
        try:
            received = wait_for(
                lambda: f"build_report[{job.task_id}] received" in Path(log1.name).read_text(),
                60,
                first,
            )
            assert received, Path(log1.name).read_text()
            # Killed mid-job: running, the report built, not yet in place.
            building = wait_for(lambda: ReportJob.objects.get(pk=job.pk).progress >= 90, 60, first)
            assert building, Path(log1.name).read_text()
            assert ReportJob.objects.get(pk=job.pk).state == ReportJob.State.RUNNING
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=15)
        finally:
            if first.poll() is None:
                stop(first)
    job.refresh_from_db()
    assert job.state == ReportJob.State.RUNNING and not job.file and job.attempts == 1

    monkeypatch.delenv("REPORT_TEST_DELAY_SECONDS")
    time.sleep(VISIBILITY_TIMEOUT + 1)
    with tempfile.TemporaryFile(mode="w+", prefix="celery-worker-") as log2:
        second = start_worker(queue, settings.MEDIA_ROOT, log2, broker_url=redis_broker_url)
        try:
            finished = wait_for(
                lambda: ReportJob.objects.get(pk=job.pk).is_finished, WAIT_SECONDS, second
            )
            time.sleep(VISIBILITY_TIMEOUT + 2)  # no second delivery builds it again
        finally:
            stop(second)
        log2.seek(0)
        output = log2.read()

    assert finished, output
    job.refresh_from_db()
    assert job.state == ReportJob.State.DONE, f"{job.error}\n{output}"
    assert job.is_current and job.progress == 100 and job.attempts == 2
    done = ReportJob.objects.filter(
        exporter="visit-pdf", subject_key=job.subject_key, state=ReportJob.State.DONE
    )
    assert list(done.values_list("pk", flat=True)) == [job.pk]
    files = sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "reports").iterdir())
    assert files == [Path(job.file.name).name]
    assert output.count(f"build_report[{job.task_id}] succeeded") == 1
