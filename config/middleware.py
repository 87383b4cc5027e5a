import logging

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

security_log = logging.getLogger("yiguitong.security")


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
                client_ip(request),
                request.method,
                request.path,
            )
        return response


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "-")


@receiver(user_login_failed)
def log_login_failure(sender, credentials, request=None, **kwargs):
    # `credentials` has the password already masked by Django; log the username only.
    security_log.warning(
        "log-in failed: user=%s ip=%s",
        credentials.get("username", "-"),
        client_ip(request) if request is not None else "-",
    )
