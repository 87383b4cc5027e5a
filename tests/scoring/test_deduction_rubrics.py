"""A rubric's deduction sections as data: the YAML file's round trip, the rules
their items obey, the admin's editing, and the engine's definition."""

from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation

from scoring import definitions as d
from scoring import rubric_rules as rules
from scoring.models import Item, Section
from scoring.rubric_io import RubricImportError, export_rubric, import_rubric
from scoring.selectors import sheet_definition

from .test_rubric_admin import form_data, url

DEDUCTIONS_FILE = Path(settings.BASE_DIR) / "tests" / "data" / "rubric-deductions.yaml"


@pytest.fixture
def deductions_data() -> dict:
    with DEDUCTIONS_FILE.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture
def deductions_rubric(db, deductions_data):
    return import_rubric(deductions_data)


def compliance_of(rubric) -> Section:
    return Section.objects.get(part__sheet__rubric=rubric, code="compliance")


def test_the_file_round_trips(deductions_rubric, deductions_data):
    exported = export_rubric(deductions_rubric)
    assert exported == deductions_data
    [section] = [
        s
        for s in exported["sheets"][0]["parts"][0]["sections"]
        if s["scoring"] == Section.Scoring.DEDUCTION
    ]
    assert [(i["text"], i["points"]) for i in section["items"]] == [
        ("受到行政处罚的违法违规行为", 2),
        ("其他违法违规行为", 1),
    ]
    exported["version"] = "deductions-again"
    again = import_rubric(exported)
    assert export_rubric(again) == exported


def test_the_engine_reads_the_rules_and_their_points(deductions_rubric):
    definition = sheet_definition(sheet=deductions_rubric.sheets.get())
    [section] = [s for p in definition.parts for s in p.sections if s.scoring == d.DEDUCTION]
    assert section.max_points == 10
    assert [(i.text, i.points) for i in section.items] == [
        ("受到行政处罚的违法违规行为", Decimal(2)),
        ("其他违法违规行为", Decimal(1)),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda s: s["items"][1].update(points=None),
            "Every deduction rule of 合规情况 needs the points it takes per occurrence.",
        ),
        (
            lambda s: s["items"][0].update(points=0),
            "Every deduction rule of 合规情况 needs the points it takes per occurrence.",
        ),
        (lambda s: s.update(items=[]), "合规情况 lists no deduction rules."),
        (
            lambda s: s.update(not_applicable_rule="full_points"),
            "合规情况 takes deductions and has no not-applicable rule.",
        ),
        (lambda s: s.update(max_points=0), "合规情况 needs its max points."),
    ],
)
def test_a_deduction_section_that_breaks_the_rules_is_refused(deductions_data, db, change, message):
    section = deductions_data["sheets"][0]["parts"][0]["sections"][1]
    change(section)
    with translation.override("en"), pytest.raises(RubricImportError) as refused:
        import_rubric(deductions_data)
    assert any(message in str(problem) for problem in refused.value.problems), (
        refused.value.problems
    )


def test_deduction_rules_are_not_checkpoints_and_need_not_add_up():
    assert (
        rules.section_problems(
            name="合规情况",
            scoring=rules.DEDUCTION,
            max_points=10,
            not_applicable_rule=rules.NA_NONE,
            items=[rules.ItemValues(2), rules.ItemValues(1)],
        )
        == []
    )


def test_the_admin_edits_the_scoring_and_the_points_per_occurrence(su_client, deductions_rubric):
    section = compliance_of(deductions_rubric)
    change = url(Section, "change", section.pk)
    response = su_client.get(change)
    content = response.content.decode()
    assert '<option value="deduction" selected>' in content
    assert "in a deduction section, the points taken off per occurrence" in content

    data = form_data(response)
    data["items-1-points"] = ""
    response = su_client.post(change, data)
    assert response.status_code == 200
    assert (
        "Every deduction rule of 合规情况 needs the points it takes per occurrence."
        in response.content.decode()
    )

    data["items-0-points"] = "3"
    data["items-1-points"] = "1"
    data["max_points"] = "10"
    response = su_client.post(change, data)
    assert response.status_code == 302
    assert list(Item.objects.filter(section=section).values_list("points", flat=True)) == [3, 1]

    # Another section becomes a deduction section: its checkpoints need points now.
    other = Section.objects.get(part__sheet__rubric=deductions_rubric, code="document_review")
    change = url(Section, "change", other.pk)
    data = form_data(su_client.get(change))
    data["scoring"] = "deduction"
    response = su_client.post(change, data)
    assert (
        "Every deduction rule of 资料审核 needs the points it takes per occurrence."
        in response.content.decode()
    )
