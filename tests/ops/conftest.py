"""Fault tests: the fixtures of the report tests, and a way to point the Celery
app at another broker (a dead port for an outage) without touching the
machine's Redis."""

from contextlib import contextmanager

import pytest

from config.celery import app as celery_app
from tests.reports.conftest import approved_visit, media_root  # noqa: F401 (fixtures)

# Nothing listens here: connecting is refused at once, as with Redis stopped.
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"


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
