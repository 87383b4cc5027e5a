"""Demo visits of the 2012 campaign, made through the same services the pages
use, so every score in the demo is the scoring engine's.

北京: an approved self-inspection of 海淀支公司 (with a photo of its counter on
表二's first item, and its interviews' problems on the register: two answered,
one closed) and a head-office check planned on
a drawn office; 重庆: a self-inspection in progress; 四川: nothing yet.
"""

import datetime
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from scoring import definitions as d
from scoring.models import InterviewQuestion, KpiThreshold, Sheet
from scoring.selectors import checklist_requirements, sheet_definition

from .. import services
from ..evidence_files import evidence_key
from ..models import Branch, Campaign, Office, SelectionMethod, Specialist, User, Visit

DRAW_SEED = "2012-demo"


def _answers(definition: d.SheetDef, rng: random.Random) -> dict[str, dict]:
    """Plausible answers for every part: mostly full points, a few deductions."""
    parts = {}
    for index, part in enumerate(definition.parts):
        sections = {}
        for section in part.sections:
            if section.scoring == d.SECTION_POINTS:
                lost = rng.choice([0, 0, 0, 2, 5])
                sections[section.key] = {"score": str(max(section.max_points - lost, 0))}
            else:
                items = {}
                for item in section.items:
                    lost = rng.choice([0, 0, 0, 0, 1, 3])
                    items[item.key] = str(max((item.points or 0) - lost, 0))
                entry = {"items": items}
                if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                    entry["notice_kind"] = section.notice_kinds[0].key
                sections[section.key] = entry
        parts[part.key] = {
            "reference_no": f"{definition.key[:2].upper()}2012{rng.randint(100000, 999999)}",
            "servicing_item": definition.servicing_items[0] if definition.servicing_items else "",
            "observed": True,
            "answers": {"sections": sections, "remarks": {}},
        }
        if definition.grouping == d.ALTERNATIVES and index == 0:
            break
    return parts


def _score_everyone(visit: Visit, inspector: User, rng: random.Random):
    sheets = list(Sheet.objects.filter(rubric_id=visit.campaign.rubric_id).order_by("order"))
    people = list(
        Specialist.objects.filter(office=visit.office, active=True).order_by("employee_no")[:4]
    )
    scored = set()
    for sheet in sheets:
        if sheet.kind != Sheet.Kind.SCORED:
            continue
        definition = sheet_definition(sheet=sheet)
        for person in people:
            if person.ineligibility_reason(sheet.business_line):
                continue
            services.save_sheet(
                user=inspector,
                visit=visit,
                specialist=person,
                sheet=sheet,
                selection_method=rng.choice(SelectionMethod.values),
                parts=_answers(definition, rng),
                chosen_alternative=definition.parts[0].key
                if definition.grouping == d.ALTERNATIVES
                else None,
            )
            scored.add(person)
            break
    for sheet in sheets:
        if sheet.kind != Sheet.Kind.CHECKLIST:
            continue
        requirements = checklist_requirements(sheet=sheet_definition(sheet=sheet))
        subjects = sorted(scored, key=lambda p: p.employee_no) if sheet.per_specialist else [None]
        for person in subjects:
            answers = {r.key: {"compliant": True, "remark": ""} for r in requirements}
            last = requirements[-1].key
            answers[last] = {"compliant": False, "remark": "递交物品时未用双手，已当场提醒。"}
            services.save_checklist(
                user=inspector, visit=visit, sheet=sheet, specialist=person, answers=answers
            )


def _findings_and_actions(visit: Visit, inspector: User):
    areas = list(visit.campaign.rubric.content_areas.all())
    texts = {
        "process": (
            "专员能够独立完成契约、保全、理赔受理，流程执行规范。",
            "部分专员扫描类型选择不熟练。",
        ),
        "kpi": ("分公司每周通报混合受理率，跟踪到人。", "均衡受理率波动较大，缺少原因分析。"),
        "promotion": (
            "机构制定了推广方案及时间表并按期推进。",
            "对问题件的解决机制尚未形成书面制度。",
        ),
        "etiquette": ("着装统一，微笑服务。", "个别专员递交物品未用双手。"),
    }
    for area in areas:
        strength, shortcoming = texts.get(area.code, ("表现良好。", "仍需改进。"))
        services.add_finding(
            user=inspector, visit=visit, content_area=area, kind="strength", text=strength
        )
        services.add_finding(
            user=inspector, visit=visit, content_area=area, kind="shortcoming", text=shortcoming
        )
    services.add_action(
        user=inspector,
        visit=visit,
        content_area=areas[0],
        description="组织扫描类型专项培训并抽查十笔扫描件。",
        responsible_office=visit.office,
        responsible_person="周主管",
        deadline=visit.end_date + datetime.timedelta(days=30),
        owner=User.objects.filter(branch=visit.branch, role=User.Role.BRANCH_MANAGER).first(),
    )


def _process_log(visit: Visit, inspector: User):
    """表一: a few cases followed at the counter, minutes per step."""
    people = list(
        Specialist.objects.filter(office=visit.office, active=True).order_by("employee_no")
    )
    cases = [
        ("P2012102500118", "新契约", "6", "4", "7", ""),
        ("P2012102500342", "退保", "3", "2", "4", "客户资料齐全，一次办结。"),
        ("C2012102500057", "理赔", "8", "5", "9", "补充门诊病历后受理。"),
        ("P2012102600076", "交费方式变更", "2", "1", "3", ""),
    ]
    for index, (policy_no, item, review, scanning, entry, remarks) in enumerate(cases):
        services.save_log_entry(
            user=inspector,
            visit=visit,
            policy_no=policy_no,
            business_item=item,
            operator=people[index % len(people)],
            minutes_document_review=Decimal(review),
            minutes_scanning=Decimal(scanning),
            minutes_data_entry=Decimal(entry),
            remarks=remarks,
        )


def _interviews(visit: Visit, inspector: User):
    """One interview per audience of the rubric: every question answered, the
    problems and support requests tagged for head office."""
    people = [("刘经理", "支公司经理"), ("陈䶮", "客服专员")]
    for index, audience in enumerate(visit.campaign.rubric.interview_audiences.order_by("order")):
        answers = {}
        # The rubric's own tags, else the inspector tags the first two open
        # questions: one problem raised, one support asked of head office.
        fallback = [InterviewQuestion.Tag.PROBLEM, InterviewQuestion.Tag.SUPPORT]
        for question in audience.questions.all():
            tag = question.tag or (fallback.pop(0) if fallback and not question.is_yes_no else "")
            text = {
                InterviewQuestion.Tag.PROBLEM: "问题件回销周期较长，影响客户体验。",
                InterviewQuestion.Tag.SUPPORT: "希望总部提供影像系统操作培训。",
            }.get(tag, "已按方案执行。")
            answers[question.pk] = {
                "yes_no": True if question.is_yes_no else None,
                "text": text,
                "tag": tag,
            }
        interviewee, post = people[index % len(people)]
        services.save_interview(
            user=inspector,
            visit=visit,
            audience=audience,
            interviewee=interviewee,
            post=post,
            notes="访谈在柜面营业结束后进行。",
            answers=answers,
        )


def _problem_register(visit: Visit, manager: User, head_office: User):
    """The approval put the interviews' problems and support requests on the
    register: the manager has answered two, and head office closed the first."""
    responses = [
        "已调整柜面排班，高峰时段增开一个综合岗窗口，本月起执行。",
        "已向总部运营部提交系统权限申请，待总部批复后开通。",
    ]
    problems = list(visit.raised_problems.order_by("pk")[: len(responses)])
    for problem, response in zip(problems, responses, strict=False):
        services.respond_to_problem(
            user=manager, problem=problem, response=response, version=problem.version
        )
    if problems:
        first = problems[0]
        first.refresh_from_db()
        services.close_problem(
            user=head_office, problem=first, comment="措施可行，关闭。", version=first.version
        )


def _kpi_figures(campaign: Campaign, head_office: User):
    figures = []
    for branch in campaign.branches.order_by("code"):
        balanced = {"bj": "88.50", "cq": "72.00", "sc": "65.30"}.get(branch.code, "75")
        figures.append((KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, branch, None, balanced))
        for index, office in enumerate(branch.offices.order_by("code")):
            value = "100" if index % 3 != 2 else "96.5"
            figures.append((KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, branch, office, value))
    services.save_kpi_figures(user=head_office, campaign=campaign, figures=figures)


def counter_photo() -> bytes:
    """A stand-in for a tablet photo of a counter: drawn, portrait, stored
    sideways with the EXIF orientation a tablet writes (the thumbnail turns it)."""
    image = Image.new("RGB", (1600, 1200), (214, 222, 230))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 820, 1600, 1200), fill=(120, 86, 60))  # the counter
    for left in (120, 620, 1120):  # three windows and their signs
        draw.rectangle((left, 260, left + 360, 780), fill=(245, 248, 250), outline=(60, 60, 60))
        draw.rectangle((left + 40, 150, left + 320, 230), fill=(0, 94, 184))
    exif = Image.Exif()
    exif[0x0112] = 8  # shown turned a quarter to the left: taken holding the tablet upright
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def _photo(visit: Visit, inspector: User):
    """A photo of the counter on the first item of the first sheet."""
    record = visit.sheet_records.select_related("sheet").order_by("sheet__order", "pk").first()
    definition = sheet_definition(sheet=record.sheet)
    section = definition.parts[0].sections[0]
    services.add_evidence(
        user=inspector,
        visit=visit,
        upload=SimpleUploadedFile("柜面.jpg", counter_photo(), content_type="image/jpeg"),
        caption="受理窗口及岗位标识",
        sheet_record=record,
        item_key=evidence_key(section, section.items[0]),
    )


def create(campaign: Campaign):
    rng = random.Random(2012)
    head_office = User.objects.get(username="hq")
    hq_inspector = User.objects.get(username="inspector")
    bj_inspector = User.objects.get(username="bj_inspector")
    bj_manager = User.objects.get(username="bj_manager")
    cq_manager = User.objects.get(username="cq_manager")
    beijing = Branch.objects.get(code="bj")
    chongqing = Branch.objects.get(code="cq")

    _kpi_figures(campaign, head_office)
    draws = {
        branch.code: services.draw_offices(
            user=head_office, campaign=campaign, branch=branch, seed=DRAW_SEED
        )
        for branch in campaign.branches.order_by("code")
    }

    # 北京: a complete, approved self-inspection of 海淀支公司.
    haidian = Office.objects.get(code="bj-haidian")
    visit = services.plan_visit(
        user=bj_manager,
        campaign=campaign,
        branch=beijing,
        office=haidian,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[bj_inspector],
    )
    _score_everyone(visit, bj_inspector, rng)
    services.save_kpi_note(
        user=bj_inspector,
        visit=visit,
        note="分公司运营部每周从系统导出混合受理率、均衡受理率并通报各机构；已与机构沟通总部监测结果。",
    )
    _process_log(visit, bj_inspector)
    _interviews(visit, bj_inspector)
    _findings_and_actions(visit, bj_inspector)
    _photo(visit, bj_inspector)
    services.submit_visit(user=bj_inspector, visit=visit)
    services.approve_visit(user=bj_manager, visit=visit, comment="同意。")
    _problem_register(visit, bj_manager, head_office)

    # 北京: head office checks the first office it drew.
    drawn = Office.objects.get(pk=draws["bj"].result_ids[0])
    services.plan_visit(
        user=head_office,
        campaign=campaign,
        branch=beijing,
        office=drawn,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=datetime.date(2012, 11, 12),
        end_date=datetime.date(2012, 11, 13),
        inspectors=[hq_inspector],
    )

    # 重庆: an unannounced head-office check of the branch's own counters, not
    # started yet: head office and its inspector see it, 重庆's manager does not.
    services.plan_visit(
        user=head_office,
        campaign=campaign,
        branch=chongqing,
        office=None,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=datetime.date(2012, 11, 20),
        end_date=datetime.date(2012, 11, 20),
        inspectors=[hq_inspector],
        unannounced=True,
    )

    # 重庆: a self-inspection under way.
    wanzhou = Office.objects.get(code="cq-wanzhou")
    cq_inspector = User.objects.get(username="cq_inspector")
    visit = services.plan_visit(
        user=cq_manager,
        campaign=campaign,
        branch=chongqing,
        office=wanzhou,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 11, 5),
        end_date=datetime.date(2012, 11, 5),
        inspectors=[cq_inspector],
    )
    _score_everyone(visit, cq_inspector, rng)
