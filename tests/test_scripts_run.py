"""`scripts/run`, as a newcomer starts it: on free ports and a temporary var/,
its first start prints no warning and no traceback, the log-in page answers,
the worker answers a task sent through the filesystem broker, and SIGTERM
stops all three processes (web, worker, beat) within 10 s."""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_worker import ROOT

START_SECONDS = 240
STOP_SECONDS = 10


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not running.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def group_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


@pytest.mark.worker
def test_scripts_run_starts_cleanly_answers_and_stops_within_10_seconds(tmp_path):
    var = tmp_path / "var"
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG", "SITE_URL")
        and not key.startswith(("PYTEST_", "DJANGO_"))
    }
    env.update(VAR_DIR=str(var), HOST="127.0.0.1", PORT=str(port), PYTHONUNBUFFERED="1")
    log = tmp_path / "run.log"
    with log.open("w") as stream:
        run = subprocess.Popen(
            [str(ROOT / "scripts" / "run")],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    output = lambda: log.read_text(errors="replace")  # noqa: E731
    started = []
    try:
        # The log-in page answers.
        deadline = time.monotonic() + START_SECONDS
        status = None
        while time.monotonic() < deadline and run.poll() is None:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/accounts/login/", timeout=5
                ) as response:
                    status, page = response.status, response.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert status == 200, output()
        assert "登录" in page

        # The worker answers a task sent through the broker in this var/.
        task_env = {**env, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
        send = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); "
                "from inspections.tasks import record_worker_heartbeat as t; t.delay()",
            ],
            cwd=ROOT,
            env=task_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert send.returncode == 0, send.stdout + send.stderr
        deadline = time.monotonic() + 60
        beats = 0
        while time.monotonic() < deadline and not beats:
            with sqlite3.connect(var / "db.sqlite3", timeout=20) as db:
                beats = db.execute("SELECT count(*) FROM inspections_workerheartbeat").fetchone()[0]
            time.sleep(0.5)
        assert beats == 1, output()
        assert re.search(r"record_worker_heartbeat\[[-0-9a-f]+\] succeeded", output())

        started = [int(pid) for pid in re.findall(r"==> Started \w+ \(pid (\d+)\)", output())]
        assert len(started) == 3, output()
    finally:
        stopping = time.monotonic()
        if run.poll() is None:
            run.send_signal(signal.SIGTERM)
        try:
            run.wait(timeout=30)
        finally:
            if run.poll() is None:
                os.killpg(run.pid, signal.SIGKILL)
                run.wait()
        stopped_in = time.monotonic() - stopping
    text = output()
    assert stopped_in < STOP_SECONDS, f"stopped in {stopped_in:.1f} s\n{text}"
    assert run.returncode == 143, text
    for pid in started:  # each started its own process group
        assert not alive(pid) and not group_alive(pid), f"pid {pid} still runs\n{text}"

    # A first start is clean: no warning, no traceback, nothing queued from before.
    problems = [
        line
        for line in text.splitlines()
        if re.search(r"Traceback|WARNING|Warning:|ERROR|does not exist", line)
    ]
    assert not problems, "\n".join(problems) + "\n\n" + text
    assert "Demo data ready" in text and f"http://127.0.0.1:{port}/" in text
