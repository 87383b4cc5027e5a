"""The pages of a refused or failed request, in the site's layout and the user's
language (config/urls.py names them as Django's handlers), and the log line of
a 404 that hides an object from someone who may not see it."""

import logging

from django.shortcuts import render
from django.utils.translation import gettext as _

from config.middleware import client_ip
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


def _page(request, status: int, title: str, message: str):
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message},
        status=status,
    )
