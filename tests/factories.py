"""factory_boy factories for the organisation, people and users."""

import datetime
import importlib
from pathlib import Path

import factory
from factory.django import DjangoModelFactory

from inspections.models import Branch, Campaign, Office, Post, Specialist, User
from scoring.models import RolloutBatch, RubricVersion


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"branch-{n}")
    name = factory.Sequence(lambda n: f"第{n}分公司")
    rollout_batch = RolloutBatch.SECOND
    rollout_date = datetime.date(2012, 8, 1)


class OfficeFactory(DjangoModelFactory):
    class Meta:
        model = Office

    branch = factory.SubFactory(BranchFactory)
    code = factory.Sequence(lambda n: f"office-{n}")
    name = factory.Sequence(lambda n: f"第{n}支公司")


def post(code: str) -> Post:
    """The default posts come with the migrations; a transactional test's flush
    removes them, so they are made again here when missing."""
    defaults = importlib.import_module("inspections.migrations.0002_default_posts")
    for order, (post_code, name, nb, pc, cl) in enumerate(defaults.DEFAULT_POSTS):
        if post_code == code:
            return Post.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "covers_new_business": nb,
                    "covers_policy_change": pc,
                    "covers_claims": cl,
                    "order": order,
                },
            )[0]
    raise KeyError(code)


class SpecialistFactory(DjangoModelFactory):
    class Meta:
        model = Specialist
        skip_postgeneration_save = True

    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    name = factory.Sequence(lambda n: f"专员{n}")
    office = factory.SubFactory(OfficeFactory)
    branch = factory.SelfAttribute("office.branch")
    home_post = factory.LazyFunction(lambda: post("policy_change"))

    @factory.post_generation
    def concurrent_posts(self, create, extracted, **kwargs):
        if create and extracted:
            self.concurrent_posts.set(extracted)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.INSPECTOR
    password = factory.django.Password("pw-for-tests-1")


class BranchManagerFactory(UserFactory):
    role = User.Role.BRANCH_MANAGER
    branch = factory.SubFactory(BranchFactory)


class HeadOfficeUserFactory(UserFactory):
    role = User.Role.HEAD_OFFICE


class RubricVersionFactory(DjangoModelFactory):
    class Meta:
        model = RubricVersion

    name = "测试评分表"
    version = factory.Sequence(lambda n: f"test-{n}")
    status = RubricVersion.Status.PUBLISHED
    effective_date = datetime.date(2012, 10, 22)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = "2012年度一柜通验收"
    rubric = factory.SubFactory(RubricVersionFactory)
    period_start = datetime.date(2012, 10, 22)
    period_end = datetime.date(2012, 11, 30)
    report_due = datetime.date(2012, 11, 30)


class InspectorFactory(UserFactory):
    """An inspector: of a branch when `branch` is given, else of head office."""

    role = User.Role.INSPECTOR


# A small rubric with a deduction section (the 2012 rubric has none).
DEDUCTIONS_RUBRIC_FILE = Path(__file__).resolve().parent / "data" / "rubric-deductions.yaml"


def deductions_rubric() -> RubricVersion:
    """tests/data/rubric-deductions.yaml imported: 表三 of 资料审核 (90 points
    for the section) and 合规情况 (10, −2 per administrative penalty, −1 per
    other violation)."""
    import yaml

    from scoring.rubric_io import import_rubric

    with DEDUCTIONS_RUBRIC_FILE.open(encoding="utf-8") as stream:
        return import_rubric(yaml.safe_load(stream))


# --- answers for the score sheets and checklists ------------------------------
# Plain data in the shapes `inspections.services` and the visit forms take.


def full_sheet_parts(sheet, *, servicing_item: str = "退保") -> dict:
    """A `parts` argument for `services.save_sheet` with every section of every
    part at its full points (表四: the first notice kind is the one checked)."""
    from scoring import definitions as d
    from scoring.selectors import sheet_definition

    definition = sheet_definition(sheet=sheet)
    parts = {}
    for part in definition.parts:
        sections = {}
        for section in part.sections:
            if section.scoring == d.SECTION_POINTS:
                sections[section.key] = {"score": str(section.max_points)}
            elif section.scoring == d.DEDUCTION:
                sections[section.key] = {"occurrences": []}
            else:
                entry = {"items": {item.key: str(item.points) for item in section.items}}
                if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                    entry["notice_kind"] = section.notice_kinds[0].key
                sections[section.key] = entry
        parts[part.key] = {
            "reference_no": f"NO-{part.key}",
            "servicing_item": servicing_item if definition.servicing_items else "",
            "observed": True,
            "not_observed_reason": "",
            "answers": {"sections": sections, "remarks": {}},
        }
    return parts


def sheet_post_data(
    parts: dict,
    *,
    selection_method: str = "followed_live",
    chosen_alternative: str | None = None,
    alternative_reason: str = "",
    falsified_reason: str | None = None,
) -> dict:
    """The POST data of the sheet form (field names: `inspections.sheet_forms`)
    for a `parts` dict shaped like `full_sheet_parts`' result; a
    `falsified_reason` (even blank) marks the sheet as resting on falsified material."""
    data = {"selection_method": selection_method}
    if falsified_reason is not None:
        data["falsified"] = "on"
        data["falsified_reason"] = falsified_reason
    if chosen_alternative is not None:
        data["chosen_alternative"] = chosen_alternative
        data["alternative_reason"] = alternative_reason
    for p, part in parts.items():
        data[f"{p}-reference_no"] = part.get("reference_no", "")
        if part.get("servicing_item"):
            data[f"{p}-servicing_item"] = part["servicing_item"]
        if not part.get("observed", True):
            data[f"{p}-not_observed"] = "on"
            data[f"{p}-not_observed_reason"] = part.get("not_observed_reason", "")
        for s, entry in (part.get("answers") or {}).get("sections", {}).items():
            prefix = f"{p}-{s}"
            if "score" in entry:
                data[f"{prefix}-score"] = entry["score"]
            for key, value in (entry.get("items") or {}).items():
                data[f"{prefix}-item-{key}"] = value
            if entry.get("not_applicable"):
                data[f"{prefix}-na"] = "on"
                data[f"{prefix}-na_reason"] = entry.get("not_applicable_reason", "")
            if entry.get("notice_kind"):
                data[f"{prefix}-notice_kind"] = entry["notice_kind"]
            for occurrence in entry.get("occurrences") or ():
                name = f"{prefix}-item-{occurrence['kind']}"
                data[name] = "\n".join(filter(None, [data.get(name), occurrence["reference"]]))
    return data


def checklist_answers(sheet, *, compliant: bool | None = True, remark: str = "") -> dict:
    """An `answers` argument for `services.save_checklist`: every requirement
    answered the same way."""
    from scoring.selectors import checklist_requirements, sheet_definition

    return {
        requirement.key: {"compliant": compliant, "remark": remark}
        for requirement in checklist_requirements(sheet=sheet_definition(sheet=sheet))
    }


# --- rectification actions --------------------------------------------------------


class RectificationActionFactory(DjangoModelFactory):
    """An action made directly (no CREATED event): for tests that need many of
    them, such as the list's query count. Pass `visit`."""

    class Meta:
        model = "inspections.RectificationAction"

    description = factory.Sequence(lambda n: f"整改事项{n}")
    content_area = factory.LazyAttribute(lambda o: o.visit.campaign.rubric.content_areas.first())
    responsible_office = factory.SelfAttribute("visit.office")
    responsible_person = "钱经理"
    deadline = datetime.date(2012, 12, 15)
    created_by = factory.SelfAttribute("visit.planned_by")


def record_required_interviews(visit, inspector):
    """An interview of each audience the rubric requires at `visit` and it lacks."""
    from inspections import selectors, services

    for required in selectors.required_interviews(visit=visit):
        if required.done:
            continue
        services.save_interview(
            user=inspector,
            visit=visit,
            audience=required.audience,
            interviewee="访谈对象",
            post=required.audience.name[:50],
            notes="",
            answers={},
        )


def fill_visit(world, visit, inspector=None):
    """Fill `visit` with everything submission asks for (see conftest's
    `complete_visit`); `world` names the rubric, office a1 and its people."""
    from inspections import services
    from inspections.models import Finding
    from scoring.models import KpiThreshold

    inspector = inspector or visit.inspectors.first()
    sheets = {s.code: s for s in world.rubric.sheets.all()}
    if visit.office_id == world.a1.pk:
        people = {"new_business": world.pc, "policy_change": world.nb, "claims": world.pc}
    else:
        person = world.at_branch
        if visit.office_id:
            person = SpecialistFactory(office=visit.office, home_post=post("general"))
        people = dict.fromkeys(("new_business", "policy_change", "claims"), person)
    for code, person in people.items():
        services.save_sheet(
            user=inspector,
            visit=visit,
            specialist=person,
            sheet=sheets[code],
            selection_method="followed_live",
            parts=full_sheet_parts(sheets[code]),
            chosen_alternative="standard_process" if code == "claims" else None,
        )
    services.save_checklist(
        user=inspector,
        visit=visit,
        sheet=sheets["permissions"],
        specialist=None,
        answers=checklist_answers(sheets["permissions"]),
    )
    for person in set(people.values()):
        services.save_checklist(
            user=inspector,
            visit=visit,
            sheet=sheets["etiquette"],
            specialist=person,
            answers=checklist_answers(sheets["etiquette"]),
        )
    branch = visit.branch
    figures = [(KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, branch, None, "90")]
    figures += [
        (KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, branch, office, "100")
        for office in branch.offices.filter(active=True)
    ]
    services.save_kpi_figures(user=world.hq, campaign=visit.campaign, figures=figures)
    services.save_kpi_note(user=inspector, visit=visit, note="每周通报混合受理率。")
    record_required_interviews(visit, inspector)
    for area in world.rubric.content_areas.all():
        services.add_finding(
            user=inspector,
            visit=visit,
            content_area=area,
            kind=Finding.Kind.STRENGTH,
            text=f"{area.name}：落实到位",
        )
    visit.refresh_from_db()
    return visit


# A built branch report, as `submit_branch_report` takes it: (file name, content).
BRANCH_REPORT = ("甲分公司-验收报告.pdf", b"%PDF-1.7\n% a branch acceptance report\n")
