"""The admin page comparing two rubric versions: every item added, removed or
changed, with its points, in Chinese."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from scoring.models import Item, RubricVersion, Section
from scoring.rubric_io import copy_as_draft

pytestmark = pytest.mark.django_db

COMPARE = reverse("admin:scoring_rubricversion_compare")


@pytest.fixture
def rubric_2013(rubric_2012):
    """Next year's draft: one item's points and one's text changed, one item
    removed, one added, and the section's max changed to fit."""
    draft = copy_as_draft(rubric_2012, new_version="2013", name="一柜通验收方案（2013）")
    scanning = Section.objects.get(part__sheet__rubric=draft, code="scanning")
    items = {i.code: i for i in scanning.items.all()}
    items["i1"].points = 15
    items["i1"].save()
    items["i2"].text = "投保单及所附资料扫描"
    items["i2"].save()
    items["i3"].delete()
    Item.objects.create(section=scanning, code="i4", text="影像质量复核", points=5, order=9)
    scanning.max_points = 30
    scanning.save()
    return draft


def rows(response) -> list[tuple[str, ...]]:
    """The table rows of the comparison as text: change, level, where, points, what."""
    return [
        (
            c["kind_label"],
            c["level"],
            c["where"],
            c["points_before"],
            c["points_after"],
            "；".join(f"{f['label']}：{f['before']} → {f['after']}" for f in c["fields"]),
        )
        for sheet in response.context["sheets"]
        for c in sheet["changes"]
    ]


def test_every_item_added_removed_or_changed_is_listed(zh_client, rubric_2012, rubric_2013):
    response = zh_client.get(COMPARE, {"before": rubric_2012.pk, "after": rubric_2013.pk})
    assert response.status_code == 200
    assert rows(response) == [
        ("修改", "验收内容", "新契约流程 › 扫描 › 审核整理投保资料", "10", "15", "分值：10 → 15"),
        (
            "修改",
            "验收内容",
            "新契约流程 › 扫描 › 投保单及所附资料扫描",
            "10",
            "10",
            "内容：投保单及所附投保资料扫描 → 投保单及所附资料扫描",
        ),
        ("新增", "验收内容", "新契约流程 › 扫描 › 影像质量复核", "—", "5", ""),
        ("删除", "验收内容", "新契约流程 › 扫描 › 申请资料扫描", "10", "—", ""),
    ]
    content = response.content.decode()
    assert "表二 一柜通新契约业务处理情况记录表" in content
    for text in ("变化", "层级", "位置", "分值", "修改内容", "10 → 15", "影像质量复核"):
        assert text in content, text


def test_the_other_way_round_added_becomes_removed(zh_client, rubric_2012, rubric_2013):
    response = zh_client.get(COMPARE, {"before": rubric_2013.pk, "after": rubric_2012.pk})
    kinds = [(row[0], row[2]) for row in rows(response)]
    assert ("删除", "新契约流程 › 扫描 › 影像质量复核") in kinds
    assert ("新增", "新契约流程 › 扫描 › 申请资料扫描") in kinds


def test_changes_of_sections_parts_and_sheets_are_listed(zh_client, rubric_2012):
    draft = copy_as_draft(rubric_2012, new_version="2013", name="2013年方案")
    sheet = draft.sheets.get(code="policy_change")
    sheet.total_points = 90
    sheet.save()
    part = sheet.parts.get()
    part.name = "保全业务处理（2013）"
    part.save()
    section = part.sections.order_by("order").first()
    section.not_applicable_rule = Section.NotApplicableRule.FULL_POINTS
    section.save()
    response = zh_client.get(COMPARE, {"before": rubric_2012.pk, "after": draft.pk})
    found = rows(response)
    assert found[0][:2] == ("修改", "表格") and "总分：100 → 90" in found[0][5]
    assert found[1][:2] == ("修改", "表格组成部分")
    assert "名称：保全业务处理 → 保全业务处理（2013）" in found[1][5]
    assert found[2][:2] == ("修改", "操作环节")
    assert "不适用规则：不允许不适用 → 不适用时得满分" in found[2][5]


def test_the_same_sheets_say_so(zh_client, rubric_2012):
    draft = copy_as_draft(rubric_2012, new_version="2013", name="2013年方案")
    response = zh_client.get(COMPARE, {"before": rubric_2012.pk, "after": draft.pk})
    assert response.context["sheets"] == []
    assert "两个版本的评分表完全相同。" in response.content.decode()


def test_a_version_cannot_be_compared_with_itself(zh_client, rubric_2012):
    response = zh_client.get(COMPARE, {"before": rubric_2012.pk, "after": rubric_2012.pk})
    assert response.context["sheets"] is None
    assert response.context["form"].errors["after"] == ["请选择与较早版本不同的版本。"]


def test_an_unknown_version_is_refused_beside_the_field(zh_client, rubric_2012):
    response = zh_client.get(COMPARE, {"before": rubric_2012.pk, "after": "999999"})
    assert response.status_code == 200
    assert response.context["form"].errors["after"]
    assert "选择一个有效的选项" in response.content.decode()


def test_the_page_is_reachable_from_the_list_the_version_and_an_action(
    zh_client, rubric_2012, rubric_2013
):
    changelist = reverse("admin:scoring_rubricversion_changelist")
    assert COMPARE in zh_client.get(changelist).content.decode()
    change = reverse("admin:scoring_rubricversion_change", args=[rubric_2013.pk])
    assert f"{COMPARE}?after={rubric_2013.pk}" in zh_client.get(change).content.decode()
    response = zh_client.get(COMPARE, {"after": rubric_2013.pk})
    assert response.context["form"]["after"].value() == str(rubric_2013.pk)

    action = {"action": "compare_two", "_selected_action": [rubric_2013.pk, rubric_2012.pk]}
    response = zh_client.post(changelist, action)
    assert response["Location"] == f"{COMPARE}?before={rubric_2012.pk}&after={rubric_2013.pk}"
    response = zh_client.post(
        changelist, {"action": "compare_two", "_selected_action": [rubric_2012.pk]}, follow=True
    )
    assert any("请选择两个评分标准版本进行比较" in str(m) for m in response.context["messages"])


def test_comparing_needs_the_view_permission(client, rubric_2012, rubric_2013, rubric_staff):
    client.force_login(rubric_staff)
    query = {"before": rubric_2012.pk, "after": rubric_2013.pk}
    assert client.get(COMPARE, query).status_code == 403
    rubric_staff.user_permissions.add(Permission.objects.get(codename="view_rubricversion"))
    response = client.get(COMPARE, query)
    assert response.status_code == 200
    assert len(rows(response)) == 4
    assert RubricVersion.objects.count() == 2
