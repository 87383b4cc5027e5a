"""The Jinja2 environment of the partials Django's template language is too
slow for: the score sheet's part cards and radios (inspections.sheet_forms),
and the results page's tables (reports.tables).

Jinja2 compiles a template to Python once; the cards (every item input of a
sheet, some thirty inputs, selects and radios) render several times faster than
with the template language, which the sheet page's cost needs
(benchmarks/page_floor.py). No gettext here: `makemessages` does not read
Jinja2 templates, so every label comes translated in the context.
"""

from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from jinja2 import Environment, StrictUndefined


def environment(**options) -> Environment:
    # A misspelt name is an error, not an empty string.
    options["undefined"] = StrictUndefined
    env = Environment(**options)
    env.filters.update(floatformat=floatformat, localize=localize)
    return env
