"""Issue 3, visits: planning, the state machine, freezing, who may edit and
review, and everything an inspector saves (sheets scored by the engine,
checklists, KPI note, interviews, findings, actions, evidence), then submission."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import resolve
from django.utils import translation

from inspections import draws, selectors, services
from inspections.models import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    LineWaiver,
    PartRecord,
    ProcessLogEntry,
    RandomDraw,
    RectificationAction,
    SheetRecord,
    Visit,
    VisitTransition,
)
from scoring import definitions as d
from scoring.answers import sheet_answers
from scoring.engine import score_sheet
from scoring.models import InterviewAudience
from scoring.selectors import sheet_definition
from tests import factories

pytestmark = pytest.mark.django_db

DAY = datetime.date


def sheets(world):
    return {sheet.code: sheet for sheet in world.rubric.sheets.all()}


def plan(world, **overrides):
    arguments = {
        "user": world.manager_a,
        "campaign": world.campaign,
        "branch": world.branch_a,
        "office": world.a1,
        "kind": Visit.Kind.SELF_INSPECTION,
        "start_date": DAY(2012, 10, 25),
        "end_date": DAY(2012, 10, 26),
        "inspectors": [world.inspector_a],
    }
    arguments.update(overrides)
    return services.plan_visit(**arguments)


def save(world, visit, code, specialist, parts=None, user=None, **kwargs):
    sheet = sheets(world)[code]
    kwargs.setdefault("selection_method", "followed_live")
    if code == "claims":
        kwargs.setdefault("chosen_alternative", "standard_process")
    return services.save_sheet(
        user=user or world.inspector_a,
        visit=visit,
        specialist=specialist,
        sheet=sheet,
        parts=parts if parts is not None else factories.full_sheet_parts(sheet),
        **kwargs,
    )


def section(parts, part, key):
    return parts[part]["answers"]["sections"][key]


def item_key(sheet, text, part=None):
    definition = sheet_definition(sheet=sheet)
    for p in definition.parts:
        if part and p.key != part:
            continue
        for s in p.sections:
            for item in s.items:
                if item.text == text:
                    return p.key, s.key, item.key
    raise KeyError(text)


def snapshot(visit):
    """Everything a save could change in a visit."""
    visit = Visit.objects.get(pk=visit.pk)
    return {
        "state": visit.state,
        "note": visit.kpi_monitoring_note,
        "transitions": visit.transitions.count(),
        "sheets": sorted(
            (r.pk, r.score, r.max_points, r.selection_method, r.complete)
            for r in visit.sheet_records.all()
        ),
        "parts": sorted(
            (p.pk, p.reference_no, str(p.answers), p.score)
            for p in PartRecord.objects.filter(sheet_record__visit=visit)
        ),
        "checklists": sorted((c.pk, str(c.answers)) for c in visit.checklists.all()),
        "log": sorted((e.pk, e.policy_no, e.remarks) for e in visit.log_entries.all()),
        "interviews": sorted((i.pk, i.interviewee, i.notes) for i in visit.interviews.all()),
        "answers": InterviewAnswer.objects.filter(interview__visit=visit).count(),
        "findings": sorted((f.pk, f.text) for f in visit.findings.all()),
        "actions": sorted((a.pk, a.description) for a in visit.actions.all()),
        "evidence": visit.evidence.count(),
        "waivers": sorted((w.business_line, w.reason) for w in visit.line_waivers.all()),
        "draws": visit.draws.count(),
    }


# --- planning -------------------------------------------------------------------------


def test_a_branch_manager_plans_a_self_inspection_of_an_office(world):
    visit = plan(world, inspectors=[world.inspector_a, world.inspector_a2])
    assert visit.state == Visit.State.PLANNED
    assert visit.kind == Visit.Kind.SELF_INSPECTION
    assert (visit.branch, visit.office, visit.planned_by) == (
        world.branch_a,
        world.a1,
        world.manager_a,
    )
    assert set(visit.inspectors.all()) == {world.inspector_a, world.inspector_a2}
    transition = visit.transitions.get()
    assert (transition.from_state, transition.to_state, transition.by) == (
        "",
        Visit.State.PLANNED,
        world.manager_a,
    )
    assert transition.at is not None


def test_a_visit_may_inspect_the_branch_itself(world):
    visit = plan(world, office=None)
    assert visit.office is None and visit.unit_name == "甲分公司"


def test_head_office_inspectors_may_inspect_a_branch_self_inspection(world):
    visit = plan(world, inspectors=[world.inspector_hq])
    assert list(visit.inspectors.all()) == [world.inspector_hq]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (DAY(2012, 10, 21), DAY(2012, 10, 25)),  # starts before the campaign
        (DAY(2012, 11, 29), DAY(2012, 12, 1)),  # ends after it
        (DAY(2012, 12, 1), DAY(2012, 12, 2)),
        (DAY(2012, 10, 26), DAY(2012, 10, 25)),  # ends before it starts
    ],
)
def test_visit_dates_lie_inside_the_campaign_period(world, start, end):
    with pytest.raises(ValidationError):
        plan(world, start_date=start, end_date=end)
    assert not Visit.objects.exists()


def test_the_first_and_last_days_of_the_campaign_are_inside_it(world):
    visit = plan(world, start_date=DAY(2012, 10, 22), end_date=DAY(2012, 11, 30))
    assert visit.pk


@pytest.mark.parametrize(
    ("who", "branch", "kind"),
    [
        ("manager_b", "branch_a", Visit.Kind.SELF_INSPECTION),  # another branch
        ("manager_a", "branch_a", Visit.Kind.HEAD_OFFICE_CHECK),  # head office's kind
        ("hq", "branch_a", Visit.Kind.SELF_INSPECTION),  # the branch's kind
        ("inspector_a", "branch_a", Visit.Kind.SELF_INSPECTION),
        ("inspector_hq", "branch_a", Visit.Kind.HEAD_OFFICE_CHECK),
    ],
)
def test_who_plans_which_visit(world, who, branch, kind):
    with pytest.raises(PermissionDenied):
        plan(world, user=getattr(world, who), branch=getattr(world, branch), kind=kind, office=None)
    assert not Visit.objects.exists()


def test_an_office_of_another_branch_is_refused(world):
    with pytest.raises(ValidationError):
        plan(world, office=world.b1)
    assert not Visit.objects.exists()


def test_a_branch_outside_the_campaign_is_refused(world):
    outside = factories.BranchFactory(code="c", name="丙分公司")
    manager = factories.BranchManagerFactory(username="manager-c", branch=outside)
    with pytest.raises(ValidationError):
        plan(world, user=manager, branch=outside, office=None, inspectors=[world.inspector_hq])
    assert not Visit.objects.exists()


@pytest.mark.parametrize("who", ["inspector_b", "manager_a", "hq"])
def test_inspectors_are_inspector_users_of_the_branch_or_of_head_office(world, who):
    with pytest.raises(ValidationError) as error:
        plan(world, inspectors=[world.inspector_a, getattr(world, who)])
    assert str(getattr(world, who)) in " ".join(error.value.messages)
    assert not Visit.objects.exists()


def test_a_visit_needs_an_inspector(world):
    with pytest.raises(ValidationError):
        plan(world, inspectors=[])
    assert not Visit.objects.exists()


def test_head_office_checks_only_drawn_offices(world):
    check = {
        "user": world.hq,
        "kind": Visit.Kind.HEAD_OFFICE_CHECK,
        "inspectors": [world.inspector_hq],
    }
    with pytest.raises(ValidationError):  # nothing drawn yet
        plan(world, office=world.a1, **check)
    draw = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    drawn = set(draw.result_ids)
    not_drawn = next(o for o in (world.a1, world.a2, world.a3) if o.pk not in drawn)
    with pytest.raises(ValidationError):
        plan(world, office=not_drawn, **check)
    assert not Visit.objects.exists()
    for office_pk in drawn:
        visit = plan(world, office=world.branch_a.offices.get(pk=office_pk), **check)
        assert visit.kind == Visit.Kind.HEAD_OFFICE_CHECK and visit.planned_by == world.hq
    # and the branch itself, at any time
    assert plan(world, office=None, **check).office is None


def test_after_a_redraw_only_the_new_draw_counts(world):
    check = {
        "user": world.hq,
        "kind": Visit.Kind.HEAD_OFFICE_CHECK,
        "inspectors": [world.inspector_hq],
    }
    first = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, seed="s1"
    )
    seed = next(
        f"s{n}"
        for n in range(2, 500)
        if set(draws.draw(first.candidate_ids, 2, f"s{n}")) != set(first.result_ids)
    )
    second = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, seed=seed, reason="重抽"
    )
    only_first = (set(first.result_ids) - set(second.result_ids)).pop()
    with pytest.raises(ValidationError):
        plan(world, office=world.branch_a.offices.get(pk=only_first), **check)


# --- the state machine ------------------------------------------------------------------


def states(visit):
    return [
        (t.from_state, t.to_state, t.by.username, t.comment)
        for t in VisitTransition.objects.filter(visit=visit).select_related("by").order_by("pk")
    ]


def test_the_whole_life_of_a_visit_is_recorded(world, visit, complete_visit):
    services.save_kpi_note(user=world.inspector_a, visit=visit, note="first save")
    visit.refresh_from_db()
    assert visit.state == Visit.State.IN_PROGRESS
    complete_visit(visit)
    services.submit_visit(user=world.inspector_a, visit=visit)
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED
    with pytest.raises(ValidationError):
        services.return_visit(user=world.manager_a, visit=visit, comment="  ")
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED
    services.return_visit(user=world.manager_a, visit=visit, comment="表七缺少备注")
    visit.refresh_from_db()
    assert visit.state == Visit.State.RETURNED and visit.is_editable
    services.save_kpi_note(user=world.inspector_a, visit=visit, note="补充说明")
    visit.refresh_from_db()
    assert visit.state == Visit.State.IN_PROGRESS
    services.submit_visit(user=world.inspector_a, visit=visit)
    services.approve_visit(user=world.manager_a, visit=visit, comment="同意")
    visit.refresh_from_db()
    assert visit.state == Visit.State.APPROVED and visit.approved_at is not None
    assert states(visit) == [
        ("", "planned", "manager-a", ""),
        ("planned", "in_progress", "inspector-a", ""),
        ("in_progress", "submitted", "inspector-a", ""),
        ("submitted", "returned", "manager-a", "表七缺少备注"),
        ("returned", "in_progress", "inspector-a", ""),
        ("in_progress", "submitted", "inspector-a", ""),
        ("submitted", "approved", "manager-a", "同意"),
    ]
    assert all(t.at for t in visit.transitions.all())


def test_only_a_submitted_visit_is_reviewed(world, visit):
    for action in (services.approve_visit, services.return_visit):
        with pytest.raises(ValidationError):
            action(user=world.manager_a, visit=visit, comment="x")
    visit.refresh_from_db()
    assert visit.state == Visit.State.PLANNED and visit.transitions.count() == 1


def test_an_approved_visit_cannot_be_approved_or_returned_again(world, visit, complete_visit):
    complete_visit(visit)
    services.submit_visit(user=world.inspector_a, visit=visit)
    services.approve_visit(user=world.manager_a, visit=visit)
    for action in (services.approve_visit, services.return_visit):
        with pytest.raises(ValidationError):
            action(user=world.hq, visit=visit, comment="x")
    visit.refresh_from_db()
    assert visit.state == Visit.State.APPROVED


# --- frozen visits -----------------------------------------------------------------------


@pytest.fixture
def filled(world, visit, complete_visit, tmp_path, settings):
    """The complete visit with a log row, an interview, a waiver-free set of
    sheets and a piece of evidence: something for every service to touch."""
    settings.MEDIA_ROOT = tmp_path
    complete_visit(visit)
    entry = services.save_log_entry(
        user=world.inspector_a,
        visit=visit,
        policy_no="P001",
        business_item="退保",
        operator=world.pc,
        minutes_document_review=Decimal(3),
        minutes_scanning=None,
        minutes_data_entry=None,
        remarks="",
    )
    audience = world.rubric.interview_audiences.first()
    interview = services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="周主任",
        post="运营室主任",
        notes="",
        answers={},
    )
    services.add_evidence(
        user=world.inspector_a, visit=visit, upload=upload("photo.png", PNG), caption="柜面"
    )
    return {"entry": entry, "interview": interview, "finding": visit.findings.first()}


def every_save(world, visit, filled, user):
    """One call of every service that changes a visit, made by `user`."""
    s = sheets(world)
    area = world.rubric.content_areas.first()
    return {
        "draw_specialists": lambda: services.draw_specialists(user=user, visit=visit, size=2),
        "save_log_entry": lambda: services.save_log_entry(
            user=user,
            visit=visit,
            policy_no="P002",
            business_item="新契约",
            operator=world.pc,
            minutes_document_review=None,
            minutes_scanning=None,
            minutes_data_entry=None,
            remarks="changed",
        ),
        "delete_log_entry": lambda: services.delete_log_entry(user=user, entry=filled["entry"]),
        "save_sheet": lambda: save(
            world,
            visit,
            "new_business",
            world.pc,
            parts=factories.full_sheet_parts(s["new_business"]),
            user=user,
            selection_method="drawn_at_random",
        ),
        "save_checklist": lambda: services.save_checklist(
            user=user,
            visit=visit,
            sheet=s["permissions"],
            specialist=None,
            answers=factories.checklist_answers(s["permissions"], compliant=False, remark="改"),
        ),
        "save_kpi_note": lambda: services.save_kpi_note(user=user, visit=visit, note="changed"),
        "save_line_waiver": lambda: services.save_line_waiver(
            user=user, visit=visit, business_line="claims", reason="无理赔"
        ),
        "save_interview": lambda: services.save_interview(
            user=user,
            visit=visit,
            audience=filled["interview"].audience,
            interviewee="changed",
            post="changed",
            notes="changed",
            answers={},
            interview=filled["interview"],
        ),
        "add_finding": lambda: services.add_finding(
            user=user, visit=visit, content_area=area, kind=Finding.Kind.SHORTCOMING, text="new"
        ),
        "delete_finding": lambda: services.delete_finding(user=user, finding=filled["finding"]),
        "add_action": lambda: services.add_action(
            user=user,
            visit=visit,
            content_area=area,
            description="整改",
            responsible_office=None,
            responsible_person="王",
            deadline=DAY(2012, 12, 31),
        ),
        "add_evidence": lambda: services.add_evidence(
            user=user, visit=visit, upload=upload("more.png", PNG)
        ),
        "submit_visit": lambda: services.submit_visit(user=user, visit=visit),
    }


SAVES = [
    "draw_specialists",
    "save_log_entry",
    "delete_log_entry",
    "save_sheet",
    "save_checklist",
    "save_kpi_note",
    "save_line_waiver",
    "save_interview",
    "add_finding",
    "delete_finding",
    "add_action",
    "add_evidence",
    "submit_visit",
]


@pytest.mark.parametrize("state", [Visit.State.SUBMITTED, Visit.State.APPROVED])
@pytest.mark.parametrize("name", SAVES)
def test_a_submitted_or_approved_visit_is_frozen(world, visit, filled, state, name):
    services.submit_visit(user=world.inspector_a, visit=visit)
    if state == Visit.State.APPROVED:
        services.approve_visit(user=world.manager_a, visit=visit)
    before = snapshot(visit)
    with pytest.raises(ValidationError) as caught:
        every_save(world, visit, filled, world.inspector_a)[name]()
    assert services.has_code(caught.value, services.LOCKED)
    assert snapshot(visit) == before


@pytest.mark.parametrize("who", ["inspector_a2", "inspector_hq", "manager_a", "hq"])
@pytest.mark.parametrize("name", SAVES)
def test_only_the_visits_inspectors_change_it(world, visit, filled, who, name):
    before = snapshot(visit)
    with pytest.raises(PermissionDenied):
        every_save(world, visit, filled, getattr(world, who))[name]()
    assert snapshot(visit) == before


def test_a_second_inspector_of_the_visit_may_edit_it(world):
    visit = plan(world, inspectors=[world.inspector_a, world.inspector_hq])
    services.save_kpi_note(user=world.inspector_hq, visit=visit, note="总部验收人员")
    visit.refresh_from_db()
    assert visit.kpi_monitoring_note == "总部验收人员"


# --- reviewing ---------------------------------------------------------------------------


@pytest.fixture
def submitted(world, visit, complete_visit):
    complete_visit(visit)
    services.submit_visit(user=world.inspector_a, visit=visit)
    visit.refresh_from_db()
    return visit


@pytest.mark.parametrize("who", ["inspector_a", "inspector_a2", "inspector_hq", "manager_b"])
def test_who_may_not_review_a_self_inspection(world, submitted, who):
    for action in (services.approve_visit, services.return_visit):
        with pytest.raises(PermissionDenied):
            action(user=getattr(world, who), visit=submitted, comment="x")
    submitted.refresh_from_db()
    assert submitted.state == Visit.State.SUBMITTED


@pytest.mark.parametrize("who", ["manager_a", "hq"])
def test_the_branch_manager_and_head_office_review_a_self_inspection(world, submitted, who):
    services.approve_visit(user=getattr(world, who), visit=submitted)
    submitted.refresh_from_db()
    assert submitted.state == Visit.State.APPROVED
    assert submitted.transitions.last().by == getattr(world, who)


def test_a_reviewer_never_approves_a_visit_they_inspect(world, submitted):
    submitted.inspectors.add(world.hq)  # bypassing plan_visit's rule on purpose
    with pytest.raises(PermissionDenied):
        services.approve_visit(user=world.hq, visit=submitted)
    submitted.refresh_from_db()
    assert submitted.state == Visit.State.SUBMITTED
    services.approve_visit(user=world.manager_a, visit=submitted)


def test_a_head_office_check_is_reviewed_by_head_office_not_the_branch(world, complete_visit):
    draw = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    office = world.branch_a.offices.get(pk=draw.result_ids[0])
    check = plan(
        world,
        user=world.hq,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        office=office,
        inspectors=[world.inspector_hq],
    )
    complete_visit(check)
    services.submit_visit(user=world.inspector_hq, visit=check)
    for who in ("manager_a", "inspector_hq"):
        with pytest.raises(PermissionDenied):
            services.approve_visit(user=getattr(world, who), visit=check)
    services.return_visit(user=world.hq, visit=check, comment="补充访谈")
    check.refresh_from_db()
    assert check.state == Visit.State.RETURNED


# --- scored sheets ------------------------------------------------------------------------


def test_a_specialist_is_never_scored_on_their_home_post(world, visit):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        save(world, visit, "policy_change", world.pc)
    message = error.value.messages[0]
    assert "保全张" in message and "保全" in message and "own line" in message
    assert not SheetRecord.objects.exists()
    visit.refresh_from_db()
    assert visit.state == Visit.State.PLANNED  # the whole save was rolled back


@pytest.mark.parametrize(("code", "post_name"), [("claims", "理赔"), ("new_business", "契约")])
def test_nor_on_a_concurrent_post(world, visit, code, post_name):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        save(world, visit, code, world.nb)
    message = error.value.messages[0]
    assert "契约李" in message and f"post: {post_name}" in message
    assert not SheetRecord.objects.exists()


def test_a_specialist_of_another_unit_is_refused(world, visit):
    for person in (world.at_a2, world.at_b1, world.at_branch):
        with pytest.raises(ValidationError) as error:
            save(world, visit, "new_business", person)
        assert person.name in error.value.messages[0]
    assert not SheetRecord.objects.exists()


def engine_result(world, code, parts, chosen=None):
    sheet = sheets(world)[code]
    answers = sheet_answers(parts, chosen_alternative=chosen)
    bands = [
        d.GradeBandDef("A", Decimal(85)),
        d.GradeBandDef("B", Decimal(70)),
        d.GradeBandDef("C", Decimal(0)),
    ]
    return score_sheet(sheet_definition(sheet=sheet), answers, bands)


def test_policy_change_with_surrender_gets_the_payment_notice_points_automatically(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["policy_change"], servicing_item="退保")
    sections = parts["policy_change_process"]["answers"]["sections"]
    del sections["payment_notice_printing"]  # not even answered
    sections["document_review"]["score"] = "20"
    record = save(world, visit, "policy_change", world.generalist, parts)
    part = record.parts.get()
    assert part.servicing_item == "退保"
    expected = engine_result(world, "policy_change", parts)
    assert (record.score, record.max_points) == (Decimal(90), Decimal(100))
    assert (record.score, record.max_points, record.percent) == (
        expected.score,
        expected.max_points,
        expected.percent,
    )
    payment = next(s for s in expected.parts[0].sections if s.key == "payment_notice_printing")
    assert payment.score == Decimal(10) and payment.not_applicable
    assert record.complete and record.grade == "A"


def test_policy_change_with_another_item_must_score_the_payment_notice(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["policy_change"], servicing_item="保单复效")
    del parts["policy_change_process"]["answers"]["sections"]["payment_notice_printing"]
    record = save(world, visit, "policy_change", world.generalist, parts)
    assert (record.score, record.max_points, record.complete) == (Decimal(90), Decimal(100), False)
    # Marked not applicable with its reason, it gets its full points.
    parts["policy_change_process"]["answers"]["sections"]["payment_notice_printing"] = {
        "not_applicable": True,
        "not_applicable_reason": "未产生补费",
    }
    record = save(world, visit, "policy_change", world.generalist, parts)
    assert (record.score, record.complete) == (Decimal(100), True)
    assert SheetRecord.objects.count() == 1  # saved again, not twice


def test_a_new_business_part_not_observed_is_left_out_of_the_maximum(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["new_business"])
    parts["withdrawal"].update(observed=False, not_observed_reason="当天无撤单")
    p, s, key = item_key(sheets(world)["new_business"], "投保资料完整性审核")
    parts[p]["answers"]["sections"][s]["items"][key] = "5"
    record = save(world, visit, "new_business", world.pc, parts)
    assert (record.score, record.max_points) == (Decimal(80), Decimal(85))
    assert record.percent == Decimal("94.12") and record.grade == "A" and record.complete
    withdrawal = record.parts.get(part__code="withdrawal")
    assert not withdrawal.observed and withdrawal.not_observed_reason == "当天无撤单"
    assert (withdrawal.score, withdrawal.max_points) == (0, 0)
    assert {p.part.code: p.reference_no for p in record.parts.all()} == {
        "new_business_process": "NO-new_business_process",
        "problem_cases": "NO-problem_cases",
        "withdrawal": "NO-withdrawal",
        "receipt_write_off": "NO-receipt_write_off",
    }
    expected = engine_result(world, "new_business", parts)
    assert (record.score, record.max_points) == (expected.score, expected.max_points)


def test_a_part_not_observed_needs_a_reason(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["new_business"])
    parts["withdrawal"].update(observed=False, not_observed_reason=" ")
    with pytest.raises(ValidationError):
        save(world, visit, "new_business", world.pc, parts)
    assert not SheetRecord.objects.exists()


@pytest.mark.parametrize(
    ("value", "words"), [("11", "10"), ("abc", "number"), ("-1", "negative"), ("2.25", "decimal")]
)
def test_an_impossible_score_names_the_item_and_saves_nothing(world, visit, value, words):
    first = save(world, visit, "new_business", world.pc)
    before = snapshot(visit)
    parts = factories.full_sheet_parts(sheets(world)["new_business"])
    p, s, key = item_key(sheets(world)["new_business"], "投保单填写内容审核")
    parts[p]["answers"]["sections"][s]["items"][key] = value
    with translation.override("en"), pytest.raises(ValidationError) as error:
        save(world, visit, "new_business", world.pc, parts, selection_method="drawn_at_random")
    text = " ".join(error.value.messages)
    assert "投保单填写内容审核" in text and words in text
    assert snapshot(visit) == before
    first.refresh_from_db()
    assert first.score == Decimal(100) and first.selection_method == "followed_live"


def test_a_section_score_above_its_max_is_refused(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["policy_change"])
    section(parts, "policy_change_process", "system_entry")["score"] = "21"
    with pytest.raises(ValidationError) as error:
        save(world, visit, "policy_change", world.generalist, parts)
    assert "系统录入" in " ".join(error.value.messages) or "20" in " ".join(error.value.messages)
    assert not SheetRecord.objects.exists()


def test_not_applicable_only_where_the_rubric_allows_it(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["policy_change"])
    section(parts, "policy_change_process", "document_review").update(
        not_applicable=True, not_applicable_reason="?"
    )
    with pytest.raises(ValidationError):
        save(world, visit, "policy_change", world.generalist, parts)
    assert not SheetRecord.objects.exists()


def test_many_problems_are_reported_together(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["new_business"])
    sheet = sheets(world)["new_business"]
    for text in ("投保资料横向审核", "回执回销"):
        p, s, key = item_key(sheet, text)
        parts[p]["answers"]["sections"][s]["items"][key] = "99"
    with pytest.raises(ValidationError) as error:
        save(world, visit, "new_business", world.pc, parts)
    text = " ".join(error.value.messages)
    assert "投保资料横向审核" in text and "回执回销" in text


def test_claims_standard_process_and_the_case_selection_are_recorded(world, visit):
    record = save(world, visit, "claims", world.pc, selection_method="drawn_at_random")
    assert record.chosen_alternative.code == "standard_process"
    assert record.selection_method == "drawn_at_random"
    assert (record.score, record.max_points, record.complete) == (100, 100, True)
    assert [p.part.code for p in record.parts.all()] == ["standard_process"]


def test_claims_non_standard_sub_sheet_needs_a_reason(world, visit):
    with pytest.raises(ValidationError):
        save(world, visit, "claims", world.pc, chosen_alternative="problem_cases")
    assert not SheetRecord.objects.exists()
    record = save(
        world,
        visit,
        "claims",
        world.pc,
        chosen_alternative="problem_cases",
        alternative_reason="机构当日无理赔案件",
    )
    assert record.chosen_alternative.code == "problem_cases"
    assert record.alternative_reason == "机构当日无理赔案件"
    assert [p.part.code for p in record.parts.all()] == ["problem_cases"]
    assert record.score == record.max_points == 100


def test_claims_notice_sub_sheet_gives_the_unchecked_notice_kinds_full_points(world, visit):
    parts = factories.full_sheet_parts(sheets(world)["claims"])
    notices = section(parts, "notices", "second_underwriting_notices")
    checked = notices["notice_kind"]
    notices["items"] = {checked: "5", **{k: "" for k in notices["items"] if k != checked}}
    # The recovery scan is not a notice kind: left blank, it is missing.
    record = save(
        world,
        visit,
        "claims",
        world.pc,
        parts,
        chosen_alternative="notices",
        alternative_reason="无案件",
    )
    assert record.score == Decimal(20 + 5 + 45) and not record.complete


def test_an_unknown_sub_sheet_or_selection_method_is_refused(world, visit):
    with pytest.raises(ValidationError):
        save(
            world, visit, "claims", world.pc, chosen_alternative="nonsense", alternative_reason="x"
        )
    with pytest.raises(ValidationError):
        save(world, visit, "new_business", world.pc, selection_method="guessed")
    assert not SheetRecord.objects.exists()


def test_a_checklist_is_no_scored_sheet(world, visit):
    with pytest.raises(ValidationError):
        save(world, visit, "permissions", world.pc, parts={})
    assert not SheetRecord.objects.exists()


def test_an_incomplete_sheet_is_saved_as_a_draft(world, visit):
    record = save(world, visit, "new_business", world.pc, parts={})
    assert (record.score, record.complete) == (0, False)
    assert record.max_points == 100


# --- checklists -----------------------------------------------------------------------------


def test_permissions_are_checked_once_for_the_unit(world, visit):
    sheet = sheets(world)["permissions"]
    answers = factories.checklist_answers(sheet)
    first_key = next(iter(answers))
    answers[first_key] = {"compliant": False, "remark": "岗位人数与报备不一致"}
    record = services.save_checklist(
        user=world.inspector_a, visit=visit, sheet=sheet, specialist=None, answers=answers
    )
    assert (record.compliant, record.non_compliant, record.complete) == (2, 1, True)
    assert record.rate == Decimal("66.67")
    with pytest.raises(ValidationError):
        services.save_checklist(
            user=world.inspector_a, visit=visit, sheet=sheet, specialist=world.pc, answers=answers
        )
    assert ChecklistRecord.objects.count() == 1


def test_etiquette_is_checked_per_specialist_of_the_unit(world, visit):
    sheet = sheets(world)["etiquette"]
    answers = factories.checklist_answers(sheet)
    for person in (world.pc, world.nb):
        services.save_checklist(
            user=world.inspector_a, visit=visit, sheet=sheet, specialist=person, answers=answers
        )
    assert ChecklistRecord.objects.filter(sheet=sheet).count() == 2
    with pytest.raises(ValidationError):
        services.save_checklist(
            user=world.inspector_a, visit=visit, sheet=sheet, specialist=None, answers=answers
        )
    with pytest.raises(ValidationError):
        services.save_checklist(
            user=world.inspector_a,
            visit=visit,
            sheet=sheet,
            specialist=world.at_a2,
            answers=answers,
        )
    assert ChecklistRecord.objects.filter(sheet=sheet).count() == 2


def test_a_no_without_a_remark_is_refused_and_nothing_saved(world, visit):
    sheet = sheets(world)["etiquette"]
    services.save_checklist(
        user=world.inspector_a,
        visit=visit,
        sheet=sheet,
        specialist=world.pc,
        answers=factories.checklist_answers(sheet),
    )
    answers = factories.checklist_answers(sheet)
    answers[next(iter(answers))] = {"compliant": False, "remark": "   "}
    with pytest.raises(ValidationError) as error:
        services.save_checklist(
            user=world.inspector_a, visit=visit, sheet=sheet, specialist=world.pc, answers=answers
        )
    assert "接待客户主动热情" in error.value.messages[0]
    record = ChecklistRecord.objects.get()
    assert record.non_compliant == 0 and record.compliant == 7


def test_a_partly_answered_checklist_is_an_incomplete_draft(world, visit):
    sheet = sheets(world)["etiquette"]
    answers = factories.checklist_answers(sheet, compliant=None)
    answers[next(iter(answers))] = {"compliant": True, "remark": ""}
    answers["not-a-requirement"] = {"compliant": True, "remark": ""}
    record = services.save_checklist(
        user=world.inspector_a, visit=visit, sheet=sheet, specialist=world.pc, answers=answers
    )
    assert (record.compliant, record.complete) == (1, False)
    assert "not-a-requirement" not in record.answers


# --- specialists drawn at random ---------------------------------------------------------------


def test_specialists_are_drawn_from_the_unit_and_recorded(world, visit):
    factories.SpecialistFactory(office=world.a1, name="离职者", active=False)
    draw = services.draw_specialists(user=world.inspector_a, visit=visit, size=2)
    unit = {world.pc.pk, world.nb.pk, world.generalist.pk}
    assert draw.kind == RandomDraw.Kind.SPECIALISTS and draw.visit == visit
    assert draw.candidate_ids == sorted(unit)
    assert len(draw.result_ids) == 2 and set(draw.result_ids) <= unit
    assert draw.drawn_by == world.inspector_a and draw.seed
    assert draws.draw(draw.candidate_ids, 2, draw.seed) == draw.result_ids
    visit.refresh_from_db()
    assert visit.state == Visit.State.IN_PROGRESS


def test_a_specialist_redraw_needs_a_reason_and_keeps_the_old_draw(world, visit):
    first = services.draw_specialists(user=world.inspector_a, visit=visit, size=1)
    with pytest.raises(ValidationError):
        services.draw_specialists(user=world.inspector_a, visit=visit, size=1)
    second = services.draw_specialists(
        user=world.inspector_a, visit=visit, size=5, reason="抽中人员休假"
    )
    first.refresh_from_db()
    assert first.superseded_by == second and second.is_current
    assert sorted(second.result_ids) == sorted(second.candidate_ids)  # fewer than asked: all
    assert visit.draws.count() == 2


def test_a_visit_of_the_branch_draws_the_branchs_own_specialists(world):
    visit = plan(world, office=None)
    draw = services.draw_specialists(user=world.inspector_a, visit=visit, size=3)
    assert draw.result_ids == [world.at_branch.pk]


def test_a_unit_without_specialists_cannot_be_drawn(world):
    visit = plan(world, office=world.a3)
    with pytest.raises(ValidationError):
        services.draw_specialists(user=world.inspector_a, visit=visit, size=1)
    assert not RandomDraw.objects.exists()


# --- 表一, KPI note, waivers --------------------------------------------------------------------


def log_fields(world, **overrides):
    fields = {
        "policy_no": "P-1",
        "business_item": "新契约",
        "operator": world.pc,
        "minutes_document_review": Decimal("2.5"),
        "minutes_scanning": Decimal(4),
        "minutes_data_entry": None,
        "remarks": "",
    }
    fields.update(overrides)
    return fields


def test_process_log_rows_are_added_and_deleted(world, visit):
    entry = services.save_log_entry(user=world.inspector_a, visit=visit, **log_fields(world))
    assert entry.visit == visit and entry.minutes_document_review == Decimal("2.5")
    services.delete_log_entry(user=world.inspector_a, entry=entry)
    assert not ProcessLogEntry.objects.exists()


def test_a_process_log_row_refuses_an_outsider_or_negative_minutes(world, visit):
    with pytest.raises(ValidationError):
        services.save_log_entry(
            user=world.inspector_a, visit=visit, **log_fields(world, operator=world.at_b1)
        )
    with pytest.raises(ValidationError):
        services.save_log_entry(
            user=world.inspector_a, visit=visit, **log_fields(world, minutes_scanning=Decimal(-1))
        )
    assert not ProcessLogEntry.objects.exists()


def test_the_kpi_note_and_line_waivers_are_saved(world, visit):
    services.save_kpi_note(user=world.inspector_a, visit=visit, note="  周报监控  ")
    services.save_line_waiver(
        user=world.inspector_a, visit=visit, business_line="claims", reason="无案件"
    )
    visit.refresh_from_db()
    assert visit.kpi_monitoring_note == "周报监控"
    assert LineWaiver.objects.get().reason == "无案件"
    services.save_line_waiver(
        user=world.inspector_a, visit=visit, business_line="claims", reason=""
    )
    assert not LineWaiver.objects.exists()


# --- interviews -----------------------------------------------------------------------------------


def test_an_interview_records_answers_with_yes_no_and_tags(world, visit):
    audience = world.rubric.interview_audiences.get(name="分公司运营管理部、三级机构运营室")
    questions = list(audience.questions.order_by("order"))
    yes_no = next(q for q in questions if q.is_yes_no)
    problem = next(q for q in questions if q.tag == "problem")
    support = next(q for q in questions if q.tag == "support")
    answers = {
        yes_no.pk: {"yes_no": True, "text": "已制定", "tag": ""},
        problem.pk: {"yes_no": True, "text": "系统响应慢"},  # yes/no ignored, tag from the bank
        support.pk: {"text": "需要总部培训支持"},
    }
    interview = services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee=" 周主任 ",
        post="运营室主任",
        notes="补充",
        answers=answers,
    )
    assert (interview.interviewee, interview.post, interview.notes) == (
        "周主任",
        "运营室主任",
        "补充",
    )
    stored = {a.question_id: a for a in interview.answers.all()}
    assert set(stored) == {q.pk for q in questions}  # one answer per question of the bank
    assert stored[yes_no.pk].yes_no is True and stored[yes_no.pk].text == "已制定"
    assert stored[problem.pk].yes_no is None and stored[problem.pk].tag == "problem"
    assert stored[support.pk].tag == "support"
    supports = InterviewAnswer.objects.filter(
        tag="support", interview__visit__campaign=world.campaign
    )
    assert [a.text for a in supports] == ["需要总部培训支持"]
    unanswered = [q for q in questions if q.pk not in answers]
    assert unanswered and all(stored[q.pk].text == "" for q in unanswered)


def test_an_interview_is_edited_in_place(world, visit):
    audience = world.rubric.interview_audiences.get(name="一柜通人员")
    question = audience.questions.get(tag="problem")
    interview = services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="甲",
        post="专员",
        notes="",
        answers={},
    )
    services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="甲",
        post="专员",
        notes="",
        answers={question.pk: {"text": "流程不熟", "tag": ""}},
        interview=interview,
    )
    assert Interview.objects.count() == 1
    answer = interview.answers.get(question=question)
    assert answer.text == "流程不熟" and answer.tag == ""  # the inspector removed the tag


def test_an_interview_needs_who_and_their_post(world, visit):
    audience = world.rubric.interview_audiences.first()
    with pytest.raises(ValidationError):
        services.save_interview(
            user=world.inspector_a,
            visit=visit,
            audience=audience,
            interviewee=" ",
            post="x",
            notes="",
            answers={},
        )
    assert not Interview.objects.exists()


def test_an_interview_of_another_visit_cannot_be_edited_through_this_one(world, visit):
    other = plan(world, office=world.a2)
    audience = world.rubric.interview_audiences.first()
    interview = services.save_interview(
        user=world.inspector_a,
        visit=other,
        audience=audience,
        interviewee="甲",
        post="专员",
        notes="",
        answers={},
    )
    with pytest.raises(PermissionDenied):
        services.save_interview(
            user=world.inspector_a,
            visit=visit,
            audience=audience,
            interviewee="乙",
            post="专员",
            notes="",
            answers={},
            interview=interview,
        )
    interview.refresh_from_db()
    assert interview.interviewee == "甲"


# --- findings and actions ----------------------------------------------------------------------


def test_findings_are_written_per_content_area(world, visit):
    area = world.rubric.content_areas.get(code="etiquette")
    finding = services.add_finding(
        user=world.inspector_a,
        visit=visit,
        content_area=area,
        kind=Finding.Kind.SHORTCOMING,
        text=" 未着职业装 ",
    )
    assert (finding.content_area, finding.kind, finding.text) == (area, "shortcoming", "未着职业装")
    with pytest.raises(ValidationError):
        services.add_finding(
            user=world.inspector_a,
            visit=visit,
            content_area=area,
            kind=Finding.Kind.STRENGTH,
            text="  ",
        )
    services.delete_finding(user=world.inspector_a, finding=finding)
    assert not Finding.objects.exists()


def action(world, visit, **overrides):
    arguments = {
        "user": world.inspector_a,
        "visit": visit,
        "content_area": world.rubric.content_areas.first(),
        "description": "完善权限管理",
        "responsible_office": world.a1,
        "responsible_person": "钱经理",
        "deadline": DAY(2012, 12, 31),
    }
    arguments.update(overrides)
    return services.add_action(**arguments)


def test_a_rectification_action_has_a_deadline_after_the_visit(world, visit):
    created = action(world, visit, deadline=DAY(2012, 10, 27), owner=world.manager_a)
    assert created.created_by == world.inspector_a and created.status == "open"
    assert created.owner == world.manager_a
    for deadline in (DAY(2012, 10, 26), DAY(2012, 10, 1)):  # the visit's end, and before
        with pytest.raises(ValidationError) as error:
            action(world, visit, deadline=deadline)
        assert "2012-10-26" in error.value.messages[0]
    assert RectificationAction.objects.count() == 1


def test_an_action_belongs_to_the_visited_branch(world, visit):
    with pytest.raises(ValidationError) as error:
        action(
            world,
            visit,
            responsible_office=world.b1,
            owner=world.manager_b,
            deadline=DAY(2012, 1, 1),
        )
    assert len(error.value.messages) == 3  # every problem at once
    assert not RectificationAction.objects.exists()
    assert action(world, visit, responsible_office=None).responsible_office is None


# --- evidence ----------------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("photo.jpg", JPEG, "image/jpeg"),
        ("photo.png", PNG, "image/png"),
        ("scan.pdf", PDF, "application/pdf"),
        (
            "notes.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("named-wrong.txt", PNG, "image/png"),  # judged by content, not by name
    ],
)
def test_evidence_of_an_accepted_kind_is_stored(world, visit, media, name, content, content_type):
    evidence = services.add_evidence(
        user=world.inspector_a,
        visit=visit,
        upload=upload(name, content, "text/plain"),
        caption="柜面照片",
    )
    assert evidence.content_type == content_type
    assert evidence.original_name == name and evidence.size == len(content)
    assert name not in evidence.file.name  # stored under a name of our own
    assert evidence.file.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"MZ\x90\x00 this is an executable"),
        ("photo.jpg", b"<html><script>alert(1)</script></html>"),
        ("report.pdf", b"just text"),
        ("sheet.xlsx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_evidence_whose_content_is_no_image_pdf_or_office_file_is_refused(
    world, visit, media, name, content
):
    with pytest.raises(ValidationError) as error:
        services.add_evidence(
            user=world.inspector_a, visit=visit, upload=upload(name, content, "image/jpeg")
        )
    assert name in error.value.messages[0]
    assert not Evidence.objects.exists()
    assert not any(media.rglob("*.*"))


def test_a_zip_that_is_no_office_document_is_refused(world, visit, media):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", "MZ")
    with pytest.raises(ValidationError):
        services.add_evidence(
            user=world.inspector_a, visit=visit, upload=upload("a.docx", buffer.getvalue())
        )
    assert not Evidence.objects.exists()


def test_evidence_too_large_is_refused(world, visit, media, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    with pytest.raises(ValidationError):
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=upload("big.png", PNG + b"\x00" * 1024 * 1024),
        )
    assert not Evidence.objects.exists()


def test_evidence_is_attached_to_a_sheet_item_a_checklist_or_a_finding_of_the_visit(
    world, visit, media
):
    record = save(world, visit, "new_business", world.pc)
    other = plan(world, office=world.a2)
    other_record = save(world, other, "new_business", world.at_a2)
    section = record.sheet.parts.order_by("order").first().sections.order_by("order").first()
    item = section.items.order_by("order").first()
    item_key = f"{section.code}:{item.pk}"
    evidence = services.add_evidence(
        user=world.inspector_a,
        visit=visit,
        upload=upload("a.png", PNG),
        sheet_record=record,
        item_key=item_key,
    )
    assert evidence.sheet_record == record and evidence.item_key == item_key
    # A key the sheet does not have is refused, and nothing is stored.
    with pytest.raises(ValidationError):
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=upload("c.png", PNG),
            sheet_record=record,
            item_key="42",
        )
    with pytest.raises(PermissionDenied):
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=upload("b.png", PNG),
            sheet_record=other_record,
        )
    assert Evidence.objects.count() == 1


# --- submission ----------------------------------------------------------------------------------------


def missing_of(visit):
    return selectors.visit_missing_items(visit=visit)


def test_an_empty_visit_lists_everything_missing_each_with_a_link_to_fix_it(world, visit):
    with pytest.raises(ValidationError) as error:
        services.submit_visit(user=world.inspector_a, visit=visit)
    assert services.has_code(error.value, services.INCOMPLETE)
    missing = missing_of(visit)
    assert error.value.messages == [message for message, _url in missing]
    # 3 business lines, 表五, the KPI figures, the KPI note, 3 interviews, 4 content areas
    assert len(missing) == 13
    for _message, url in missing:
        match = resolve(url.split("#")[0].split("?")[0])
        assert match.kwargs["pk"] == visit.pk
    targets = [url for _message, url in missing]
    for line in ("new_business", "policy_change", "claims"):
        assert f"/visits/{visit.pk}/#line-{line}" in targets
    assert f"/visits/{visit.pk}/checklists/permissions/" in targets
    assert targets.count(f"/visits/{visit.pk}/kpis/") == 2
    for area in world.rubric.content_areas.all():
        assert f"/visits/{visit.pk}/findings/#area-{area.code}" in targets
    for audience in world.rubric.interview_audiences.all():
        assert f"/visits/{visit.pk}/interviews/#audience-{audience.pk}" in targets
    visit.refresh_from_db()
    assert visit.state == Visit.State.PLANNED


def interview(world, visit, audience, inspector=None):
    return services.save_interview(
        user=inspector or world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="张三",
        post="柜员",
        notes="",
        answers={},
    )


def interview_messages(visit):
    return [m for m, url in missing_of(visit) if "/interviews/" in url]


def test_a_branch_s_check_of_an_office_waits_for_every_required_interview(
    world, visit, complete_visit
):
    """Seed 000: 推动情况 is checked by interview (分公司对三级机构的验收以访谈方式进行);
    the 2012 rubric requires each of its three audiences."""
    complete_visit(visit)
    audiences = list(world.rubric.interview_audiences.order_by("order"))
    visit.interviews.all().delete()
    with translation.override("zh-hans"):
        messages = interview_messages(visit)
    assert len(messages) == 3
    for audience, message in zip(audiences, messages, strict=True):
        assert message == f"尚未访谈“{audience.name}”，此类验收须访谈该对象"
    for audience in audiences[:2]:
        interview(world, visit, audience)
    assert [url for _m, url in missing_of(visit)] == [
        f"/visits/{visit.pk}/interviews/#audience-{audiences[2].pk}"
    ]
    with pytest.raises(ValidationError) as caught:
        services.submit_visit(user=world.inspector_a, visit=visit)
    assert services.has_code(caught.value, services.INCOMPLETE)
    interview(world, visit, audiences[2])
    services.submit_visit(user=world.inspector_a, visit=visit)
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.SUBMITTED


def test_two_interviews_of_one_audience_do_not_stand_in_for_another(world, visit):
    first, *others = world.rubric.interview_audiences.order_by("order")
    interview(world, visit, first)
    interview(world, visit, first)
    required = selectors.required_interviews(visit=visit)
    assert [(r.audience, r.done) for r in required] == [(first, True)] + [
        (a, False) for a in others
    ]


def test_a_head_office_check_requires_the_interviews_too(world):
    """总部对分公司 … 以访谈方式进行: of a drawn office or of the branch itself."""
    draw = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, seed="fixed"
    )
    check = {
        "user": world.hq,
        "kind": Visit.Kind.HEAD_OFFICE_CHECK,
        "inspectors": [world.inspector_hq],
    }
    for office in (world.branch_a.offices.get(pk=draw.result_ids[0]), None):
        visit = plan(world, office=office, **check)
        assert visit.interview_requirement == "head_office_check"
        assert len(selectors.required_interviews(visit=visit)) == 3
        assert len(interview_messages(visit)) == 3


def test_the_branch_s_check_of_its_own_counters_reports_instead_of_interviewing(world):
    """分公司自行验收的以验收报告形式进行汇报: no interview is required there."""
    own = plan(world, office=None)
    assert own.interview_requirement == "branch_self_inspection"
    assert selectors.required_interviews(visit=own) == []
    assert interview_messages(own) == []


def test_which_audiences_are_required_is_the_rubric_s_data(world, visit):
    first, second, third = world.rubric.interview_audiences.order_by("order")
    InterviewAudience.objects.filter(pk=first.pk).update(required_at_office_self_inspection=False)
    InterviewAudience.objects.filter(pk=third.pk).update(required_at_head_office_check=False)
    assert [r.audience for r in selectors.required_interviews(visit=visit)] == [second, third]
    InterviewAudience.objects.filter(rubric=world.rubric).update(
        required_at_office_self_inspection=False
    )
    assert interview_messages(visit) == []


def test_a_complete_visit_is_submitted(world, visit, complete_visit):
    complete_visit(visit)
    assert missing_of(visit) == []
    services.submit_visit(user=world.inspector_a, visit=visit)
    visit.refresh_from_db()
    assert visit.state == Visit.State.SUBMITTED


def test_a_recorded_reason_stands_in_for_a_missing_line(world, visit, complete_visit):
    complete_visit(visit)
    SheetRecord.objects.filter(visit=visit, sheet__code="claims").delete()
    assert len(missing_of(visit)) == 1
    services.save_line_waiver(
        user=world.inspector_a, visit=visit, business_line="claims", reason="无理赔案件"
    )
    assert missing_of(visit) == []


def test_incomplete_sheets_and_checklists_are_listed_with_their_page(world, visit, complete_visit):
    complete_visit(visit)
    draft = save(world, visit, "new_business", world.generalist, parts={})
    etiquette = sheets(world)["etiquette"]
    missing = missing_of(visit)
    urls = {url for _message, url in missing}
    assert f"/visits/{visit.pk}/sheets/{draft.pk}/" in urls
    assert f"/visits/{visit.pk}/checklists/etiquette/?specialist={world.generalist.pk}" in urls
    assert any("综合王" in message for message, _url in missing)
    services.save_checklist(
        user=world.inspector_a,
        visit=visit,
        sheet=etiquette,
        specialist=world.generalist,
        answers=factories.checklist_answers(etiquette, compliant=None),
    )
    assert len(missing_of(visit)) == 2  # still the draft sheet and the unanswered 表七
    with pytest.raises(ValidationError) as caught:
        services.submit_visit(user=world.inspector_a, visit=visit)
    assert services.has_code(caught.value, services.INCOMPLETE)


def test_kpi_figures_must_be_entered_by_head_office(world, visit, complete_visit):
    complete_visit(visit)
    from inspections.models import KpiFigure

    KpiFigure.objects.filter(office=world.a1).delete()
    missing = missing_of(visit)
    assert [url for _m, url in missing] == [f"/visits/{visit.pk}/kpis/"]


def test_only_a_visits_inspector_submits_it(world, visit, complete_visit):
    complete_visit(visit)
    for who in ("inspector_a2", "manager_a", "hq"):
        with pytest.raises(PermissionDenied):
            services.submit_visit(user=getattr(world, who), visit=visit)
    visit.refresh_from_db()
    assert visit.state == Visit.State.IN_PROGRESS


# --- the services check what the forms check ------------------------------------------------------


def test_an_action_needs_what_to_fix_and_who_is_responsible(world, visit):
    for overrides in ({"description": "  "}, {"responsible_person": " "}):
        with pytest.raises(ValidationError):
            action(world, visit, **overrides)
    assert not RectificationAction.objects.exists()


def test_a_finding_is_a_strength_or_a_shortcoming(world, visit):
    with pytest.raises(ValidationError):
        services.add_finding(
            user=world.inspector_a,
            visit=visit,
            content_area=world.rubric.content_areas.first(),
            kind="rumour",
            text="x",
        )
    assert not Finding.objects.exists()


def test_a_waiver_names_a_business_line(world, visit):
    with pytest.raises(ValidationError):
        services.save_line_waiver(
            user=world.inspector_a, visit=visit, business_line="renewal", reason="x"
        )
    assert not LineWaiver.objects.exists()


def test_an_interview_answer_takes_only_the_known_tags(world, visit):
    audience = world.rubric.interview_audiences.get(name="一柜通人员")
    question = audience.questions.first()
    with pytest.raises(ValidationError):
        services.save_interview(
            user=world.inspector_a,
            visit=visit,
            audience=audience,
            interviewee="甲",
            post="专员",
            notes="",
            answers={question.pk: {"text": "x", "tag": "gossip"}},
        )
    assert not Interview.objects.exists()


def test_a_closed_office_is_not_planned(world):
    with pytest.raises(ValidationError):
        plan(world, office=world.a_closed)
    assert not Visit.objects.exists()


def test_the_admin_deletes_only_a_visit_planned_by_mistake(world, admin_client):
    from django.urls import reverse

    planned = plan(world, office=world.a2)
    approved = plan(world, office=world.a3)
    Visit.objects.filter(pk=approved.pk).update(state=Visit.State.APPROVED)
    delete = lambda v: reverse("admin:inspections_visit_delete", args=[v.pk])  # noqa: E731
    assert admin_client.get(delete(planned)).status_code == 200
    assert admin_client.get(delete(approved)).status_code == 403
    assert admin_client.post(delete(approved), {"post": "yes"}).status_code == 403
    assert Visit.objects.filter(pk=approved.pk).exists()
    changelist = admin_client.get(reverse("admin:inspections_visit_changelist")).content.decode()
    assert 'value="delete_selected"' not in changelist  # no bulk delete
