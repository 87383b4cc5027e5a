"""Successive campaigns for the trend and repeat-finding tests, made through the
services on top of the shared `world` fixture: a later rubric version copied
from 2012 with one item removed and one added (same section, same points),
approved visits, and items made to fail by a correction."""

import datetime
from types import SimpleNamespace

from inspections import services
from inspections.models import Campaign, SheetRecord, Visit
from inspections.services.visits import correct_sheet_part
from scoring.models import Item, RubricVersion, Section
from scoring.rubric_io import copy_as_draft
from tests import factories

SHEET = "new_business"


def item_section(rubric) -> Section:
    """The first section of 表二 scored per item with at least three items of points."""
    for section in Section.objects.filter(
        part__sheet__rubric=rubric, part__sheet__code=SHEET, scoring=Section.Scoring.ITEM_POINTS
    ).order_by("part__order", "order"):
        items = [i for i in section.items.order_by("order", "pk") if i.points]
        if len(items) >= 3:
            return section
    raise AssertionError("no item-points section with three items")


def codes(world) -> SimpleNamespace:
    """The item codes the tests use: `kept` and `other` are in every version,
    `removed` only in 2012, `added` only in the copy."""
    section = item_section(world.rubric)
    items = [i for i in section.items.order_by("order", "pk") if i.points]
    return SimpleNamespace(
        section=section, kept=items[0].code, other=items[1].code, removed=items[2].code
    )


def next_rubric(world, version="2013") -> RubricVersion:
    """A published copy of 2012 in which one item is replaced by another of the
    same points under a new code (the section's total is unchanged)."""
    keys = codes(world)
    draft = copy_as_draft(world.rubric, new_version=version, name=f"{version}年方案")
    section = Section.objects.get(
        part__sheet__rubric=draft,
        part__sheet__code=SHEET,
        part__code=keys.section.part.code,
        code=keys.section.code,
    )
    removed = section.items.get(code=keys.removed)
    Item.objects.create(
        section=section,
        code="added-check",
        text="新增：核对客户身份证件有效期",
        points=removed.points,
        order=removed.order,
    )
    removed.delete()
    RubricVersion.objects.filter(pk=draft.pk).update(status=RubricVersion.Status.PUBLISHED)
    draft.refresh_from_db()
    return draft


def campaign(world, year: int, rubric=None) -> Campaign:
    return services.create_campaign(
        user=world.hq,
        name=f"{year}年度一柜通验收",
        rubric=rubric or world.rubric,
        period_start=datetime.date(year, 10, 22),
        period_end=datetime.date(year, 11, 30),
        report_due=datetime.date(year, 11, 30),
        branches=[world.branch_a, world.branch_b],
    )


def approved(world, campaign, office, *, fail=(), branch=None) -> Visit:
    """An approved self-inspection of `office` (or of `branch` itself) in
    `campaign`, then each (item code, remark) of `fail` scored 0 on 表二 by a
    correction."""
    branch = branch or office.branch
    a = branch == world.branch_a
    inspector = world.inspector_a if a else world.inspector_b
    start = campaign.period_start + datetime.timedelta(days=3)
    visit = services.plan_visit(
        user=world.manager_a if a else world.manager_b,
        campaign=campaign,
        branch=branch,
        office=office,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
        inspectors=[inspector],
    )
    factories.fill_visit(SimpleNamespace(**{**vars(world), "rubric": campaign.rubric}), visit)
    services.submit_visit(user=inspector, visit=visit)
    visit = services.approve_visit(
        user=world.manager_a if a else world.manager_b, visit=visit, comment=""
    )
    for code, remark in fail:
        fail_item(visit, code, remark)
    return visit


def fail_item(visit: Visit, code: str, remark: str) -> None:
    section = item_section(visit.campaign.rubric)
    item = Item.objects.select_related("section__part").get(section=section, code=code)
    record = SheetRecord.objects.filter(visit=visit, sheet__code=SHEET).order_by("pk").first()
    part = record.parts.select_related("part").get(part__code=item.section.part.code)
    answers = dict(part.answers)
    answers["sections"][item.section.code]["items"][str(item.pk)] = "0"
    answers["remarks"] = {**(answers.get("remarks") or {}), str(item.pk): remark}
    correct_sheet_part(record=record, part_code=part.part.code, answers=answers)
