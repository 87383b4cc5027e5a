"""The plain-text rule (scoring/text.py): tab and line breaks are text, soft
line breaks and form feeds become line breaks, every other control character
is refused with a message naming it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from scoring.text import (
    PlainTextFormField,
    clean_plain_text,
    control_characters,
    from_excel,
    strip_control_characters,
)

KEPT = {"\t", "\n", "\r"}
TO_LINE_BREAK = {"\x0b", "\x0c", "\u2028", "\u2029"}
C0_AND_DEL = [chr(c) for c in range(0x20)] + ["\x7f"]


@pytest.mark.parametrize("character", C0_AND_DEL, ids=lambda c: f"U+{ord(c):04X}")
def test_each_c0_character_and_del(character):
    text = f"甲{character}乙"
    if character in KEPT:
        assert clean_plain_text(text) == text
    elif character in TO_LINE_BREAK:
        assert clean_plain_text(text) == "甲\n乙"
    else:
        with pytest.raises(ValidationError) as caught:
            clean_plain_text(text)
        assert caught.value.code == "control_characters"
        assert f"U+{ord(character):04X}" in caught.value.messages[0]
        assert strip_control_characters(text) == "甲乙"


def test_c1_controls_and_non_characters_are_refused():
    assert control_characters("a\x85b\x9fc\ufffe") == ["U+0085", "U+009F", "U+FFFE"]


def test_rare_characters_and_unicode_separators():
    assert clean_plain_text("李䶮\u2028王喆𠀀") == "李䶮\n王喆𠀀"


def test_the_form_field_refuses_with_a_chinese_message():
    field = PlainTextFormField()
    assert field.clean("第一行\x0b第二行") == "第一行\n第二行"
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as caught:
            field.clean("响铃\x07")
        # The message is lazy: read it in the language it is shown in.
        message = caught.value.messages[0]
    assert "控制字符" in message and "U+0007" in message


def test_excel_escapes_are_read_as_the_characters_they_stand_for():
    assert from_excel("王_x000B_喆") == "王\x0b喆"
    assert from_excel("_x005F_x0041_") == "_x0041_"  # Excel's escaped underscore
    assert from_excel(3.0) == "3" and from_excel(None) == ""


@given(st.text())
def test_cleaned_text_is_stable_and_exportable(text):
    stripped = strip_control_characters(text)
    assert not control_characters(stripped)
    assert clean_plain_text(stripped) == stripped
