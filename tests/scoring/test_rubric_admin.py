"""The rubric admin: every page loads, totals that do not add up are refused,
and a version in use is read-only everywhere (its copy as next year's draft:
test_rubric_copy_page.py)."""

import json

import pytest
from django.contrib import admin
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from scoring.models import (
    ContentArea,
    InterviewAudience,
    Item,
    RubricVersion,
    Section,
    Sheet,
    SheetPart,
)
from scoring.rubric_io import copy_as_draft

pytestmark = pytest.mark.django_db

MODELS = [RubricVersion, Sheet, SheetPart, Section, ContentArea, InterviewAudience]


def url(model, view, *args):
    return reverse(f"admin:scoring_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data of an admin change form as rendered (main form and inlines)."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is None:
                data[key] = ""
            elif isinstance(value, list | dict):
                data[key] = json.dumps(value, ensure_ascii=False)
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def the_section(rubric, sheet, part, section) -> Section:
    return Section.objects.get(
        part__sheet__rubric=rubric, part__sheet__code=sheet, part__code=part, code=section
    )


def first_of(model, rubric):
    lookups = {
        RubricVersion: {"pk": rubric.pk},
        Sheet: {"rubric": rubric},
        SheetPart: {"sheet__rubric": rubric},
        Section: {"part__sheet__rubric": rubric},
        ContentArea: {"rubric": rubric},
        InterviewAudience: {"rubric": rubric},
    }
    return model.objects.filter(**lookups[model]).first()


# --- pages ---------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_pages_load(model, su_client, rubric_2012):
    assert su_client.get(url(model, "changelist")).status_code == 200
    assert su_client.get(url(model, "add")).status_code == 200
    for obj in model.objects.all()[:8]:
        response = su_client.get(url(model, "change", obj.pk))
        assert response.status_code == 200, obj
        assert response.context["has_change_permission"]


def test_rubric_list_shows_status_date_and_use(su_client, rubric_2012, campaign_using):
    response = su_client.get(url(RubricVersion, "changelist"))
    content = response.content.decode()
    assert "Published" in content and "Oct. 22, 2012" in content
    assert 'alt="False"' in content
    campaign_using(rubric_2012)
    content = su_client.get(url(RubricVersion, "changelist")).content.decode()
    assert 'alt="True"' in content


def test_section_items_are_in_order(su_client, rubric_2012):
    section = the_section(rubric_2012, "claims", "notices", "second_underwriting_notices")
    Item.objects.filter(section=section).update(order=F("order") + 1)
    Item.objects.filter(section=section, text="二核通知书回收扫描").update(order=0)
    response = su_client.get(url(Section, "change", section.pk))
    [items] = [i for i in response.context["inline_admin_formsets"] if i.formset.model is Item]
    assert items.formset.forms[0].instance.text == "二核通知书回收扫描"


# --- totals that do not add up are refused ----------------------------------------------


def test_items_that_do_not_add_up_are_refused(su_client, rubric_2012):
    section = the_section(rubric_2012, "new_business", "new_business_process", "scanning")
    change = url(Section, "change", section.pk)
    data = form_data(su_client.get(change))
    data["items-0-points"] = "5"
    response = su_client.post(change, data)
    assert response.status_code == 200  # the form again, not a redirect
    content = response.content.decode()
    assert "The items of 扫描 add up to 25, not its max 30." in content
    assert list(section.items.values_list("points", flat=True)) == [10, 10, 10]


def test_items_marked_for_deletion_do_not_count(su_client, rubric_2012):
    section = the_section(rubric_2012, "new_business", "new_business_process", "scanning")
    change = url(Section, "change", section.pk)
    data = form_data(su_client.get(change))
    data["items-2-DELETE"] = "on"
    response = su_client.post(change, data)
    assert "The items of 扫描 add up to 20, not its max 30." in response.content.decode()

    data["max_points"] = "20"
    response = su_client.post(change, data, follow=True)
    assert response.redirect_chain, response.content.decode()[:2000]
    section.refresh_from_db()
    assert section.max_points == 20
    assert section.items.count() == 2
    # The part above no longer adds up: saved, with a warning, and not publishable.
    warnings = messages_of(response)
    assert any("not everything in rubric version 2012 adds up yet" in m for m in warnings)
    assert any(
        "The sections of 新契约流程 add up to 50, not its total 60." in m for m in warnings
    ), warnings


def test_checkpoints_with_points_are_refused(su_client, rubric_2012):
    section = the_section(rubric_2012, "policy_change", "policy_change_process", "system_entry")
    change = url(Section, "change", section.pk)
    data = form_data(su_client.get(change))
    data["items-0-points"] = "10"
    response = su_client.post(change, data)
    assert "The items of 系统录入 are checkpoints and take no points." in response.content.decode()


def test_sections_that_do_not_add_up_are_refused(su_client, rubric_2012):
    part = SheetPart.objects.get(
        sheet__rubric=rubric_2012, code="problem_cases", sheet__code="claims"
    )
    change = url(SheetPart, "change", part.pk)
    data = form_data(su_client.get(change))
    data["sections-1-max_points"] = "30"
    response = su_client.post(change, data)
    assert response.status_code == 200
    assert (
        "The sections of 问题件流程 add up to 90, not its total 100." in response.content.decode()
    )
    # The part's own total and its sections, changed together, are fine.
    data["total_points"] = "90"
    response = su_client.post(change, data)
    assert response.status_code == 302


def test_parts_that_do_not_add_up_are_refused(su_client, rubric_2012):
    sheet = Sheet.objects.get(rubric=rubric_2012, code="new_business")
    change = url(Sheet, "change", sheet.pk)
    data = form_data(su_client.get(change))
    data["parts-3-total_points"] = "20"
    response = su_client.post(change, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert (
        "The parts of 表二 一柜通新契约业务处理情况记录表 add up to 110, not its total 100."
        in content
    )
    assert SheetPart.objects.get(pk=sheet.parts.get(code="receipt_write_off").pk).total_points == 10


def test_alternatives_must_each_equal_the_total(su_client, rubric_2012):
    sheet = Sheet.objects.get(rubric=rubric_2012, code="claims")
    change = url(Sheet, "change", sheet.pk)
    data = form_data(su_client.get(change))
    data["total_points"] = "90"
    response = su_client.post(change, data)
    assert (
        "every form of 表四 一柜通理赔业务处理情况记录表 must total 90" in response.content.decode()
    )


def test_a_version_that_does_not_add_up_cannot_be_published(su_client, rubric_2012):
    rubric_2012.status = RubricVersion.Status.DRAFT
    rubric_2012.save()
    Item.objects.filter(section__part__sheet__rubric=rubric_2012, text="回执回销").update(points=9)
    change = url(RubricVersion, "change", rubric_2012.pk)
    data = form_data(su_client.get(change))
    data["status"] = "published"
    response = su_client.post(change, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "It cannot be published while its totals do not add up:" in content
    assert "The items of 回执回销 add up to 9, not its max 10." in content
    rubric_2012.refresh_from_db()
    assert rubric_2012.status == RubricVersion.Status.DRAFT

    Item.objects.filter(section__part__sheet__rubric=rubric_2012, text="回执回销").update(points=10)
    response = su_client.post(change, data)
    assert response.status_code == 302
    rubric_2012.refresh_from_db()
    assert rubric_2012.status == RubricVersion.Status.PUBLISHED


# --- read-only while in use -----------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_version_in_use_is_read_only_everywhere(model, su_client, rubric_2012, campaign_using):
    campaign_using(rubric_2012)
    obj = first_of(model, rubric_2012)
    change = url(model, "change", obj.pk)
    response = su_client.get(change)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]
    assert 'name="_save"' not in response.content.decode()
    assert any(
        "is published and used by the campaign(s) 2012年度一柜通验收" in m
        for m in messages_of(response)
    )
    for inline in response.context["inline_admin_formsets"]:
        assert not inline.has_add_permission
        assert not inline.has_change_permission
        assert not inline.has_delete_permission

    assert su_client.post(change, {"name": "changed"}).status_code == 403
    assert su_client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_the_admin_methods_refuse_a_version_in_use(superuser, rubric_2012, campaign_using):
    request = RequestFactory().get("/")
    request.user = superuser
    section = the_section(rubric_2012, "new_business", "new_business_process", "scanning")
    section_admin = admin.site._registry[Section]
    assert section_admin.has_change_permission(request, section)
    assert section_admin.get_readonly_fields(request, section) == ()

    campaign_using(rubric_2012)
    request = RequestFactory().get("/")  # a fresh request: the lock is cached per request
    request.user = superuser
    assert not section_admin.has_change_permission(request, section)
    assert not section_admin.has_delete_permission(request, section)
    assert set(section_admin.get_readonly_fields(request, section)) >= {
        "name",
        "max_points",
        "scoring",
        "order",
    }
    rubric_admin = admin.site._registry[RubricVersion]
    assert not rubric_admin.has_change_permission(request, rubric_2012)
    assert set(rubric_admin.get_readonly_fields(request, rubric_2012)) >= {"name", "status"}
    for inline in section_admin.get_inline_instances(request, section):
        assert not inline.has_add_permission(request, section)


def test_nothing_can_be_added_to_a_version_in_use(su_client, rubric_2012, campaign_using):
    draft_sheet = Sheet.objects.get(rubric=rubric_2012, code="new_business")
    campaign_using(rubric_2012)
    response = su_client.get(url(Sheet, "add"))
    choices = [
        str(pk) for pk, _label in response.context["adminform"].form.fields["rubric"].choices
    ]
    assert str(rubric_2012.pk) not in choices
    response = su_client.get(url(SheetPart, "add"))
    choices = [str(pk) for pk, _label in response.context["adminform"].form.fields["sheet"].choices]
    assert str(draft_sheet.pk) not in choices
    response = su_client.post(
        url(ContentArea, "add"),
        {"rubric": rubric_2012.pk, "order": 9, "code": "extra", "name": "额外"},
    )
    assert response.status_code == 200
    assert not ContentArea.objects.filter(code="extra").exists()


def test_a_published_version_not_in_use_stays_editable(su_client, rubric_2012):
    response = su_client.get(url(RubricVersion, "change", rubric_2012.pk))
    assert response.context["has_change_permission"]
    assert not any("read-only" in m for m in messages_of(response))


# --- which interviews a visit requires ------------------------------------------------------


def test_the_visits_an_audience_is_required_at_are_edited_in_the_admin(su_client, rubric_2012):
    draft = copy_as_draft(rubric_2012, new_version="2013", name="2013")
    audience = draft.interview_audiences.order_by("order").first()
    assert audience.required_at == ["head_office_check", "office_self_inspection"]
    change = url(InterviewAudience, "change", audience.pk)
    data = form_data(su_client.get(change))
    del data["required_at_office_self_inspection"]
    data["required_at_branch_self_inspection"] = "on"
    response = su_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    audience.refresh_from_db()
    assert audience.required_at == ["head_office_check", "branch_self_inspection"]
    # and on the version's page, beside each audience
    page = su_client.get(url(RubricVersion, "change", draft.pk)).content.decode()
    assert "interview_audiences-0-required_at_head_office_check" in page
