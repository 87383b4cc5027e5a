"""A real Celery worker process picks up a task and writes to the test database.

The worker is started as a subprocess pointed at the same (pytest-django) test
database and the same broker as the test, on a queue of its own so that parallel
test processes, or a development worker using the same broker, cannot take its task.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from inspections.models import WorkerHeartbeat
from inspections.tasks import record_worker_heartbeat

ROOT = Path(__file__).resolve().parent.parent
WAIT_SECONDS = 60


def database_url_for_current_connection() -> str:
    """A DATABASE_URL for the database this test runs on (the renamed test database)."""
    s = connection.settings_dict
    engine = s["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(s["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            pytest.fail(f"the test database is in memory ({name!r}); a worker cannot see it")
        return f"sqlite:///{Path(name).resolve()}"
    if engine in ("django.db.backends.postgresql", "django.db.backends.postgresql_psycopg2"):
        user = quote(s.get("USER") or "", safe="")
        password = quote(s.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = s.get("HOST") or "localhost"
        port = f":{s['PORT']}" if s.get("PORT") else ""
        return f"postgres://{auth}{host}{port}/{quote(s['NAME'], safe='')}"
    pytest.fail(f"no DATABASE_URL known for {engine}")


@pytest.fixture
def not_eager():
    """Tasks must really go through the broker, whatever other fixtures set."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def worker_log():
    with tempfile.TemporaryFile(mode="w+", prefix="celery-worker-") as log:
        yield log


@pytest.mark.worker
def test_real_worker_records_heartbeat(transactional_db, not_eager, worker_log):
    queue = f"test-worker-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_current_connection(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }
    assert not WorkerHeartbeat.objects.exists()

    worker = subprocess.Popen(
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
        stdout=worker_log,
        stderr=subprocess.STDOUT,
    )
    try:
        result = record_worker_heartbeat.apply_async(queue=queue)
        assert type(result).__name__ != "EagerResult", "the task ran in the test process"

        deadline = time.monotonic() + WAIT_SECONDS
        while not WorkerHeartbeat.objects.exists():
            if worker.poll() is not None:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        found = WorkerHeartbeat.objects.exists()
        if found and settings.CELERY_BROKER_URL.startswith("redis"):
            # docker-compose's health check of the worker: a ping over the
            # broker (remote control needs a broker with broadcast: Redis).
            ping = subprocess.run(
                [
                    *(sys.executable, "-m", "celery", "-A", "config", "inspect", "ping"),
                    *("-d", f"{queue}@{socket.gethostname()}", "--timeout", "10"),
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert ping.returncode == 0 and "pong" in ping.stdout, ping.stdout + ping.stderr
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    if not found:
        worker_log.seek(0)
        pytest.fail(
            f"no WorkerHeartbeat row within {WAIT_SECONDS} s (worker exit code "
            f"{worker.returncode}); worker output:\n{worker_log.read()}"
        )
    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.hostname
    assert heartbeat.seen_at is not None
