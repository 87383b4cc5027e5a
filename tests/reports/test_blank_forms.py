"""Blank forms 表一–表七 of the campaign's rubric, printable for paper backup."""

import io

from pypdf import PdfReader

from reports.exporters.base import REGISTRY
from reports.exporters.blank_forms import BlankFormsPdfExporter
from reports.selectors.blank_forms import blank_forms
from reports.selectors.types import BLANK_FORMS_TITLE as REPORT_TITLE
from scoring.selectors import rubric_definitions


def test_the_exporter_is_registered():
    exporter = REGISTRY["blank-forms-pdf"]
    assert (exporter.subject, exporter.format) == ("campaign", "pdf")


def test_every_table_in_order_with_the_roster_after_the_unit_checklist(world):
    forms = blank_forms(campaign=world.campaign)
    assert [f.table_label for f in forms] == [
        "表一",
        "表二",
        "表三",
        "表四",
        "表五",
        "表六",
        "表七",
    ]
    log, new_business, policy_change, claims, permissions, roster, etiquette = forms
    assert len(log.blank_rows) >= 15
    # 表二: four forms whose totals add up to 100; 表四: three alternatives of 100 each.
    assert [p.total_points for p in new_business.parts] == [60, 15, 15, 10]
    assert new_business.parts_add_up and not new_business.alternatives
    assert [p.total_points for p in claims.parts] == [100, 100, 100]
    assert claims.alternatives
    assert policy_change.servicing_items[0] == "退保"
    # 表三's stages are scored as a whole; its payment notice stage may not apply.
    payment = next(s for s in policy_change.parts[0].sections if s.name == "交费通知书打印")
    assert not payment.item_points
    assert payment.rule_note
    notices = next(s for s in claims.parts[2].sections if s.name == "二核通知书打印回收")
    assert notices.choose_notice_kind
    assert len(permissions.requirements) == 3 and not permissions.per_specialist
    assert len(etiquette.requirements) == 7 and etiquette.per_specialist
    assert roster.name == "分公司岗位人员设置清单"


def test_pdf_has_every_sheet_section_and_item(world):
    exporter = BlankFormsPdfExporter(campaign_id=world.campaign.pk)
    content = exporter.build()
    reader = PdfReader(io.BytesIO(content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert REPORT_TITLE in text
    definitions = rubric_definitions(rubric=world.campaign.rubric_id)
    for sheet in definitions.values():
        assert sheet.name in text
        for part in sheet.parts:
            for section in part.sections:
                for item in section.items:
                    # Long requirements wrap; their first words are on one line.
                    assert item.text[:10] in text, item.text
    assert "分公司岗位人员设置清单" in text
    # A cover page, then one page (or more) per form: 表一, 4 parts of 表二,
    # 表三, 3 sub-sheets of 表四, 表五, 表六, 表七.
    assert len(reader.pages) >= 13
    assert exporter.filename().endswith(".pdf")


def test_a_deduction_section_prints_its_rules_with_their_points_per_occurrence(deductions_visit):
    campaign = deductions_visit.campaign
    [policy_change] = [f for f in blank_forms(campaign=campaign) if f.table_label == "表三"]
    compliance = policy_change.parts[0].sections[1]
    assert compliance.deduction and not compliance.item_points
    html = BlankFormsPdfExporter(campaign_id=campaign.pk).html()
    assert '<td>受到行政处罚的违法违规行为</td><td class="points">−2</td>' in html
    assert '<td>其他违法违规行为</td><td class="points">−1</td>' in html
