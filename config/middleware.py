import logging

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.utils.cache import add_never_cache_headers

from config.safe_pages import safe_page

security_log = logging.getLogger("yiguitong.security")
log = logging.getLogger("yiguitong")


class ChineseByDefaultMiddleware:
    """The interface speaks Simplified Chinese unless the user picks English
    with the language switch (a cookie): the browser's Accept-Language header
    is ignored, so a laptop set up in English still shows the Chinese UI."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AccessDeniedLogMiddleware:
    """Log every refused request (403) with who, from where and what; never
    the request body, so never a password."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security_log.warning(
                "access denied: user=%s ip=%s method=%s path=%s",
                user.get_username() if user is not None and user.is_authenticated else "-",
                client_ip(request) or "-",
                request.method,
                request.path,
            )
        return response


class DatabaseUnavailableMiddleware:
    """A request that finds the database unreachable (restarted, failed over,
    the network cut) gets a page asking to try again shortly, in the site's
    layout without anything read from the database (config/safe_pages.py):
    503 with Retry-After, never a traceback. The broken connection is dropped
    at the end of the request and, with CONN_HEALTH_CHECKS, a stale persistent
    one before its next use, so the app recovers by itself once the database
    is back. Other errors go on to the 500 page (config.errors.server_error)."""

    RETRY_AFTER_SECONDS = 30

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log.error(
            "database unavailable: method=%s path=%s error=%s: %s",
            request.method,
            request.path,
            exception.__class__.__name__,
            str(exception).strip().splitlines()[0] if str(exception).strip() else "",
        )
        session = getattr(request, "session", None)
        if session is not None and not hasattr(session, "_session_cache"):
            # The session could not be read either. Keep it (and the user's
            # cookie) as it is: no reading it again for the response, and no
            # saving it, which SessionMiddleware skips on a 5xx anyway.
            session._session_cache = {}
        response = safe_page(503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        add_never_cache_headers(response)
        return response


def client_ip(request) -> str | None:
    """The client's address, for the log-in lock-out (django-axes) and the logs.
    Behind PROXY_COUNT proxies of ours it is the address the outermost of them
    saw, which they append to X-Forwarded-For (what a client wrote there itself
    stands further left and is ignored); otherwise REMOTE_ADDR."""
    count = settings.PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; log the username only.
    security_log.warning(
        "log-in failed: user=%s ip=%s",
        credentials.get("username", "-"),
        (client_ip(request) if request is not None else None) or "-",
    )


class AuditActorMiddleware(AuditlogMiddleware):
    """auditlog's middleware for the change history (inspections.history): the
    request's user handed over unevaluated (the session and user are read only
    when a change is recorded, not on every request), and the client's address
    as the lock-out and the logs take it (`client_ip`), not the first entry of
    X-Forwarded-For, which the client writes itself."""

    @staticmethod
    def _get_actor(request):
        return getattr(request, "user", None)

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None
