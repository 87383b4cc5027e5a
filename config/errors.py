"""The pages of a refused or failed request, in the site's layout and the user's
language (config/urls.py names them as Django's handlers; settings name the
CSRF failure view), and the log line of a 404 that hides an object from
someone who may not see it. 400, 403 and 404 pages show the whole navigation;
500 and 503 the layout without the database (config/safe_pages.py)."""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404, get_urlconf, resolve
from django.utils.log import log_response
from django.utils.translation import gettext as _

from config.middleware import client_ip
from config.safe_pages import safe_page
from config.uploads import UploadTooLarge
from inspections.access import NotVisible
from inspections.params import BadParameter

security_log = logging.getLogger("yiguitong.security")


def bad_request(request, exception=None):
    """400, or 413 for an upload over a limit: the message says which and what to do."""
    if isinstance(exception, UploadTooLarge):
        return _page(request, 413, _("Upload too large"), str(exception))
    # Our own refusals say what was wrong; other bad requests say nothing of it.
    message = str(exception) if isinstance(exception, BadParameter) else ""
    return _page(
        request,
        400,
        _("Bad request"),
        message or _("The request could not be understood. Go back and try again."),
    )


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("Not allowed"),
        _("Your role does not allow this. If you think it should, ask head office."),
    )


def page_not_found(request, exception=None):
    if isinstance(exception, NotVisible):
        # It exists but this user may not see it: logged like a refusal (403).
        user = getattr(request, "user", None)
        security_log.warning(
            "access denied (404): user=%s ip=%s method=%s path=%s",
            user.get_username() if user is not None and user.is_authenticated else "-",
            client_ip(request) or "-",
            request.method,
            request.path,
        )
    return _page(
        request,
        404,
        _("Page not found"),
        _("There is no such page, or it is not one you may see."),
    )


def csrf_failure(request, reason=""):
    """A form sent from a page open too long, or from before signing in again
    (Django's CSRF check refused it): say how to send it again."""
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "The form could not be sent: the page was open for a long time, or you "
            "signed in again since it was opened. Reload the page and send it again."
        ),
    )


def server_error(request):
    """500: rendered without the request, so it works whatever failed."""
    return safe_page(500)


def _page(request, status: int, title: str, message: str):
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )


class NotFoundPageMiddleware:
    """The site's 404 page with DEBUG on too (scripts/run, the demo), where
    Django would answer with its technical page in English; the log still
    names the path. With DEBUG off Django calls `page_not_found` itself. A
    500 keeps Django's debugging page with DEBUG on: it is a bug to fix.

    After CommonMiddleware, so that a missing slash is still added by its
    redirect, and after the authentication and messages middleware the page's
    navigation uses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.DEBUG:
            try:
                resolve(request.path_info, getattr(request, "urlconf", None) or get_urlconf())
            except Resolver404 as exception:
                return self._not_found(request, exception)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        response = page_not_found(request, exception)
        log_response("Not Found: %s", request.path, response=response, request=request)
        return response
