"""Formula-safe Excel writing: no text a user typed ever becomes a formula."""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value):
    """Escape strings Excel or openpyxl would take as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values):
    return [safe_text(v) for v in values]
