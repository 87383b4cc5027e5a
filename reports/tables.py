"""The results page's tables as HTML (templates/jinja2/reports/_results_table.html).

Jinja2, as for the score sheet's cards (config/jinja2.py): a national
campaign's unit table has some 10,000 cells, which the template language
renders several times slower than the page's budget (benchmarks/results_page.py).
Labels come translated in the context: makemessages does not read Jinja2
templates."""

from dataclasses import dataclass

from django.http import QueryDict
from django.template.loader import get_template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from .selectors.results_table import DESCENDING_FIRST, ResultsQuery, Table


@dataclass(frozen=True)
class SortLink:
    href: str  # the page with this sort, the filters kept
    current: str  # "ascending", "descending" or "" (aria-sort)


def sort_links(params: QueryDict, query: ResultsQuery, keys) -> dict[str, SortLink]:
    """Per sort key, the header's link: the other direction when the table is
    sorted by it, else its natural one (a score: highest first)."""
    links = {}
    for key in keys:
        if key == query.sort:
            current = "descending" if query.descending else "ascending"
            param = key if query.descending else f"-{key}"
        else:
            current = ""
            param = f"-{key}" if key in DESCENDING_FIRST else key
        changed = params.copy()
        changed["sort"] = param
        links[key] = SortLink(href=f"?{changed.urlencode()}", current=current)
    return links


def table_html(
    table: Table,
    *,
    table_id: str,
    caption: str,
    chart: str = "",
    chart_title: str = "",
    links: dict[str, SortLink] | None = None,
) -> SafeString:
    return SafeString(
        get_template("reports/_results_table.html", using="jinja2").render(
            {
                "table": table,
                "table_id": table_id,
                "caption": caption,
                "chart": chart,
                "chart_title": chart_title,
                "sort_links": links or {},
                "empty": _("No branch matches."),
            }
        )
    )
