"""Text that people type: the one rule for every free-text input of every app
(forms, admin, Excel and YAML imports).

Text pasted from Word or another program carries invisible control
characters. Tab and line breaks are kept; Word's soft line break (U+000B), a
form feed (U+000C) and the Unicode line and paragraph separators become line
breaks; any other control character is refused with a message that names it,
since it would break the Excel reports (a workbook cannot hold them) and
nobody can see it to remove it. Exporters still drop such characters from
text stored before this rule (reports/exporters/excel.py).
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\u2028": "\n", "\u2029": "\n"})
# C0 controls but tab, line feed and carriage return; DEL; the C1 controls; and
# U+FFFE/U+FFFF, which are not characters at all.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


def normalise(text: str) -> str:
    """Soft line breaks, form feeds and Unicode separators become line breaks."""
    return text.translate(_LINE_BREAKS)


def control_characters(text: str) -> list[str]:
    """The refused characters in `text`, as "U+0007", each once, in order."""
    return sorted({f"U+{ord(c):04X}" for c in CONTROL_CHARACTERS.findall(normalise(text))})


def validate_plain_text(value) -> None:
    if not isinstance(value, str):
        return
    found = control_characters(value)
    if found:
        raise ValidationError(
            _(
                "The text contains invisible control characters (%(characters)s), often "
                "pasted from Word or another program. Delete them, or type the text again."
            ),
            code="control_characters",
            params={"characters": "、".join(found)},
        )


def clean_plain_text(value: str) -> str:
    """`value` normalised, or ValidationError naming its control characters."""
    value = normalise(value)
    validate_plain_text(value)
    return value


_OOXML_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def from_excel(value) -> str:
    """A cell's text as typed: Excel stores characters a workbook's XML cannot
    hold (a pasted soft line break) as "_x000B_", which openpyxl leaves as is."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), str(value))


def strip_control_characters(value: str) -> str:
    """For names we do not ask the user to correct (an uploaded file's name)."""
    return CONTROL_CHARACTERS.sub("", normalise(value))


class PlainTextFormField(forms.CharField):
    """A form's free-text field: line breaks normalised, control characters refused."""

    default_validators = [validate_plain_text]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if isinstance(value, str) else value


class _PlainTextModelField:
    default_validators = [validate_plain_text]

    def to_python(self, value):
        value = super().to_python(value)
        return normalise(value) if isinstance(value, str) else value

    def formfield(self, **kwargs):
        if not self.choices:
            kwargs.setdefault("form_class", PlainTextFormField)
        return super().formfield(**kwargs)


class PlainCharField(_PlainTextModelField, models.CharField):
    """A CharField people type into (admin and model forms use PlainTextFormField)."""


class PlainTextField(_PlainTextModelField, models.TextField):
    """A TextField people type into (admin and model forms use PlainTextFormField)."""
