"""A section as the reports lay it out (`reports.selectors.sheets.section_line`):
表四's notice section with no 二核 notice to check shows 不适用 and the reason."""

from decimal import Decimal

from django.utils import translation

from reports.selectors.sheets import rule_note, section_line
from scoring import definitions as d
from tests.scoring import rubric_defs as r


def notice_section() -> d.SectionDef:
    return r.section_named(r.claims(), "二核通知书打印回收")


def test_no_notice_to_check_shows_not_applicable_with_the_reason_on_every_item():
    section = notice_section()
    result = r.score_section(
        section,
        d.SectionAnswer(
            not_applicable=True,
            not_applicable_reason="本月无二核件",
            notice_kind=section.notice_kinds[0].key,
            item_scores={i.key: "0" for i in section.items},
        ),
    )
    with translation.override("zh-hans"):
        line = section_line(section, result, {section.items[0].key: "备注"})
    assert line.not_applicable and line.score == line.max_points == Decimal(80)
    assert line.note == "无二核通知书可查。不适用：得满分 80 分。本月无二核件"
    assert [i.score for i in line.items] == [15, 15, 15, 15, 20]
    assert [i.note for i in line.items] == ["不适用：得满分。"] * 5


def test_a_notice_kind_checked_is_still_shown_as_before():
    section = notice_section()
    result = r.score_section(section, r.full_section_answer(section))
    with translation.override("en"):
        line = section_line(section, result)
    assert not line.not_applicable and not line.note
    assert [i.note for i in line.items][:4] == ["Notice kind checked."] + [
        "Notice kind not checked: full points."
    ] * 3


def test_the_blank_form_says_what_to_do_with_no_notice():
    section = notice_section()
    with_rule = d.SectionDef(
        **{**section.__dict__, "not_applicable_conditions": "验收其中一种通知书的打印。"}
    )
    with translation.override("zh-hans"):
        assert rule_note(section) == "无二核通知书可查的：不适用，得满分，并注明原因。"
        assert rule_note(with_rule) == (
            "验收其中一种通知书的打印。 无二核通知书可查的：不适用，得满分，并注明原因。"
        )
