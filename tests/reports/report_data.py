"""Approved visits for the branch and consolidated report tests, made through
the services on top of the shared `world` and `complete_visit` fixtures."""

import datetime
from decimal import Decimal

from inspections import services
from inspections.models import Finding, RandomDraw, Visit
from scoring import definitions as d
from scoring.selectors import sheet_definition
from tests import factories

#: what a user might type to smuggle a formula into a spreadsheet
PAYLOADS = ("=1+1", "+x", "-2", "@a", "\tx")


def plan(world, office, kind=Visit.Kind.SELF_INSPECTION, *, branch=None, day=25) -> Visit:
    """Plan a visit of an office (or of `branch` itself when office is None)."""
    branch = branch or (office.branch if office else world.branch_a)
    if kind == Visit.Kind.SELF_INSPECTION:
        planner = world.manager_a if branch == world.branch_a else world.manager_b
        inspector = world.inspector_a if branch == world.branch_a else world.inspector_b
    else:
        planner, inspector = world.hq, world.inspector_hq
        if office is not None:
            draw_offices(world, branch, [office])
    return services.plan_visit(
        user=planner,
        campaign=world.campaign,
        branch=branch,
        office=office,
        kind=kind,
        start_date=datetime.date(2012, 10, day),
        end_date=datetime.date(2012, 10, day + 1),
        inspectors=[inspector],
    )


def draw_offices(world, branch, offices):
    """Record a head-office draw that contains `offices` (the draw itself is tested elsewhere)."""
    current = RandomDraw.objects.filter(
        campaign=world.campaign,
        branch=branch,
        kind=RandomDraw.Kind.OFFICES,
        superseded_by__isnull=True,
    ).first()
    if current and all(o.pk in current.result_ids for o in offices):
        return current
    if current:
        current.delete()
    return RandomDraw.objects.create(
        kind=RandomDraw.Kind.OFFICES,
        campaign=world.campaign,
        branch=branch,
        seed="test",
        sample_size=2,
        candidate_ids=sorted(o.pk for o in branch.offices.all()),
        result_ids=[o.pk for o in offices],
        result_labels=[o.name for o in offices],
        drawn_by=world.hq,
    )


def scaled_parts(sheet, fraction: Decimal, remark: str = "") -> dict:
    """`full_sheet_parts` with every score cut to `fraction` of its points
    (rounded down), and `remark` on every section."""
    parts = factories.full_sheet_parts(sheet)
    definition = sheet_definition(sheet=sheet)
    for part in definition.parts:
        answers = parts[part.key]["answers"]
        for section in part.sections:
            entry = answers["sections"][section.key]
            if section.scoring == d.SECTION_POINTS:
                entry["score"] = str(int(section.max_points * fraction))
            else:
                entry["items"] = {
                    item.key: str(int(item.points * fraction)) for item in section.items
                }
            if remark:
                answers["remarks"][section.key] = remark
    return parts


def rescore(world, visit, specialist, code, fraction, remark=""):
    """Save a sheet again with lower scores (the visit must still be open)."""
    sheet = world.rubric.sheets.get(code=code)
    return services.save_sheet(
        user=visit.inspectors.first(),
        visit=visit,
        specialist=specialist,
        sheet=sheet,
        selection_method="drawn_at_random",
        parts=scaled_parts(sheet, Decimal(fraction), remark),
        chosen_alternative="standard_process" if code == "claims" else None,
    )


def approve(world, visit) -> Visit:
    services.submit_visit(user=visit.inspectors.first(), visit=visit)
    return services.approve_visit(user=world.hq, visit=visit, comment="同意")


def approved(world, complete_visit, office, kind=Visit.Kind.SELF_INSPECTION, **kwargs) -> Visit:
    visit = complete_visit(plan(world, office, kind, **kwargs))
    return approve(world, visit)


def add_texts(world, visit, text: str, *, tag_text: str | None = None):
    """A shortcoming, an action, and an interview whose tagged answers say `text`."""
    inspector = visit.inspectors.first()
    area = world.rubric.content_areas.order_by("order").first()
    services.add_finding(
        user=inspector, visit=visit, content_area=area, kind=Finding.Kind.SHORTCOMING, text=text
    )
    services.add_action(
        user=inspector,
        visit=visit,
        content_area=area,
        description=text,
        responsible_office=visit.office,
        responsible_person=text,
        deadline=datetime.date(2012, 12, 15),
    )
    audience = world.rubric.interview_audiences.order_by("order").last()
    answers = {
        q.pk: {"text": tag_text or text, "tag": q.tag, "yes_no": True if q.is_yes_no else None}
        for q in audience.questions.all()
    }
    services.save_interview(
        user=inspector,
        visit=visit,
        audience=audience,
        interviewee=text,
        post="运营室主任",
        notes=text,
        answers=answers,
    )
