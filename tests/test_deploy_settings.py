"""Production settings, as .env.example gives them, pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def _env_example() -> dict:
    values = {}
    for line in (Path(settings.BASE_DIR) / ".env.example").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {**os.environ, **_env_example()}
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    # The browser tests set this for their own process; production never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Run against what this machine has, not the compose service names.
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    env["STATIC_ROOT"] = str(tmp_path / "static")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
