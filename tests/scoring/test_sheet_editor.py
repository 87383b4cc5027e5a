"""A draft's sheet edited on one page of the admin: its parts, sections, items
and points saved together in one transaction, every total checked with the
problems shown beside their rows (in Chinese), the input kept when refused, a
version in use or published left alone, and a page opened before someone
else's save refused instead of overwriting it."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from scoring.models import Item, RubricVersion, Section, Sheet, SheetPart
from scoring.rubric_io import copy_as_draft, export_rubric
from scoring.sheet_editor import SheetEditor

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(rubric_2012) -> RubricVersion:
    return copy_as_draft(rubric_2012, new_version="2013", name="一柜通验收方案（2013）")


def sheet_of(rubric, code="new_business") -> Sheet:
    return Sheet.objects.get(rubric=rubric, code=code)


def editor_url(sheet) -> str:
    return reverse("admin:scoring_sheet_editor", args=[sheet.pk])


def page_data(response) -> dict:
    """The POST data of the editor as rendered."""
    editor = response.context["editor"]
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
            elif isinstance(value, list):
                data[key] = "、".join(value)
            else:
                data[key] = str(value)

    add(editor.head)
    for formset in editor.formsets:
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def prefix_of(data: dict, formset: str, **values) -> str:
    """The prefix ("sections-3") of the row whose fields have these values."""
    for key in data:
        match = re.fullmatch(rf"({formset}-\d+)-ref", key)
        if match and all(data.get(f"{match[1]}-{k}") == str(v) for k, v in values.items()):
            return match[1]
    raise KeyError(values)


def add_row(data: dict, formset: str, **values) -> str:
    """A row added on the page, as the page's script adds it."""
    index = int(data[f"{formset}-TOTAL_FORMS"])
    data[f"{formset}-TOTAL_FORMS"] = str(index + 1)
    prefix = f"{formset}-{index}"
    for key, value in values.items():
        if value is True:
            data[f"{prefix}-{key}"] = "on"
        elif value is not False:
            data[f"{prefix}-{key}"] = str(value)
    return prefix


def ref_of(data, prefix) -> str:
    return data[f"{prefix}-ref"]


def errors_of(response) -> list[str]:
    """Every error the page shows, row by row."""
    editor = response.context["editor"]
    found = list(editor.refusals)
    for form in (editor.head, *(f for fs in editor.formsets for f in fs.forms)):
        for messages in form.errors.values():
            found.extend(messages)
    return found


def scanning(rubric) -> Section:
    return Section.objects.get(
        part__sheet__rubric=rubric, part__code="new_business_process", code="scanning"
    )


# --- the page ---------------------------------------------------------------------


def test_the_page_shows_the_whole_sheet_in_chinese(zh_client, draft):
    sheet = sheet_of(draft)
    response = zh_client.get(editor_url(sheet))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("在一页中编辑", "新契约流程", "问题件流程", "扫描", "投保资料完整性审核", "满分"):
        assert text in content, text
    for text in ("添加组成部分", "添加操作环节", "添加验收内容", "保存"):
        assert text in content, text
    editor = response.context["editor"]
    assert [len(fs.forms) for fs in editor.formsets] == [
        4,
        Section.objects.filter(part__sheet=sheet).count(),
        Item.objects.filter(section__part__sheet=sheet).count(),
    ]
    assert [part.form["code"].value() for part in editor.tree()] == [
        "new_business_process",
        "problem_cases",
        "withdrawal",
        "receipt_write_off",
    ]
    # The live check is a static script, told its messages by data attributes.
    assert '<script src="/static/js/rubric-editor.js" defer></script>' in content
    assert "<script>" not in content and "onclick" not in content
    assert 'data-msg-items="各验收内容合计 %(sum)s 分，与满分 %(total)s 分不符。"' in content


def test_the_page_is_reached_from_the_version_and_the_sheet(zh_client, draft, rubric_2012):
    sheet = sheet_of(draft)
    version_page = zh_client.get(reverse("admin:scoring_rubricversion_change", args=[draft.pk]))
    assert editor_url(sheet) in version_page.content.decode()
    sheet_page = zh_client.get(reverse("admin:scoring_sheet_change", args=[sheet.pk]))
    assert editor_url(sheet) in sheet_page.content.decode()
    # Not for a published version.
    published = sheet_of(rubric_2012)
    version_page = zh_client.get(
        reverse("admin:scoring_rubricversion_change", args=[rubric_2012.pk])
    )
    assert editor_url(published) not in version_page.content.decode()
    sheet_page = zh_client.get(reverse("admin:scoring_sheet_change", args=[published.pk]))
    assert editor_url(published) not in sheet_page.content.decode()


# --- saving -----------------------------------------------------------------------


def test_saving_the_page_as_it_is_changes_nothing(zh_client, draft):
    sheet = sheet_of(draft)
    before = export_rubric(draft)
    response = zh_client.post(editor_url(sheet), page_data(zh_client.get(editor_url(sheet))))
    assert response.status_code == 302
    assert response["Location"] == editor_url(sheet)
    assert export_rubric(draft) == before


def test_points_sections_parts_and_the_sheet_are_saved_together(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    first = prefix_of(data, "items", text="审核整理投保资料")
    second = prefix_of(data, "items", text="投保单及所附投保资料扫描")
    third = prefix_of(data, "items", text="申请资料扫描")
    section = prefix_of(data, "sections", code="scanning")
    part = prefix_of(data, "parts", code="new_business_process")
    data[f"{first}-points"] = "15"  # 15 + 10 + 5 (new) = 30, the third deleted
    data[f"{first}-order"] = "5"  # moved last
    data[f"{second}-text"] = "投保单及所附资料扫描"
    data[f"{third}-DELETE"] = "on"
    add_row(
        data,
        "items",
        ref="ni1",
        parent=ref_of(data, section),
        order=0,
        code="",
        text="影像质量复核",
        points=5,
    )
    data[f"{part}-name"] = "新契约流程（2013）"
    data["sheet-name"] = "一柜通新契约业务处理情况记录表（2013）"
    response = zh_client.post(editor_url(sheet), data, follow=True)
    assert response.redirect_chain, errors_of(response)
    assert any("已保存" in str(m) for m in response.context["messages"])

    items = list(scanning(draft).items.order_by("order"))
    assert [(i.text, i.points) for i in items] == [
        ("影像质量复核", 5),  # order 0
        ("投保单及所附资料扫描", 10),  # order 1
        ("审核整理投保资料", 15),  # order 5
    ]
    assert [i.order for i in items] == [0, 1, 2]
    assert items[0].code.startswith("i") and items[0].code not in ("i1", "i2", "i3")
    assert [i.code for i in items[1:]] == ["i2", "i1"]  # kept
    assert SheetPart.objects.get(sheet=sheet, code="new_business_process").name == (
        "新契约流程（2013）"
    )
    sheet.refresh_from_db()
    assert sheet.name == "一柜通新契约业务处理情况记录表（2013）"


def test_a_new_part_with_its_sections_and_items_is_saved(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    write_off = prefix_of(data, "parts", code="receipt_write_off")
    data[f"{write_off}-total_points"] = "5"
    data[f"{prefix_of(data, 'sections', code='receipt_write_off')}-max_points"] = "5"
    data[f"{prefix_of(data, 'items', text='回执回销')}-points"] = "5"
    part = add_row(
        data, "parts", ref="np1", order=9, code="e_policy", name="电子保单流程", total_points=5
    )
    section = add_row(
        data,
        "sections",
        ref="ns1",
        parent=ref_of(data, part),
        order=0,
        code="e_delivery",
        name="电子保单送达",
        scoring="item_points",
        max_points=5,
        not_applicable_rule="none",
    )
    for n, text in enumerate(["短信通知", "邮件送达"]):
        add_row(
            data,
            "items",
            ref=f"ni{n + 1}",
            parent=ref_of(data, section),
            order=n,
            text=text,
            points=n + 2,  # 2 + 3
        )
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 302, errors_of(response)
    new = SheetPart.objects.get(sheet=sheet, code="e_policy")
    assert new.order == 4  # after the four parts there were
    [section] = new.sections.all()
    assert (section.code, section.max_points) == ("e_delivery", 5)
    assert [(i.text, i.points) for i in section.items.order_by("order")] == [
        ("短信通知", 2),
        ("邮件送达", 3),
    ]
    assert len({i.code for i in section.items.all()}) == 2


def test_a_part_deleted_takes_its_sections_and_items_with_it(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    data[f"{prefix_of(data, 'parts', code='receipt_write_off')}-DELETE"] = "on"
    data["sheet-total_points"] = "90"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 302, errors_of(response)
    assert not SheetPart.objects.filter(sheet=sheet, code="receipt_write_off").exists()
    assert not Section.objects.filter(part__sheet=sheet, code="receipt_write_off").exists()
    assert not Item.objects.filter(section__part__sheet=sheet, text="回执回销").exists()


def test_two_sections_may_swap_codes(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    intake = prefix_of(data, "sections", code="intake_review")
    scan = prefix_of(data, "sections", code="scanning")
    data[f"{intake}-code"], data[f"{scan}-code"] = "scanning", "intake_review"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 302, errors_of(response)
    assert Section.objects.get(part__sheet=sheet, name="扫描").code == "intake_review"
    assert Section.objects.get(part__sheet=sheet, name="接单初审").code == "scanning"


def test_the_save_is_one_transaction(zh_client, draft, monkeypatch):
    sheet = sheet_of(draft)
    before = export_rubric(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    data["sheet-name"] = "改过的名称"
    section = prefix_of(data, "sections", code="scanning")
    data[f"{prefix_of(data, 'items', text='申请资料扫描')}-DELETE"] = "on"
    add_row(data, "items", ref="ni1", parent=ref_of(data, section), order=5, text="新", points=10)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Item.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        zh_client.post(editor_url(sheet), data)
    assert export_rubric(draft) == before


# --- refusals ---------------------------------------------------------------------


def test_items_that_do_not_add_up_are_refused_beside_the_section(zh_client, draft):
    sheet = sheet_of(draft)
    before = export_rubric(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    first = prefix_of(data, "items", text="审核整理投保资料")
    data[f"{first}-points"] = "5"
    data["sheet-name"] = "表二（修订中）"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    editor = response.context["editor"]
    section = next(f for f in editor.sections.forms if f["code"].value() == "scanning")
    assert section.non_field_errors() == ["扫描各验收内容的分值合计为 25，与其满分 30 不符。"]
    content = response.content.decode()
    assert "请更正下列错误。" in content
    assert "扫描各验收内容的分值合计为 25，与其满分 30 不符。" in content
    # What was typed is still there, and nothing was saved.
    assert f'name="{first}-points" value="5"' in content
    assert 'value="表二（修订中）"' in content
    assert export_rubric(draft) == before


def test_parts_and_the_sheet_that_do_not_add_up_are_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    data[f"{prefix_of(data, 'parts', code='problem_cases')}-total_points"] = "20"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "问题件流程各操作环节的分值合计为 15，与其总分 20 不符。" in errors
    assert (
        "表二 一柜通新契约业务处理情况记录表各组成部分的分值合计为 105，与其总分 100 不符。"
    ) in errors
    editor = response.context["editor"]
    assert editor.head.non_field_errors() == [
        "表二 一柜通新契约业务处理情况记录表各组成部分的分值合计为 105，与其总分 100 不符。"
    ]


def test_alternatives_must_each_equal_the_sheet_total(zh_client, draft):
    sheet = sheet_of(draft, "claims")
    data = page_data(zh_client.get(editor_url(sheet)))
    data["sheet-total_points"] = "90"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    assert any("必须" in e and "90" in e for e in errors_of(response)), errors_of(response)


def test_field_errors_are_shown_beside_their_fields(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    part = prefix_of(data, "parts", code="problem_cases")
    section = prefix_of(data, "sections", code="scanning")
    item = prefix_of(data, "items", text="申请资料扫描")
    data[f"{part}-name"] = ""
    data[f"{section}-code"] = "扫描"
    data[f"{item}-points"] = "-1"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    forms = {form.prefix: form for fs in response.context["editor"].formsets for form in fs.forms}
    assert forms[part].errors["name"] == ["这个字段是必填项。"]
    assert forms[section].errors["code"]
    assert forms[item].errors["points"] == ["确保该值大于或等于0。"]


def test_a_code_used_twice_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    data[f"{prefix_of(data, 'sections', code='scanning')}-code"] = "intake_review"
    second = prefix_of(data, "items", text="投保单及所附投保资料扫描")
    data[f"{second}-code"] = "i1"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "新契约流程中已有代码为“intake_review”的一行。" in errors
    assert "扫描中已有代码为“i1”的一行。" in errors


def test_a_page_opened_before_another_save_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    # Another admin saves the sheet meanwhile (here, on the section's own page).
    item = scanning(draft).items.get(code="i1")
    item.text = "别人改过的内容"
    item.save()
    data[f"{prefix_of(data, 'items', code='i2')}-text"] = "我改的内容"
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    [refusal] = response.context["editor"].refusals
    assert refusal.startswith("在您打开此页面后，他人已保存此表格。")
    content = response.content.decode()
    assert 'value="我改的内容"' in content  # what was typed is kept
    assert "重新加载页面" in content
    assert Item.objects.filter(pk=item.pk, text="别人改过的内容").exists()
    assert not Item.objects.filter(text="我改的内容").exists()


def test_two_admins_on_one_sheet_do_not_overwrite_each_other(zh_client, draft):
    sheet = sheet_of(draft)
    first = page_data(zh_client.get(editor_url(sheet)))
    second = page_data(zh_client.get(editor_url(sheet)))
    first["sheet-name"] = "第一位管理员的名称"
    assert zh_client.post(editor_url(sheet), first).status_code == 302
    second["sheet-name"] = "第二位管理员的名称"
    response = zh_client.post(editor_url(sheet), second)
    assert response.status_code == 200
    assert response.context["editor"].refusals[0].startswith("在您打开此页面后，他人已保存此表格。")
    sheet.refresh_from_db()
    assert sheet.name == "第一位管理员的名称"


def test_a_version_in_use_is_refused(zh_client, rubric_2012, campaign_using):
    campaign_using(rubric_2012)
    sheet = sheet_of(rubric_2012)
    before = export_rubric(rubric_2012)
    response = zh_client.get(editor_url(sheet), follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:scoring_sheet_change", args=[sheet.pk])
    assert any(
        "只有未被验收使用的草稿才能在一页中编辑" in str(m) for m in response.context["messages"]
    )
    response = zh_client.post(editor_url(sheet), {"sheet-name": "改"})
    assert response.status_code == 302
    assert export_rubric(rubric_2012) == before


def test_a_published_version_not_in_use_is_refused_too(zh_client, rubric_2012):
    response = zh_client.get(editor_url(sheet_of(rubric_2012)))
    assert response.status_code == 302


def test_a_version_published_during_the_save_is_refused(zh_client, draft, monkeypatch):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    data["sheet-name"] = "改"
    check = SheetEditor.is_valid

    def published_meanwhile(editor):
        RubricVersion.objects.filter(pk=draft.pk).update(status=RubricVersion.Status.PUBLISHED)
        return check(editor)

    monkeypatch.setattr(SheetEditor, "is_valid", published_meanwhile)
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    assert response.context["editor"].refusals == [
        "评分标准版本 2013 已不再是草稿，或已被验收使用：其表格不能再修改。未保存任何内容。"
    ]
    sheet.refresh_from_db()
    assert sheet.name == "一柜通新契约业务处理情况记录表"


def test_the_page_needs_the_rubric_permissions(client, draft, rubric_staff):
    client.force_login(rubric_staff)
    sheet = sheet_of(draft)
    assert client.get(editor_url(sheet)).status_code == 403
    assert client.post(editor_url(sheet), {}).status_code == 403
    rubric_staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="scoring",
            codename__in=[
                "view_sheet",
                "change_sheet",
                *(
                    f"{action}_{model}"
                    for model in ("sheetpart", "section", "item")
                    for action in ("add", "change", "delete")
                ),
            ],
        )
    )
    assert client.get(editor_url(sheet)).status_code == 200


# --- a page tampered with -----------------------------------------------------------


def test_a_row_of_another_sheet_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    before = export_rubric(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    elsewhere = Item.objects.filter(
        section__part__sheet__code="claims", section__part__sheet__rubric=draft
    )
    data[f"{prefix_of(data, 'items', text='申请资料扫描')}-row_id"] = str(elsewhere.first().pk)
    response = zh_client.post(editor_url(sheet), data)
    assert response.context["editor"].refusals == [
        "页面中的某个验收内容不属于此表格。请重新加载页面。"
    ]
    assert export_rubric(draft) == before


def test_one_row_sent_twice_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    first = prefix_of(data, "items", text="审核整理投保资料")
    second = prefix_of(data, "items", text="申请资料扫描")
    data[f"{second}-row_id"] = data[f"{first}-row_id"]
    response = zh_client.post(editor_url(sheet), data)
    assert response.context["editor"].refusals == ["页面中有两行是同一行。请重新加载页面。"]


def test_a_row_in_nothing_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    add_row(data, "items", ref="ni1", parent="s999999", order=0, text="无处安放", points=1)
    response = zh_client.post(editor_url(sheet), data)
    assert response.context["editor"].refusals == [
        "页面中有一行不属于任何组成部分或操作环节。请重新加载页面。"
    ]
    assert not Item.objects.filter(text="无处安放").exists()


def test_a_page_without_its_fingerprint_is_refused(zh_client, draft):
    sheet = sheet_of(draft)
    data = page_data(zh_client.get(editor_url(sheet)))
    del data["sheet-fingerprint"]
    response = zh_client.post(editor_url(sheet), data)
    assert response.status_code == 200
    assert response.context["editor"].refusals == ["页面已损坏或已过期。请重新加载页面。"]
    assert "页面已损坏或已过期" in response.content.decode()
