"""An approved visit with everything a report shows, and report files kept in a
temporary MEDIA_ROOT.

The visit (branch A's self-inspection of office a1, `tests/conftest.py`) has,
besides what `complete_visit` fills: specialists whose names use characters
outside GB2312 (王喆: GBK; 李䶮: CJK Extension A), a part not observed, a
section not applicable, an unchecked notice kind, 表一 rows, an interview with
a problem raised, a shortcoming and rectification actions, and user text that
looks like spreadsheet formulas.
"""

from types import SimpleNamespace

import pytest

from inspections import services
from inspections.models import Finding, InterviewAnswer, Visit
from scoring.models import InterviewAudience
from tests import factories

GBK_NAME = "王喆"  # 喆: in GBK, not in GB2312
EXT_A_NAME = "李䶮"  # 䶮 U+4DAE: CJK Unified Ideographs Extension A

FORMULA_FINDING = "=1+1"
FORMULA_REMARK = "+cmd"
FORMULA_INTERVIEWEE = "@x"
FORMULA_POLICY_NO = "-2"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fill_report_extras(world, visit: Visit) -> SimpleNamespace:
    """Add the people and records the report tests look for (the visit must be open)."""
    inspector = visit.inspectors.first()
    sheets = {s.code: s for s in world.rubric.sheets.all()}
    wang = factories.SpecialistFactory(
        office=visit.office,
        name=GBK_NAME,
        employee_no="A1-101",
        home_post=factories.post("policy_change"),
    )
    li = factories.SpecialistFactory(
        office=visit.office,
        name=EXT_A_NAME,
        employee_no="A1-102",
        home_post=factories.post("contract"),
    )

    # 表二 for 王喆, the withdrawal part not observed.
    parts = factories.full_sheet_parts(sheets["new_business"])
    parts["withdrawal"].update(observed=False, not_observed_reason="当日无撤单业务")
    parts["new_business_process"]["answers"]["sections"]["scanning"]["items"] = {
        key: "5"
        for key in parts["new_business_process"]["answers"]["sections"]["scanning"]["items"]
    }
    services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=wang,
        sheet=sheets["new_business"],
        selection_method="drawn_at_random",
        parts=parts,
    )
    # 表三 for 李䶮: the payment notice section not applicable; a remark that looks like a formula.
    parts = factories.full_sheet_parts(sheets["policy_change"], servicing_item="保单复效")
    answers = parts["policy_change_process"]["answers"]
    answers["sections"]["payment_notice_printing"] = {
        "not_applicable": True,
        "not_applicable_reason": "未产生补费",
    }
    answers["sections"]["document_review"]["score"] = "25"
    answers["remarks"]["document_review"] = FORMULA_REMARK
    services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=li,
        sheet=sheets["policy_change"],
        selection_method="followed_live",
        parts=parts,
    )
    # 表四 for 李䶮 on the notices sub-sheet: one notice kind checked.
    parts = factories.full_sheet_parts(sheets["claims"])
    services.save_sheet(
        user=inspector,
        visit=visit,
        specialist=li,
        sheet=sheets["claims"],
        selection_method="followed_live",
        parts={"notices": parts["notices"]},
        chosen_alternative="notices",
        alternative_reason="本机构当月无理赔案件",
    )
    for person in (wang, li):
        services.save_checklist(
            user=inspector,
            visit=visit,
            sheet=sheets["etiquette"],
            specialist=person,
            answers=factories.checklist_answers(sheets["etiquette"]),
        )
    services.save_log_entry(
        user=inspector,
        visit=visit,
        policy_no=FORMULA_POLICY_NO,
        business_item="退保",
        operator=wang,
        minutes_document_review=3,
        minutes_scanning=2,
        minutes_data_entry=4,
        remarks='=HYPERLINK("http://x")',
    )
    audience = InterviewAudience.objects.filter(rubric=world.rubric).order_by("order").first()
    questions = list(audience.questions.all())
    services.save_interview(
        user=inspector,
        visit=visit,
        audience=audience,
        interviewee=FORMULA_INTERVIEWEE,
        post="客服专员",
        notes="",
        answers={
            q.pk: {
                "yes_no": True if q.is_yes_no else None,
                "text": "系统切换慢" if q.tag else "熟悉流程",
                "tag": q.tag or InterviewAnswer.Tag.NONE,
            }
            for q in questions
        },
    )
    areas = list(world.rubric.content_areas.order_by("order"))
    services.add_finding(
        user=inspector,
        visit=visit,
        content_area=areas[0],
        kind=Finding.Kind.SHORTCOMING,
        text=FORMULA_FINDING,
    )
    import datetime

    action = services.add_action(
        user=inspector,
        visit=visit,
        content_area=areas[0],
        description="完善岗位权限报备",
        responsible_office=visit.office,
        responsible_person="-负责人",
        deadline=datetime.date(2012, 12, 31),
    )
    return SimpleNamespace(wang=wang, li=li, action=action)


@pytest.fixture
def approved_visit(world, visit, complete_visit):
    """Branch A's self-inspection of a1, filled, submitted and approved by head office."""
    extras = fill_report_extras(world, visit)
    complete_visit(visit)
    inspector = visit.inspectors.first()
    services.submit_visit(user=inspector, visit=visit)
    services.approve_visit(user=world.hq, visit=visit, comment="同意")
    visit.refresh_from_db()
    visit.extras = extras
    return visit
