"""Copy as next year's draft: the admin asks for the new version's code, name
and effective date (in Chinese, refusals beside the field), and the copy takes
them: no "-draft-1" code, no "（2012）" left in its name."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from scoring.models import Item, RubricVersion
from scoring.rubric_io import export_rubric

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:scoring_rubricversion_changelist")


def copy_url(rubric):
    return reverse("admin:scoring_rubricversion_copy", args=[rubric.pk])


def field_errors(response, name) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


def test_the_action_asks_for_the_code_and_name(zh_client, rubric_2012, campaign_using):
    campaign_using(rubric_2012)  # a version in use can be copied
    action = {"action": "copy_as_next_draft", "_selected_action": [rubric_2012.pk]}
    response = zh_client.post(CHANGELIST, action)
    assert response.status_code == 302
    assert response["Location"] == copy_url(rubric_2012)
    assert RubricVersion.objects.count() == 1  # nothing copied yet

    response = zh_client.get(copy_url(rubric_2012))
    content = response.content.decode()
    assert "复制为下一年度草稿" in content
    assert "新版本代码" in content and "新版本名称" in content
    # A year-like code suggests the next year.
    form = response.context["form"]
    assert form["new_version"].value() == "2013"
    assert form["name"].value() == "一柜通验收方案（2013）"
    assert form["effective_date"].value() == datetime.date(2013, 10, 22)


def test_the_version_page_offers_the_copy(zh_client, rubric_2012):
    response = zh_client.get(reverse("admin:scoring_rubricversion_change", args=[rubric_2012.pk]))
    assert copy_url(rubric_2012) in response.content.decode()


def test_the_copy_takes_the_code_name_and_date_given(zh_client, rubric_2012):
    response = zh_client.post(
        copy_url(rubric_2012),
        {
            "new_version": "2013",
            "name": "一柜通验收方案（2013年度）",
            "effective_date": "2013-10-01",
        },
        follow=True,
    )
    copy = RubricVersion.objects.get(version="2013")
    assert response.redirect_chain[-1][0] == reverse(
        "admin:scoring_rubricversion_change", args=[copy.pk]
    )
    assert any("已将 2012 复制为草稿 2013" in str(m) for m in response.context["messages"])
    assert copy.name == "一柜通验收方案（2013年度）"
    assert "2012" not in copy.name
    assert copy.status == RubricVersion.Status.DRAFT
    assert copy.effective_date == datetime.date(2013, 10, 1)
    assert not RubricVersion.objects.filter(version__contains="draft").exists()
    # Everything below the version is copied as it is, item codes included.
    original, copied = export_rubric(rubric_2012), export_rubric(copy)
    for key in ("version", "name", "status", "effective_date"):
        copied.pop(key), original.pop(key)
    assert copied == original


def test_the_copy_is_editable_and_leaves_the_original_alone(zh_client, rubric_2012):
    zh_client.post(
        copy_url(rubric_2012),
        {"new_version": "2013", "name": "2013年方案", "effective_date": "2013-10-01"},
    )
    copy = RubricVersion.objects.get(version="2013")
    item = Item.objects.get(section__part__sheet__rubric=copy, section__code="scanning", code="i1")
    item.text = "审核整理投保资料（修订）"
    item.save()
    assert Item.objects.filter(
        section__part__sheet__rubric=rubric_2012, section__code="scanning", text="审核整理投保资料"
    ).exists()


def test_an_empty_code_or_name_is_refused_beside_the_field(zh_client, rubric_2012):
    response = zh_client.post(
        copy_url(rubric_2012), {"new_version": "  ", "name": "", "effective_date": "2013-10-01"}
    )
    assert response.status_code == 200
    assert field_errors(response, "new_version") == ["这个字段是必填项。"]
    assert field_errors(response, "name") == ["这个字段是必填项。"]
    assert "请更正下列错误" in response.content.decode()
    assert RubricVersion.objects.count() == 1


def test_a_code_in_use_is_refused_and_the_input_kept(zh_client, rubric_2012):
    data = {"new_version": "2012", "name": "一柜通验收方案（2013）", "effective_date": "2013-10-01"}
    response = zh_client.post(copy_url(rubric_2012), data)
    assert field_errors(response, "new_version") == ["代码为“2012”的评分标准版本已存在。"]
    content = response.content.decode()
    assert 'value="一柜通验收方案（2013）"' in content
    assert RubricVersion.objects.count() == 1


def test_the_name_of_the_version_copied_is_refused(zh_client, rubric_2012):
    data = {"new_version": "2013", "name": "一柜通验收方案（2012）", "effective_date": "2013-10-01"}
    response = zh_client.post(copy_url(rubric_2012), data)
    assert field_errors(response, "name") == [
        "请为副本另起名称：“一柜通验收方案（2012）”是被复制版本的名称。"
    ]
    assert RubricVersion.objects.count() == 1


def test_a_bad_date_is_refused(zh_client, rubric_2012):
    data = {"new_version": "2013", "name": "2013年方案", "effective_date": "明年"}
    response = zh_client.post(copy_url(rubric_2012), data)
    assert field_errors(response, "effective_date") == ["输入一个有效的日期。"]


def test_the_action_copies_one_version_at_a_time(zh_client, rubric_2012):
    other = RubricVersion.objects.create(
        name="试行", version="trial", effective_date=datetime.date(2012, 1, 1)
    )
    action = {"action": "copy_as_next_draft", "_selected_action": [rubric_2012.pk, other.pk]}
    response = zh_client.post(CHANGELIST, action, follow=True)
    assert any("请只选择一个要复制的评分标准版本" in str(m) for m in response.context["messages"])
    assert RubricVersion.objects.count() == 2


def test_copying_needs_the_add_permission(client, rubric_2012, rubric_staff):
    client.force_login(rubric_staff)
    data = {"new_version": "2013", "name": "2013年方案", "effective_date": "2013-10-01"}
    assert client.get(copy_url(rubric_2012)).status_code == 403
    assert client.post(copy_url(rubric_2012), data).status_code == 403
    rubric_staff.user_permissions.add(
        Permission.objects.get(codename="add_rubricversion"),
        Permission.objects.get(codename="view_rubricversion"),
    )
    assert client.post(copy_url(rubric_2012), data).status_code == 302
    assert RubricVersion.objects.filter(version="2013").exists()
