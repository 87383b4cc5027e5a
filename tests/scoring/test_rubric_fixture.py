"""The 2012 rubric as loaded from fixtures/rubric-2012.yaml.

The key totals are written out here, and the loaded rubric is compared item
by item with the reference transcription (tests/data/rubrics-2012.yaml).
"""

import re
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from scoring import definitions as d
from scoring import engine
from scoring.models import (
    ContentArea,
    InterviewQuestion,
    KpiThreshold,
    RubricVersion,
    Section,
    Sheet,
    SheetPart,
)
from scoring.rubric_io import export_rubric, rubric_problems
from scoring.selectors import (
    checklist_requirements,
    rubric_definitions,
    sheet_definition,
    sheets_with_tree,
)

from .conftest import REFERENCE_FILE

pytestmark = pytest.mark.django_db


def sheet(rubric, code) -> Sheet:
    return rubric.sheets.get(code=code)


def parts(rubric, code) -> list[SheetPart]:
    return list(sheet(rubric, code).parts.order_by("order"))


def sections(part: SheetPart) -> list[Section]:
    return list(part.sections.order_by("order"))


def item_points(section: Section) -> list:
    return [i.points for i in section.items.order_by("order")]


# --- loading -----------------------------------------------------------------


def test_load_rubric_loads_2012_once():
    out = StringIO()
    call_command("load_rubric", stdout=out)
    assert "Loaded rubric version 2012" in out.getvalue()
    rubric = RubricVersion.objects.get(version="2012")
    assert rubric.name == "一柜通验收方案（2012）"
    assert rubric.status == RubricVersion.Status.PUBLISHED
    assert str(rubric.effective_date) == "2012-10-22"

    counts = (Sheet.objects.count(), Section.objects.count(), InterviewQuestion.objects.count())
    out = StringIO()
    call_command("load_rubric", stdout=out)
    assert "exists already" in out.getvalue()
    assert RubricVersion.objects.count() == 1
    assert (
        Sheet.objects.count(),
        Section.objects.count(),
        InterviewQuestion.objects.count(),
    ) == counts


def test_the_fixture_file_is_in_the_export_format(rubric_2012, rubric_2012_yaml):
    """What load_rubric reads is exactly what export_rubric writes."""
    assert export_rubric(rubric_2012) == rubric_2012_yaml


def test_everything_adds_up(rubric_2012):
    assert rubric_problems(rubric_2012) == []


# --- the key totals, written out -----------------------------------------------


def test_sheets_in_order(rubric_2012):
    assert [(s.table_label, s.code, s.kind) for s in rubric_2012.sheets.order_by("order")] == [
        ("表一", "process_log", "log"),
        ("表二", "new_business", "scored"),
        ("表三", "policy_change", "scored"),
        ("表四", "claims", "scored"),
        ("表五", "permissions", "checklist"),
        ("表七", "etiquette", "checklist"),
    ]


def test_process_log_has_no_parts(rubric_2012):
    log = sheet(rubric_2012, "process_log")
    assert log.name == "一柜通工作流程执行记录表"
    assert log.parts.count() == 0
    assert log.total_points is None


def test_new_business_is_four_parts_60_15_15_10(rubric_2012):
    s = sheet(rubric_2012, "new_business")
    assert (s.business_line, s.grouping, s.total_points) == ("new_business", "parts", 100)
    assert [(p.name, p.total_points) for p in parts(rubric_2012, "new_business")] == [
        ("新契约流程", 60),
        ("问题件流程", 15),
        ("撤单流程", 15),
        ("回执回销流程", 10),
    ]
    assert sum(p.total_points for p in parts(rubric_2012, "new_business")) == 100
    layout = {
        part.name: [(c.name, c.scoring, c.max_points, item_points(c)) for c in sections(part)]
        for part in parts(rubric_2012, "new_business")
    }
    assert layout == {
        "新契约流程": [
            ("接单初审", "item_points", 30, [10, 10, 10]),
            ("扫描", "item_points", 30, [10, 10, 10]),
        ],
        "问题件流程": [("问题件处理", "item_points", 15, [7, 8])],
        "撤单流程": [("撤单处理", "item_points", 15, [5, 5, 5])],
        "回执回销流程": [("回执回销", "item_points", 10, [10])],
    }


def test_policy_change_is_one_form_of_six_section_points_sections(rubric_2012):
    s = sheet(rubric_2012, "policy_change")
    assert (s.business_line, s.grouping, s.total_points) == ("policy_change", "single", 100)
    assert s.servicing_items == [
        "退保",
        "生存金给付柜面领取",
        "交费方式变更",
        "交费账号变更",
        "客户重要资料变更",
        "保单复效",
    ]
    [part] = parts(rubric_2012, "policy_change")
    assert part.total_points == 100
    layout = [(c.name, c.scoring, c.max_points, item_points(c)) for c in sections(part)]
    assert layout == [
        ("资料审核", "section_points", 30, [None, None]),
        ("系统录入", "section_points", 20, [None, None]),
        ("申请确认", "section_points", 15, [None, None]),
        ("交费通知书打印", "section_points", 10, [None, None]),
        ("批单打印", "section_points", 10, [None, None]),
        ("影像扫描", "section_points", 15, [None, None, None]),
    ]
    assert sum(c.max_points for c in sections(part)) == 100
    notice = part.sections.get(name="交费通知书打印")
    assert notice.not_applicable_rule == Section.NotApplicableRule.FULL_POINTS
    assert "未产生补费" in notice.not_applicable_conditions
    assert notice.exempt_servicing_items == [
        "退保",
        "生存金给付柜面领取",
        "交费方式变更",
        "交费账号变更",
    ]
    others = part.sections.exclude(pk=notice.pk)
    assert set(others.values_list("not_applicable_rule", flat=True)) == {"none"}


def test_claims_is_three_alternatives_of_100(rubric_2012):
    s = sheet(rubric_2012, "claims")
    assert (s.business_line, s.grouping, s.total_points) == ("claims", "alternatives", 100)
    claims_parts = parts(rubric_2012, "claims")
    assert [(p.name, p.total_points, p.is_preferred_alternative) for p in claims_parts] == [
        ("理赔业务处理", 100, False),
        ("问题件流程", 100, True),
        ("通知书流程", 100, False),
    ]
    layout = {
        part.name: [(c.name, c.max_points, item_points(c)) for c in sections(part)]
        for part in claims_parts
    }
    assert layout == {
        "理赔业务处理": [
            ("案件受理", 30, [15, 15]),
            ("影像扫描", 30, [10, 5, 10, 5]),
            ("批单打印", 15, [10, 5]),
            ("材料整理", 25, [25]),
        ],
        "问题件流程": [("问题件回销", 60, [20, 20, 20]), ("补充材料回销", 40, [20, 20])],
        "通知书流程": [
            ("理赔补充材料通知书打印发放", 20, [10, 10]),
            ("二核通知书打印回收", 80, [15, 15, 15, 15, 20]),
        ],
    }
    second = claims_parts[2].sections.get(name="二核通知书打印回收")
    assert second.not_applicable_rule == Section.NotApplicableRule.CHOOSE_ONE_NOTICE_KIND
    assert [i.is_notice_kind for i in second.items.order_by("order")] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_checklists_have_3_and_7_requirements_without_points(rubric_2012):
    for code, count in (("permissions", 3), ("etiquette", 7)):
        [part] = parts(rubric_2012, code)
        [section] = sections(part)
        assert section.scoring == Section.Scoring.CHECKLIST
        assert item_points(section) == [None] * count
    [permissions] = sections(parts(rubric_2012, "permissions")[0])
    assert [i.text for i in permissions.items.order_by("order")] == [
        "前台岗位人员数、工作职责与报备情况一致",
        "系统权限无混用",
        "无登录他人系统权限操作",
    ]


def test_content_areas(rubric_2012):
    assert list(ContentArea.objects.values_list("code", flat=True)) == [
        "process",
        "kpi",
        "promotion",
        "etiquette",
    ]


def test_interviews_are_required_where_seed_000_checks_by_interview(rubric_2012):
    """总部对分公司、分公司对三级机构的验收以访谈方式进行，分公司自行验收的以验收报告
    形式进行汇报 (the reference's promotion_method): every audience at head
    office's checks and at a branch's checks of its offices, none at the
    branch's check of its own counters."""
    audiences = list(rubric_2012.interview_audiences.order_by("order"))
    assert len(audiences) == 3
    for audience in audiences:
        assert audience.required_at == ["head_office_check", "office_self_inspection"]


def test_interview_questions_3_3_6(rubric_2012):
    audiences = list(rubric_2012.interview_audiences.order_by("order"))
    assert [a.questions.count() for a in audiences] == [3, 3, 6]
    questions = InterviewQuestion.objects.all()
    assert {q.text for q in questions if q.is_yes_no} == {
        "一柜通实行前是否接受过培训？",
        "分公司（三级机构）是否制定了一柜通推广工作实施方案及时间表？",
        "方案中是否涉及工作追踪、问题解决及定期处理机制？",
        "是否按方案时间表正常推进？",
        "分公司（三级机构）总经理室对一柜通项目是否了解？有何要求和建议？",
    }
    assert sorted(questions.filter(tag="problem").values_list("text", flat=True)) == sorted(
        [
            "遇到了哪些困难？",
            "对一柜通现行流程及系统中存在的问题有何建议？",
            "您对一柜通现行流程及系统中存在的问题有何建议？",
        ]
    )
    assert list(questions.filter(tag="support").values_list("text", flat=True)) == [
        "需要总部提供哪些支持？"
    ]


def test_kpi_thresholds_one_per_kpi_and_batch(rubric_2012):
    thresholds = {
        (t.kpi, t.rollout_batch): t.minimum_percent for t in rubric_2012.kpi_thresholds.all()
    }
    assert thresholds == {
        ("mixed_acceptance_rate", "first"): Decimal(100),
        ("mixed_acceptance_rate", "second"): Decimal(100),
        ("mixed_acceptance_rate", "third"): Decimal(100),
        ("balanced_acceptance_rate", "first"): Decimal(85),
        ("balanced_acceptance_rate", "second"): Decimal(70),
        ("balanced_acceptance_rate", "third"): Decimal(70),
    }
    assert all(t.note for t in rubric_2012.kpi_thresholds.filter(kpi="balanced_acceptance_rate"))


def test_grade_bands(rubric_2012):
    assert [(b.grade, b.minimum_percent) for b in rubric_2012.grade_bands.all()] == [
        ("A", Decimal(85)),
        ("B", Decimal(70)),
        ("C", Decimal(0)),
    ]


# --- selectors: the engine's definitions from the database -------------------------


def test_rubric_definitions_in_four_queries(rubric_2012, django_assert_num_queries):
    with django_assert_num_queries(4):  # sheets, parts, sections, items
        defs = rubric_definitions(rubric=rubric_2012)
    assert list(defs) == [
        "process_log",
        "new_business",
        "policy_change",
        "claims",
        "permissions",
        "etiquette",
    ]
    claims = defs["claims"]
    assert isinstance(claims, d.SheetDef)
    assert claims.grouping == d.ALTERNATIVES
    assert claims.total_points == Decimal(100)
    assert [p.key for p in claims.parts] == ["standard_process", "problem_cases", "notices"]
    notices = claims.part("notices").sections[1]
    assert notices.key == "second_underwriting_notices"
    assert notices.max_points == Decimal(80)
    assert len(notices.notice_kinds) == 4
    first = notices.items[0]
    assert first.key == str(
        rubric_2012.sheets.get(code="claims")
        .parts.get(code="notices")
        .sections.get(code="second_underwriting_notices")
        .items.get(order=0)
        .pk
    )
    assert first.points == Decimal(15)
    policy = defs["policy_change"]
    assert policy.servicing_items[0] == "退保"
    assert "退保" in policy.parts[0].sections[3].exempt_servicing_items
    assert policy.parts[0].sections[0].items[0].points is None
    assert defs["process_log"].parts == ()


def test_sheet_definition_in_three_queries_or_none(rubric_2012, django_assert_num_queries):
    sheet_obj = rubric_2012.sheets.get(code="new_business")
    with django_assert_num_queries(3):  # parts, sections, items
        defn = sheet_definition(sheet=sheet_obj)
    assert [p.total_points for p in defn.parts] == [Decimal(n) for n in (60, 15, 15, 10)]
    prefetched = sheets_with_tree().get(pk=sheet_obj.pk)
    with django_assert_num_queries(0):
        assert sheet_definition(sheet=prefetched) == defn


def rubric_bands(rubric):
    return tuple(
        d.GradeBandDef(b.grade, b.minimum_percent)
        for b in rubric.grade_bands.order_by("-minimum_percent")
    )


def test_grade_bands_and_kpi_thresholds(rubric_2012):
    assert rubric_bands(rubric_2012) == (
        d.GradeBandDef("A", Decimal(85)),
        d.GradeBandDef("B", Decimal(70)),
        d.GradeBandDef("C", Decimal(0)),
    )
    thresholds = {
        (t.kpi, t.rollout_batch): t.minimum_percent for t in rubric_2012.kpi_thresholds.all()
    }
    assert thresholds["balanced_acceptance_rate", "first"] == Decimal(85)
    assert thresholds[KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, "third"] == 100
    assert ("balanced_acceptance_rate", "fourth") not in thresholds


def test_the_engine_scores_the_loaded_sheets(rubric_2012):
    """Full marks on every scored sheet give 100 %, grade A."""
    defs = rubric_definitions(rubric=rubric_2012)
    bands = rubric_bands(rubric_2012)
    for code in ("new_business", "policy_change", "claims"):
        sheet_def = defs[code]
        answers = d.SheetAnswers()
        for part in sheet_def.parts:
            part_answers = d.PartAnswers(servicing_item="客户重要资料变更")
            for section in part.sections:
                answer = d.SectionAnswer()
                if section.scoring == d.SECTION_POINTS:
                    answer.score = section.max_points
                else:
                    answer.item_scores = {i.key: i.points for i in section.items}
                    if section.notice_kinds:
                        answer.notice_kind = section.notice_kinds[0].key
                part_answers.sections[section.key] = answer
            answers.parts[part.key] = part_answers
        if sheet_def.grouping == d.ALTERNATIVES:
            answers.chosen_alternative = "problem_cases"
        result = engine.score_sheet(sheet_def, answers, bands)
        assert result.complete, (code, result.missing)
        assert (result.percent, result.grade) == (Decimal(100), "A"), code
    etiquette = checklist_requirements(sheet=defs["etiquette"])
    assert len(etiquette) == 7
    result = engine.evaluate_checklist(
        etiquette, {r.key: d.ChecklistAnswer(compliant=True) for r in etiquette}
    )
    assert result.rate == Decimal(100)


# --- item by item against the reference transcription --------------------------------


def _plain(name: str) -> str:
    """Drop an English gloss in ASCII brackets: "问题件流程 (query)" → "问题件流程"."""
    return re.sub(r"\s*\([^()]*\)\s*$", "", name)


def _sections_as_reference(part: SheetPart) -> list[dict]:
    result = []
    for c in sections(part):
        items = list(c.items.order_by("order"))
        entry = {"name": c.name, "scoring": c.scoring}
        if c.scoring == Section.Scoring.ITEM_POINTS:
            entry["items"] = [
                {"text": i.text, "points": i.points, "notice_kind": i.is_notice_kind} for i in items
            ]
            entry["choose_one_kind"] = (
                c.not_applicable_rule == Section.NotApplicableRule.CHOOSE_ONE_NOTICE_KIND
            )
        else:
            entry["points"] = c.max_points
            entry["checkpoints"] = [i.text for i in items]
            assert all(i.points is None for i in items)
            entry["full_points"] = c.not_applicable_rule == Section.NotApplicableRule.FULL_POINTS
        result.append(entry)
    return result


def _reference_sections(sections_ref: list[dict]) -> list[dict]:
    result = []
    for c in sections_ref:
        entry = {"name": c["name"], "scoring": c["scoring"]}
        if c["scoring"] == "item_points":
            entry["items"] = [
                {
                    "text": i["text"],
                    "points": i["points"],
                    "notice_kind": bool(i.get("notice_kind", False)),
                }
                for i in c["items"]
            ]
            entry["choose_one_kind"] = bool(c.get("choose_one_kind", False))
        else:
            entry["points"] = c["points"]
            entry["checkpoints"] = list(c["checkpoints"])
            entry["full_points"] = bool(c.get("not_applicable_gets_full_points", False))
        result.append(entry)
    return result


def test_matches_the_reference_item_by_item(rubric_2012):
    reference = yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))

    # Content areas.
    assert [(a.code, a.name) for a in rubric_2012.content_areas.order_by("order")] == [
        (a["code"], _plain(a["name"])) for a in reference["campaign"]["content_areas"]
    ]

    # Sheets, in the reference's order.
    assert [s.code for s in rubric_2012.sheets.order_by("order")] == [
        s["code"] for s in reference["sheets"]
    ]
    for ref in reference["sheets"]:
        s = sheet(rubric_2012, ref["code"])
        assert (s.table_label, s.name) == (ref["table"], ref["name"]), ref["code"]
        assert s.kind == ref.get("kind", "scored"), ref["code"]
        assert s.business_line == ref.get("business_line", ""), ref["code"]
        sheet_parts = parts(rubric_2012, ref["code"])

        if s.kind == Sheet.Kind.LOG:
            assert sheet_parts == []
        elif s.kind == Sheet.Kind.CHECKLIST:
            [part] = sheet_parts
            [section] = sections(part)
            assert [i.text for i in section.items.order_by("order")] == ref["requirements"]
            assert item_points(section) == [None] * len(ref["requirements"])
        elif "parts" in ref:  # 表二
            assert s.grouping == Sheet.Grouping.PARTS
            assert s.total_points == ref["total"]
            assert [(p.name, p.total_points) for p in sheet_parts] == [
                (r["name"], r["subtotal"]) for r in ref["parts"]
            ]
            for part, ref_part in zip(sheet_parts, ref["parts"], strict=True):
                assert _sections_as_reference(part) == _reference_sections(ref_part["sections"])
        elif "subsheets" in ref:  # 表四
            assert s.grouping == Sheet.Grouping.ALTERNATIVES
            assert [(p.name, p.total_points) for p in sheet_parts] == [
                (_plain(r["name"]), r["total"]) for r in ref["subsheets"]
            ]
            assert {r["total"] for r in ref["subsheets"]} == {s.total_points}
            for part, ref_part in zip(sheet_parts, ref["subsheets"], strict=True):
                assert _sections_as_reference(part) == _reference_sections(ref_part["sections"])
            # "preferably 问题件流程"
            assert [p.name for p in sheet_parts if p.is_preferred_alternative] == ["问题件流程"]
        else:  # 表三
            assert s.grouping == Sheet.Grouping.SINGLE
            assert s.total_points == ref["total"]
            assert s.servicing_items == ref["servicing_items"]
            [part] = sheet_parts
            assert part.total_points == ref["total"]
            assert _sections_as_reference(part) == _reference_sections(ref["sections"])
            for ref_section in ref["sections"]:
                section = part.sections.get(name=ref_section["name"])
                exempt = []
                for condition in ref_section.get("not_applicable_when", []):
                    listed = re.search(r"servicing_item in \[(.*)\]", condition)
                    if listed:
                        exempt = [x.strip() for x in listed.group(1).split(",")]
                assert section.exempt_servicing_items == exempt, section.name

    # Interviews.
    audiences = list(rubric_2012.interview_audiences.order_by("order"))
    assert [_plain(a.name) for a in audiences] == [
        _plain(r["audience"]) for r in reference["interviews"]
    ]
    for audience, ref in zip(audiences, reference["interviews"], strict=True):
        questions = list(audience.questions.order_by("order"))
        assert [q.text for q in questions] == ref["questions"]
        assert [q.is_yes_no for q in questions] == ["是否" in q for q in ref["questions"]]

    # KPI thresholds.
    thresholds = {
        (t.kpi, t.rollout_batch): t.minimum_percent for t in rubric_2012.kpi_thresholds.all()
    }
    expected = {}
    for kpi in reference["kpis"]:
        if "threshold" in kpi:
            for batch in ("first", "second", "third"):
                expected[(kpi["code"], batch)] = Decimal(kpi["threshold"])
        for row in kpi.get("thresholds", []):
            for batch in row["rollout_batches"]:
                expected[(kpi["code"], batch)] = Decimal(row["minimum"])
    assert thresholds == expected
