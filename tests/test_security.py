"""Log-in protection, security headers, CSP, health endpoint, access logging."""

import datetime
import logging

import pytest
import time_machine
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


def test_the_lock_is_for_that_user_and_address_and_lifts_after_15_minutes(client):
    factories.UserFactory(username="someone")
    start = datetime.datetime(2012, 11, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            _attempt(client, "someone", "wrong-password-x")
        assert _attempt(client, "someone", "pw-for-tests-1").status_code == 429
        # The same user from another address is not locked out.
        other = client.post(
            reverse("login"),
            {"username": "someone", "password": "pw-for-tests-1"},
            REMOTE_ADDR="10.7.7.7",
        )
        assert other.status_code == 302
    # 15 minutes after the last failure (an attempt while locked is one too).
    with time_machine.travel(start + datetime.timedelta(minutes=16), tick=False):
        assert _attempt(client, "someone", "pw-for-tests-1").status_code == 302


def test_behind_a_proxy_the_lock_and_the_logs_use_the_forwarded_address(client, settings, caplog):
    """Behind the TLS terminator every request comes from the proxy: the lock-out
    must count the client's address, not lock everyone out together."""
    settings.PROXY_COUNT = 1
    factories.UserFactory(username="someone")

    def attempt(password, forwarded):
        return client.post(
            reverse("login"),
            {"username": "someone", "password": password},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            # A client's own X-Forwarded-For entry is ignored: the proxy's is last.
            attempt("wrong-password-x", "1.2.3.4, 203.0.113.7")
    assert attempt("pw-for-tests-1", "203.0.113.7").status_code == 429
    assert "203.0.113.7" in caplog.text and "1.2.3.4" not in caplog.text
    assert attempt("pw-for-tests-1", "198.51.100.9").status_code == 302


def test_twenty_user_names_tried_from_one_address_lock_that_address(client):
    # One password tried against every user: no user fails twice.
    factories.UserFactory(username="real-user")
    for n in range(20):
        response = _attempt(client, f"guess-{n}", "Spring2012!")
        assert response.status_code == (429 if n == 19 else 200), n
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "20" in response.content.decode()
    # Locked for every user name, the right password included …
    assert _attempt(client, "real-user", "pw-for-tests-1").status_code == 429
    # … from that address only.
    other = client.post(
        reverse("login"),
        {"username": "real-user", "password": "pw-for-tests-1"},
        REMOTE_ADDR="10.7.7.7",
    )
    assert other.status_code == 302


def test_failures_for_one_user_from_several_addresses_lock_that_user(client):
    factories.UserFactory(username="someone")
    for n in range(10):  # never more than 4 from one address
        response = client.post(
            reverse("login"),
            {"username": "someone", "password": "wrong-password-x"},
            REMOTE_ADDR=f"10.1.{n // 4}.{n}",
        )
    assert response.status_code == 429
    fresh = client.post(
        reverse("login"),
        {"username": "someone", "password": "pw-for-tests-1"},
        REMOTE_ADDR="10.200.0.1",
    )
    assert fresh.status_code == 429
    # Other users are not affected.
    factories.UserFactory(username="colleague")
    assert _attempt(client, "colleague", "pw-for-tests-1").status_code == 302


def test_the_limits_come_from_settings(client, settings):
    settings.LOGIN_FAILURE_LIMITS = {"user_at_address": 5, "user": 10, "address": 3}
    for n in range(3):
        response = _attempt(client, f"guess-{n}", "x-wrong-x")
    assert response.status_code == 429


def test_a_forged_forwarded_for_without_a_trusted_proxy_changes_nothing(client, settings):
    settings.PROXY_COUNT = 0
    factories.UserFactory(username="someone")
    for n in range(5):
        response = client.post(
            reverse("login"),
            {"username": "someone", "password": "wrong-password-x"},
            REMOTE_ADDR="10.9.9.9",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",  # a new address each time, says the client
        )
    assert response.status_code == 429
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.9.9.9"}


def test_the_change_history_records_the_address_the_lock_out_uses(client, settings, world, visit):
    from inspections.models import VisitChange

    settings.PROXY_COUNT = 1
    client.force_login(world.inspector_a)
    client.post(
        reverse("visit-kpis", args=[visit.pk]),
        {"note": "每周通报"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
    )
    change = VisitChange.objects.filter(visit=visit).latest("timestamp")
    assert change.remote_addr == "203.0.113.7"


def test_a_session_ends_after_two_hours_without_activity(client, settings):
    factories.UserFactory(username="someone")
    start = datetime.datetime(2012, 11, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        assert _attempt(client, "someone", "pw-for-tests-1").status_code == 302
    # Activity keeps it alive (each request moves the expiry on) …
    with time_machine.travel(start + datetime.timedelta(minutes=110), tick=False):
        assert client.get(reverse("visit-list")).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=220), tick=False):
        assert client.get(reverse("visit-list")).status_code == 200
    # … two hours without any ends it.
    with time_machine.travel(start + datetime.timedelta(minutes=345), tick=False):
        response = client.get(reverse("visit-list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = factories.UserFactory.build(username="zhangsan", first_name="三", last_name="张")
    for weak in ("12345678", "password", "zhangsan1", "abc"):
        with pytest.raises(ValidationError):
            validate_password(weak, user)
    validate_password("柜面验收-2012-Qx7", user)


def test_every_post_needs_the_csrf_token():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    user = factories.UserFactory(username="someone")
    assert (
        strict.post(reverse("login"), {"username": "someone", "password": "x"}).status_code == 403
    )
    strict.force_login(user)
    for name in ("visit-list", "campaign-list", "action-list"):
        assert strict.post(reverse(name), {}).status_code == 403, name


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


def test_every_kind_of_response_carries_the_security_headers(client):
    user = factories.UserFactory(username="someone")
    client.force_login(user)
    responses = {
        "page": client.get(reverse("visit-list")),
        "json": client.get(reverse("healthz")),
        "text": client.get(reverse("ping")),
        "404": client.get("/no-such-page/"),
        "403": client.get(reverse("roster-import")),
        "redirect": client.get(reverse("home").rstrip("/") + "/visits"),
    }
    for kind, response in responses.items():
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response.get("X-Frame-Options") == "DENY", (kind, response.status_code)
        assert response["Referrer-Policy"] == "same-origin", kind
        assert "default-src 'self'" in response["Content-Security-Policy"], kind
