"""A sheet's save (`services.save_sheet`) runs a fixed number of queries,
whatever the number of its parts and items: its record, its parts and their
change history are written in bulk (benchmarks/load.py measures its throughput).
The history it writes is the one auditlog's signals wrote before."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inspections import services
from inspections.models import PartRecord, SheetRecord, VisitChange
from inspections.services import visits as visit_services
from scoring import selectors
from tests import factories

pytestmark = pytest.mark.django_db

SAVE_QUERIES = 20  # a 4-part sheet (表二), the budget


@pytest.fixture(autouse=True)
def kept_definitions():
    selectors.forget_definitions()
    yield
    selectors.forget_definitions()


def _save(world, visit, code, parts, **extra):
    return services.save_sheet(
        user=world.inspector_a,
        visit=visit,
        specialist=world.generalist,
        sheet=world.rubric.sheets.get(code=code),
        selection_method="followed_live",
        parts=parts,
        **extra,
    )


def _counted(function, *args, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        result = function(*args, **kwargs)
    return result, len(captured.captured_queries)


def _lowered(parts):
    """Every item and section one point lower: every part changes."""
    changed = {}
    for code, part in parts.items():
        sections = {}
        for key, entry in part["answers"]["sections"].items():
            entry = dict(entry)
            if "score" in entry:
                entry["score"] = str(int(entry["score"]) - 1)
            entry["items"] = {k: str(int(v) - 1) for k, v in entry.get("items", {}).items()}
            sections[key] = entry
        changed[code] = part | {"answers": {"sections": sections, "remarks": {"x": "备注"}}}
    return changed


def test_a_save_costs_the_same_queries_for_four_parts_as_for_one(world, visit):
    costs = {}
    for code in ("new_business", "policy_change"):  # 表二: 4 parts, 表三: 1
        sheet = world.rubric.sheets.get(code=code)
        parts = factories.full_sheet_parts(sheet)
        _save(world, visit, code, parts)  # keeps the definition, as a running server does
        SheetRecord.objects.filter(sheet=sheet).delete()
        record, created = _counted(_save, world, visit, code, parts, expected_version=0)
        _record, updated = _counted(
            _save, world, visit, code, _lowered(parts), expected_version=record.version
        )
        costs[code] = (created, updated)
    assert costs["new_business"] == costs["policy_change"], costs
    assert max(costs["new_business"]) <= SAVE_QUERIES, costs


def test_switching_claims_sub_sheet_costs_a_fixed_number_too(world, visit):
    sheet = world.rubric.sheets.get(code="claims")
    parts = factories.full_sheet_parts(sheet)
    first, second = list(parts)[:2]
    record = _save(world, visit, "claims", parts, chosen_alternative=first)
    _save(world, visit, "claims", parts, chosen_alternative=first)  # warm
    record.refresh_from_db()
    record, queries = _counted(
        _save,
        world,
        visit,
        "claims",
        parts,
        chosen_alternative=second,
        alternative_reason="本期无标准流程案件",
        expected_version=record.version,
    )
    assert queries <= SAVE_QUERIES
    assert [p.part.code for p in record.parts.all()] == [second]


def test_the_history_records_each_created_changed_and_removed_part(world, visit):
    sheet = world.rubric.sheets.get(code="claims")
    parts = factories.full_sheet_parts(sheet)
    first, second = list(parts)[:2]
    record = _save(world, visit, "claims", parts, chosen_alternative=first)
    created = VisitChange.objects.filter(
        visit=visit,
        action=VisitChange.Action.CREATE,
        content_type__model__in=["sheetrecord", "partrecord"],
    )
    assert sorted(c.content_type.model for c in created) == ["partrecord", "sheetrecord"]
    part_created = created.get(content_type__model="partrecord")
    assert part_created.additional_data == {"sheet": "claims", "part": first}
    assert part_created.changes["reference_no"] == [None, f"NO-{first}"]
    assert str(record) in part_created.object_repr

    lowered = _lowered(parts)
    _save(world, visit, "claims", lowered, chosen_alternative=first, expected_version=1)
    update = VisitChange.objects.get(
        visit=visit, action=VisitChange.Action.UPDATE, content_type__model="partrecord"
    )
    assert set(update.changes) == {"answers", "score"}
    old_part = PartRecord.objects.get(sheet_record=record)
    _save(
        world,
        visit,
        "claims",
        parts,
        chosen_alternative=second,
        alternative_reason="本期无标准流程案件",
        expected_version=2,
    )
    removed = VisitChange.objects.get(visit=visit, action=VisitChange.Action.DELETE)
    assert removed.object_id == old_part.pk and removed.additional_data["part"] == first
    # Nothing is recorded for a save that changes nothing tracked.
    count = VisitChange.objects.count()
    _save(
        world,
        visit,
        "claims",
        parts,
        chosen_alternative=second,
        alternative_reason="本期无标准流程案件",
        expected_version=3,
    )
    assert VisitChange.objects.count() == count


def test_a_new_sheet_saved_meanwhile_by_another_page_is_never_overwritten(
    world, visit, monkeypatch
):
    """Two pages that opened the same new sheet: the second save finds the row
    the first inserted (the unique constraint), and is refused as stale."""
    sheet = world.rubric.sheets.get(code="policy_change")
    parts = factories.full_sheet_parts(sheet)
    first = _save(world, visit, "policy_change", parts, expected_version=0)
    # The second page's save read no record before the first one's insert.
    monkeypatch.setattr(visit_services, "_locked_for_save", lambda *args, **kwargs: None)
    with pytest.raises(ValidationError) as caught:
        _save(world, visit, "policy_change", _lowered(parts), expected_version=0)
    assert services.has_code(caught.value, services.STALE)
    first.refresh_from_db()
    assert first.version == 1 and first.score == 100
    assert SheetRecord.objects.count() == 1
