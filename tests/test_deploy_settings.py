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


def test_every_compose_service_has_a_health_check_and_beat_s_works(tmp_path):
    import time

    import yaml

    root = Path(settings.BASE_DIR)
    services = yaml.safe_load((root / "docker-compose.yml").read_text())["services"]
    assert all(service.get("healthcheck") for service in services.values()), [
        name for name, service in services.items() if not service.get("healthcheck")
    ]
    # Beat's check, run against a folder of ours: healthy while its schedule
    # file is fresh, unhealthy once it is 10 minutes old or missing.
    check = services["beat"]["healthcheck"]["test"][-1].replace("/app/var", str(tmp_path))

    def healthy() -> bool:
        return subprocess.run([sys.executable, "-c", check], timeout=30).returncode == 0

    assert not healthy()  # no schedule yet
    schedule = tmp_path / "celerybeat-schedule.dat"
    schedule.write_bytes(b"x")
    assert healthy()
    old = time.time() - 11 * 60
    os.utime(schedule, (old, old))
    assert not healthy()


def test_gunicorn_is_reachable_only_through_the_proxy():
    import yaml

    services = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text())[
        "services"
    ]
    for name, service in services.items():
        for port in service.get("ports", []):
            spec = (
                port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port['published']}"
            )
            assert spec.startswith("127.0.0.1:"), f"{name} publishes {spec} beyond this host"
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
