"""Text stored before the plain-text rule (scoring/text.py) still exports.

Every free-text field of a visit (its records' text columns and the remarks
and reasons inside its sheets' and checklists' answers) gets each C0 control
character and DEL, written straight into the database as older data would be,
behind a formula trigger. The visit is then submitted and approved, and every
report kind is built and re-opened: visit, branch and consolidated, in PDF
and Excel, and the action statistics workbook. No cell holds a formula, the
surrounding text survives, and no control character is left."""

import io
import re

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections import services
from inspections.models import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    PartRecord,
    ProcessLogEntry,
    RectificationAction,
    SheetRecord,
    Visit,
    VisitTransition,
)
from reports.exporters.base import REGISTRY
from scoring.text import PlainCharField, PlainTextField
from tests.reports.conftest import fill_report_extras

CONTROLS = "".join(chr(code) for code in range(0x20)) + "\x7f"
if connection.vendor == "postgresql":
    # PostgreSQL's text and jsonb cannot hold NUL at all, so no stored text has it
    # there; the forms refuse it on every database (tests/scoring/test_text.py).
    CONTROLS = CONTROLS.replace("\x00", "")
# Starts with a formula trigger; 尾 ("tail") must survive in every report.
NASTY = "=SUM(1)" + CONTROLS + "尾"
LEFT_OVER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

VISIT_MODELS = {
    Visit: "pk",
    VisitTransition: "visit",
    ProcessLogEntry: "visit",
    SheetRecord: "visit",
    PartRecord: "sheet_record__visit",
    Interview: "visit",
    InterviewAnswer: "interview__visit",
    Finding: "visit",
    Evidence: "visit",
    RectificationAction: "visit",
}


def _poison(value):
    """Every string inside an answers JSON that a person typed (remarks, reasons)."""
    if isinstance(value, dict):
        return {
            key: (NASTY if isinstance(item, str) and _typed(key) else _poison(item))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_poison(item) for item in value]
    return value


def _typed(key: str) -> bool:
    return key.endswith(("reason", "remark")) or key in ("remarks",)


def poison_visit(visit: Visit) -> int:
    """Write NASTY into every plain-text column of the visit's records; returns how many."""
    written = 0
    for model, path in VISIT_MODELS.items():
        fields = [
            f
            for f in model._meta.get_fields()
            if isinstance(f, PlainCharField | PlainTextField) and not f.unique
        ]
        rows = model.objects.filter(**{path: visit.pk if path == "pk" else visit})
        for field in fields:
            written += rows.update(**{field.name: NASTY[: field.max_length or len(NASTY)]})
    for record in PartRecord.objects.filter(sheet_record__visit=visit):
        record.answers = _poison(record.answers)
        record.save(update_fields=["answers"])
    for checklist in ChecklistRecord.objects.filter(visit=visit):
        checklist.answers = _poison(checklist.answers)
        checklist.save(update_fields=["answers"])
    return written


@pytest.fixture
def poisoned_visit(world, visit, complete_visit, media_root):
    fill_report_extras(world, visit)
    complete_visit(visit)
    assert poison_visit(visit) >= 20
    services.submit_visit(user=world.inspector_a, visit=visit)
    services.approve_visit(user=world.hq, visit=visit, comment=NASTY)
    VisitTransition.objects.filter(visit=visit).update(comment=NASTY)
    visit.refresh_from_db()
    return visit


def check_workbook(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    assert not LEFT_OVER.search(cell.value), (sheet.title, cell.coordinate)
                    texts.append(cell.value)
    return "\n".join(texts)


def check_pdf(content: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert not LEFT_OVER.search(text)
    return text


SUBJECTS = {
    "visit": lambda v: {"visit_id": v.pk},
    "branch": lambda v: {"campaign_id": v.campaign_id, "branch_id": v.branch_id},
    "campaign": lambda v: {"campaign_id": v.campaign_id},
}


@pytest.mark.parametrize(
    "identifier",
    [
        "visit-pdf",
        "visit-xlsx",
        "branch-pdf",
        "branch-xlsx",
        "consolidated-pdf",
        "consolidated-xlsx",
    ],
)
def test_every_report_builds_and_reopens(poisoned_visit, identifier):
    exporter_class = REGISTRY[identifier]
    content = exporter_class(**SUBJECTS[exporter_class.subject](poisoned_visit)).build()
    if identifier.endswith("xlsx"):
        text = check_workbook(content)
        # The formula trigger was escaped, the text kept, the controls dropped:
        # tab and line feed stay, U+000B and U+000C became line feeds, and the
        # carriage return reads back as one (XML line-end handling).
        assert "'=SUM(1)\t\n\n\n\n尾" in text
    else:
        text = check_pdf(content)
    assert "尾" in text


def test_the_action_statistics_workbook(client, world, poisoned_visit):
    from inspections.models import Office

    Office.objects.filter(pk=poisoned_visit.office_id).update(name="=甲一" + CONTROLS)
    client.force_login(world.hq)
    response = client.get(reverse("action-stats-xlsx"))
    assert response.status_code == 200
    text = check_workbook(response.content)
    assert "'=甲一" in text
