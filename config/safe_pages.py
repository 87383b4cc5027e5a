"""The pages of a failed request (500, and 503 when the database cannot be
reached), in the site's layout and the user's language, rendered without the
request: no user, no session, no messages, nothing that reads the database,
which may be what failed. Should the page itself fail to render (a template or
a static file missing), a plain page says the same, so an error page never
raises an error of its own."""

import logging

from django.http import HttpResponse
from django.template import loader
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

log = logging.getLogger("yiguitong")

FALLBACK = (
    '<!doctype html><html lang="{}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>{}</title></head>'
    '<body><main><h1>{}</h1><p>{}</p><p>{}</p><p><a href="/">{}</a></p></main></body></html>'
)


def _texts(status: int) -> tuple[str, str]:
    """The title and message of the page (templates/500.html and 503.html say the same)."""
    if status == 503:
        return _("Service temporarily unavailable"), _(
            "The system cannot reach its database at the moment. Please try again in a minute."
        )
    return _("Server error"), _(
        "Something went wrong and your request could not be completed. "
        "Please try again in a minute."
    )


def safe_page(status: int) -> HttpResponse:
    """The 500 or 503 page: templates/<status>.html, or the plain page should it fail."""
    try:
        body = loader.render_to_string(f"{status}.html")
    except Exception:
        log.exception("the %s page could not be rendered; a plain page was sent instead", status)
        title, message = _texts(status)
        body = format_html(
            FALLBACK,
            get_language() or "zh-hans",
            title,
            title,
            message,
            _("If the problem persists, contact head office's system administrator."),
            _("Back to the home page"),
        )
    return HttpResponse(body, status=status)
