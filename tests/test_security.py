"""Log-in protection, security headers, CSP, health endpoint, access logging."""

import logging

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def _attempt(client, username, password):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.9.9.9"
    )


def test_five_failures_lock_the_account_for_that_address(client, caplog):
    factories.UserFactory(username="someone")
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            response = _attempt(client, "someone", "wrong-password-x")
    assert response.status_code == 429
    assert 'data-testid="locked-out"' in response.content.decode()
    # Even the right password is refused while locked.
    assert _attempt(client, "someone", "pw-for-tests-1").status_code == 429
    # Failures are logged with user and address, never the password.
    text = caplog.text
    assert "someone" in text and "10.9.9.9" in text
    assert "wrong-password-x" not in text


def test_a_good_log_in_works_and_session_expires_with_inactivity(client, settings):
    factories.UserFactory(username="someone")
    response = _attempt(client, "someone", "pw-for-tests-1")
    assert response.status_code == 302
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_pages_carry_security_headers_and_a_strict_csp(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.content.decode()


def test_access_denials_are_logged_with_user_and_address(client, caplog):
    inspector = factories.UserFactory(username="plain-inspector")
    client.force_login(inspector)
    with caplog.at_level(logging.WARNING, logger="yiguitong.security"):
        response = client.get(reverse("roster-import"), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    assert "plain-inspector" in caplog.text and "10.1.2.3" in caplog.text


def test_health_endpoint_reports_database_broker_and_worker(client, db):
    from datetime import timedelta

    from django.utils import timezone

    from inspections.models import WorkerHeartbeat

    url = reverse("healthz")
    WorkerHeartbeat.objects.all().delete()
    data = client.get(url).json()
    assert (data["database"], data["broker"], data["worker"]) == ("ok", "ok", "unknown")
    assert client.get(url).status_code == 200
    assert client.get(url, {"strict": 1}).status_code == 503  # no worker seen yet

    WorkerHeartbeat.objects.create(hostname="celery@w1", seen_at=timezone.now())
    response = client.get(url, {"strict": 1})
    assert response.status_code == 200 and response.json()["worker"] == "ok"
    assert response.json()["degraded"] is False

    WorkerHeartbeat.objects.update(seen_at=timezone.now() - timedelta(minutes=4))
    assert client.get(url).json()["worker"] == "stale"
    assert client.get(url, {"strict": 1}).status_code == 503


def test_a_broker_outage_keeps_the_web_replica_in_service(client, settings, db):
    """With Redis down the app keeps working (report jobs wait in the database):
    the load balancer must not take the web replicas out; a strict monitor sees it."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["broker"].startswith("error")
    assert response.json()["degraded"] is True
    assert client.get(reverse("healthz"), {"strict": 1}).status_code == 503
