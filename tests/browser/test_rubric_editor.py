"""The one-page sheet editor in a real browser: static/js/rubric-editor.js
checks the totals as you type (in Chinese, beside the section, the part and the
sheet), adds an item to a section and leaves a deleted one out, and the page
saves it all; the page's CSP allows no inline script, so this also proves none
is needed."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from inspections.models import User
from scoring.models import RubricVersion, Section
from scoring.rubric_io import copy_as_draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_totals_are_checked_as_you_type_and_saved(page, live_server):
    call_command("load_rubric", verbosity=0)
    draft = copy_as_draft(
        RubricVersion.objects.get(version="2012"), new_version="2013", name="2013年方案"
    )
    User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")
    sheet = draft.sheets.get(code="new_business")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # a script that failed

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "pw-for-tests-1")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/scoring/sheet/{sheet.pk}/editor/")

    section = page.locator("[data-row=section]", has_text="扫描").first
    part = page.locator("[data-row=part]", has_text="新契约流程").first
    sheet_box = page.locator("[data-row=sheet]")
    expect(section.locator("[data-check]").first).to_have_text("合计 30 分。")
    expect(sheet_box.locator("[data-check]")).to_have_text("合计 100 分。")

    points = section.locator("input[name$='-points']")
    points.nth(0).fill("5")
    check = section.locator("[data-check]").first
    expect(check).to_have_text("各验收内容合计 25 分，与满分 30 分不符。")
    expect(check).to_have_class("rubric-check is-bad")

    # A new item of 5 points makes it 30 again; the part is unchanged.
    section.locator("[data-add=item]").click()
    new_row = section.locator("[data-row=item]").last
    new_row.locator("input[name$='-text']").fill("影像质量复核")
    new_row.locator("input[name$='-points']").fill("5")
    expect(check).to_have_text("合计 30 分。")
    expect(part.locator(":scope > [data-check]")).to_have_text("合计 60 分。")

    # Deleting an item leaves it out; the max changed to fit.
    section.locator("[data-row=item]").nth(2).locator("input[name$='-DELETE']").check()
    expect(check).to_have_text("各验收内容合计 20 分，与满分 30 分不符。")
    section.locator("input[name$='-max_points']").fill("20")
    expect(check).to_have_text("合计 20 分。")
    expect(part.locator(":scope > [data-check]")).to_have_text(
        "各操作环节合计 50 分，与总分 60 分不符。"
    )
    part.locator("input[name$='-total_points']").first.fill("50")
    expect(sheet_box.locator("[data-check]")).to_have_text(
        "各组成部分合计 90 分，与总分 100 分不符。"
    )
    page.fill("input[name='sheet-total_points']", "90")
    expect(sheet_box.locator("[data-check]")).to_have_text("合计 90 分。")

    page.click("#sheet-editor input[type=submit]")
    expect(page.locator(".messagelist")).to_contain_text("已保存")
    scanning = Section.objects.get(part__sheet=sheet, code="scanning")
    assert scanning.max_points == 20
    assert [(i.text, i.points) for i in scanning.items.order_by("order")] == [
        ("审核整理投保资料", 5),
        ("投保单及所附投保资料扫描", 10),
        ("影像质量复核", 5),
    ]
    assert errors == []
