"""PDF rendering shared by every PDF exporter: a Django template → HTML →
WeasyPrint, with the CJK font, A4 pages and page numbers of
`templates/reports/pdf_base.css`.

Fonts: the CSS names the family "Noto Sans CJK SC" (Debian's fonts-noto-cjk).
It covers GB2312, GBK and CJK Extension A (王喆, 李䶮), so real names never
fall back to boxes. WeasyPrint embeds only the glyphs a document uses; it
subsets with HarfBuzz when libharfbuzz-subset0 is installed (fast) and with
fontTools otherwise (several seconds per report): `subsetter()` tells which.
Whatever the subsetter, each embedded subset is cut from the full font for
exactly the glyphs used, so nothing the text needs is missing.

Report HTML never fetches anything over the network: the fetcher allows
`data:` URLs and files under the project's static/ folder only.

Garbage collection: WeasyPrint allocates a million or so objects for a long
report, nearly all of them alive until the PDF is written. With Python's
default thresholds the collector runs hundreds of times meanwhile, rescanning
the growing box tree each time: about a fifth of a visit report's time.
`fewer_collections()` raises the first threshold while a PDF is rendered (a
dozen collections instead of ~450) and puts it back afterwards.
"""

import gc
import logging
import ssl
import threading
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import strip_spaces_between_tags
from weasyprint import CSS, HTML
from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from scoring.text import strip_control_characters

FONT_FAMILY = "Noto Sans CJK SC"

# WeasyPrint logs every rendering step at INFO; a worker's log needs its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
BASE_CSS_TEMPLATE = "reports/pdf_base.css"


@cache
def _unused_ssl_context() -> ssl.SSLContext:
    """https is never fetched, but urllib's HTTPS handler would otherwise load the
    system's CA store for every fetcher made: ~25 ms a report. Once per process."""
    return ssl.create_default_context()


class LocalOnlyFetcher(URLFetcher):
    """Only data: URLs and files under STATICFILES_DIRS / STATIC_ROOT."""

    def __init__(self, **kwargs):
        super().__init__(
            allowed_protocols={"data", "file"},
            allow_redirects=False,
            ssl_context=_unused_ssl_context(),
            **kwargs,
        )

    def fetch(self, url, headers=None):
        if url.startswith("file:"):
            path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
            roots = [Path(p).resolve() for p in getattr(settings, "STATICFILES_DIRS", [])]
            if not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"report PDFs may not read {path}")
        return super().fetch(url, headers)


# Allocations between two young-generation collections while rendering (the default is 700).
RENDER_GC_THRESHOLD = 50_000
_gc_lock = threading.Lock()
_gc_depth = 0
_gc_saved: tuple[int, ...] = ()


@contextmanager
def fewer_collections():
    """Raise the collector's first threshold for the duration (re-entrant and
    thread-safe: the last renderer out restores the thresholds it found)."""
    global _gc_depth, _gc_saved
    with _gc_lock:
        if _gc_depth == 0:
            _gc_saved = gc.get_threshold()
            if _gc_saved[0] and _gc_saved[0] < RENDER_GC_THRESHOLD:
                gc.set_threshold(RENDER_GC_THRESHOLD, *_gc_saved[1:])
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0:
                gc.set_threshold(*_gc_saved)


def subsetter() -> str:
    """ "harfbuzz" or "fonttools": what WeasyPrint subsets the embedded fonts with."""
    if harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0):
        return "harfbuzz"
    return "fonttools"


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def base_stylesheet() -> CSS:
    """The base CSS (A4, margins, page numbers, the CJK font, tables), parsed once
    per process: it depends on nothing but the font."""
    css = render_to_string(BASE_CSS_TEMPLATE, {"font_family": FONT_FAMILY})
    return CSS(string=css, font_config=font_config(), url_fetcher=LocalOnlyFetcher())


def render_html(template_name: str, context: dict) -> str:
    """A report template's HTML without the whitespace between tags: thousands of
    text nodes fewer for WeasyPrint to parse, style and lay out (~5 % of a visit
    report). Text that needs a space next to a tag keeps it inside the tag."""
    html = render_to_string(template_name, {"font_family": FONT_FAMILY, **context})
    # Control characters stored before the plain-text rule (scoring/text.py)
    # would print as boxes: soft line breaks become line breaks, the rest go.
    return strip_control_characters(strip_spaces_between_tags(html))


def html_to_pdf(html: str, *, stylesheets: list[CSS] | None = None) -> bytes:
    """WeasyPrint alone: HTML (with the base CSS) → PDF bytes."""
    with fewer_collections():
        document = HTML(
            string=html,
            base_url=str(Path(settings.BASE_DIR) / "static") + "/",
            url_fetcher=LocalOnlyFetcher(),
        )
        return document.write_pdf(
            stylesheets=[base_stylesheet(), *(stylesheets or [])],
            font_config=font_config(),
        )
