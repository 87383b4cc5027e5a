"""scripts/stack-smoke in CI: the docker-compose processes (gunicorn, celery
worker, celery beat) with production settings against this machine's
PostgreSQL and Redis; an inspector logs in, fills and submits a visit, the
branch manager approves it, the worker builds the report the approval queued,
and it is downloaded. The script makes and drops its own database.
"""

import os
import subprocess

import pytest

from tests.test_worker import ROOT

DATABASE_URL = os.environ.get("DATABASE_URL", "")
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")


@pytest.mark.worker
@pytest.mark.skipif(
    not (DATABASE_URL.startswith("postgres") and BROKER_URL.startswith("redis")),
    reason="the stack smoke test needs PostgreSQL and Redis (DATABASE_URL, CELERY_BROKER_URL), as in CI",
)
def test_stack_smoke():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    result = subprocess.run(
        [str(ROOT / "scripts" / "stack-smoke")],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for step in ("saved", "submitted", "approved", "done, PDF", "stack-smoke: OK"):
        assert step in output, step
