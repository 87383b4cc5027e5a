"""Published results and objections (issue 14, point 1; seed 002: 可在通报之日
起3个工作日内反馈书面意见, head office reviews them): publication per branch,
the three-working-day window, objections with evidence, head office's review
with a recorded re-score, provisional and final results, the reminder."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import reminders, selectors, services
from inspections.models import (
    ChecklistRecord,
    Objection,
    PartRecord,
    ResultsPublication,
    SheetRecord,
    Visit,
    VisitChange,
)
from inspections.objection_targets import COMPLIANT, NON_COMPLIANT, parse_key
from inspections.services import objections
from tests.inspections.action_data import PDF, PNG, frozen

DAY = datetime.date


def evidence(name="说明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def check(world, complete_visit):
    """Head office's approved check of branch A's own counters."""
    visit = services.plan_visit(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        office=None,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=DAY(2012, 11, 5),
        end_date=DAY(2012, 11, 6),
        inspectors=[world.inspector_hq],
    )
    complete_visit(visit, world.inspector_hq)
    services.submit_visit(user=world.inspector_hq, visit=visit)
    services.approve_visit(user=world.hq, visit=visit)
    visit.refresh_from_db()
    return visit


@pytest.fixture
def published(world, check):
    """Published on Friday 30 November 2012: objections until Wednesday 5 December."""
    with frozen(DAY(2012, 11, 30)):
        return objections.publish_results(
            user=world.hq, campaign=world.campaign, branch=world.branch_a
        )


def item_target(visit):
    """The first item of 表二 (scored item by item) and its maximum."""
    return next(
        t
        for t in selectors.objection_targets(visit=visit)
        if t.is_points and parse_key(t.key).path.__len__() == 3
    )


def lose_points(world, visit, target):
    """Head office's inspector scored the item 2 points lower (before approval
    this is what the branch contests): written straight into the stored answers."""
    key = parse_key(target.key)
    record = SheetRecord.objects.get(pk=key.record_id)
    part = record.parts.get(part__code=key.path[0])
    part.answers["sections"][key.path[1]]["items"][key.path[2]] = str(target.maximum - 2)
    PartRecord.objects.filter(pk=part.pk).update(answers=part.answers)


def raise_one(world, visit, target, *, day=None, files=None):
    with frozen(day or DAY(2012, 12, 3)):
        return objections.raise_objection(
            user=world.manager_a,
            visit=visit,
            target=target.key,
            grounds="该项资料齐全，附扫描件。",
            files=[evidence()] if files is None else files,
        )


# --- publication -------------------------------------------------------------------


def test_publication_opens_three_working_days_from_the_day_after(published):
    assert published.published_on == DAY(2012, 11, 30)
    assert published.window_closes_on == DAY(2012, 12, 5)


def test_published_just_before_national_day_with_an_adjusted_saturday(world, check):
    """Friday 28 September 2012: Saturday 29 was a working day, 30 September –
    7 October a holiday; the window's last day is Tuesday 9 October."""
    with frozen(DAY(2012, 9, 28), 17, 30):
        publication = objections.publish_results(
            user=world.hq, campaign=world.campaign, branch=world.branch_a
        )
    assert publication.window_closes_on == DAY(2012, 10, 9)
    target = item_target(check)
    # Objections are taken on the holiday and on the last day to midnight ...
    raise_one(world, check, target, day=DAY(2012, 10, 3))
    status = selectors.results_status(
        campaign=world.campaign, branch=world.branch_a, today=DAY(2012, 10, 9)
    )
    assert status.state == status.PROVISIONAL and status.window_open
    # ... not the day after.
    other = next(t for t in selectors.objection_targets(visit=check) if t.key != target.key)
    with frozen(DAY(2012, 10, 10), 0, 1), pytest.raises(ValidationError) as error:
        objections.raise_objection(
            user=world.manager_a, visit=check, target=other.key, grounds="迟到", files=[evidence()]
        )
    assert "2012-10-09" in error.value.messages[0]
    # The reminder went out on Monday 8 October, the working day before.
    world.manager_a.email = "manager-a@example.com"
    world.manager_a.save(update_fields=["email"])
    assert reminders.send_objection_window_reminders(today=DAY(2012, 10, 7)) == 0
    assert reminders.send_objection_window_reminders(today=DAY(2012, 10, 8)) == 1
    assert reminders.send_objection_window_reminders(today=DAY(2012, 10, 8)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["manager-a@example.com"]
    assert "2012-10-09" in message.subject
    assert target.label[:10] in message.body


def test_only_head_office_publishes(world, check):
    with pytest.raises(PermissionDenied):
        objections.publish_results(
            user=world.manager_a, campaign=world.campaign, branch=world.branch_a
        )


def test_every_head_office_check_must_be_approved_first(world, check):
    open_check = services.plan_visit(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        office=None,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=DAY(2012, 11, 7),
        end_date=DAY(2012, 11, 7),
        inspectors=[world.inspector_hq],
    )
    with pytest.raises(ValidationError) as error:
        objections.publish_results(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    assert open_check.unit_name in error.value.messages[0]
    assert not ResultsPublication.objects.exists()


def test_a_branch_never_checked_has_nothing_to_publish(world):
    with pytest.raises(ValidationError) as error:
        objections.publish_results(user=world.hq, campaign=world.campaign, branch=world.branch_b)
    assert services.has_code(error.value, "nothing_to_publish")


def test_publishing_twice_is_refused_and_keeps_the_first(world, published):
    with frozen(DAY(2012, 12, 3)), pytest.raises(ValidationError) as error:
        objections.publish_results(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    assert "2012-11-30" in error.value.messages[0]
    assert ResultsPublication.objects.get().window_closes_on == DAY(2012, 12, 5)


def test_a_year_without_holiday_data_is_refused_in_words(world, check):
    with frozen(DAY(2026, 12, 30)), pytest.raises(ValidationError) as error:
        objections.publish_results(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    assert "2027" in error.value.messages[0]
    assert not ResultsPublication.objects.exists()


def test_no_further_check_is_planned_once_published(world, published):
    with pytest.raises(ValidationError) as error:
        services.plan_visit(
            user=world.hq,
            campaign=world.campaign,
            branch=world.branch_a,
            office=None,
            kind=Visit.Kind.HEAD_OFFICE_CHECK,
            start_date=DAY(2012, 11, 20),
            end_date=DAY(2012, 11, 20),
            inspectors=[world.inspector_hq],
        )
    assert services.has_code(error.value, "published")


# --- objections ----------------------------------------------------------------------


def test_the_branch_objects_with_evidence(world, check, published):
    target = item_target(check)
    objection = raise_one(world, check, target)
    assert objection.state == Objection.State.PENDING
    assert objection.original_value == format(target.maximum.normalize(), "f")
    assert objection.target_label == target.label
    assert objection.evidence.count() == 1
    assert objection.evidence.get().content_type == "application/pdf"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"grounds": "   "}, "grounds"),
        ({"files": []}, "files"),
        ({"target": "sheet-999999/x/y/z"}, "target"),
        ({"target": "garbage"}, "target"),
        ({"files": [evidence("x.exe", b"MZ\x90\x00" * 8)]}, "files"),
    ],
)
def test_an_objection_needs_an_item_grounds_and_evidence(world, check, published, kwargs, field):
    data = {
        "target": item_target(check).key,
        "grounds": "理由",
        "files": [evidence()],
        **kwargs,
    }
    with frozen(DAY(2012, 12, 3)), pytest.raises(ValidationError) as error:
        objections.raise_objection(user=world.manager_a, visit=check, **data)
    assert field in error.value.message_dict
    assert not Objection.objects.exists()


def test_only_the_branchs_managers_object(world, check, published):
    target = item_target(check)
    for user in (world.manager_b, world.inspector_a, world.hq):
        with frozen(DAY(2012, 12, 3)), pytest.raises(PermissionDenied):
            objections.raise_objection(
                user=user, visit=check, target=target.key, grounds="x", files=[evidence()]
            )


def test_nothing_is_objected_to_before_publication(world, check):
    with frozen(DAY(2012, 12, 3)), pytest.raises(ValidationError) as error:
        objections.raise_objection(
            user=world.manager_a,
            visit=check,
            target=item_target(check).key,
            grounds="x",
            files=[evidence()],
        )
    assert services.has_code(error.value, "not_published")


def test_a_double_click_files_one_objection(world, check, published):
    target = item_target(check)
    raise_one(world, check, target)
    with pytest.raises(ValidationError) as error:
        raise_one(world, check, target, files=[evidence("另一份.png", PNG)])
    assert "target" in error.value.message_dict
    assert Objection.objects.count() == 1


# --- review ----------------------------------------------------------------------------


def test_upheld_the_item_is_scored_again_and_the_original_stays_in_the_history(
    world, check, published
):
    target = item_target(check)
    lose_points(world, check, target)
    target = item_target(check)  # now at maximum − 2
    record = SheetRecord.objects.get(pk=parse_key(target.key).record_id)
    score_before = record.score
    objection = raise_one(world, check, target)
    assert objection.original_value == format((target.maximum - 2).normalize(), "f")
    with frozen(DAY(2012, 12, 6)):
        decided = objections.decide_objection(
            user=world.hq,
            objection=objection,
            upheld=True,
            reason="扫描件证明资料齐全，恢复得分。",
            corrected_value=str(target.maximum),
        )
    assert decided.state == Objection.State.UPHELD
    assert decided.corrected_value == format(target.maximum.normalize(), "f")
    record.refresh_from_db()
    assert record.version >= 2
    # The stored score is the engine's over the corrected answers.
    assert item_target(check).value == decided.corrected_value
    assert record.score == score_before  # lose_points bypassed the engine: same total now
    changes = VisitChange.objects.filter(visit=check, object_pk=str(record.parts.first().pk))
    assert any(str(target.maximum - 2) in str(change.changes) for change in changes), (
        "the answer before the correction stays in the history"
    )
    assert VisitChange.objects.filter(
        visit=check, content_type__model="objection", changes__icontains="upheld"
    ).exists()


def test_upheld_corrects_the_total(world, check, published):
    """From full points down: a correction the other way also goes through the engine."""
    target = item_target(check)
    record = SheetRecord.objects.get(pk=parse_key(target.key).record_id)
    before = record.score
    objection = raise_one(world, check, target)
    objections.decide_objection(
        user=world.hq,
        objection=objection,
        upheld=True,
        reason="复核后按实际扣分",
        corrected_value=str(target.maximum - 1),
    )
    record.refresh_from_db()
    assert record.score == before - 1


@pytest.mark.parametrize("value", ["", "abc", "-1", "999", "1.25"])
def test_corrected_points_are_checked_like_any_score(world, check, published, value):
    target = item_target(check)
    objection = raise_one(world, check, target)
    with pytest.raises(ValidationError) as error:
        objections.decide_objection(
            user=world.hq, objection=objection, upheld=True, reason="r", corrected_value=value
        )
    assert "corrected_value" in error.value.message_dict
    objection.refresh_from_db()
    assert objection.state == Objection.State.PENDING


def test_rejected_needs_a_reason_and_leaves_the_score(world, check, published):
    target = item_target(check)
    record = SheetRecord.objects.get(pk=parse_key(target.key).record_id)
    objection = raise_one(world, check, target)
    with pytest.raises(ValidationError):
        objections.decide_objection(user=world.hq, objection=objection, upheld=False, reason=" ")
    objections.decide_objection(
        user=world.hq, objection=objection, upheld=False, reason="现场记录清楚，维持原判。"
    )
    objection.refresh_from_db()
    assert objection.state == Objection.State.REJECTED
    assert objection.decision_reason == "现场记录清楚，维持原判。"
    assert SheetRecord.objects.get(pk=record.pk).score == record.score
    # Two reviewers at once: the second is told it was decided.
    with pytest.raises(ValidationError) as error:
        objections.decide_objection(user=world.hq, objection=objection, upheld=False, reason="x")
    assert services.has_code(error.value, "decided")


def test_an_inspector_of_the_check_does_not_review_it(world, check, published):
    objection = raise_one(world, check, item_target(check))
    world.inspector_hq.role = world.hq.role
    world.inspector_hq.save(update_fields=["role"])
    for user in (world.inspector_hq, world.manager_a):
        with pytest.raises(PermissionDenied):
            objections.decide_objection(user=user, objection=objection, upheld=False, reason="x")


def test_a_checklist_requirement_is_corrected_too(world, check, published):
    checklist = ChecklistRecord.objects.filter(visit=check, specialist__isnull=True).first()
    key = next(iter(checklist.answers))
    checklist.answers[key] = {"compliant": False, "remark": "未张贴"}
    ChecklistRecord.objects.filter(pk=checklist.pk).update(
        answers=checklist.answers, compliant=checklist.compliant - 1, non_compliant=1
    )
    target = next(t for t in selectors.objection_targets(visit=check) if t.key.endswith(f"/{key}"))
    assert target.value == NON_COMPLIANT
    objection = raise_one(world, check, target)
    objections.decide_objection(
        user=world.hq,
        objection=objection,
        upheld=True,
        reason="照片为证",
        corrected_value=COMPLIANT,
    )
    checklist.refresh_from_db()
    assert checklist.answers[key]["compliant"] is True
    assert checklist.non_compliant == 0


# --- provisional and final -------------------------------------------------------------


def test_results_are_provisional_until_the_window_closes_and_every_objection_is_settled(
    world, check
):
    def state(day):
        return selectors.results_status(
            campaign=world.campaign, branch=world.branch_a, today=day
        ).state

    assert state(DAY(2012, 11, 29)) == "not_published"
    with frozen(DAY(2012, 11, 30)):
        objections.publish_results(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    assert state(DAY(2012, 12, 5)) == "provisional"
    assert state(DAY(2012, 12, 6)) == "final"
    objection = raise_one(world, check, item_target(check))
    assert state(DAY(2012, 12, 6)) == "provisional"
    objections.decide_objection(user=world.hq, objection=objection, upheld=False, reason="维持")
    assert state(DAY(2012, 12, 6)) == "final"


def test_the_corrected_value_must_change_something(world, check, published):
    target = item_target(check)
    objection = raise_one(world, check, target)
    with pytest.raises(ValidationError) as error:
        objections.decide_objection(
            user=world.hq,
            objection=objection,
            upheld=True,
            reason="r",
            corrected_value=str(Decimal(target.value)),
        )
    assert error.value.message_dict["corrected_value"]
