"""A production start (DEBUG off) refuses an insecure configuration: start-up
and `manage.py check` stop with ImproperlyConfigured naming the variable; with
a good one, HTTPS (the redirect, secure cookies, HSTS) is on by default, and
PLAIN_HTTP=1 alone turns it off."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from config.deploy_checks import production_problems

GOOD_KEY = secrets.token_urlsafe(50)
SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS > 0)"
)


def start(tmp_path, **variables) -> subprocess.CompletedProcess:
    """`manage.py check`, then the settings as a started process sees them."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "PLAIN_HTTP")
        and not key.startswith("SECURE_")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        VAR_DIR=str(tmp_path / "var"),
        **{k: v for k, v in variables.items() if v is not None},
    )
    for key in [k for k, v in variables.items() if v is None]:
        env.pop(key, None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", SHOW],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY is not set"),
        ({"DEBUG": None, "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY is not set"),
        ({"DEBUG": "0", "SECRET_KEY": "change-me", "ALLOWED_HOSTS": "x"}, "placeholder"),
        ({"DEBUG": "0", "SECRET_KEY": "a1b2c3d4e5" * 4, "ALLOWED_HOSTS": "x"}, "too short"),
        ({"DEBUG": "0", "SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS is empty"),
    ],
)
def test_an_insecure_production_start_stops_naming_the_variable(tmp_path, variables, named):
    result = start(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr, result.stderr


def test_check_stops_too(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    env.update(DEBUG="0", SECRET_KEY="change-me", ALLOWED_HOSTS="example.com")
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_https_is_the_default_and_plain_http_turns_it_off(tmp_path):
    good = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "example.com"}
    result = start(tmp_path, **good)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True"]
    result = start(tmp_path, **good, PLAIN_HTTP="1")
    assert result.stdout.split() == ["False", "False", "False", "False"], result.stderr


def test_the_rules():
    dev = "django-insecure-dev-only-key"
    assert production_problems(GOOD_KEY, ["example.com"], dev) == []
    assert production_problems(dev, ["example.com"], dev)
    assert production_problems("django-insecure-" + GOOD_KEY, ["x"], dev)
    assert production_problems("x" * 60, ["x"], dev)  # long, but one character
    assert production_problems("CHANGE-ME" + GOOD_KEY, ["x"], dev)
