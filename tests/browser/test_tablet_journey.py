"""A whole visit on a tablet (768 px wide), in the browser only: the inspector
photographs a counter before the first save, scores every part of 表二 by touch
(one value refused on the way, marked on its input), answers 表七 and 表五 with
"all compliant", gives the waivers of the other lines, the KPI note and a
finding per content area, submits; head office approves; the PDF shows the photo."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from inspections.models import ChecklistRecord, Evidence, SheetRecord, Visit
from reports.exporters.visit import VisitPdfExporter
from scoring.models import ContentArea, Sheet
from scoring.selectors import checklist_requirements, sheet_definition
from tests import factories
from tests.inspections.test_photos import photo_bytes

from .test_visit_journey import (
    CONFIRM,
    visit_setup,  # noqa: F401  (the same visit)
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def tablet(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=TABLET, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)

    def log_in(username, password="pw-for-tests-1"):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield page, log_in
    context.close()


def fits_the_screen(page):
    """No page-wide horizontal scrolling at tablet width (wide tables scroll in
    their own box)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"], f"page is {width} px wide"


def tap(page, selector):
    """Touch a radio or checkbox as a finger does: on its button (the label of a
    Bootstrap btn-check), or on the box itself."""
    field = page.locator(selector)
    if "btn-check" in (field.get_attribute("class") or ""):
        button = page.locator(f'label[for="{field.get_attribute("id")}"]')
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"{selector}: {box}"
        button.tap()
    else:
        field.tap()


def fill_field(page, name, value):
    field = page.locator(f'[name="{name}"]')
    kind = field.first.evaluate("e => e.tagName + ':' + (e.type || '')")
    offered = page.locator(f'[name="pick:{name}"][value="{value}"]')
    if offered.count():  # a score: by touch, on its button
        tap(page, f'[name="pick:{name}"][value="{value}"]')
        expect(field).to_have_value(str(value))
    elif kind.startswith("SELECT"):
        field.select_option(value)
    elif kind.endswith(":radio"):
        tap(page, f'[name="{name}"][value="{value}"]')
    elif kind.endswith(":checkbox"):
        tap(page, f'[name="{name}"]')
    else:
        field.fill(str(value))


def fill_checklist(page, sheet, *, no_with_remark: str | None = None):
    for number, requirement in enumerate(
        checklist_requirements(sheet=sheet_definition(sheet=sheet))
    ):
        if no_with_remark and number == 0:
            tap(page, f'[name="answer-{requirement.key}"][value="no"]')
            page.fill(f'[name="remark-{requirement.key}"]', no_with_remark)
    # Every other row at once: "all compliant" answers the rows not answered yet.
    page.locator("[data-all-compliant]").tap()
    page.click("form button.btn-primary")


def test_a_whole_visit_on_a_tablet(tablet, live_server, visit_setup):  # noqa: F811
    visit, claims_clerk, _change_clerk = visit_setup
    page, log_in = tablet
    rubric = visit.campaign.rubric
    sheets = {sheet.code: sheet for sheet in Sheet.objects.filter(rubric=rubric)}
    base = f"{live_server.url}/visits/{visit.pk}"

    log_in("bj-inspector")
    page.goto(f"{base}/")
    fits_the_screen(page)

    # 表二 for 王喆 (home post 理赔: eligible for new business), every part.
    picker = page.locator("[data-testid=new-sheet-new_business]")
    picker.locator("select[name=specialist]").select_option(str(claims_clerk.pk))
    picker.locator("button").click()
    page.check("input[name=selection_method][value=drawn_at_random]")
    # Nothing scored yet: no grade.
    expect(page.locator("#score-grade")).to_have_text("—")
    # A photo of the counter on the first item, before the sheet is ever saved.
    camera = page.locator("input[data-evidence-key]").first
    assert camera.get_attribute("capture") == "environment"
    camera.set_input_files(
        files=[{"name": "柜面.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes(orientation=6)}]
    )
    row_photos = page.locator(f'[data-evidence-list="{camera.get_attribute("data-evidence-key")}"]')
    expect(row_photos.locator("img.evidence-thumb")).to_have_count(1)

    # Every score of 表二 by touch.
    data = factories.sheet_post_data(factories.full_sheet_parts(sheets["new_business"]))
    del data["selection_method"]
    for name, value in data.items():
        fill_field(page, name, value)
    expect(page.locator("#score-total")).to_have_text("100")
    expect(page.locator("#score-grade")).to_have_text("A")
    fits_the_screen(page)

    # One refused value: marked on its own input, the rest still counted.
    item = next(name for name in data if "-item-" in name)
    worth = int(data[item])
    page.locator(f'[name="{item}"]').fill(str(worth + 2))
    refused = page.locator(f'[name="{item}"]')
    expect(refused).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(refused).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{refused.get_attribute('id')}-error")).to_contain_text(str(worth))
    expect(page.locator("#score-total")).to_have_text(str(100 - worth))
    fill_field(page, item, data[item])  # touched back to full marks
    expect(refused).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator("#score-total")).to_have_text("100")
    page.click("form#sheet-form button[type=submit]")
    page.wait_for_selector(".alert-success")
    record = SheetRecord.objects.get(specialist=claims_clerk, sheet=sheets["new_business"])
    assert (record.score, record.percent, record.complete) == (100, 100, True)
    assert record.parts.count() == len(sheet_definition(sheet=sheets["new_business"]).parts)
    # The photo joined the sheet, and shows beside its item.
    (photo,) = Evidence.objects.filter(visit=visit)
    assert photo.sheet_record == record and photo.thumbnail
    expect(row_photos.locator("img.evidence-thumb")).to_have_count(1)

    # 表七 for 王喆, one "no" with its remark; 表五 for the office.
    page.goto(f"{base}/checklists/etiquette/?specialist={claims_clerk.pk}")
    fits_the_screen(page)
    fill_checklist(page, sheets["etiquette"], no_with_remark="工牌未佩戴")
    page.wait_for_selector(".alert-success")
    page.goto(f"{base}/checklists/permissions/")
    fill_checklist(page, sheets["permissions"])
    page.wait_for_selector(".alert-success")
    etiquette = ChecklistRecord.objects.get(sheet=sheets["etiquette"], specialist=claims_clerk)
    assert etiquette.complete and etiquette.non_compliant == 1

    # No policy-change or claims case that day: the reasons, on the visit page.
    for line in ("policy_change", "claims"):
        page.goto(f"{base}/")
        waiver = page.locator(f"form:has(input[name=business_line][value={line}])")
        waiver.locator("input[name=reason]").fill("当日无此类业务")
        waiver.locator("button").click()
        page.wait_for_selector(".alert-success")

    # KPIs: how the branch monitors them.
    page.goto(f"{base}/kpis/")
    page.fill("textarea[name=note]", "分公司每周通报混合受理率，已沟通总公司监测结果。")
    page.click("form button.btn-primary")
    page.wait_for_selector(".alert-success")

    # An interview of each audience this visit requires (seed 000: 以访谈方式进行).
    page.goto(f"{base}/interviews/")
    new_interview = page.locator("a[href*='/interviews/new/?audience=']")
    required = new_interview.count()
    assert required == 3
    for _ in range(required):
        new_interview.first.click()
        page.fill("input[name=interviewee]", "王主任")
        page.fill("input[name=post]", "客服室主任")
        page.click("#interview-form button.btn-primary")
        page.wait_for_selector(".alert-success")
    expect(new_interview).to_have_count(0)

    # A strength per content area.
    for area in ContentArea.objects.filter(rubric=rubric):
        page.goto(f"{base}/findings/")
        page.select_option("select[name=content_area]", str(area.pk))
        page.select_option("select[name=kind]", "strength")
        page.fill("textarea[name=text]", f"{area.name}：落实到位")
        page.click("form.row button.btn-primary")
        page.wait_for_selector(".alert-success")

    page.goto(f"{base}/")
    page.click("form[action$='/submit/'] button")
    page.click(CONFIRM)  # the page asks first (static/js/confirm.js)
    page.wait_for_load_state()
    assert page.locator("[data-testid=missing]").count() == 0, page.inner_text("main")
    page.wait_for_selector("[data-state=submitted]")
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.SUBMITTED

    # Head office reviews and approves, on the same tablet.
    log_in("hq")
    page.goto(f"{base}/")
    fits_the_screen(page)
    page.fill("#review textarea[name=comment]", "同意。")
    page.click("#review button[value=approve]")
    page.click(CONFIRM)
    page.wait_for_selector("[data-state=approved]")
    assert Visit.objects.get(pk=visit.pk).state == Visit.State.APPROVED

    # The visit's PDF shows the photo, upright, beside its item.
    pdf = PdfReader(io.BytesIO(VisitPdfExporter(visit_id=visit.pk).build()))
    images = {image.data: image for p in pdf.pages for image in p.images}.values()
    assert [image.image.size for image in images] == [(320, 480)]
