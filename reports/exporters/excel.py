"""What a workbook cell may hold, for every exporter: text a user typed never
becomes a formula, and characters a workbook cannot hold (control characters
pasted from Word, stored before the plain-text rule) are dropped, so every
report still builds."""

from scoring.text import strip_control_characters

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def cell_value(value):
    """The one way a value reaches a cell: text cleaned and escaped (OWASP
    CSV injection: a leading formula trigger gets a quote); other values as they are."""
    if not isinstance(value, str):
        return value
    value = strip_control_characters(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values):
    return [cell_value(v) for v in values]
