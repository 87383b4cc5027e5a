"""Example-based tests of the scoring engine, on the 2012 sheets as the
reference transcription (tests/data/rubrics-2012.yaml) describes them.

No database: the engine is pure and works on plain dataclasses."""

from decimal import Decimal

import pytest

from scoring import definitions as d
from scoring import engine as e

from . import rubric_defs as r
from .rubric_defs import GRADE_BANDS, item_named, part_named, section_named

D = Decimal


def problems_of(excinfo) -> dict[str, e.Problem]:
    return {p.key: p for p in excinfo.value.problems}


def single_section_sheet(max_points, *, scoring=d.SECTION_POINTS) -> d.SheetDef:
    section = d.SectionDef(key="s", name="环节", scoring=scoring, max_points=D(max_points))
    part = d.PartDef(key="p", name="表", total_points=D(max_points), sections=(section,))
    return d.SheetDef(
        key="x",
        table_label="表X",
        name="X",
        kind="scored",
        total_points=D(max_points),
        parts=(part,),
    )


def section_points_answers(sheet: d.SheetDef, score) -> d.SheetAnswers:
    part = sheet.parts[0]
    section = part.sections[0]
    return d.SheetAnswers(
        parts={part.key: d.PartAnswers(sections={section.key: d.SectionAnswer(score=score)})}
    )


# --- the definitions follow the reference ------------------------------------


class TestReferenceDefinitions:
    def test_new_business_has_four_parts_adding_up_to_100(self):
        sheet = r.new_business()
        assert sheet.table_label == "表二"
        assert sheet.grouping == d.PARTS
        assert [(p.name, p.total_points) for p in sheet.parts] == [
            ("新契约流程", 60),
            ("问题件流程", 15),
            ("撤单流程", 15),
            ("回执回销流程", 10),
        ]
        assert sum(p.total_points for p in sheet.parts) == sheet.total_points == 100
        for part in sheet.parts:
            assert sum(s.max_points for s in part.sections) == part.total_points
            for section in part.sections:
                assert section.scoring == d.ITEM_POINTS
                assert sum(i.points for i in section.items) == section.max_points
                assert section.not_applicable_rule == d.NA_NONE

    def test_policy_change_has_six_section_points_sections(self):
        sheet = r.policy_change()
        assert sheet.table_label == "表三"
        assert sheet.grouping == d.SINGLE
        (part,) = sheet.parts
        assert [(s.name, s.max_points) for s in part.sections] == [
            ("资料审核", 30),
            ("系统录入", 20),
            ("申请确认", 15),
            ("交费通知书打印", 10),
            ("批单打印", 10),
            ("影像扫描", 15),
        ]
        assert sum(s.max_points for s in part.sections) == part.total_points == 100
        assert all(s.scoring == d.SECTION_POINTS for s in part.sections)
        assert all(i.points is None for s in part.sections for i in s.items)
        assert sheet.servicing_items == (
            "退保",
            "生存金给付柜面领取",
            "交费方式变更",
            "交费账号变更",
            "客户重要资料变更",
            "保单复效",
        )

    def test_policy_change_notice_printing_rule(self):
        sheet = r.policy_change()
        notice = section_named(sheet, "交费通知书打印")
        assert notice.not_applicable_rule == d.NA_FULL_POINTS
        assert notice.allows_not_applicable
        assert notice.exempt_servicing_items == {
            "退保",
            "生存金给付柜面领取",
            "交费方式变更",
            "交费账号变更",
        }
        assert "未产生补费" in notice.not_applicable_conditions
        others = [s for s in sheet.parts[0].sections if s is not notice]
        assert all(not s.allows_not_applicable and not s.exempt_servicing_items for s in others)

    def test_claims_has_three_alternatives_of_100(self):
        sheet = r.claims()
        assert sheet.table_label == "表四"
        assert sheet.grouping == d.ALTERNATIVES
        assert [p.name for p in sheet.parts] == ["理赔业务处理", "问题件流程", "通知书流程"]
        for part in sheet.parts:
            assert part.total_points == sheet.total_points == 100
            assert sum(s.max_points for s in part.sections) == 100

    def test_claims_notice_kinds(self):
        section = section_named(r.claims(), "二核通知书打印回收")
        assert section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND
        assert [(i.text, i.points) for i in section.notice_kinds] == [
            ("理赔核保通知书打印", 15),
            ("理赔拒保通知书打印", 15),
            ("理赔体检通知书打印", 15),
            ("补充告知问卷打印", 15),
        ]
        assert item_named(section, "二核通知书回收扫描").points == 20
        assert not item_named(section, "二核通知书回收扫描").is_notice_kind
        assert section.max_points == 80

    @pytest.mark.parametrize(("code", "count"), [("permissions", 3), ("etiquette", 7)])
    def test_checklists(self, code, count):
        requirements = r.checklist_requirements(code)
        assert len(requirements) == count
        assert all(req.points is None for req in requirements)


# --- parse_points ----------------------------------------------------------------


class TestParsePoints:
    def parse(self, value, maximum=10):
        return e.parse_points(value, key="k", label="标签", maximum=D(maximum))

    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (0, D(0)),
            (10, D(10)),
            ("7", D(7)),
            (" 7.5 ", D("7.5")),
            ("7.50", D("7.5")),
            (D("9.9"), D("9.9")),
            (2.5, D("2.5")),
            ("0.0", D(0)),
            ("10.0", D(10)),
        ],
    )
    def test_valid(self, value, expected):
        assert self.parse(value) == expected

    @pytest.mark.parametrize("value", [None, "", "   ", "\t"])
    def test_blank_is_none(self, value):
        assert self.parse(value) is None

    ABOVE_MAX = ["10.1", 11, "100", D("10.01")]
    NEGATIVE = [-1, "-0.1", D("-5"), "-10"]
    NOT_A_NUMBER = ["abc", "1,5", "five", "1/2", "--1", [1], {}]
    NOT_FINITE = ["NaN", "nan", "sNaN", D("NaN"), float("nan")]
    INFINITE = ["Infinity", "-Infinity", "inf", float("inf"), D("Infinity")]
    BOOLEANS = [True, False]  # booleans are not points, though True == 1
    TOO_PRECISE = ["7.25", "0.05", 2.25, D("9.99")]

    @pytest.mark.parametrize(
        "value",
        ABOVE_MAX + NEGATIVE + NOT_A_NUMBER + NOT_FINITE + INFINITE + BOOLEANS + TOO_PRECISE,
    )
    def test_impossible_values_raise(self, value):
        with pytest.raises(e.ScoringError) as excinfo:
            self.parse(value)
        (problem,) = excinfo.value.problems
        assert (problem.key, problem.label) == ("k", "标签")
        assert problem.message
        assert str(problem).startswith("标签: ")
        assert "标签" in str(excinfo.value)

    def test_error_messages_say_what_is_wrong(self):
        messages = {}
        for value in ("11", "-1", "abc", "1.25"):
            with pytest.raises(e.ScoringError) as excinfo:
                self.parse(value)
            messages[value] = excinfo.value.problems[0].message
        assert len(set(messages.values())) == 4
        assert "10" in messages["11"]  # the maximum is named

    def test_zero_maximum(self):
        assert self.parse("0", maximum=0) == 0
        with pytest.raises(e.ScoringError):
            self.parse("0.1", maximum=0)

    def test_normalised_values(self):
        # Negative zero and exponent notation are legitimate spellings of
        # possible scores; they come back in plain form.
        for value, text in (("-0", "0"), ("-0.0", "0.0"), ("1E+1", "10"), ("5e0", "5")):
            parsed = self.parse(value)
            assert str(parsed) == text, value


# --- percentages, grades, means ---------------------------------------------------


class TestPercentAndGrade:
    @pytest.mark.parametrize(
        ("score", "maximum", "expected"),
        [
            ("100", "100", "100.00"),
            ("0", "100", "0.00"),
            ("45", "60", "75.00"),
            ("1", "3", "33.33"),
            ("2", "3", "66.67"),
            ("0.5", "200", "0.25"),
            ("1", "8", "12.50"),
            ("0.1", "1600", "0.01"),  # 0.00625 rounds half up to 0.01
        ],
    )
    def test_percent_of(self, score, maximum, expected):
        result = e.percent_of(D(score), D(maximum))
        assert result == D(expected)
        assert result.as_tuple().exponent == -2

    def test_percent_of_nothing_is_none(self):
        assert e.percent_of(D(0), D(0)) is None

    @pytest.mark.parametrize(
        ("percent", "grade"),
        [
            ("100", "A"),
            ("85", "A"),
            ("85.00", "A"),
            ("84.99", "B"),
            ("70", "B"),
            ("70.00", "B"),
            ("69.99", "C"),
            ("0", "C"),
        ],
    )
    def test_grade_bands(self, percent, grade):
        assert e.grade_for(D(percent), GRADE_BANDS) == grade
        assert e.grade_for(D(percent), reversed(GRADE_BANDS)) == grade  # order does not matter

    def test_no_grade(self):
        assert e.grade_for(None, GRADE_BANDS) is None
        assert e.grade_for(D(50), ()) is None
        assert e.grade_for(D(50), [d.GradeBandDef("A", D(85))]) is None

    @pytest.mark.parametrize(
        ("score", "maximum", "grade"),
        [
            ("850", "1000", "A"),
            ("849.9", "1000", "B"),  # 84.99 %
            ("700", "1000", "B"),
            ("699.9", "1000", "C"),  # 69.99 %
            ("85", "100", "A"),
            ("70", "100", "B"),
        ],
    )
    def test_sheet_grade_at_the_boundaries(self, score, maximum, grade):
        sheet = single_section_sheet(maximum)
        result = e.score_sheet(sheet, section_points_answers(sheet, score), GRADE_BANDS)
        assert result.percent == D(score) * 100 / D(maximum)
        assert result.grade == grade

    def test_mean_percent(self):
        assert e.mean_percent([D(80), None, D(90), None]) == D("85.00")
        assert e.mean_percent([D("66.67"), D("66.67"), D("66.66")]) == D("66.67")
        assert e.mean_percent([D(1), D(2)]) == D("1.50")
        assert e.mean_percent([None, None]) is None
        assert e.mean_percent([]) is None
        assert e.mean_percent(iter([D(70)])) == D("70.00")


# --- full marks on every reference sheet -----------------------------------------


@pytest.mark.parametrize("build", [r.new_business, r.policy_change, r.claims])
def test_full_marks_give_100_percent_and_grade_a(build):
    sheet = build()
    alternatives = [p.key for p in sheet.parts] if sheet.grouping == d.ALTERNATIVES else [None]
    for alternative in alternatives:
        result = e.score_sheet(sheet, r.full_sheet_answers(sheet, alternative), GRADE_BANDS)
        assert result.score == result.max_points == sheet.total_points == 100
        assert result.percent == D(100)
        assert result.grade == "A"
        assert result.complete
        assert result.missing == ()


@pytest.mark.parametrize("build", [r.new_business, r.policy_change, r.claims])
def test_empty_answers_give_zero_and_list_everything_missing(build):
    sheet = build()
    answers = d.SheetAnswers(chosen_alternative=sheet.parts[0].key)
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    assert result.score == 0
    assert (result.percent, result.grade) == (None, None)  # an empty sheet is not a C
    assert not result.complete
    part = sheet.parts[0]
    for section in part.sections:
        if section.scoring == d.SECTION_POINTS:
            assert section.name in result.missing
        else:
            for item in section.items:
                assert item.text in result.missing


# --- 表二 new business: parts that add up ----------------------------------------


class TestNewBusiness:
    def answers(
        self, *, observed=("新契约流程", "问题件流程", "撤单流程", "回执回销流程"), scores=None
    ):
        sheet = r.new_business()
        scores = scores or {}
        parts = {}
        for part in sheet.parts:
            if part.name in observed:
                parts[part.key] = d.PartAnswers(
                    sections={
                        s.key: d.SectionAnswer(
                            item_scores={i.key: scores.get(i.text, str(i.points)) for i in s.items}
                        )
                        for s in part.sections
                    }
                )
            else:
                parts[part.key] = d.PartAnswers(observed=False, not_observed_reason="当日无撤单")
        return d.SheetAnswers(parts=parts)

    def test_only_new_business_observed(self):
        sheet = r.new_business()
        answers = self.answers(
            observed=("新契约流程",),
            scores={"投保资料完整性审核": "5", "投保资料横向审核": "0", "申请资料扫描": "10"},
        )
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert result.score == 45
        assert result.max_points == 60
        assert result.percent == D(75)
        assert result.grade == "B"
        assert result.complete
        observed = {p.name: p.observed for p in result.parts}
        assert observed == {
            "新契约流程": True,
            "问题件流程": False,
            "撤单流程": False,
            "回执回销流程": False,
        }
        for part in result.parts:
            if not part.observed:
                assert (part.score, part.max_points, part.percent) == (0, 0, None)
                assert part.not_observed_reason == "当日无撤单"
                assert part.sections == ()

    def test_part_scores_add_up_to_the_sheet_score(self):
        sheet = r.new_business()
        answers = self.answers(
            scores={"通知书打印发放": "3.5", "撤单操作": "2", "回执回销": "9.5", "扫描": "1"}
        )
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert [p.score for p in result.parts] == [60, D("11.5"), 12, D("9.5")]
        assert result.score == sum(p.score for p in result.parts) == D(93)
        assert [p.percent for p in result.parts] == [100, D("76.67"), 80, 95]
        assert result.percent == D(93)
        assert result.grade == "A"

    def test_not_observed_without_reason_raises(self):
        sheet = r.new_business()
        answers = self.answers()
        withdrawal = part_named(sheet, "撤单流程")
        answers.parts[withdrawal.key] = d.PartAnswers(observed=False, not_observed_reason="  ")
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers, GRADE_BANDS)
        (problem,) = excinfo.value.problems
        assert (problem.key, problem.label) == (withdrawal.key, "撤单流程")

    def test_answers_of_a_part_not_observed_are_ignored(self):
        sheet = r.new_business()
        answers = self.answers(observed=("新契约流程",))
        receipt = part_named(sheet, "回执回销流程")
        answers.parts[receipt.key].sections = {
            receipt.sections[0].key: d.SectionAnswer(item_scores={"p4s1i1": "abc"})
        }
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert result.percent == 100

    def test_nothing_observed(self):
        sheet = r.new_business()
        result = e.score_sheet(sheet, self.answers(observed=()), GRADE_BANDS)
        assert result.score == result.max_points == 0
        assert result.percent is None
        assert result.grade is None
        assert len(result.missing) == 1
        assert not result.complete

    def test_a_part_left_out_counts_as_observed_and_missing(self):
        sheet = r.new_business()
        answers = self.answers()
        receipt = part_named(sheet, "回执回销流程")
        del answers.parts[receipt.key]
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert result.score == 90
        assert result.max_points == 100
        assert result.missing == ("回执回销",)

    def test_unknown_part_raises(self):
        answers = self.answers()
        answers.parts["nope"] = d.PartAnswers()
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.new_business(), answers)
        assert "nope" in problems_of(excinfo)

    def test_unknown_section_raises(self):
        answers = self.answers()
        answers.parts["p1"].sections["zzz"] = d.SectionAnswer(score="1")
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.new_business(), answers)
        assert "zzz" in problems_of(excinfo)

    def test_unknown_item_raises(self):
        answers = self.answers()
        answers.parts["p1"].sections["p1s1"].item_scores["p1s1i9"] = "5"
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.new_business(), answers)
        assert "p1s1i9" in problems_of(excinfo)


# --- 表三 policy change: section points and not-applicable rules ------------------


class TestPolicyChange:
    SCORES = {
        "资料审核": "25",
        "系统录入": "20",
        "申请确认": "10",
        "批单打印": "8",
        "影像扫描": "12",
    }

    def answers(self, servicing_item="客户重要资料变更", notice=None, scores=None):
        sheet = r.policy_change()
        scores = {**self.SCORES, **(scores or {})}
        part = sheet.parts[0]
        sections = {}
        for section in part.sections:
            if section.name == "交费通知书打印":
                if notice is not None:
                    sections[section.key] = notice
            else:
                sections[section.key] = d.SectionAnswer(score=scores[section.name])
        return d.SheetAnswers(
            parts={part.key: d.PartAnswers(sections=sections, servicing_item=servicing_item)}
        )

    def notice_result(self, result: e.SheetResult) -> e.SectionResult:
        (section,) = [s for s in result.parts[0].sections if s.name == "交费通知书打印"]
        return section

    def test_scored_notice_printing(self):
        result = e.score_sheet(
            r.policy_change(), self.answers(notice=d.SectionAnswer(score="6")), GRADE_BANDS
        )
        assert result.score == 81
        assert result.percent == 81
        assert result.grade == "B"
        notice = self.notice_result(result)
        assert not notice.not_applicable
        assert notice.score == 6

    def test_not_applicable_no_extra_premium_gets_full_points(self):
        notice_answer = d.SectionAnswer(
            not_applicable=True, not_applicable_reason="未产生补费", score="3"
        )
        result = e.score_sheet(r.policy_change(), self.answers(notice=notice_answer), GRADE_BANDS)
        notice = self.notice_result(result)
        assert notice.not_applicable
        assert notice.score == notice.max_points == 10
        assert notice.not_applicable_reason == "未产生补费"
        assert result.score == 85
        assert result.percent == 85
        assert result.grade == "A"
        assert result.complete

    def test_not_applicable_without_a_reason_names_the_rule(self):
        notice_answer = d.SectionAnswer(not_applicable=True)
        result = e.score_sheet(r.policy_change(), self.answers(notice=notice_answer))
        notice = self.notice_result(result)
        assert notice.not_applicable
        assert notice.score == 10
        assert "未产生补费" in notice.not_applicable_reason

    @pytest.mark.parametrize("item", ["退保", "生存金给付柜面领取", "交费方式变更", "交费账号变更"])
    def test_exempt_servicing_items_get_full_points_automatically(self, item):
        result = e.score_sheet(r.policy_change(), self.answers(servicing_item=item), GRADE_BANDS)
        notice = self.notice_result(result)
        assert notice.not_applicable
        assert notice.score == notice.max_points == 10
        assert item in notice.not_applicable_reason
        assert result.score == 85
        assert result.complete

    def test_exempt_servicing_item_overrides_an_entered_score(self):
        answers = self.answers(servicing_item="退保", notice=d.SectionAnswer(score="2"))
        notice = self.notice_result(e.score_sheet(r.policy_change(), answers))
        assert notice.not_applicable
        assert notice.score == 10
        assert "退保" in notice.not_applicable_reason

    def test_exempt_servicing_item_also_ticked_not_applicable_keeps_a_reason(self):
        answers = self.answers(servicing_item="退保", notice=d.SectionAnswer(not_applicable=True))
        notice = self.notice_result(e.score_sheet(r.policy_change(), answers))
        assert notice.not_applicable
        assert notice.score == 10
        assert "退保" in notice.not_applicable_reason

    @pytest.mark.parametrize("item", ["客户重要资料变更", "保单复效"])
    def test_other_servicing_items_need_the_notice_scored(self, item):
        result = e.score_sheet(r.policy_change(), self.answers(servicing_item=item))
        notice = self.notice_result(result)
        assert not notice.not_applicable
        assert notice.score == 0
        assert result.score == 75
        assert result.missing == ("交费通知书打印",)

    def test_missing_servicing_item_is_listed(self):
        result = e.score_sheet(
            r.policy_change(),
            self.answers(servicing_item="  ", notice=d.SectionAnswer(score="10")),
        )
        assert result.score == 85
        assert len(result.missing) == 1
        assert not result.complete

    def test_unknown_servicing_item_raises(self):
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.policy_change(), self.answers(servicing_item="满期给付"))
        (problem,) = excinfo.value.problems
        assert problem.key == "p1"
        assert "满期给付" in problem.message

    @pytest.mark.parametrize("name", ["资料审核", "系统录入", "申请确认", "批单打印", "影像扫描"])
    def test_not_applicable_where_the_rule_allows_none_raises(self, name):
        sheet = r.policy_change()
        section = section_named(sheet, name)
        answers = self.answers(notice=d.SectionAnswer(score="10"))
        answers.parts["p1"].sections[section.key] = d.SectionAnswer(
            not_applicable=True, not_applicable_reason="无"
        )
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers)
        (problem,) = excinfo.value.problems
        assert (problem.key, problem.label) == (section.key, name)
        assert name in str(excinfo.value)

    def test_section_score_above_its_max_raises(self):
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.policy_change(), self.answers(scores={"系统录入": "21"}))
        (problem,) = excinfo.value.problems
        assert (problem.key, problem.label) == ("p1s2", "系统录入")
        assert "20" in problem.message


# --- 表四 claims: alternatives and notice kinds -----------------------------------


class TestClaims:
    def notice_answers(self, notice: d.SectionAnswer, printing=("10", "10")) -> d.SheetAnswers:
        sheet = r.claims()
        part = part_named(sheet, "通知书流程")
        first = section_named(part, "理赔补充材料通知书打印发放")
        second = section_named(part, "二核通知书打印回收")
        return d.SheetAnswers(
            parts={
                part.key: d.PartAnswers(
                    sections={
                        first.key: d.SectionAnswer(
                            item_scores=dict(
                                zip([i.key for i in first.items], printing, strict=True)
                            )
                        ),
                        second.key: notice,
                    }
                )
            },
            chosen_alternative=part.key,
        )

    def second_underwriting(self):
        return section_named(r.claims(), "二核通知书打印回收")

    def test_unchecked_notice_kinds_get_full_points(self):
        section = self.second_underwriting()
        medical = item_named(section, "理赔体检通知书打印")
        scan = item_named(section, "二核通知书回收扫描")
        notice = d.SectionAnswer(
            notice_kind=medical.key, item_scores={medical.key: "9", scan.key: "16"}
        )
        result = e.score_sheet(r.claims(), self.notice_answers(notice), GRADE_BANDS)
        (part,) = result.parts
        assert part.name == "通知书流程"
        section_result = part.sections[1]
        assert section_result.notice_kind == medical.key
        for kind in section.notice_kinds:
            expected = D(9) if kind is medical else kind.points
            assert section_result.item_scores[kind.key] == expected
        assert section_result.score == 45 + 9 + 16
        assert result.score == 90
        assert result.max_points == 100
        assert result.grade == "A"
        assert result.complete

    def test_values_of_the_unchecked_kinds_are_ignored(self):
        section = self.second_underwriting()
        kinds = section.notice_kinds
        notice = d.SectionAnswer(
            notice_kind=kinds[0].key,
            item_scores={
                kinds[0].key: "15",
                kinds[1].key: "0",
                kinds[2].key: "abc",
                "p3s2i5": "20",
            },
        )
        result = e.score_sheet(r.claims(), self.notice_answers(notice))
        assert result.score == 100

    def test_notice_kind_not_chosen_is_missing(self):
        section = self.second_underwriting()
        notice = d.SectionAnswer(item_scores={"p3s2i5": "20"})
        result = e.score_sheet(r.claims(), self.notice_answers(notice))
        # Until a kind is chosen, the four kinds are items like any other.
        assert result.score == 40
        assert not result.complete
        assert any("二核通知书打印回收" in m for m in result.missing)
        for kind in section.notice_kinds:
            assert kind.text in result.missing

    def test_blank_notice_kind_is_missing_too(self):
        notice = d.SectionAnswer(notice_kind="", item_scores={"p3s2i5": "20"})
        result = e.score_sheet(r.claims(), self.notice_answers(notice))
        assert any("二核通知书打印回收" in m for m in result.missing)

    def test_chosen_kind_without_its_score_is_missing(self):
        section = self.second_underwriting()
        refusal = item_named(section, "理赔拒保通知书打印")
        notice = d.SectionAnswer(notice_kind=refusal.key, item_scores={"p3s2i5": "20"})
        result = e.score_sheet(r.claims(), self.notice_answers(notice))
        assert result.score == 20 + 20 + 45
        assert result.missing == ("理赔拒保通知书打印",)

    @pytest.mark.parametrize("kind", ["p3s2i5", "p3s1i1", "理赔核保通知书打印", "x"])
    def test_notice_kind_not_among_the_items_raises(self, kind):
        notice = d.SectionAnswer(notice_kind=kind, item_scores={"p3s2i5": "20"})
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.claims(), self.notice_answers(notice))
        (problem,) = excinfo.value.problems
        assert (problem.key, problem.label) == ("p3s2", "二核通知书打印回收")

    def test_bad_notice_kind_and_bad_items_are_reported_together(self):
        notice = d.SectionAnswer(notice_kind="x", item_scores={"p3s2i5": "21"})
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.claims(), self.notice_answers(notice, printing=("11", "1")))
        assert set(problems_of(excinfo)) == {"p3s2", "p3s2i5", "p3s1i1"}

    def test_only_the_chosen_sub_sheet_is_scored(self):
        sheet = r.claims()
        standard, queries, _notices = sheet.parts
        answers = d.SheetAnswers(
            parts={
                standard.key: r.full_part_answers(standard),
                queries.key: d.PartAnswers(
                    sections={
                        queries.sections[0].key: d.SectionAnswer(
                            item_scores={"p2s1i1": "20", "p2s1i2": "10", "p2s1i3": "20"}
                        ),
                        queries.sections[1].key: d.SectionAnswer(
                            item_scores={"p2s2i1": "15", "p2s2i2": "20"}
                        ),
                    }
                ),
            },
            chosen_alternative=queries.key,
        )
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert [p.key for p in result.parts] == [queries.key]
        assert result.score == 85
        assert result.max_points == 100
        assert result.grade == "A"

    def test_a_single_answered_sub_sheet_is_the_chosen_one(self):
        sheet = r.claims()
        queries = part_named(sheet, "问题件流程")
        answers = d.SheetAnswers(parts={queries.key: r.full_part_answers(queries)})
        result = e.score_sheet(sheet, answers)
        assert [p.key for p in result.parts] == [queries.key]
        assert result.percent == 100

    @pytest.mark.parametrize("chosen", [None, "", "  "])
    def test_no_sub_sheet_chosen_is_missing(self, chosen):
        sheet = r.claims()
        answers = d.SheetAnswers(
            parts={p.key: r.full_part_answers(p) for p in sheet.parts[:2]},
            chosen_alternative=chosen,
        )
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert result.score == 0
        assert result.max_points == 100
        assert result.percent is None
        assert result.grade is None
        assert len(result.missing) == 1

    def test_unknown_sub_sheet_raises(self):
        answers = d.SheetAnswers(chosen_alternative="p9")
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(r.claims(), answers)
        assert "p9" in problems_of(excinfo)

    def test_chosen_sub_sheet_not_observed(self):
        sheet = r.claims()
        answers = d.SheetAnswers(
            parts={"p1": d.PartAnswers(observed=False, not_observed_reason="无理赔案件")},
            chosen_alternative="p1",
        )
        result = e.score_sheet(sheet, answers)
        assert result.percent is None
        assert not result.complete


# --- impossible and missing answers across a sheet ---------------------------------


class TestImpossibleAnswers:
    @pytest.mark.parametrize(
        "value",
        ["11", "-1", "abc", "NaN", "Infinity", "-Infinity", True, "9.55", D("NaN"), float("inf")],
    )
    def test_problem_names_the_item(self, value):
        sheet = r.new_business()
        answers = r.full_sheet_answers(sheet)
        section = section_named(sheet, "接单初审")
        item = item_named(section, "投保单填写内容审核")
        answers.parts["p1"].sections[section.key].item_scores[item.key] = value
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers)
        (problem,) = excinfo.value.problems
        assert problem.key == item.key
        assert problem.label == "投保单填写内容审核"
        assert "投保单填写内容审核" in str(excinfo.value)

    def test_problems_across_items_sections_and_parts_are_collected(self):
        sheet = r.new_business()
        answers = r.full_sheet_answers(sheet)
        answers.parts["p1"].sections["p1s1"].item_scores.update({"p1s1i1": "11", "p1s1i2": "x"})
        answers.parts["p1"].sections["p1s2"].item_scores["p1s2i3"] = "-2"
        answers.parts["p2"].sections["p2s1"].item_scores["p2s1i1"] = "6.5"  # fine
        answers.parts["p2"].sections["p2s1"].item_scores["p2s1i2"] = "8.05"
        answers.parts["p3"] = d.PartAnswers(observed=False)
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers)
        problems = problems_of(excinfo)
        assert set(problems) == {"p1s1i1", "p1s1i2", "p1s2i3", "p2s1i2", "p3"}
        assert problems["p1s1i1"].label == "投保资料完整性审核"
        assert problems["p2s1i2"].label == "通知书审核及系统回复"
        assert problems["p3"].label == "撤单流程"

    def test_unknown_part_and_bad_values_are_collected(self):
        sheet = r.new_business()
        answers = r.full_sheet_answers(sheet)
        answers.parts["p4"].sections["p4s1"].item_scores["p4s1i1"] = "99"
        answers.parts["ghost"] = d.PartAnswers()
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers)
        assert set(problems_of(excinfo)) == {"ghost", "p4s1i1"}

    def test_section_points_problems_name_the_section(self):
        sheet = r.policy_change()
        answers = r.full_sheet_answers(sheet)
        answers.parts["p1"].sections["p1s1"].score = "31"
        answers.parts["p1"].sections["p1s6"].score = "abc"
        with pytest.raises(e.ScoringError) as excinfo:
            e.score_sheet(sheet, answers)
        problems = problems_of(excinfo)
        assert {k: p.label for k, p in problems.items()} == {"p1s1": "资料审核", "p1s6": "影像扫描"}

    def test_scoring_error_is_a_value_error(self):
        assert issubclass(e.ScoringError, ValueError)

    def test_checklist_sheet_is_not_scored(self):
        sheet = d.SheetDef(key="etiquette", table_label="表七", name="礼仪", kind="checklist")
        with pytest.raises(e.ScoringError):
            e.score_sheet(sheet, d.SheetAnswers())

    def test_checklist_section_is_not_scored(self):
        section = d.SectionDef(key="c", name="清单", scoring=d.CHECKLIST, max_points=D(0))
        with pytest.raises(e.ScoringError) as excinfo:
            r.score_section(section, d.SectionAnswer())
        assert problems_of(excinfo)["c"].label == "清单"


class TestRunningScore:
    def test_missing_items_count_zero_and_are_listed_in_order(self):
        sheet = r.new_business()
        answers = d.SheetAnswers(
            parts={
                "p1": d.PartAnswers(
                    sections={
                        "p1s1": d.SectionAnswer(item_scores={"p1s1i1": "10", "p1s1i3": "8"}),
                        "p1s2": d.SectionAnswer(item_scores={"p1s2i2": "", "p1s2i3": None}),
                    }
                ),
                "p2": d.PartAnswers(observed=False, not_observed_reason="无问题件"),
                "p3": d.PartAnswers(observed=False, not_observed_reason="无撤单"),
                "p4": d.PartAnswers(
                    sections={"p4s1": d.SectionAnswer(item_scores={"p4s1i1": "10"})}
                ),
            }
        )
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert result.score == 28
        assert result.max_points == 70
        assert result.percent == 40
        assert result.missing == (
            "投保单填写内容审核",
            "审核整理投保资料",
            "投保单及所附投保资料扫描",
            "申请资料扫描",
        )
        assert not result.complete
        (p1, *_rest) = result.parts
        assert p1.sections[0].missing == ("投保单填写内容审核",)
        assert p1.sections[0].item_scores["p1s1i2"] == 0

    def test_filling_in_completes_it(self):
        sheet = r.policy_change()
        answers = d.SheetAnswers(parts={"p1": d.PartAnswers(servicing_item="退保")})
        first = e.score_sheet(sheet, answers)
        assert first.score == 10  # the exempt notice printing
        assert set(first.missing) == {"资料审核", "系统录入", "申请确认", "批单打印", "影像扫描"}
        for section in sheet.parts[0].sections:
            answers.parts["p1"].sections[section.key] = d.SectionAnswer(
                score=str(section.max_points)
            )
        final = e.score_sheet(sheet, answers, GRADE_BANDS)
        assert final.complete
        assert final.percent == 100


class TestScoreSectionAndPart:
    def test_section_points_section(self):
        section = section_named(r.policy_change(), "影像扫描")
        result = r.score_section(section, d.SectionAnswer(score="12.5"))
        assert (result.score, result.max_points, result.missing) == (D("12.5"), 15, ())
        assert r.score_section(section, None).missing == ("影像扫描",)

    def test_item_points_section_cannot_exceed_its_max(self):
        # Misdefined items that add up to more than the section: still capped.
        section = d.SectionDef(
            key="s",
            name="环节",
            scoring=d.ITEM_POINTS,
            max_points=D(10),
            items=(d.ItemDef("a", "甲", D(8)), d.ItemDef("b", "乙", D(8))),
        )
        result = r.score_section(section, d.SectionAnswer(item_scores={"a": "8", "b": "8"}))
        assert result.score == 10

    def test_item_without_points_takes_only_zero(self):
        section = d.SectionDef(
            key="s",
            name="环节",
            scoring=d.ITEM_POINTS,
            max_points=D(5),
            items=(d.ItemDef("a", "甲", D(5)), d.ItemDef("b", "乙")),
        )
        assert (
            r.score_section(section, d.SectionAnswer(item_scores={"a": "5", "b": "0"})).score == 5
        )
        with pytest.raises(e.ScoringError):
            r.score_section(section, d.SectionAnswer(item_scores={"b": "1"}))

    def test_part_cannot_exceed_its_total(self):
        sections = (
            d.SectionDef(key="a", name="甲", scoring=d.SECTION_POINTS, max_points=D(10)),
            d.SectionDef(key="b", name="乙", scoring=d.SECTION_POINTS, max_points=D(10)),
        )
        part = d.PartDef(key="p", name="表", total_points=D(15), sections=sections)
        answers = d.PartAnswers(
            sections={"a": d.SectionAnswer(score="10"), "b": d.SectionAnswer(score="10")}
        )
        result = e.score_part(part, answers)
        assert result.score == 15
        assert result.percent == 100

    def test_part_not_observed(self):
        part = part_named(r.new_business(), "撤单流程")
        result = e.score_part(part, d.PartAnswers(observed=False, not_observed_reason=" 无撤单 "))
        assert not result.observed
        assert result.not_observed_reason == "无撤单"
        assert result.percent is None

    def test_not_applicable_without_any_reason_is_missing_one(self):
        section = d.SectionDef(
            key="s",
            name="环节",
            scoring=d.SECTION_POINTS,
            max_points=D(10),
            not_applicable_rule=d.NA_FULL_POINTS,
        )
        result = r.score_section(section, d.SectionAnswer(not_applicable=True))
        assert result.not_applicable
        assert result.score == 10
        assert result.not_applicable_reason == ""
        assert len(result.missing) == 1
        assert "环节" in result.missing[0]
        given = r.score_section(
            section, d.SectionAnswer(not_applicable=True, not_applicable_reason="无补费")
        )
        assert (given.not_applicable_reason, given.missing) == ("无补费", ())

    def test_exempt_items_only_matter_where_the_rule_allows(self):
        section = d.SectionDef(
            key="s",
            name="环节",
            scoring=d.SECTION_POINTS,
            max_points=D(10),
            exempt_servicing_items=frozenset({"退保"}),
        )
        result = r.score_section(section, d.SectionAnswer(score="4"), servicing_item="退保")
        assert not result.not_applicable
        assert result.score == 4


# --- checklists (表五, 表七) -----------------------------------------------------


class TestChecklist:
    def test_all_compliant(self):
        requirements = r.checklist_requirements("etiquette")
        answers = {req.key: d.ChecklistAnswer(compliant=True) for req in requirements}
        result = e.evaluate_checklist(requirements, answers)
        assert (result.compliant, result.non_compliant, result.unanswered) == (7, 0, ())
        assert result.rate == 100
        assert result.complete

    def test_rate_is_compliant_over_answered(self):
        requirements = r.checklist_requirements("etiquette")
        answers = {
            "r1": d.ChecklistAnswer(compliant=True),
            "r2": d.ChecklistAnswer(compliant=False, remark="与客户争执"),
            "r3": d.ChecklistAnswer(compliant=True),
            "r5": d.ChecklistAnswer(compliant=None, remark="未观察"),
        }
        result = e.evaluate_checklist(requirements, answers)
        assert (result.compliant, result.non_compliant) == (2, 1)
        assert result.rate == D("66.67")
        assert result.unanswered == tuple(
            req.text for req in requirements if req.key in {"r4", "r5", "r6", "r7"}
        )
        assert not result.complete

    @pytest.mark.parametrize("remark", ["", "   ", "\n"])
    def test_no_without_remark_raises(self, remark):
        requirements = r.checklist_requirements("permissions")
        answers = {
            "r1": d.ChecklistAnswer(compliant=False, remark="花名册不一致"),
            "r2": d.ChecklistAnswer(compliant=False, remark=remark),
            "r3": d.ChecklistAnswer(compliant=False),
        }
        with pytest.raises(e.ScoringError) as excinfo:
            e.evaluate_checklist(requirements, answers)
        problems = problems_of(excinfo)
        assert set(problems) == {"r2", "r3"}
        assert problems["r2"].label == "系统权限无混用"
        assert problems["r3"].label == "无登录他人系统权限操作"

    def test_nothing_answered(self):
        requirements = r.checklist_requirements("permissions")
        result = e.evaluate_checklist(requirements, {})
        assert result.rate is None
        assert result.unanswered == tuple(req.text for req in requirements)
        assert (result.compliant, result.non_compliant) == (0, 0)

    def test_all_non_compliant(self):
        requirements = r.checklist_requirements("permissions")
        answers = {
            req.key: d.ChecklistAnswer(compliant=False, remark="见记录") for req in requirements
        }
        result = e.evaluate_checklist(requirements, answers)
        assert result.rate == 0
        assert result.non_compliant == 3
