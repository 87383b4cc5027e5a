"""Bad input gets its message next to the field, in Chinese, and nothing is
half-saved: letters, a score above the maximum or negative, a deadline before
the visit, visit dates outside the campaign period, a specialist of another
office."""

import re

import pytest
from django.urls import reverse

from inspections.models import (
    ChecklistRecord,
    ProcessLogEntry,
    RectificationAction,
    SheetRecord,
    Visit,
)
from scoring.models import ContentArea, Sheet
from tests import factories

pytestmark = pytest.mark.django_db

FIELD = "policy_change_process-document_review-score"


def field_error_html(response, name):
    """The message rendered beside the input (`invalid-feedback` or crispy's)."""
    html = response.content.decode()
    return html, response.context["form"].errors.get(name, [])


@pytest.mark.parametrize(
    ("value", "words"), [("abc", "不是数字"), ("31", "30"), ("-2", "负"), ("12.34", "一位小数")]
)
def test_a_bad_score_is_marked_on_its_input_in_chinese(client, world, visit, value, words):
    client.force_login(world.inspector_a)
    sheet = Sheet.objects.get(rubric=world.rubric, code="policy_change")
    data = {"sheet": sheet.pk, "specialist": world.generalist.pk}
    data |= factories.sheet_post_data(factories.full_sheet_parts(sheet))
    data[FIELD] = value
    response = client.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    assert response.status_code == 200
    html, errors = field_error_html(response, FIELD)
    assert errors and words in errors[0], response.context["form"].errors
    assert f'name="{FIELD}"' in html and "is-invalid" in html
    assert f'id="id_{FIELD}-error"' in html and "未保存" in html
    assert not response.context["form"].non_field_errors()
    assert not SheetRecord.objects.exists()
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.PLANNED


def test_a_deadline_before_the_visit_is_marked_on_the_deadline(client, world, visit):
    client.force_login(world.inspector_a)
    area = ContentArea.objects.filter(rubric=world.rubric).first()
    response = client.post(
        reverse("visit-actions", args=[visit.pk]),
        {
            "content_area": area.pk,
            "description": "补齐双录",
            "responsible_office": world.a1.pk,
            "responsible_person": "李经理",
            "deadline": "2012-10-20",
        },
    )
    assert response.status_code == 200
    _html, errors = field_error_html(response, "deadline")
    assert errors and "截止日期" in errors[0], errors
    assert "2012-10-26" in errors[0]
    assert not RectificationAction.objects.exists()


def test_visit_dates_outside_the_campaign_are_marked_on_the_date(client, world):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("visit-plan", args=[world.campaign.pk]),
        {
            "kind": "self_inspection",
            "branch": world.branch_a.pk,
            "office": world.a2.pk,
            "start_date": "2012-12-03",
            "end_date": "2012-12-04",
            "inspectors": [world.inspector_a.pk],
        },
    )
    assert response.status_code == 200
    _html, errors = field_error_html(response, "start_date")
    assert errors and "2012-10-22" in errors[0], errors
    assert not Visit.objects.exists()


def test_an_operator_of_another_office_is_marked_on_the_operator(client, world, visit):
    client.force_login(world.inspector_a)
    response = client.post(
        reverse("visit-log", args=[visit.pk]),
        {"policy_no": "P001", "business_item": "新契约", "operator": world.at_a2.pk},
    )
    assert response.status_code == 200
    _html, errors = field_error_html(response, "operator")
    assert errors, response.context["form"].errors
    assert not ProcessLogEntry.objects.exists()


def test_a_no_without_remark_is_marked_on_that_remark(client, world, visit):
    from scoring.selectors import checklist_requirements, sheet_definition

    client.force_login(world.inspector_a)
    sheet = Sheet.objects.get(rubric=world.rubric, code="etiquette")
    requirements = checklist_requirements(sheet=sheet_definition(sheet=sheet))
    data = {"specialist": world.pc.pk}
    for r in requirements:
        data[f"answer-{r.key}"] = "yes"
    first = requirements[1].key
    data[f"answer-{first}"] = "no"
    response = client.post(reverse("visit-checklist", args=[visit.pk, "etiquette"]), data)
    assert response.status_code == 200
    html, errors = field_error_html(response, f"remark-{first}")
    assert errors and "备注" in errors[0], response.context["form"].errors
    assert f'id="id_remark-{first}-error"' in html and "未保存" in html
    assert re.search(f'is-invalid" name="remark-{first}"', html)
    assert not response.context["form"].non_field_errors()
    assert not ChecklistRecord.objects.exists()
