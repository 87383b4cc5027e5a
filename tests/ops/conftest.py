"""Fault tests: the fixtures of the report tests, and a way to point the Celery
app at another broker (a dead port for an outage) without touching the
machine's Redis."""

import os
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from config.celery import app as celery_app
from tests.reports.conftest import approved_visit, media_root  # noqa: F401 (fixtures)

# Nothing listens here: connecting is refused at once, as with Redis stopped.
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"
# Where the tests that need Redis itself find it when the suite runs on the
# filesystem broker (README's default path).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _drop_connections():
    # Forget (not close: kombu keeps them per URL, shared) the app's pools, so
    # that the next send looks them up for the current broker URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker(url: str):
    """The Celery app of this process sends to `url` inside the block.

    (`broker_write_url`: with the CELERY settings namespace, assigning
    `conf.broker_url` is shadowed by the Django setting.)"""
    previous = celery_app.conf.broker_write_url
    _drop_connections()
    celery_app.conf.broker_write_url = url
    try:
        yield
    finally:
        _drop_connections()
        celery_app.conf.broker_write_url = previous


@pytest.fixture
def eager():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def through_the_broker():
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def redis_broker_url():
    """The Redis URL of a test that needs Redis's redelivery: the suite's broker
    when it is Redis, else TEST_REDIS_URL; skipped only if Redis does not answer.
    The app of this process sends there for the test."""
    from tests.skips import require_service

    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        url = TEST_REDIS_URL
    parts = urlsplit(url)
    require_service(
        "Redis", parts.hostname or "127.0.0.1", parts.port or 6379, why="redelivery needs Redis"
    )
    with broker(url):
        yield url
