"""Rubric import, export and copy: round trips, and every validation error
named by its path with nothing written."""

import datetime
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.utils import translation

from scoring.models import InterviewQuestion, Item, RubricVersion, Section, Sheet, SheetPart
from scoring.rubric_io import (
    RubricImportError,
    copy_as_draft,
    export_rubric,
    import_rubric,
    validate_rubric_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages asserted here are the English sources; the default UI language is Chinese."""
    with translation.override("en"):
        yield


def counts():
    return tuple(
        m.objects.count()
        for m in (RubricVersion, Sheet, SheetPart, Section, Item, InterviewQuestion)
    )


def without_version(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "version"}


# --- round trips -------------------------------------------------------------------


def test_round_trip(rubric_2012):
    exported = export_rubric(rubric_2012)
    exported["version"] = "2012-again"
    again = import_rubric(exported)
    assert again.version == "2012-again"
    assert without_version(export_rubric(again)) == without_version(export_rubric(rubric_2012))


def test_round_trip_through_yaml_and_the_commands(rubric_2012, tmp_path):
    out = StringIO()
    call_command("export_rubric", "2012", stdout=out)
    text = out.getvalue()
    assert "一柜通验收方案（2012）" in text  # allow_unicode: no \u escapes
    data = yaml.safe_load(text)
    assert list(data)[:4] == ["version", "name", "status", "effective_date"]  # not sorted
    assert data == export_rubric(rubric_2012)

    data["version"] = "2013"
    data["status"] = "draft"
    path = tmp_path / "rubric-2013.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    out = StringIO()
    call_command("import_rubric", str(path), stdout=out)
    assert "Imported rubric version 2013" in out.getvalue()

    output = tmp_path / "exported.yaml"
    call_command("export_rubric", "2013", output=str(output), stderr=StringIO())
    assert yaml.safe_load(output.read_text(encoding="utf-8")) == data


def test_load_rubric_with_a_file(tmp_path, rubric_2012_data):
    rubric_2012_data["version"] = "2014"
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(rubric_2012_data, allow_unicode=True), encoding="utf-8")
    call_command("load_rubric", str(path), stdout=StringIO())
    assert RubricVersion.objects.filter(version="2014").exists()


def test_export_of_an_unknown_version_fails(db):
    with pytest.raises(CommandError, match="no rubric version 1999"):
        call_command("export_rubric", "1999", stdout=StringIO())


def test_import_command_lists_every_problem_and_writes_nothing(tmp_path, rubric_2012_data):
    rubric_2012_data["sheets"][1]["parts"][0]["sections"][1]["items"][0]["points"] = 5
    rubric_2012_data["sheets"][0]["colour"] = "red"
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(rubric_2012_data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import_rubric", str(path), stdout=StringIO())
    message = str(raised.value)
    assert (
        "sheets[1].parts[0].sections[1]: The items of 扫描 add up to 25, not its max 30." in message
    )
    assert "sheets[0]: unknown key “colour”" in message
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_unreadable_files_fail_cleanly(tmp_path, db):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_rubric", str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("import_rubric", str(bad))


# --- validation: every problem, by path, nothing written ------------------------------


def _set(path):
    """A change to make to the data: path of keys/indexes, then the value."""

    def change(data, value):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def section(data, sheet, part, sec):
    return data["sheets"][sheet]["parts"][part]["sections"][sec]


CASES = {
    "item points do not add up to the section max": (
        lambda data: section(data, 1, 0, 1)["items"][0].update(points=5),
        ["sheets[1].parts[0].sections[1]: The items of 扫描 add up to 25, not its max 30."],
    ),
    "an item without points in an item-points section": (
        lambda data: section(data, 1, 1, 0)["items"][0].update(points=None),
        ["sheets[1].parts[1].sections[0]: Every item of 问题件处理 needs points."],
    ),
    "a checkpoint with points in a section-points section": (
        lambda data: section(data, 2, 0, 0)["items"][0].update(points=5),
        [
            "sheets[2].parts[0].sections[0]: "
            "The items of 资料审核 are checkpoints and take no points."
        ],
    ),
    "a checklist requirement with points": (
        lambda data: section(data, 5, 0, 0)["items"][2].update(points=1),
        ["sheets[5].parts[0].sections[0]: The items of 服务礼仪及仪表仪态要求 are checkpoints"],
    ),
    "the sections of a part do not add up to its total": (
        lambda data: section(data, 2, 0, 5).update(max_points=20),
        [
            "sheets[2].parts[0]: The sections of 保全业务处理 add up to 105, not its total 100.",
        ],
    ),
    "the parts do not add up to the sheet total": (
        lambda data: data["sheets"][1]["parts"][3].update(total_points=20),
        [
            "sheets[1].parts[3]: The sections of 回执回销流程 add up to 10, not its total 20.",
            "sheets[1]: The parts of 表二 一柜通新契约业务处理情况记录表 "
            "add up to 110, not its total 100.",
        ],
    ),
    "an alternative that does not equal the sheet total": (
        lambda data: data["sheets"][3].update(total_points=90),
        [
            "sheets[3]: 理赔业务处理 totals 100, "
            "but every form of 表四 一柜通理赔业务处理情况记录表 must total 90."
        ],
    ),
    "a single form with two parts": (
        lambda data: data["sheets"][2]["parts"].append(
            {**data["sheets"][2]["parts"][0], "code": "second_form"}
        ),
        [
            "sheets[2]: 表三 一柜通保全业务处理情况记录表 "
            "is a single form and must have exactly one part."
        ],
    ),
    "choose one notice kind with fewer than two notice items": (
        lambda data: [i.update(is_notice_kind=False) for i in section(data, 3, 2, 1)["items"][1:]],
        ["sheets[3].parts[2].sections[1]: 二核通知书打印回收 needs at least two notice-kind items"],
    ),
    "a scored sheet without a business line": (
        lambda data: data["sheets"][1].update(business_line=""),
        ["sheets[1]: A scored sheet needs a business line."],
    ),
    "a process log with parts": (
        lambda data: data["sheets"][0]["parts"].append(data["sheets"][4]["parts"][0]),
        ["sheets[0]: 表一 一柜通工作流程执行记录表 is a process log and has no parts."],
    ),
    "a second preferred alternative": (
        lambda data: data["sheets"][3]["parts"][0].update(is_preferred_alternative=True),
        ["sheets[3]: 表四 一柜通理赔业务处理情况记录表 can have only one preferred alternative."],
    ),
    "an exempting servicing item the sheet does not offer": (
        lambda data: section(data, 2, 0, 3)["exempt_servicing_items"].append("满期给付"),
        ["sheets[2].parts[0].sections[3]: 交费通知书打印: “满期给付” is not one of the sheet's"],
    ),
    "an unknown key on an item": (
        lambda data: section(data, 1, 0, 0)["items"][0].update(weight=2),
        ["sheets[1].parts[0].sections[0].items[0]: unknown key “weight”"],
    ),
    "an unknown top-level key": (
        lambda data: data.update(author="me"),
        ["unknown key “author”"],
    ),
    "an unknown sheet kind": (
        lambda data: data["sheets"][0].update(kind="survey"),
        ["sheets[0].kind: “survey” is not one of: scored, checklist, log"],
    ),
    "an unknown scoring": (
        lambda data: section(data, 1, 0, 0).update(scoring="stars"),
        ["sheets[1].parts[0].sections[0].scoring: “stars” is not one of"],
    ),
    "an unknown grouping": (
        lambda data: data["sheets"][1].update(grouping="pairs"),
        ["sheets[1].grouping: “pairs” is not one of"],
    ),
    "an unknown not-applicable rule": (
        lambda data: section(data, 1, 0, 0).update(not_applicable_rule="skip"),
        ["sheets[1].parts[0].sections[0].not_applicable_rule: “skip” is not one of"],
    ),
    "an unknown KPI and rollout batch": (
        lambda data: data["kpi_thresholds"][0].update(kpi="speed", rollout_batch="fourth"),
        [
            "kpi_thresholds[0].kpi: “speed” is not one of",
            "kpi_thresholds[0].rollout_batch: “fourth” is not one of",
        ],
    ),
    "an unknown interview tag": (
        lambda data: data["interview_audiences"][0]["questions"][0].update(tag="praise"),
        ["interview_audiences[0].questions[0].tag: “praise” is not one of"],
    ),
    "an unknown kind of visit an audience is required at": (
        lambda data: data["interview_audiences"][1].update(
            required_at=["head_office_check", "flying_check"]
        ),
        ["interview_audiences[1].required_at[1]: “flying_check” is not one of"],
    ),
    "a kind of visit listed twice": (
        lambda data: data["interview_audiences"][0].update(
            required_at=["head_office_check", "head_office_check"]
        ),
        ["interview_audiences[0].required_at[1]: “head_office_check” is listed twice"],
    ),
    "required_at not a list": (
        lambda data: data["interview_audiences"][2].update(required_at="head_office_check"),
        ["interview_audiences[2].required_at: must be a list"],
    ),
    "a missing key": (
        lambda data: data["sheets"][1].pop("code"),
        ["sheets[1]: the key “code” is missing"],
    ),
    "a duplicate sheet code": (
        lambda data: data["sheets"][5].update(code="permissions"),
        ["sheets[5]: the sheet code “permissions” is already used at sheets[4]"],
    ),
    "a duplicate section code": (
        lambda data: section(data, 1, 0, 1).update(code="intake_review"),
        ["sheets[1].parts[0].sections[1]: the section code “intake_review” is already used"],
    ),
    "a duplicate item code": (
        lambda data: section(data, 1, 0, 1)["items"][2].update(code="i1"),
        ["sheets[1].parts[0].sections[1].items[2]: the item code “i1” is already used at"],
    ),
    "an invalid item code": (
        lambda data: section(data, 1, 0, 1)["items"][0].update(code="第一项"),
        ["sheets[1].parts[0].sections[1].items[0].code: “第一项” is not a valid code"],
    ),
    "an invalid code": (
        lambda data: data["sheets"][1].update(code="新契约"),
        ["sheets[1].code: “新契约” is not a valid code"],
    ),
    "a duplicate KPI threshold": (
        lambda data: data["kpi_thresholds"].append(dict(data["kpi_thresholds"][0])),
        [
            "kpi_thresholds[6]: the KPI and rollout batch “mixed_acceptance_rate / first” "
            "is already used at kpi_thresholds[0]"
        ],
    ),
    "negative, boolean and fractional points": (
        lambda data: [
            section(data, 1, 0, 0)["items"][0].update(points=-10),
            section(data, 1, 0, 0)["items"][1].update(points=True),
            section(data, 1, 0, 0)["items"][2].update(points=2.5),
        ],
        [
            "sheets[1].parts[0].sections[0].items[0].points: cannot be negative",
            "sheets[1].parts[0].sections[0].items[1].points: must be a whole number",
            "sheets[1].parts[0].sections[0].items[2].points: must be a whole number",
        ],
    ),
    "a percentage above 100": (
        lambda data: data["grade_bands"][0].update(minimum_percent=185),
        ["grade_bands[0].minimum_percent: must be between 0 and 100"],
    ),
    "a version that is not text": (
        lambda data: data.update(version=2013),
        ["version: must be text"],
    ),
    "a bad date": (
        lambda data: data.update(effective_date="22/10/2012"),
        ["effective_date: must be a date"],
    ),
    "an empty item list": (
        lambda data: section(data, 1, 0, 0).update(items=[]),
        ["sheets[1].parts[0].sections[0].items: must not be empty"],
    ),
    "a list where a mapping belongs": (
        lambda data: data["sheets"][1]["parts"].__setitem__(0, ["新契约流程"]),
        ["sheets[1].parts[0]: must be a mapping"],
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_every_problem_is_named_by_its_path_and_nothing_is_written(case, rubric_2012_data, db):
    change, expected = CASES[case]
    rubric_2012_data["version"] = "2012-bad"
    change(rubric_2012_data)
    with pytest.raises(RubricImportError) as raised:
        import_rubric(rubric_2012_data)
    messages = raised.value.messages
    for fragment in expected:
        assert any(m.startswith(fragment) or fragment in m for m in messages), (fragment, messages)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_the_problem_paths_are_exact(rubric_2012_data):
    section(rubric_2012_data, 1, 0, 1)["items"][0]["points"] = 5
    _cleaned, problems = validate_rubric_data(rubric_2012_data)
    assert [(p.path, p.label) for p in problems] == [
        (
            "sheets[1].parts[0].sections[1]",
            "表二 一柜通新契约业务处理情况记录表 › 新契约流程 › 扫描",
        )
    ]
    assert str(problems[0]) == (
        "sheets[1].parts[0].sections[1]: The items of 扫描 add up to 25, not its max 30."
    )


def test_all_problems_are_listed_at_once(rubric_2012_data, db):
    changes = [
        "item points do not add up to the section max",
        "an unknown key on an item",
        "an unknown sheet kind",
        "a percentage above 100",
    ]
    for case in changes:
        CASES[case][0](rubric_2012_data)
    with pytest.raises(RubricImportError) as raised:
        import_rubric(rubric_2012_data)
    assert len(raised.value.messages) >= len(changes)
    for case in changes:
        for fragment in CASES[case][1]:
            assert any(fragment in m for m in raised.value.messages), fragment


def test_not_a_mapping(db):
    with pytest.raises(RubricImportError, match="must be a mapping"):
        import_rubric(["2012"])


def test_an_existing_published_version_is_refused(rubric_2012, rubric_2012_data):
    before = counts()
    with pytest.raises(RubricImportError) as raised:
        import_rubric(rubric_2012_data, replace_draft=True)
    assert raised.value.messages == ["version: version “2012” exists already and is published"]
    assert counts() == before


def test_a_draft_is_replaced_only_when_asked(rubric_2012_data, db):
    rubric_2012_data.update(version="2013", status="draft")
    first = import_rubric(rubric_2012_data)
    before = counts()
    rubric_2012_data["name"] = "一柜通验收方案（2013）"
    with pytest.raises(RubricImportError, match="exists already and is a draft"):
        import_rubric(rubric_2012_data)
    assert counts() == before
    second = import_rubric(rubric_2012_data, replace_draft=True)
    assert second.pk != first.pk
    assert not RubricVersion.objects.filter(pk=first.pk).exists()
    assert second.name == "一柜通验收方案（2013）"
    assert counts() == before


def test_the_import_is_one_transaction(rubric_2012_data, db, monkeypatch):
    """A failure half way through leaves nothing behind."""

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(InterviewQuestion.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        import_rubric(rubric_2012_data)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_defaults_for_optional_keys(db):
    data = {
        "version": "mini",
        "name": "最小评分表",
        "effective_date": "2013-01-01",
        "sheets": [
            {
                "code": "etiquette",
                "table_label": "表七",
                "name": "礼仪",
                "kind": "checklist",
                "parts": [
                    {
                        "code": "requirements",
                        "name": "要求",
                        "total_points": 0,
                        "sections": [
                            {
                                "code": "requirements",
                                "name": "要求",
                                "scoring": "checklist",
                                "items": [{"text": "微笑服务"}],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    rubric = import_rubric(data)
    assert rubric.status == RubricVersion.Status.DRAFT
    assert rubric.effective_date == datetime.date(2013, 1, 1)
    exported = export_rubric(rubric)
    assert exported["sheets"][0]["grouping"] == "single"
    assert exported["sheets"][0]["parts"][0]["sections"][0]["items"] == [
        {"code": "i1", "text": "微笑服务", "points": None, "is_notice_kind": False}
    ]


def test_the_visits_an_audience_is_required_at_go_both_ways(rubric_2012_data, db):
    rubric_2012_data["version"] = "2013"
    audiences = rubric_2012_data["interview_audiences"]
    audiences[0]["required_at"] = ["branch_self_inspection", "head_office_check"]
    audiences[1]["required_at"] = []
    del audiences[2]["required_at"]  # left out: required nowhere
    rubric = import_rubric(rubric_2012_data)
    first, second, third = rubric.interview_audiences.order_by("order")
    assert (
        first.required_at_head_office_check,
        first.required_at_office_self_inspection,
        first.required_at_branch_self_inspection,
    ) == (True, False, True)
    assert second.required_at == third.required_at == []
    exported = export_rubric(rubric)["interview_audiences"]
    assert [a["required_at"] for a in exported] == [
        ["head_office_check", "branch_self_inspection"],
        [],
        [],
    ]


def test_items_without_codes_are_numbered_in_their_section(rubric_2012_data, db):
    rubric_2012_data["version"] = "2013"
    for sheet in rubric_2012_data["sheets"]:
        for part in sheet["parts"]:
            for sec in part["sections"]:
                for item in sec["items"]:
                    del item["code"]
    exported = export_rubric(import_rubric(rubric_2012_data))
    scanning = exported["sheets"][1]["parts"][0]["sections"][1]
    assert [i["code"] for i in scanning["items"]] == ["i1", "i2", "i3"]


# --- copies ------------------------------------------------------------------


def test_copy_as_draft(rubric_2012):
    draft = copy_as_draft(rubric_2012, new_version="2013", name="一柜通验收方案（2013）")
    assert draft.status == RubricVersion.Status.DRAFT
    original, copied = export_rubric(rubric_2012), export_rubric(draft)
    assert (copied["version"], copied["name"], copied["status"]) == (
        "2013",
        "一柜通验收方案（2013）",
        "draft",
    )
    # Everything else, item codes included, is the same.
    assert {**copied, "version": "2012", "status": "published", "name": original["name"]} == (
        original
    )
    with pytest.raises(RubricImportError, match="exists already"):
        copy_as_draft(rubric_2012, new_version="2013", name="again")
    assert RubricVersion.objects.count() == 2


def test_a_copy_may_take_a_new_effective_date(rubric_2012):
    draft = copy_as_draft(
        rubric_2012, new_version="2013", name="2013", effective_date=datetime.date(2013, 10, 1)
    )
    assert draft.effective_date == datetime.date(2013, 10, 1)


def test_a_draft_that_does_not_add_up_can_still_be_copied(rubric_2012):
    draft = copy_as_draft(rubric_2012, new_version="wip", name="进行中")
    Item.objects.filter(section__part__sheet__rubric=draft, points=10).update(points=9)
    again = copy_as_draft(draft, new_version="wip-2", name="进行中 2")
    assert Item.objects.filter(section__part__sheet__rubric=again, points=9).count() > 0
