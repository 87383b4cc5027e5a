"""Photos taken on a sheet appear in the visit's reports: the PDF shows each
beside its item, scaled; the Excel lists them with links into the app. The
branch report, which holds every visit's sheets, leaves them to those."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from inspections import services
from inspections.models import SheetRecord
from reports.exporters.branch import BranchPdfExporter
from reports.exporters.visit import VisitPdfExporter, VisitXlsxExporter
from reports.selectors.branch import branch_report_data
from reports.selectors.visit import visit_report_data
from scoring.selectors import sheet_definition
from tests.inspections.test_photos import photo_bytes, upload


@pytest.fixture
def photographed_visit(world, visit, complete_visit, private_media, settings):
    settings.SITE_URL = "https://yiguitong.example.cn"
    complete_visit(visit)
    record = SheetRecord.objects.filter(visit=visit, sheet__code="new_business").first()
    definition = sheet_definition(sheet=record.sheet)
    section = definition.parts[0].sections[0]
    item_key = f"{section.key}:{section.items[0].key}"
    taken = [
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=upload(photo_bytes(orientation=6, gps=True)),
            sheet_record=record,
            item_key=item_key,
            caption="柜面混岗",
        ),
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=upload(photo_bytes(size=(640, 480)), "门头.jpg"),
            sheet_record=record,
            item_key=section.key,
        ),
    ]
    services.submit_visit(user=world.inspector_a, visit=visit)
    services.approve_visit(user=world.hq, visit=visit, comment="同意")
    visit.photos = taken
    visit.photo_item = section.items[0].text
    return visit


def test_the_report_data_puts_each_photo_beside_its_item(photographed_visit):
    report = visit_report_data(visit_id=photographed_visit.pk)
    sheet = next(s for s in report.sheets if s.sheet_code == "new_business")
    section = sheet.parts[0].sections[0]
    (photo,) = section.items[0].photos
    assert photo.caption == "柜面混岗" and photo.thumbnail_url.startswith("data:image/jpeg;base64,")
    assert photo.link == "https://yiguitong.example.cn" + reverse(
        "evidence-download", args=[photographed_visit.photos[0].uuid]
    )
    assert [p.name for p in section.photos] == ["门头.jpg"]
    assert all(not i.photos for i in section.items[1:])


def test_the_pdf_shows_the_photos_scaled(photographed_visit):
    reader = PdfReader(io.BytesIO(VisitPdfExporter(visit_id=photographed_visit.pk).build()))
    # WeasyPrint shares one resource dictionary between pages: count each image once.
    images = {image.data: image for page in reader.pages for image in page.images}.values()
    assert len(images) == 2
    sizes = sorted(image.image.size for image in images)
    assert sizes == [(320, 480), (480, 360)]  # the thumbnails, upright, not the originals
    text = "".join(page.extract_text() for page in reader.pages)
    assert photographed_visit.photo_item[:8] in text


def test_the_excel_lists_the_photos_with_links(photographed_visit):
    workbook = load_workbook(io.BytesIO(VisitXlsxExporter(visit_id=photographed_visit.pk).build()))
    sheet = workbook["照片"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    links = {sheet.cell(row=r, column=7).hyperlink.target for r in (2, 3)}
    assert links == {
        "https://yiguitong.example.cn" + reverse("evidence-download", args=[e.uuid])
        for e in photographed_visit.photos
    }
    assert {row[5] for row in rows} == {"柜面混岗", None}
    assert all(row[0] == "表二" for row in rows)


def test_the_branch_report_leaves_the_photos_to_the_visits_own_report(photographed_visit):
    kw = {"campaign_id": photographed_visit.campaign_id, "branch_id": photographed_visit.branch_id}
    report = branch_report_data(**kw)
    (line,) = report.visits
    assert line.report.sheets, "the sheets are there"
    assert not [
        photo
        for sheet in line.report.sheets
        for part in sheet.parts
        for section in part.sections
        for photo in [*section.photos, *(p for item in section.items for p in item.photos)]
    ]
    reader = PdfReader(io.BytesIO(BranchPdfExporter(**kw).build()))
    assert not [image for page in reader.pages for image in page.images]
    text = "".join(page.extract_text() for page in reader.pages)
    assert photographed_visit.photo_item[:8] in text
