"""scripts/stack-smoke in CI: the docker-compose processes (gunicorn, celery
worker, celery beat) with production settings against this machine's
PostgreSQL and Redis; an inspector logs in, fills and submits a visit, the
branch manager approves it, the worker builds the report the approval queued,
and it is downloaded. The script makes and drops its own database and uses a
spare Redis database, so it runs whatever the suite itself runs on (SQLite and
the filesystem broker included), wherever PostgreSQL and Redis answer.
"""

import os
import subprocess

import pytest

from tests.skips import require_program, require_service
from tests.test_worker import ROOT


@pytest.mark.worker
def test_stack_smoke():
    why = "the production stack runs on PostgreSQL and Redis"
    for program in ("createdb", "dropdb", "redis-cli"):
        require_program(program, why=why)
    require_service(
        "PostgreSQL",
        os.environ.get("SMOKE_PGHOST", "127.0.0.1"),
        int(os.environ.get("SMOKE_PGPORT", "5432")),
        why=why,
    )
    require_service(
        "Redis",
        os.environ.get("SMOKE_REDIS_HOST", "127.0.0.1"),
        int(os.environ.get("SMOKE_REDIS_PORT", "6379")),
        why=why,
    )
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
