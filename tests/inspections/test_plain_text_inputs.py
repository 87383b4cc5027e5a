"""Every free-text input of a visit, of an action and of admin takes tab and line
breaks, turns U+000B and U+000C into line breaks, and refuses any other
control character with a message beside the field, saving nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from inspections import services
from inspections.models import (
    ActionEvent,
    ChecklistRecord,
    Finding,
    Interview,
    PartRecord,
    ProcessLogEntry,
    RectificationAction,
    Visit,
)
from scoring.models import InterviewAudience
from tests import factories

REFUSED = "柜面\x07通知"
SOFT_BREAK = "第一行\x0b第二行"
AS_SAVED = "第一行\n第二行"


def sheets(world):
    return {s.code: s for s in world.rubric.sheets.all()}


def sheet_data(world, remark):
    sheet = sheets(world)["new_business"]
    parts = factories.full_sheet_parts(sheet)
    data = factories.sheet_post_data(parts)
    part = next(iter(parts))
    section = next(iter(parts[part]["answers"]["sections"]))
    data[f"{part}-{section}-remark"] = remark
    data |= {"sheet": sheet.pk, "specialist": world.generalist.pk}
    return data, (part, section)


def saved_sheet_remark(world, keys):
    record = PartRecord.objects.filter(part__code=keys[0]).first()
    return record and record.answers["remarks"].get(keys[1])


def checklist_data(world, remark):
    sheet = sheets(world)["etiquette"]
    answers = factories.checklist_answers(sheet)
    first = next(iter(answers))
    data = {"specialist": world.pc.pk} | {f"answer-{key}": "yes" for key in answers}
    data[f"answer-{first}"] = "no"
    data[f"remark-{first}"] = remark
    return data, first


def interview_data(world, text):
    audience = InterviewAudience.objects.filter(rubric=world.rubric).order_by("order").first()
    return {"audience": audience.pk, "interviewee": text, "post": "专员"}


CASES = {
    "finding": (
        lambda w, v, text: (
            reverse("visit-findings", args=[v.pk]),
            {
                "content_area": w.rubric.content_areas.first().pk,
                "kind": "shortcoming",
                "text": text,
            },
        ),
        lambda w, v, extra: Finding.objects.filter(visit=v).values_list("text", flat=True).first(),
    ),
    "action description": (
        lambda w, v, text: (
            reverse("visit-actions", args=[v.pk]),
            {
                "content_area": w.rubric.content_areas.first().pk,
                "description": text,
                "responsible_person": "钱",
                "deadline": "2012-12-31",
            },
        ),
        lambda w, v, extra: RectificationAction.objects.values_list(
            "description", flat=True
        ).first(),
    ),
    "responsible person": (
        lambda w, v, text: (
            reverse("visit-actions", args=[v.pk]),
            {
                "content_area": w.rubric.content_areas.first().pk,
                "description": "整改",
                "responsible_person": text,
                "deadline": "2012-12-31",
            },
        ),
        lambda w, v, extra: RectificationAction.objects.values_list(
            "responsible_person", flat=True
        ).first(),
    ),
    "log remarks": (
        lambda w, v, text: (
            reverse("visit-log", args=[v.pk]),
            {"policy_no": "P-2", "business_item": "退保", "operator": w.pc.pk, "remarks": text},
        ),
        lambda w, v, extra: ProcessLogEntry.objects.values_list("remarks", flat=True).first(),
    ),
    "KPI note": (
        lambda w, v, text: (reverse("visit-kpis", args=[v.pk]), {"note": text}),
        lambda w, v, extra: Visit.objects.get(pk=v.pk).kpi_monitoring_note or None,
    ),
    "interviewee": (
        lambda w, v, text: (
            reverse("visit-interview-new", args=[v.pk]),
            interview_data(w, text),
        ),
        lambda w, v, extra: Interview.objects.values_list("interviewee", flat=True).first(),
    ),
    "sheet remark": (
        lambda w, v, text: (reverse("visit-sheet-new", args=[v.pk]), sheet_data(w, text)),
        lambda w, v, extra: saved_sheet_remark(w, extra),
    ),
    "checklist remark": (
        lambda w, v, text: (
            reverse("visit-checklist", args=[v.pk, "etiquette"]),
            checklist_data(w, text),
        ),
        lambda w, v, extra: (
            (ChecklistRecord.objects.first().answers[extra]["remark"])
            if ChecklistRecord.objects.exists()
            else None
        ),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_control_character_is_refused_beside_the_field(client, world, visit, case):
    build, saved = CASES[case]
    client.force_login(world.inspector_a)
    url, data = build(world, visit, REFUSED)
    data, extra = data if isinstance(data, tuple) else (data, None)
    response = client.post(url, data)
    assert response.status_code == 200, response.headers.get("Location")
    body = response.content.decode()
    assert "U+0007" in body and "控制字符" in body
    assert "is-invalid" in body
    assert saved(world, visit, extra) is None


@pytest.mark.parametrize("case", CASES)
def test_a_soft_line_break_is_saved_as_a_line_break(client, world, visit, case):
    build, saved = CASES[case]
    client.force_login(world.inspector_a)
    url, data = build(world, visit, SOFT_BREAK)
    data, extra = data if isinstance(data, tuple) else (data, None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert saved(world, visit, extra) == AS_SAVED


def test_an_action_progress_note(client, world, visit, make_action):
    action = make_action(visit)
    client.force_login(world.owner)
    url = reverse("action-progress", args=[action.pk])
    response = client.post(url, {"note": REFUSED})
    assert response.status_code == 200
    assert "U+0007" in response.content.decode()
    assert not ActionEvent.objects.filter(action=action, kind=ActionEvent.Kind.PROGRESS).exists()
    response = client.post(url, {"note": SOFT_BREAK})
    assert response.status_code == 302
    assert ActionEvent.objects.get(action=action, kind=ActionEvent.Kind.PROGRESS).text == AS_SAVED


def test_a_returned_visit_comment(client, world, visit, complete_visit):
    complete_visit(visit)
    services.submit_visit(user=world.inspector_a, visit=visit)
    client.force_login(world.manager_a)
    url = reverse("visit-review", args=[visit.pk])
    response = client.post(url, {"decision": "return", "comment": REFUSED})
    assert "U+0007" in response.content.decode()
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.SUBMITTED


@pytest.fixture
def admin_client(client, db):
    from inspections.models import User

    user = User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    client.force_login(user)
    return client


def test_admin_refuses_control_characters_beside_the_field(admin_client, world):
    url = reverse("admin:inspections_branch_change", args=[world.branch_a.pk])
    data = {
        "code": world.branch_a.code,
        "name": "甲\x1b分公司",
        "rollout_batch": world.branch_a.rollout_batch,
        "order": 0,
        "offices-TOTAL_FORMS": 0,
        "offices-INITIAL_FORMS": 0,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "U+001B" in response.content.decode()
    world.branch_a.refresh_from_db()
    assert world.branch_a.name == "甲分公司"


def test_admin_rubric_text_too(admin_client, world):
    # An item of a draft rubric, edited in admin: the model field's form field.
    from scoring.models import Item

    field = Item._meta.get_field("text").formfield()
    assert field.clean("新版\x0b验收内容") == "新版\n验收内容"
    with pytest.raises(ValidationError):
        field.clean("新版\x1f验收内容")


def test_a_deadline_in_the_past_still_says_so(client, world, visit):
    # The plain-text rule does not hide the form's other messages.
    client.force_login(world.inspector_a)
    response = client.post(
        reverse("visit-actions", args=[visit.pk]),
        {
            "content_area": world.rubric.content_areas.first().pk,
            "description": REFUSED,
            "responsible_person": "钱",
            "deadline": datetime.date(2012, 1, 1).isoformat(),
        },
    )
    assert "U+0007" in response.content.decode()
    assert not RectificationAction.objects.exists()
