"""The results analysis' summary (`ItemOutcome`, `Visit.counts_in_results`):
written on approval, rewritten on a correction, filled in after `migrate` for
visits approved before it existed, and equal to the consolidated detail."""

import datetime
from decimal import Decimal

import pytest
from django.core.management.sql import emit_post_migrate_signal

from inspections import services
from inspections.models import ChecklistRecord, ItemOutcome, SheetRecord, Visit
from inspections.services.outcomes import refresh_missing_outcomes
from inspections.services.visits import correct_checklist, correct_sheet_part
from reports.selectors.campaign import detail_rows

pytestmark = pytest.mark.django_db


def approve(world, complete_visit, *, office, check=False):
    if check:
        manager, inspector, kind = world.hq, world.inspector_hq, Visit.Kind.HEAD_OFFICE_CHECK
    else:
        manager, inspector, kind = world.manager_a, world.inspector_a, Visit.Kind.SELF_INSPECTION
    visit = services.plan_visit(
        user=manager,
        campaign=world.campaign,
        branch=world.branch_a,
        office=office,
        kind=kind,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[inspector],
    )
    complete_visit(visit, inspector)
    services.submit_visit(user=inspector, visit=visit)
    return services.approve_visit(user=manager, visit=visit)


def test_approval_summarises_every_item_and_requirement_as_the_detail_does(world, complete_visit):
    visit = approve(world, complete_visit, office=world.a1)
    rows = ItemOutcome.objects.filter(visit=visit)
    detail = list(detail_rows(campaign=world.campaign))
    scored = [row for row in detail if row[10] is not None]  # points: scored items
    requirements = [row for row in detail if row[14] is not None]  # compliant: checklists
    assert rows.filter(points__isnull=False).count() == len(scored)
    assert rows.filter(points__isnull=True).count() == len(requirements)
    assert sorted((o.points, o.score) for o in rows.filter(points__isnull=False)) == sorted(
        (Decimal(row[10]), Decimal(row[11])) for row in scored
    )
    assert not rows.filter(failed=True).exists()  # full marks, every answer yes
    for record in SheetRecord.objects.filter(visit=visit):
        points = rows.filter(sheet_record=record)
        assert sum(o.score for o in points) == record.score
        assert {o.sheet_code for o in points} == {record.sheet.code}
    # Codes match items across rubric versions.
    for outcome in rows.exclude(item__isnull=True).select_related("item")[:50]:
        assert outcome.item_code == outcome.item.code
    visit.refresh_from_db()
    assert visit.counts_in_results


def test_a_later_head_office_check_ranks_the_unit_instead(world, complete_visit):
    own = approve(world, complete_visit, office=None)
    check = approve(world, complete_visit, office=None, check=True)
    own.refresh_from_db()
    check.refresh_from_db()
    assert check.counts_in_results and not own.counts_in_results
    # Each keeps its own outcomes: the analysis picks the ranking one.
    assert ItemOutcome.objects.filter(visit=own).exists()
    assert ItemOutcome.objects.filter(visit=check).exists()


def test_a_correction_rewrites_the_visit_s_outcomes(world, complete_visit):
    visit = approve(world, complete_visit, office=world.a1)
    before = ItemOutcome.objects.filter(visit=visit).count()
    record = SheetRecord.objects.filter(visit=visit, sheet__code="new_business").first()
    part = record.parts.select_related("part").first()
    section_key, section = next(
        (k, s) for k, s in part.answers["sections"].items() if s.get("items")
    )
    item_key = next(iter(section["items"]))
    answers = dict(part.answers)
    answers["sections"][section_key]["items"][item_key] = "0"
    answers["remarks"] = {item_key: "未见客户签名"}
    correct_sheet_part(record=record, part_code=part.part.code, answers=answers)
    checklist = ChecklistRecord.objects.filter(visit=visit).first()
    requirement = next(iter(checklist.answers))
    corrected = dict(checklist.answers)
    corrected[requirement] = {"compliant": False, "remark": "权限未回收"}
    correct_checklist(checklist=checklist, answers=corrected)

    rows = ItemOutcome.objects.filter(visit=visit)
    assert rows.count() == before
    failed = {(o.item_id, o.remark) for o in rows.filter(failed=True)}
    assert failed == {(int(item_key), "未见客户签名"), (int(requirement), "权限未回收")}
    lost = rows.get(item_id=int(item_key))
    assert lost.score == 0 and lost.lost == lost.points > 0


def test_a_correction_keeps_a_sheet_s_falsified_material(world, complete_visit):
    visit = approve(world, complete_visit, office=world.a1)
    record = SheetRecord.objects.filter(visit=visit, sheet__code="new_business").first()
    SheetRecord.objects.filter(pk=record.pk).update(
        falsified_material=True, falsified_reason="回执系补签"
    )
    record.refresh_from_db()
    part = record.parts.select_related("part").first()
    correct_sheet_part(record=record, part_code=part.part.code, answers=part.answers)
    record.refresh_from_db()
    assert record.falsified_material and record.percent == 0
    rows = ItemOutcome.objects.filter(sheet_record=record)
    assert rows.exists() and all(o.score == 0 and o.lost == o.points for o in rows)
    # The consolidated detail shows the same: every item of that sheet at 0.
    sheet = f"{record.sheet.table_label} {record.sheet.name}"
    detail = [
        row
        for row in detail_rows(campaign=world.campaign)
        if row[6] == sheet and row[4] == record.specialist.name and row[10] is not None
    ]
    assert len(detail) == rows.count() and all(row[11] == 0 for row in detail)


def test_visits_approved_before_the_summary_are_filled_in_after_migrate(
    world, complete_visit, django_assert_num_queries
):
    visit = approve(world, complete_visit, office=world.a1)
    count = ItemOutcome.objects.filter(visit=visit).count()
    ItemOutcome.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # as migrate does
    assert ItemOutcome.objects.filter(visit=visit).count() == count
    ItemOutcome.objects.all().delete()
    assert refresh_missing_outcomes() == 1
    with django_assert_num_queries(1):
        assert refresh_missing_outcomes() == 0
