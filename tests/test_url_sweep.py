"""Issue 6, point 6: every URL pattern of the project, swept as every kind of user.

The sweep walks the whole URL resolver (`config.urls`, recursively: the app's
pages, reports, accounts, i18n, health, ping, the admin site) and asks `RULES`,
the one table of who may do what, about each pattern. A pattern without a rule
fails the sweep ("add a rule for URL 'x'"), so a new URL cannot ship without
someone deciding who may open it.

The world: two branches in one campaign; every object the URLs name belongs to
branch A. The users: anonymous, head office, an administrator (staff,
superuser), branch A's manager, the visit's inspector, an inspector of branch A
not on the visit, a head-office inspector not on the visit, branch B's manager
and an inspector of branch B.

For each pattern, each user, GET and POST:

- a user the rule allows gets 200 or a redirect to a page of the site
  (never to the log-in page);
- any other signed-in user gets 403 or 404 (405 where the method is not
  served), and anonymous users are sent to log in (the admin's log-in for the
  admin site);
- no response a user may not have shows branch A's data: branch A's office
  and people (`ORG_SECRETS`) never reach users outside branch A or head office,
  the visit's contents (`VISIT_SECRETS`) never reach users who may not see the
  visit, and a refused response shows neither;
- a refused request changes nothing: no row written (only the session
  bookkeeping), no e-mail sent, no file stored. A GET changes nothing for
  anyone. Each rule's POST data is effective (an allowed user's POST does
  change something), so a refusal is not just a form that failed validation.

Static files are outside the resolver (WhiteNoise serves them, public by
design); uploaded files and reports have no URL at all, which a test checks.

Every request runs in a savepoint that is rolled back, so each user meets the
same world, built once per module (and per xdist worker).
"""

import datetime
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from inspections import selectors, services
from inspections.models import (
    ActionEvidence,
    ChecklistRecord,
    ResultsPublication,
    Specialist,
    User,
    Visit,
)
from inspections.services import objections
from reports.exporters.base import REGISTRY
from reports.models import ReportJob
from scoring.models import KpiThreshold, RubricVersion
from tests import factories
from tests.inspections.roster_files import roster_xlsx
from tests.inspections.test_photos import photo_bytes

pytestmark = pytest.mark.django_db

# --- the users ---------------------------------------------------------------------------

ANON = "anonymous"
HQ = "hq"  # head office
ADMIN = "admin"  # role administrator, staff and superuser
STAFF = "staff"  # role administrator, staff, not a superuser: its group may edit branches
MA = "manager_a"  # the objects' own branch manager
IA = "inspector_a"  # the visit's inspector
IA2 = "inspector_a2"  # an inspector of branch A not on the visit
IHQ = "inspector_hq"  # a head-office inspector not on the visit
MB = "manager_b"  # another branch's manager
IB = "inspector_b"  # an inspector of another branch
USERS = (ANON, HQ, ADMIN, STAFF, MA, IA, IA2, IHQ, MB, IB)

SIGNED_IN = frozenset(USERS) - {ANON}
EVERYONE = frozenset(USERS)
HEAD_OFFICE = frozenset({HQ, ADMIN, STAFF})
SEE_VISIT = frozenset({HQ, ADMIN, STAFF, MA, IA})
EDIT_VISIT = frozenset({IA})
SEE_CHECK = frozenset({HQ, ADMIN, STAFF, MA})  # head office's check of branch A
MANAGERS = frozenset({HQ, ADMIN, STAFF, MA, MB})  # roster import, visit planning
SEE_RESULTS = MANAGERS  # the units' results analysis: each manager their own branch
#: who knows of the planned unannounced check: head office and its inspector
TOLD_OF_UNANNOUNCED = frozenset({HQ, ADMIN, STAFF, IHQ})
NOBODY = frozenset()

# --- what must not leak --------------------------------------------------------------------

SECRET = "机密甲"  # in every piece of the open visit's contents below
ORG_SECRETS = ("甲一支公司", "保全张")  # branch A's office and one of its people
VISIT_SECRETS = (SECRET,)
ORG, VISIT = "org", "visit"
TIERS = {ORG: ORG_SECRETS, VISIT: VISIT_SECRETS}
#: the secrets each user may never see, whatever the page
FORBIDDEN = {
    ANON: (ORG, VISIT),
    MB: (ORG, VISIT),
    IB: (ORG, VISIT),
    IA2: (VISIT,),  # sees branch A's offices and people, not a visit they are not on
    IHQ: (VISIT,),  # sees every branch, not a visit they are not on
    HQ: (),
    ADMIN: (),
    STAFF: (),
    MA: (),
    IA: (),
}


def secret_forms(text: str) -> tuple[str, ...]:
    """A secret as HTML shows it and as a JSON response escapes it."""
    return (text, json.dumps(text)[1:-1])


# --- the world ----------------------------------------------------------------------------

PNG = photo_bytes(size=(8, 8), fmt="PNG")  # a real image: evidence gets its thumbnail
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def _plan(w, office):
    return services.plan_visit(
        user=w.manager_a,
        campaign=w.campaign,
        branch=w.branch_a,
        office=office,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[w.inspector_a],
    )


def build_world() -> SimpleNamespace:
    call_command("load_rubric", verbosity=0)
    w = SimpleNamespace(rubric=RubricVersion.objects.get(version="2012"))
    w.sheets = {sheet.code: sheet for sheet in w.rubric.sheets.all()}
    w.branch_a = factories.BranchFactory(code="a", name="甲分公司")
    w.branch_b = factories.BranchFactory(code="b", name="乙分公司")
    w.a1 = factories.OfficeFactory(branch=w.branch_a, code="a1", name="甲一支公司")
    w.a2 = factories.OfficeFactory(branch=w.branch_a, code="a2", name="甲二支公司")
    w.b1 = factories.OfficeFactory(branch=w.branch_b, code="b1", name="乙一支公司")
    post = factories.post
    w.pc = factories.SpecialistFactory(
        office=w.a1, name="保全张", home_post=post("policy_change"), employee_no="A1-001"
    )
    w.nb = factories.SpecialistFactory(
        office=w.a1,
        name="契约李",
        home_post=post("contract"),
        concurrent_posts=[post("claims")],
        employee_no="A1-002",
    )
    w.generalist = factories.SpecialistFactory(
        office=w.a1, name="综合王", home_post=post("general"), employee_no="A1-003"
    )
    factories.SpecialistFactory(office=w.b1, name="乙一孙", home_post=post("general"))
    w.hq = factories.HeadOfficeUserFactory(username="hq", email="hq@example.com")
    w.admin = factories.UserFactory(
        username="admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True
    )
    w.staff = factories.UserFactory(username="staff", role=User.Role.ADMIN, is_staff=True)
    editors = Group.objects.create(name="organisation editors")
    editors.permissions.set(
        Permission.objects.filter(codename__in=["view_branch", "change_branch", "view_office"])
    )
    w.staff.groups.add(editors)
    w.manager_a = factories.BranchManagerFactory(
        username="manager-a", branch=w.branch_a, email="manager-a@example.com"
    )
    w.manager_b = factories.BranchManagerFactory(username="manager-b", branch=w.branch_b)
    w.inspector_a = factories.InspectorFactory(username="inspector-a", branch=w.branch_a)
    w.inspector_a2 = factories.InspectorFactory(username="inspector-a2", branch=w.branch_a)
    w.inspector_hq = factories.InspectorFactory(username="inspector-hq")
    w.inspector_b = factories.InspectorFactory(username="inspector-b", branch=w.branch_b)
    w.campaign = services.create_campaign(
        user=w.hq,
        name="2012年度一柜通验收",
        rubric=w.rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[w.branch_a, w.branch_b],
    )

    # The open visit, with one of everything in it; its contents carry SECRET.
    w.visit = visit = _plan(w, w.a1)
    user = w.inspector_a
    w.record = services.save_sheet(
        user=user,
        visit=visit,
        specialist=w.pc,
        sheet=w.sheets["new_business"],
        selection_method="followed_live",
        parts=factories.full_sheet_parts(w.sheets["new_business"]),
    )
    services.save_checklist(
        user=user,
        visit=visit,
        sheet=w.sheets["etiquette"],
        specialist=w.pc,
        answers=factories.checklist_answers(w.sheets["etiquette"], remark=f"{SECRET}备注"),
    )
    w.entry = services.save_log_entry(
        user=user,
        visit=visit,
        policy_no="P-1",
        business_item="新契约",
        operator=w.pc,
        minutes_document_review=None,
        minutes_scanning=None,
        minutes_data_entry=None,
        remarks=f"{SECRET}表一",
    )
    w.audience = w.rubric.interview_audiences.order_by("order", "pk").first()
    w.interview = services.save_interview(
        user=user,
        visit=visit,
        audience=w.audience,
        interviewee=f"{SECRET}受访人",
        post="专员",
        notes=f"{SECRET}访谈",
        answers={},
    )
    w.area = w.rubric.content_areas.order_by("order").first()
    w.finding = services.add_finding(
        user=user, visit=visit, content_area=w.area, kind="shortcoming", text=f"{SECRET}发现"
    )
    services.save_kpi_note(user=user, visit=visit, note=f"{SECRET}指标说明")
    w.evidence = services.add_evidence(
        user=user,
        visit=visit,
        upload=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
        caption=f"{SECRET}照片",
        sheet_record=w.record,
    )

    def action(description):
        return services.add_action(
            user=user,
            visit=visit,
            content_area=w.area,
            description=f"{SECRET}{description}",
            responsible_office=w.a1,
            responsible_person="钱经理",
            deadline=datetime.date(2012, 12, 15),
        )

    w.open_action = action("未开始事项")
    w.submitted_action = action("待验证事项")
    services.submit_for_verification(
        user=w.manager_a,
        action=w.submitted_action,
        text=f"{SECRET}已完成",
        files=[SimpleUploadedFile("照片.jpg", JPEG, content_type="image/jpeg")],
    )
    w.action_evidence = ActionEvidence.objects.get(action=w.submitted_action)
    waiting = action("待延期事项")
    w.extension = services.request_extension(
        user=w.manager_a,
        action=waiting,
        new_deadline=datetime.date(2012, 12, 31),
        reason=f"{SECRET}排期",
    )

    # A submitted visit (for the review) and an approved one with its report.
    w.submitted_visit = _plan(w, w.a1)
    factories.fill_visit(w, w.submitted_visit, w.inspector_a)
    services.submit_visit(user=w.inspector_a, visit=w.submitted_visit)
    w.approved_visit = _plan(w, w.a1)
    factories.fill_visit(w, w.approved_visit, w.inspector_a)
    # Two problems raised in its interviews: its approval puts them on the register.
    questions = list(w.audience.questions.order_by("order", "pk")[:2])
    services.save_interview(
        user=w.inspector_a,
        visit=w.approved_visit,
        audience=w.audience,
        interviewee="窗口受访人",
        post="专员",
        notes="",
        answers={q.pk: {"text": f"{SECRET}问题{q.pk}", "tag": "problem"} for q in questions},
    )
    services.add_finding(
        user=w.inspector_a,
        visit=w.approved_visit,
        content_area=w.area,
        kind="shortcoming",
        text=f"{SECRET}已批准的发现",
    )
    services.submit_visit(user=w.inspector_a, visit=w.approved_visit)
    services.approve_visit(user=w.hq, visit=w.approved_visit, comment="同意")
    w.problem, w.responded_problem = w.approved_visit.raised_problems.order_by("pk")
    services.respond_to_problem(
        user=w.manager_a, problem=w.responded_problem, response=f"{SECRET}答复", version=1
    )
    # An approved visit of branch B too, so that its reports have something to show.
    visit_b = services.plan_visit(
        user=w.manager_b,
        campaign=w.campaign,
        branch=w.branch_b,
        office=w.b1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 27),
        end_date=datetime.date(2012, 10, 28),
        inspectors=[w.inspector_b],
    )
    _fill_b(w, visit_b)
    services.submit_visit(user=w.inspector_b, visit=visit_b)
    services.approve_visit(user=w.hq, visit=visit_b, comment="同意")
    # Every kind of report, built for real: a download is checked for leaks like a page.
    w.job = _built_job(w.hq, "visit-pdf", visit=w.approved_visit)
    w.visit_xlsx_job = _built_job(w.hq, "visit-xlsx", visit=w.approved_visit)
    # Branch A's report is built (its manager may submit it); branch B's is
    # submitted (its file is served to head office and branch B's managers).
    w.branch_job = _built_job(w.manager_a, "branch-pdf", campaign=w.campaign, branch=w.branch_a)
    w.branch_xlsx_job = _built_job(
        w.manager_a, "branch-xlsx", campaign=w.campaign, branch=w.branch_a
    )
    w.consolidated_job = _built_job(w.hq, "consolidated-xlsx", campaign=w.campaign)
    w.consolidated_pdf_job = _built_job(w.hq, "consolidated-pdf", campaign=w.campaign)
    w.blank_forms_job = _built_job(w.manager_b, "blank-forms-pdf", campaign=w.campaign)
    branch_b_report = REGISTRY["branch-pdf"](
        campaign_id=w.campaign.pk, branch_id=w.branch_b.pk
    ).build()
    w.submission_b = services.submit_branch_report(
        user=w.manager_b,
        campaign=w.campaign,
        branch=w.branch_b,
        report=("branch-b.pdf", branch_b_report),
    )
    # An unannounced head-office check of branch A itself, not started yet:
    # only head office and its inspector (a head-office one) know of it.
    # Planned before branch A's results are published, which ends planning.
    w.unannounced = services.plan_visit(
        user=w.hq,
        campaign=w.campaign,
        branch=w.branch_a,
        office=None,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=datetime.date(2012, 11, 5),
        end_date=datetime.date(2012, 11, 6),
        inspectors=[w.inspector_hq],
        unannounced=True,
    )
    _objected_check(w)
    w.other_a = _other_visit_of_branch_a(w)
    w.other_b = _objects_outside_branch_a(w)
    return w


def _objected_check(w) -> None:
    """Head office's approved check of branch A's own counters, its results
    published and objected to by branch A's manager (the grounds carry SECRET).
    The window is set open for good: the sweep runs on today's date."""
    w.at_branch = factories.SpecialistFactory(
        office=None, branch=w.branch_a, name="本部赵", home_post=factories.post("general")
    )
    checker = factories.InspectorFactory(username="inspector-check")
    w.check = services.plan_visit(
        user=w.hq,
        campaign=w.campaign,
        branch=w.branch_a,
        office=None,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        start_date=datetime.date(2012, 11, 5),
        end_date=datetime.date(2012, 11, 6),
        inspectors=[checker],
    )
    factories.fill_visit(w, w.check, checker)
    services.submit_visit(user=checker, visit=w.check)
    services.approve_visit(user=w.hq, visit=w.check)
    ResultsPublication.objects.create(
        campaign=w.campaign,
        branch=w.branch_a,
        published_by=w.hq,
        window_closes_on=datetime.date(2099, 12, 31),
    )
    w.targets = selectors.objection_targets(visit=w.check)
    w.objection = objections.raise_objection(
        user=w.manager_a,
        visit=w.check,
        target=w.targets[0].key,
        grounds=f"{SECRET}异议",
        files=[SimpleUploadedFile("说明.pdf", PDF, content_type="application/pdf")],
    )
    w.objection_evidence = w.objection.evidence.get()


def _built_job(user, exporter: str, **subject) -> ReportJob:
    """A finished report job of `exporter` whose file the exporter really built."""
    cls = REGISTRY[exporter]
    content = cls(**{f"{name}_id": value.pk for name, value in subject.items()}).build()
    job = ReportJob(
        exporter=exporter,
        format=cls.format,
        requested_by=user,
        state=ReportJob.State.DONE,
        progress=100,
        is_current=True,
        download_name=f"{exporter}.{cls.format}",
        **subject,
    )
    job.file.save(f"{exporter}.{cls.format}", ContentFile(content), save=False)
    job.save()
    return job


def _fill_b(w, visit):
    """Branch B's visit, complete enough to submit (its own specialist, lines waived)."""
    person = Specialist.objects.get(name="乙一孙")
    for code in ("new_business", "policy_change", "claims"):
        services.save_sheet(
            user=w.inspector_b,
            visit=visit,
            specialist=person,
            sheet=w.sheets[code],
            selection_method="followed_live",
            parts=factories.full_sheet_parts(w.sheets[code]),
            chosen_alternative="standard_process" if code == "claims" else None,
        )
    services.save_checklist(
        user=w.inspector_b,
        visit=visit,
        sheet=w.sheets["permissions"],
        specialist=None,
        answers=factories.checklist_answers(w.sheets["permissions"]),
    )
    services.save_checklist(
        user=w.inspector_b,
        visit=visit,
        sheet=w.sheets["etiquette"],
        specialist=person,
        answers=factories.checklist_answers(w.sheets["etiquette"]),
    )
    services.save_kpi_figures(
        user=w.hq,
        campaign=w.campaign,
        figures=[(KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, w.branch_b, None, "90")]
        + [
            (KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, w.branch_b, office, "100")
            for office in w.branch_b.offices.filter(active=True)
        ],
    )
    services.save_kpi_note(user=w.inspector_b, visit=visit, note="乙方指标说明")
    factories.record_required_interviews(visit, w.inspector_b)
    for area in w.rubric.content_areas.all():
        services.add_finding(
            user=w.inspector_b, visit=visit, content_area=area, kind="strength", text="乙方优势"
        )


def _other_visit_of_branch_a(w) -> SimpleNamespace:
    """Another open visit of branch A, by the same inspector, with a record of each kind."""
    other = SimpleNamespace(visit=_plan(w, w.a2))
    user = w.inspector_a
    person = factories.SpecialistFactory(
        office=w.a2, name="甲二员工", home_post=factories.post("general")
    )
    other.record = services.save_sheet(
        user=user,
        visit=other.visit,
        specialist=person,
        sheet=w.sheets["new_business"],
        selection_method="followed_live",
        parts=factories.full_sheet_parts(w.sheets["new_business"]),
    )
    other.entry = services.save_log_entry(
        user=user,
        visit=other.visit,
        policy_no="P-9",
        business_item="退保",
        operator=person,
        minutes_document_review=None,
        minutes_scanning=None,
        minutes_data_entry=None,
        remarks="",
    )
    other.interview = services.save_interview(
        user=user,
        visit=other.visit,
        audience=w.audience,
        interviewee="别处受访人",
        post="专员",
        notes="",
        answers={},
    )
    other.finding = services.add_finding(
        user=user, visit=other.visit, content_area=w.area, kind="strength", text="别处发现"
    )
    return other


def _objects_outside_branch_a(w) -> SimpleNamespace:
    """Objects a user of branch A may never name: branch B's, a campaign without
    branch A, and a draft rubric's sheet, content area and audience."""
    from scoring.rubric_io import copy_as_draft

    other = SimpleNamespace()
    other.specialist = Specialist.objects.get(name="乙一孙")
    other.campaign = services.create_campaign(
        user=w.hq,
        name="乙方专项验收",
        rubric=w.rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[w.branch_b],
    )
    draft = copy_as_draft(w.rubric, new_version="2013-draft", name="2013年草稿")
    other.sheet = draft.sheets.get(code="new_business")
    other.area = draft.content_areas.order_by("order").first()
    other.audience = draft.interview_audiences.order_by("order").first()
    visit_b = services.plan_visit(
        user=w.manager_b,
        campaign=w.campaign,
        branch=w.branch_b,
        office=w.b1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[w.inspector_b],
    )
    other.record = services.save_sheet(
        user=w.inspector_b,
        visit=visit_b,
        specialist=other.specialist,
        sheet=w.sheets["new_business"],
        selection_method="followed_live",
        parts=factories.full_sheet_parts(w.sheets["new_business"]),
    )
    return other


@pytest.fixture(scope="module")
def world_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The sweep's world, built once per module in a transaction rolled back at the end."""
    media = tmp_path_factory.mktemp("sweep-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        w = build_world()
        w.media = media
        w.sessions = {}
        for user_key in USERS[1:]:
            client = Client()
            client.force_login(getattr(w, user_key))
            w.sessions[user_key] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def w(world_once, db):
    """The module's world; each test's changes are rolled back (`db`)."""
    return world_once


# --- the rules table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Method:
    """What one HTTP method of a URL does for each user.

    ok:       users who get their page (200) or a redirect to a page of the site;
              every other signed-in user gets 403 or 404.
    data:     the query (GET) or the form (POST), built from the world.
    writes:   users whose request may change data (default: `ok` for POST,
              nobody for GET).
    effect:   some user of `writes` really changes something with `data`: the
              data is good, so a refusal is the access check's, not the form's.
    statuses: what an allowed user may get.
    shows:    secret tiers an allowed user entitled to them must find on the page
              (so the leak check is looking for strings that do appear).
    """

    ok: frozenset = NOBODY
    data: object = None
    writes: frozenset | None = None
    effect: bool = False
    statuses: frozenset = frozenset({200, 302})
    shows: tuple = ()
    not_allowed: bool = False


NOT_ALLOWED = Method(not_allowed=True)  # 405 for whoever gets past the log-in check
SAME_AS_GET = "same as GET"  # a view that answers POST as it answers GET


def GET(ok, **options):
    return Method(ok=ok, **options)


def POST(ok, data=None, *, effect=True, **options):
    return Method(ok=ok, data=data, effect=effect, **options)


@dataclass(frozen=True)
class Rule:
    """kwargs: the URL's arguments, from the world (and the pattern, for the admin)."""

    get: Method
    post: Method | str = NOT_ALLOWED
    kwargs: object = None
    public: bool = False  # anonymous users are served like anyone else
    login_url: str = "/accounts/login/"
    to_login_ok: bool = False  # a redirect to the log-in page is this URL's success (log-out)
    staff_only: bool = False  # the admin site: users without staff status are sent to log in


def pk(attribute, name="pk"):
    return lambda w, _pattern: {name: getattr(w, attribute).pk}


def visit_and(attribute, name):
    return lambda w, _pattern: {"pk": w.visit.pk, name: getattr(w, attribute).pk}


def campaign_and_branch(w, _pattern):
    return {"pk": w.campaign.pk, "branch_pk": w.branch_a.pk}


def visit_pk(w, _pattern):
    return {"pk": w.visit.pk}


def sheet_post(w):
    sheet = w.sheets["new_business"]
    return factories.sheet_post_data(factories.full_sheet_parts(sheet))


def checklist_post(w):
    answers = factories.checklist_answers(w.sheets["etiquette"])
    # The version the page was opened at: read when the request is made.
    version = (
        ChecklistRecord.objects.filter(visit=w.visit, sheet=w.sheets["etiquette"], specialist=w.pc)
        .values_list("version", flat=True)
        .first()
    )
    return {"specialist": w.pc.pk, "version": version or 0} | {
        f"answer-{key}": "yes" for key in answers
    }


def interview_post(w):
    return {"audience": w.audience.pk, "interviewee": "李", "post": "专员"}


def roster_post(w):
    rows = [("A1-900", "新人周", "甲一支公司", "保全", None, "是")]
    upload = SimpleUploadedFile("roster.xlsx", roster_xlsx(rows))
    return {"branch": w.branch_a.pk, "file": upload}


VISIT_PAGE = Rule(get=GET(SEE_VISIT), post=SAME_AS_GET, kwargs=visit_pk)
VISIT_FORM = dict(ok=EDIT_VISIT)  # the visit's inspector changes it; viewers get 403

RULES: dict[str, Rule] = {
    # --- health and accounts (django.contrib.auth.urls) and the language switch
    "healthz": Rule(
        get=GET(EVERYONE, statuses=frozenset({200, 503})), post=SAME_AS_GET, public=True
    ),
    "ping": Rule(get=GET(EVERYONE), post=SAME_AS_GET, public=True),
    "login": Rule(get=GET(EVERYONE), post=POST(EVERYONE, {}, effect=False), public=True),
    "logout": Rule(
        get=NOT_ALLOWED,
        post=POST(EVERYONE, {}, effect=False, writes=EVERYONE),
        public=True,
        to_login_ok=True,
    ),
    "password_change": Rule(
        get=GET(SIGNED_IN),
        post=POST(
            SIGNED_IN,
            {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
            effect=False,
            writes=NOBODY,
        ),
    ),
    "password_change_done": Rule(get=GET(SIGNED_IN)),
    "password_reset": Rule(
        get=GET(EVERYONE),
        post=POST(EVERYONE, {"email": "nobody@example.invalid"}, effect=False, writes=NOBODY),
        public=True,
    ),
    "password_reset_done": Rule(get=GET(EVERYONE), public=True),
    "password_reset_confirm": Rule(
        get=GET(EVERYONE),
        post=POST(
            EVERYONE,
            {"new_password1": "Xx-123456789", "new_password2": "Xx-123456789"},
            effect=False,
            writes=NOBODY,
        ),
        kwargs=lambda w, _p: {
            "uidb64": urlsafe_base64_encode(force_bytes(w.manager_a.pk)),
            "token": "bad-token",
        },
        public=True,
    ),
    "password_reset_complete": Rule(get=GET(EVERYONE), public=True),
    "set_language": Rule(
        get=GET(EVERYONE, data={"next": "/"}),
        post=POST(EVERYONE, {"language": "zh-hans", "next": "/"}, effect=False),
        public=True,
    ),
    # --- reports
    "visit-reports": Rule(get=GET(SEE_VISIT), post=SAME_AS_GET, kwargs=pk("approved_visit")),
    "visit-reports-generate": Rule(
        get=NOT_ALLOWED, post=POST(SEE_VISIT, {"format": "xlsx"}), kwargs=pk("approved_visit")
    ),
    "campaign-reports": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET, kwargs=pk("campaign")),
    "campaign-reports-status": Rule(get=GET(SIGNED_IN), kwargs=pk("campaign")),
    "campaign-reports-generate": Rule(
        get=NOT_ALLOWED,
        post=POST(
            frozenset({HQ, ADMIN, STAFF, MA}),
            lambda w: {"exporter": "branch-pdf", "branch": w.branch_a.pk},
        ),
        kwargs=pk("campaign"),
    ),
    # Where points are lost: head office, and each branch's managers for their branch.
    "campaign-losses": Rule(get=GET(SEE_RESULTS), kwargs=pk("campaign")),
    "campaign-losses-xlsx": Rule(get=GET(SEE_RESULTS), kwargs=pk("campaign")),
    "campaign-loss-visits": Rule(
        get=GET(
            SEE_RESULTS,
            data={
                "sheet": "new_business",
                "part": "new_business_process",
                "section": "intake_review",
            },
        ),
        kwargs=pk("campaign"),
    ),
    "report-job": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    "report-job-status": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    "report-job-download": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    # A unit's results across campaigns: who sees unit results, of branch A
    # (an inspector sees no unit's results: 403; another branch's manager: 404).
    "office-trend": Rule(get=GET(SEE_CHECK, shows=(ORG,)), kwargs=pk("a1")),
    "office-trend-xlsx": Rule(get=GET(SEE_CHECK, shows=(ORG,)), kwargs=pk("a1")),
    "branch-trend": Rule(get=GET(SEE_CHECK), kwargs=pk("branch_a")),
    "branch-trend-xlsx": Rule(get=GET(SEE_CHECK), kwargs=pk("branch_a")),
    # --- organisation
    "home": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET),
    "specialist-list": Rule(get=GET(SIGNED_IN, shows=(ORG,)), post=SAME_AS_GET),
    "roster-import": Rule(
        get=GET(MANAGERS),
        # Branch B's manager may import rosters, not branch A's: the form refuses it.
        post=POST(MANAGERS, roster_post, writes=frozenset({HQ, ADMIN, STAFF, MA})),
    ),
    "roster-template": Rule(get=GET(MANAGERS)),
    # --- campaigns
    "campaign-list": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET),
    "campaign-create": Rule(
        get=GET(HEAD_OFFICE),
        post=POST(
            HEAD_OFFICE,
            lambda w: {
                "name": "2013年度",
                "rubric": w.rubric.pk,
                "period_start": "2013-01-01",
                "period_end": "2013-02-01",
                "report_due": "2013-02-10",
                "branches": [w.branch_a.pk],
            },
        ),
    ),
    "campaign-detail": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET, kwargs=pk("campaign")),
    "campaign-grade-bands": Rule(
        get=NOT_ALLOWED,
        # The campaign has visits: its bands are frozen, so even head office changes nothing.
        post=POST(HEAD_OFFICE, {"bands": "A 90\nC 0"}, effect=False),
        kwargs=pk("campaign"),
    ),
    "campaign-draw": Rule(
        get=NOT_ALLOWED, post=POST(HEAD_OFFICE, {"reason": ""}), kwargs=campaign_and_branch
    ),
    "campaign-remind": Rule(
        get=NOT_ALLOWED, post=POST(HEAD_OFFICE, {}), kwargs=campaign_and_branch
    ),
    "campaign-branch-report-submit": Rule(
        get=NOT_ALLOWED, post=POST(frozenset({MA}), {"note": "报告"}), kwargs=campaign_and_branch
    ),
    "campaign-branch-report-submitted": Rule(
        get=GET(frozenset({HQ, ADMIN, STAFF, MB})),
        post=NOT_ALLOWED,
        kwargs=lambda w, _p: {"pk": w.campaign.pk, "branch_pk": w.branch_b.pk},
    ),
    "campaign-kpis": Rule(
        get=GET(HEAD_OFFICE),
        post=POST(HEAD_OFFICE, lambda w: {f"balanced-{w.branch_a.pk}": "80"}),
        kwargs=pk("campaign"),
    ),
    "campaign-kpi-template": Rule(get=GET(HEAD_OFFICE), kwargs=pk("campaign")),
    # Units' results: head office, and each branch's managers (their branch's
    # rows only, so branch B's manager finds nothing of branch A); inspectors
    # see only the visits they inspect, so not these (access.sees_unit_results).
    "campaign-results": Rule(get=GET(HEAD_OFFICE | {MA, MB}, shows=(ORG,)), kwargs=pk("campaign")),
    "campaign-results-xlsx": Rule(
        get=GET(HEAD_OFFICE | {MA, MB}, shows=(ORG,)), kwargs=pk("campaign")
    ),
    "visit-plan": Rule(
        get=GET(MANAGERS),
        # Head office plans head-office checks and branch B's manager branch B's
        # visits: their forms refuse this self-inspection of branch A.
        post=POST(
            MANAGERS,
            lambda w: {
                "kind": "self_inspection",
                "branch": w.branch_a.pk,
                "office": w.a2.pk,
                "start_date": "2012-11-01",
                "end_date": "2012-11-02",
                "inspectors": [w.inspector_a.pk],
            },
            writes=frozenset({MA}),
        ),
        kwargs=pk("campaign"),
    ),
    # --- visits
    "visit-list": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET),
    # Everyone signed in: an inspector's list is empty (nothing is theirs to review).
    "review-list": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET),
    "visit-detail": Rule(get=GET(SEE_VISIT, shows=(ORG,)), post=SAME_AS_GET, kwargs=visit_pk),
    "visit-history": Rule(get=GET(SEE_VISIT), kwargs=visit_pk),
    # Only the planned (unannounced) check can start; its inspector starts it.
    "visit-start": Rule(get=NOT_ALLOWED, post=POST(frozenset({IHQ}), {}), kwargs=pk("unannounced")),
    "visit-draw-specialists": Rule(
        get=NOT_ALLOWED, post=POST(data={"size": 1}, **VISIT_FORM), kwargs=visit_pk
    ),
    "visit-line-waiver": Rule(
        get=NOT_ALLOWED,
        post=POST(data={"business_line": "claims", "reason": "无案件"}, **VISIT_FORM),
        kwargs=visit_pk,
    ),
    "visit-sheet-new": Rule(
        get=GET(EDIT_VISIT, data=lambda w: {"sheet": w.sheets["claims"].pk, "specialist": w.nb.pk}),
        post=POST(
            data=lambda w: (
                {"sheet": w.sheets["new_business"].pk, "specialist": w.generalist.pk}
                | sheet_post(w)
            ),
            **VISIT_FORM,
        ),
        kwargs=visit_pk,
    ),
    "visit-sheet": Rule(
        get=GET(SEE_VISIT, shows=(ORG,)),
        # The version the page was opened at: read when the request is made.
        post=POST(
            data=lambda w: (
                sheet_post(w) | {"version": type(w.record).objects.get(pk=w.record.pk).version}
            ),
            **VISIT_FORM,
        ),
        kwargs=visit_and("record", "record_pk"),
    ),
    "visit-sheet-preview": Rule(
        get=NOT_ALLOWED,
        post=POST(SEE_VISIT, sheet_post, effect=False),
        kwargs=lambda w, _p: {"pk": w.visit.pk, "sheet_code": "new_business"},
    ),
    "visit-checklist": Rule(
        get=GET(SEE_VISIT, data=lambda w: {"specialist": w.pc.pk}, shows=(ORG, VISIT)),
        post=POST(data=checklist_post, **VISIT_FORM),
        kwargs=lambda w, _p: {"pk": w.visit.pk, "sheet_code": "etiquette"},
    ),
    "visit-log": Rule(
        get=GET(SEE_VISIT, shows=(ORG, VISIT)),
        post=POST(
            data=lambda w: {"policy_no": "P-2", "business_item": "退保", "operator": w.pc.pk},
            **VISIT_FORM,
        ),
        kwargs=visit_pk,
    ),
    "visit-log-delete": Rule(
        get=NOT_ALLOWED, post=POST(data={}, **VISIT_FORM), kwargs=visit_and("entry", "entry_pk")
    ),
    "visit-kpis": Rule(
        get=GET(SEE_VISIT, shows=(VISIT,)),
        post=POST(data={"note": "周报"}, **VISIT_FORM),
        kwargs=visit_pk,
    ),
    "visit-interviews": Rule(get=GET(SEE_VISIT, shows=(VISIT,)), post=SAME_AS_GET, kwargs=visit_pk),
    "visit-interview-new": Rule(
        get=GET(SEE_VISIT, data=lambda w: {"audience": w.audience.pk}),
        post=POST(data=interview_post, **VISIT_FORM),
        kwargs=visit_pk,
    ),
    "visit-interview": Rule(
        get=GET(SEE_VISIT, shows=(VISIT,)),
        # An interview keeps its audience: the form has no such field.
        post=POST(data={"interviewee": "李", "post": "专员"}, **VISIT_FORM),
        kwargs=visit_and("interview", "interview_pk"),
    ),
    "visit-findings": Rule(
        get=GET(SEE_VISIT, shows=(VISIT,)),
        post=POST(
            data=lambda w: {"content_area": w.area.pk, "kind": "shortcoming", "text": "不足"},
            **VISIT_FORM,
        ),
        kwargs=visit_pk,
    ),
    "visit-finding-delete": Rule(
        get=NOT_ALLOWED,
        post=POST(data={}, **VISIT_FORM),
        kwargs=visit_and("finding", "finding_pk"),
    ),
    "visit-actions": Rule(
        get=GET(SEE_VISIT, shows=(VISIT,)),
        post=POST(
            data=lambda w: {
                "content_area": w.area.pk,
                "description": "整改",
                "responsible_office": w.a1.pk,
                "responsible_person": "钱",
                "owner": w.manager_a.pk,
                "deadline": "2012-12-31",
            },
            **VISIT_FORM,
        ),
        kwargs=visit_pk,
    ),
    "visit-evidence-upload": Rule(
        get=NOT_ALLOWED,
        post=POST(
            data=lambda w: {
                "file": SimpleUploadedFile("more.png", PNG, content_type="image/png"),
                "caption": "x",
                "target": f"sheet:{w.record.pk}",
            },
            **VISIT_FORM,
        ),
        kwargs=visit_pk,
    ),
    "visit-submit": Rule(
        get=NOT_ALLOWED,
        # The open visit is incomplete: its inspector gets the list of what is missing (400).
        post=POST(data={}, effect=False, statuses=frozenset({400}), **VISIT_FORM),
        kwargs=visit_pk,
    ),
    "visit-review": Rule(
        get=NOT_ALLOWED,
        post=POST(frozenset({HQ, ADMIN, STAFF, MA}), {"decision": "return", "comment": "补充"}),
        kwargs=pk("submitted_visit"),
    ),
    "evidence-download": Rule(
        get=GET(SEE_VISIT),
        post=SAME_AS_GET,
        kwargs=lambda w, _p: {"uuid": w.evidence.uuid},
    ),
    "evidence-thumbnail": Rule(
        get=GET(SEE_VISIT),
        post=SAME_AS_GET,
        kwargs=lambda w, _p: {"uuid": w.evidence.uuid},
    ),
    "visit-sheet-evidence": Rule(
        get=NOT_ALLOWED,
        post=POST(
            data=lambda w: {
                "file": SimpleUploadedFile("more.png", PNG, content_type="image/png"),
                "specialist": w.record.specialist_id,
                "item_key": "",
            },
            **VISIT_FORM,
        ),
        kwargs=lambda w, _p: {"pk": w.visit.pk, "sheet_code": w.record.sheet.code},
    ),
    # --- rectification actions
    "action-list": Rule(get=GET(SIGNED_IN, shows=(VISIT,)), post=SAME_AS_GET),
    "action-stats": Rule(get=GET(HEAD_OFFICE), post=SAME_AS_GET),
    "action-stats-xlsx": Rule(get=GET(HEAD_OFFICE)),
    "action-detail": Rule(
        get=GET(SEE_VISIT, shows=(VISIT,)), post=SAME_AS_GET, kwargs=pk("open_action")
    ),
    "action-progress": Rule(
        get=NOT_ALLOWED, post=POST(frozenset({MA}), {"note": "进展"}), kwargs=pk("open_action")
    ),
    "action-submit": Rule(
        get=NOT_ALLOWED, post=POST(frozenset({MA}), {"text": "已完成"}), kwargs=pk("open_action")
    ),
    "action-verify": Rule(
        get=NOT_ALLOWED,
        post=POST(frozenset({HQ, ADMIN, STAFF, IA}), {"decision": "close"}),
        kwargs=pk("submitted_action"),
    ),
    "action-extension-request": Rule(
        get=NOT_ALLOWED,
        post=POST(frozenset({MA}), {"new_deadline": "2012-12-31", "reason": "排期"}),
        kwargs=pk("open_action"),
    ),
    "action-extension-decide": Rule(
        get=NOT_ALLOWED,
        post=POST(HEAD_OFFICE, {"decision": "approve"}),
        kwargs=pk("extension", "extension_pk"),
    ),
    "action-evidence": Rule(
        get=GET(SEE_VISIT),
        post=SAME_AS_GET,
        kwargs=lambda w, _p: {"uuid": w.action_evidence.uuid},
    ),
    # --- the problem register (entries of branch A's approved visit; version 1
    # open, version 2 responded by branch A's manager)
    "problem-list": Rule(get=GET(SIGNED_IN, shows=(VISIT,))),
    "problem-register-xlsx": Rule(get=GET(SIGNED_IN, shows=(VISIT,))),
    "problem-detail": Rule(get=GET(SEE_VISIT, shows=(VISIT,)), kwargs=pk("problem")),
    "problem-respond": Rule(
        get=NOT_ALLOWED,
        post=POST(frozenset({MA}), {"response": "已处理", "version": 1}),
        kwargs=pk("problem"),
    ),
    "problem-review": Rule(
        get=NOT_ALLOWED,
        post=POST(HEAD_OFFICE, {"decision": "close", "version": 2}),
        kwargs=pk("responded_problem"),
    ),
    "problem-reassign": Rule(
        get=NOT_ALLOWED,
        post=POST(
            HEAD_OFFICE,
            lambda w: {"owner": w.hq.pk, "deadline": "2099-01-31", "version": 1},
        ),
        kwargs=pk("problem"),
    ),
    # --- published results and objections (head office's check of branch A)
    "campaign-publish": Rule(
        get=NOT_ALLOWED,
        # Branch A's results are published already: head office is told so
        # (publishing for real counts working days from today's date).
        post=POST(HEAD_OFFICE, {}, effect=False),
        kwargs=campaign_and_branch,
    ),
    "visit-objection-new": Rule(
        get=GET(frozenset({MA})),
        post=POST(
            frozenset({MA}),
            lambda w: {
                "target": w.targets[1].key,
                "grounds": "另一项异议",
                "files": SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
            },
        ),
        kwargs=pk("check"),
    ),
    "objection-detail": Rule(
        get=GET(SEE_CHECK, shows=(VISIT,)),
        post=POST(HEAD_OFFICE, {"decision": "reject", "reason": "维持原评分"}),
        kwargs=pk("objection"),
    ),
    "objection-evidence": Rule(
        get=GET(SEE_CHECK),
        post=SAME_AS_GET,
        kwargs=lambda w, _p: {"uuid": w.objection_evidence.uuid},
    ),
}


# --- the admin site: one rule -------------------------------------------------------------


def admin_kwargs(w, pattern):
    """Arguments for any admin URL: an existing object of the pattern's model
    (a visit of branch A where the model allows), its app, its content type."""
    kwargs = {}
    names = set(pattern.kwarg_names)
    model = None
    match = re.match(r"admin/(\w+)/(\w+)/", pattern.route)
    if match:
        try:
            model = apps.get_model(match[1], match[2])
        except LookupError:
            model = None
    if "app_label" in names:
        kwargs["app_label"] = "inspections"
    if "content_type_id" in names:
        kwargs["content_type_id"] = ContentType.objects.get_for_model(Visit).pk
        model = Visit
    if "url" in names:
        kwargs["url"] = "no-such-page/"
    for name in names & {"object_id", "id"}:
        if model is Visit or model is None:
            kwargs[name] = w.visit.pk
        else:
            first = model._default_manager.order_by("pk").first()
            kwargs[name] = first.pk if first is not None else 0
    return kwargs


ADMIN_LOGIN = "/admin/login/"
# The admin and the staff user reach the admin site; the staff user meets 403 on
# what its group does not allow (`test_the_staff_user_is_held_to_its_group`).
ADMIN_ONLY = frozenset({ADMIN, STAFF})
# Some admin pages stay closed even to a superuser (403: django-axes' records
# cannot be added by hand) or answer POST with 405 (the JavaScript catalogue).
ADMIN_SITE = Rule(
    get=GET(ADMIN_ONLY, statuses=frozenset({200, 302, 403})),
    post=POST(ADMIN_ONLY, {}, effect=False, statuses=frozenset({200, 302, 403, 405})),
    kwargs=admin_kwargs,
    login_url=ADMIN_LOGIN,
    staff_only=True,
)
ADMIN_RULES = {
    # Everyone may see the admin's log-in form (and is refused there, without staff status).
    "admin:login": Rule(
        get=GET(EVERYONE), post=POST(EVERYONE, {}, effect=False), public=True, kwargs=admin_kwargs
    ),
    # Visits have no page outside the admin to send the admin to.
    "admin:view_on_site": Rule(
        get=GET(ADMIN_ONLY, statuses=frozenset({302, 404})),
        post=SAME_AS_GET,
        kwargs=admin_kwargs,
        login_url=ADMIN_LOGIN,
        staff_only=True,
    ),
    # The admin's log-out sends users without staff status to the admin's index
    # (and on to its log-in); the admin logs out by POST only.
    "admin:logout": Rule(
        get=GET(EVERYONE, statuses=frozenset({302, 405})),
        post=POST(EVERYONE, {}, effect=False, writes=EVERYONE, statuses=frozenset({302})),
        kwargs=admin_kwargs,
        public=True,
        to_login_ok=True,
    ),
    # The autocomplete view refuses a request that names no field, even for the admin.
    "admin:autocomplete": Rule(
        get=GET(ADMIN_ONLY, statuses=frozenset({403})),
        post=POST(ADMIN_ONLY, {}, effect=False, statuses=frozenset({405})),
        kwargs=admin_kwargs,
        login_url=ADMIN_LOGIN,
        staff_only=True,
    ),
    # Heartbeats are written by the workers only: the admin may not add one.
    "admin:inspections_workerheartbeat_add": Rule(
        get=GET(ADMIN_ONLY, statuses=frozenset({403})),
        post=POST(ADMIN_ONLY, {}, effect=False, statuses=frozenset({403})),
        kwargs=admin_kwargs,
        login_url=ADMIN_LOGIN,
        staff_only=True,
    ),
    # The catch-all: an unknown admin page is a 404 for staff, a log-in for others.
    "admin:<admin/(?P<url>.*)$>": Rule(
        get=GET(ADMIN_ONLY, statuses=frozenset({404})),
        post=SAME_AS_GET,
        kwargs=admin_kwargs,
        login_url=ADMIN_LOGIN,
        staff_only=True,
    ),
}


def rule_for(key: str) -> Rule | None:
    if key in RULES:
        return RULES[key]
    if key in ADMIN_RULES:
        return ADMIN_RULES[key]
    if key.startswith("admin:"):
        return ADMIN_SITE
    return None


# --- the resolver ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    key: str  # "namespace:name", or "namespace:<route>" for an unnamed pattern
    name: str | None  # what `reverse` takes, when named
    route: str
    kwarg_names: tuple = field(default=())


def _kwarg_names(pattern) -> tuple:
    return tuple(pattern.pattern.regex.groupindex)


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            names = tuple(dict.fromkeys(_kwarg_names(entry)))
            ns = f"{namespace}:" if namespace else ""
            name = f"{ns}{entry.name}" if entry.name else None
            yield Pattern(key=name or f"{ns}<{route}>", name=name, route=route, kwarg_names=names)


def all_patterns() -> list[Pattern]:
    found, seen = [], set()
    for pattern in walk(get_resolver().url_patterns):
        if pattern.key not in seen:  # a name reused: `reverse` reaches the last one only
            seen.add(pattern.key)
            found.append(pattern)
    return found


PATTERNS = all_patterns()


def url_of(pattern: Pattern, kwargs: dict) -> str:
    if pattern.name:
        return reverse(pattern.name, kwargs=kwargs)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m[1]]), pattern.route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m[1]]), route)
    return "/" + route.replace("^", "").replace("$", "")


# --- the checks ------------------------------------------------------------------------------

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)
BOOKKEEPING = {"django_session"}


def media_files(root) -> set[str]:
    root = Path(root)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body_of(response) -> str:
    """What the response shows: its text, and a downloaded PDF's or workbook's text."""
    if getattr(response, "streaming", False):
        # Read to the end, which closes the response the way the test client
        # wants (closing it by hand would close the database connection too).
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF") and "pdf" in kind:
        return pdf_text(content)
    if kind.startswith(XLSX_TYPE):
        return workbook_text(content)
    return content.decode("utf-8", errors="replace")


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # a stand-in file of a few bytes: its bytes are its text
        return content.decode("latin-1")


def workbook_text(content: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@dataclass
class Outcome:
    status: int
    location: str
    body: str
    writes: list
    mails: int
    new_files: set


def request_as(w, user_key, method, url, data) -> Outcome:
    """One request in a savepoint that is rolled back: the world stays as built."""
    mails_before = len(getattr(mail, "outbox", []))
    files_before = media_files(settings.MEDIA_ROOT)
    with transaction.atomic():
        client = Client(raise_request_exception=False)  # a crash is a 500 to report
        if user_key != ANON:  # signed in once for the module (`world_once`)
            client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[user_key]
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(url, data or {})
        body = body_of(response)
        writes = [
            q["sql"][:120]
            for q in queries.captured_queries
            if (m := WRITE.match(q["sql"])) and m[1] not in BOOKKEEPING
        ]
        transaction.set_rollback(True)
    return Outcome(
        status=response.status_code,
        location=response.get("Location", ""),
        body=body,
        writes=writes,
        mails=len(getattr(mail, "outbox", [])) - mails_before,
        new_files=media_files(settings.MEDIA_ROOT) - files_before,
    )


def leaked(body: str, tiers) -> list[str]:
    return [
        text
        for tier in tiers
        for secret in TIERS[tier]
        for text in secret_forms(secret)
        if text in body
    ]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=|<style\b", re.I)


def csp_violations(body: str) -> list[str]:
    """What a page has that its Content-Security-Policy (scripts and styles from
    'self' only) would block in the browser."""
    if "<html" not in body[:500].lower():
        return []
    problems = []
    for name, pattern in (
        ("an inline script", INLINE_SCRIPT),
        ("an inline event handler", INLINE_HANDLER),
        ("an inline style", INLINE_STYLE),
    ):
        if found := pattern.search(body):
            problems.append(f"has {name}, which the CSP blocks: {found.group(0)[:120]!r}")
    return problems


def unannounced_leaks(w, user_key: str, url: str, outcome: Outcome) -> list[str]:
    """A user not told of the planned unannounced check finds neither a link to
    it (its pages are /visits/<pk>/…, its reports /reports/visits/<pk>/…) nor
    its badge, whatever the page (a page names its own URL in its forms)."""
    marker = f"/visits/{w.unannounced.pk}/"
    if user_key in TOLD_OF_UNANNOUNCED or marker in url:
        return []
    found = [text for text in (marker, 'data-testid="unannounced"') if text in outcome.body]
    return [f"shows the unannounced check: {found}"] if found else []


def check(rule: Rule, spec: Method, user_key: str, outcome: Outcome) -> list[str]:
    """What is wrong with this outcome, as sentences (none: all is well)."""
    problems = []
    status, location = outcome.status, outcome.location
    anonymous_refused = user_key == ANON and not rule.public
    if anonymous_refused:
        expected = f"a redirect to {rule.login_url}"
        if status != 302 or not location.startswith(rule.login_url):
            problems.append(f"got {status} {location!r}, expected {expected}")
        allowed = False
    elif spec.not_allowed:
        if status != 405:
            problems.append(f"got {status}, expected 405 (method not allowed)")
        allowed = False
    elif user_key in spec.ok:
        allowed = True
        if status not in spec.statuses:
            problems.append(f"got {status} {location!r}, expected one of {sorted(spec.statuses)}")
        if status in (301, 302, 303):
            if not location.startswith("/") or location.startswith("//"):
                problems.append(f"redirected off the site: {location!r}")
            elif (
                location.startswith((settings.LOGIN_URL, "/accounts/login/", ADMIN_LOGIN))
                and not rule.to_login_ok
            ):
                problems.append(f"allowed, yet sent to log in: {location!r}")
    else:
        allowed = False
        to_login = status == 302 and location.startswith(rule.login_url)
        if status not in (403, 404) and not (rule.staff_only and to_login):
            expected = f"a redirect to {rule.login_url}" if rule.staff_only else "403 or 404"
            problems.append(f"got {status} {location!r}, expected {expected} (refused)")
    problems += csp_violations(outcome.body)
    tiers = FORBIDDEN[user_key] if allowed else (ORG, VISIT)
    if found := leaked(outcome.body, tiers):
        problems.append(f"the response shows {found}")
    writers = spec.writes if spec.writes is not None else NOBODY
    if not allowed or user_key not in writers:
        if outcome.writes:
            problems.append(f"changed data: {outcome.writes[:3]}")
        if outcome.mails:
            problems.append(f"sent {outcome.mails} e-mail(s)")
        if outcome.new_files:
            problems.append(f"stored files {sorted(outcome.new_files)[:3]}")
    if allowed and status == 200:
        for tier in spec.shows:
            if tier not in FORBIDDEN[user_key] and not leaked(outcome.body, (tier,)):
                problems.append(f"shows none of {TIERS[tier]}: the leak check looks for nothing")
    return problems


def methods(rule: Rule):
    yield "get", rule.get
    post = rule.get if rule.post == SAME_AS_GET else rule.post
    if rule.post == SAME_AS_GET:
        post = Method(ok=post.ok, data=post.data, statuses=post.statuses, writes=NOBODY)
    elif post.writes is None and not post.not_allowed:
        post = Method(**{**post.__dict__, "writes": post.ok})
    yield "post", post


# --- the tests ----------------------------------------------------------------------------


def test_every_url_pattern_has_a_rule():
    missing = [p.key for p in PATTERNS if rule_for(p.key) is None]
    assert not missing, "\n".join(f"add a rule for URL {key!r} to RULES" for key in missing)


def test_the_sweep_reaches_every_part_of_the_site():
    keys = {p.key for p in PATTERNS}
    for key in ("healthz", "ping", "login", "set_language", "admin:index", "visit-detail"):
        assert key in keys
    assert {p.key for p in PATTERNS if p.key.startswith("report")} >= {"report-job-download"}
    assert sum(p.key.startswith("admin:") for p in PATTERNS) > 50


def test_every_rule_names_a_url_pattern():
    keys = {p.key for p in PATTERNS}
    stale = sorted(set(RULES) - keys)
    assert not stale, f"rules for URLs that no longer exist: {stale}"


def test_stored_files_have_no_url(w):
    """Static files are served by WhiteNoise, outside the resolver, and are
    public by design; uploaded evidence and reports are not: their storage
    paths are no URL, for anyone."""
    stored = {  # the file's name and a marker of its content
        w.evidence.file.name: "PNG\r\n",
        w.action_evidence.file.name: "JFIF",
        w.job.file.name: "%PDF-1.",
        w.branch_job.file.name: "%PDF-1.",
        w.submission_b.file.name: "%PDF-1.",
    }
    problems = []
    for name, marker in stored.items():
        for url in (f"/{name}", f"/media/{name}", f"/{settings.MEDIA_ROOT}/{name}"):
            for user_key in USERS:
                outcome = request_as(w, user_key, "get", url, None)
                if outcome.status not in (301, 302, 404) or marker in outcome.body:
                    problems.append(f"GET {url} as {user_key}: {outcome.status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.key)
def test_sweep(w, pattern):
    rule = rule_for(pattern.key)
    assert rule is not None, f"add a rule for URL {pattern.key!r} to RULES in {__name__}"
    kwargs = rule.kwargs(w, pattern) if rule.kwargs else {}
    url = url_of(pattern, kwargs)
    problems = []
    for method, spec in methods(rule):
        data = None if spec.not_allowed else spec.data
        effective = False
        for user_key in USERS:
            outcome = request_as(w, user_key, method, url, data(w) if callable(data) else data)
            problems += [
                f"{method.upper()} {url} as {user_key}: {problem}"
                for problem in check(rule, spec, user_key, outcome)
                + unannounced_leaks(w, user_key, url, outcome)
            ]
            if user_key in (spec.writes or NOBODY) and user_key in spec.ok:
                effective |= bool(outcome.writes or outcome.mails or outcome.new_files)
        if spec.effect and not effective:
            problems.append(
                f"{method.upper()} {url}: no allowed user's request changed anything, so the "
                "refusals prove nothing: give the rule data that works"
            )
    assert not problems, "\n".join(problems)


def test_the_csp_check_sees_what_the_browser_would_block():
    page = "<!doctype html><html><body>{}</body></html>"
    assert not csp_violations(page.format('<script src="/static/js/a.js"></script>'))
    assert csp_violations(page.format("<script>alert(1)</script>"))
    assert csp_violations(page.format('<button onclick="go()">x</button>'))
    assert csp_violations(page.format('<div style="color: red">x</div>'))
    assert csp_violations(page.format("<style>p {}</style>"))
    assert not csp_violations('{"json": "<script>"}')  # not a page


# --- the staff user who is not a superuser ---------------------------------------------------


def test_the_staff_user_is_held_to_its_group(w):
    """Every admin list and add page: the staff user gets it when its group has
    the permission (view, add) and a 403 otherwise; it may change branches only."""
    from django.contrib import admin

    problems = []
    for model in admin.site._registry:
        opts = model._meta
        for page, permission in (("changelist", "view"), ("add", "add")):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}")
            allowed = w.staff.has_perm(f"{opts.app_label}.{permission}_{opts.model_name}") or (
                permission == "view"
                and w.staff.has_perm(f"{opts.app_label}.change_{opts.model_name}")
            )
            status = request_as(w, STAFF, "get", url, None).status
            if (status == 200) != allowed or status not in (200, 403):
                problems.append(f"{url}: {status}, allowed={allowed}")
    assert not problems, "\n".join(problems)
    outcome = request_as(
        w,
        STAFF,
        "post",
        reverse("admin:inspections_branch_change", args=[w.branch_a.pk]),
        {
            "code": "a",
            "name": "甲分公司（改）",
            "rollout_batch": w.branch_a.rollout_batch,
            "order": 3,
            "offices-TOTAL_FORMS": 0,
            "offices-INITIAL_FORMS": 0,
        },
    )
    assert outcome.status == 302 and outcome.writes


# --- ids a user types or a page is tampered with ---------------------------------------------

#: Branch B's office and people: never shown to a user of branch A who names them.
B_SECRETS = ("乙一支公司", "乙一孙")
BAD_IDS = ("abc", "-1", "1.5", "99999999999999999999", "0x10", "１２")


def foreign_ids(w) -> dict[str, object]:
    """For each id field a form or query may carry, an object of branch B (or of
    another rubric) of the same kind."""
    other_b = w.other_b
    return {
        "specialist": other_b.specialist.pk,
        "operator": other_b.specialist.pk,
        "owner": w.manager_b.pk,
        "office": w.b1.pk,
        "responsible_office": w.b1.pk,
        "branch": w.branch_b.pk,
        "campaign": other_b.campaign.pk,
        "audience": other_b.audience.pk,
        "content_area": other_b.area.pk,
        "sheet": other_b.sheet.pk,
        "inspectors": w.inspector_b.pk,
        "target": f"sheet:{other_b.record.pk}",
    }


#: The id fields of each rule's form (`test_every_form_id_field_is_listed` keeps it whole).
FORM_IDS = {
    "roster-import": ("branch",),
    "campaign-create": ("rubric", "branches"),
    "visit-plan": ("branch", "office", "inspectors"),
    "visit-sheet-new": ("sheet", "specialist"),
    "visit-sheet-evidence": ("specialist",),
    "visit-checklist": ("specialist",),
    "visit-log": ("operator",),
    "visit-interview-new": ("audience",),
    "visit-findings": ("content_area",),
    "visit-actions": ("content_area", "responsible_office", "owner"),
    "visit-evidence-upload": ("target",),
    "campaign-reports-generate": ("branch",),
    "visit-objection-new": ("target",),
    "problem-reassign": ("owner",),
}
ID_FIELDS = {name for names in FORM_IDS.values() for name in names} | {"area", "campaign"}


#: GET pages that read ids from their query string, and the names they read.
QUERY_IDS = {
    "visit-list": ("campaign",),
    "specialist-list": ("branch", "office"),
    "action-list": ("office", "campaign", "area"),
    "action-stats": ("campaign",),
    "action-stats-xlsx": ("campaign",),
    "problem-list": ("campaign", "branch"),
    "problem-register-xlsx": ("campaign", "branch"),
    "campaign-results": ("branch",),
    "campaign-results-xlsx": ("branch",),
    "visit-plan": ("branch", "office"),
    "visit-sheet-new": ("sheet", "specialist"),
    "visit-checklist": ("specialist",),
    "visit-interview-new": ("audience",),
    "campaign-losses": ("branch",),
    "campaign-losses-xlsx": ("branch",),
    "campaign-loss-visits": ("branch",),
}


def id_cases():
    for key in FORM_IDS:
        yield pytest.param(key, "post", id=f"{key}-post")
    for key in QUERY_IDS:
        yield pytest.param(key, "query", id=f"{key}-query")


def test_every_form_id_field_is_listed(w):
    """A rule's form that carries an id field is in FORM_IDS, with all of them."""
    problems = []
    for key, rule in RULES.items():
        for method, spec in methods(rule):
            if method != "post" or spec.not_allowed or spec.data is None:
                continue
            data = spec.data(w) if callable(spec.data) else spec.data
            names = {name for name in data if name in ID_FIELDS | {"rubric", "branches"}}
            if names != set(FORM_IDS.get(key, ())):
                problems.append(f"{key}: FORM_IDS lists {FORM_IDS.get(key)}, the form has {names}")
    assert not problems, "\n".join(problems)


def _user_for(spec, *, branch_a_user: bool):
    writers = spec.ok & (spec.writes if spec.writes is not None else spec.ok)
    pool = [u for u in (IA, MA, HQ, ADMIN) if u in (writers or spec.ok)]
    if branch_a_user:
        pool = [u for u in pool if u in (IA, MA)] or pool
    return pool[0] if pool else None


@pytest.mark.parametrize(("key", "method"), list(id_cases()))
def test_bad_and_foreign_ids_are_refused_cleanly(w, key, method):
    """Every id field of a form or a query, given a non-numeric, negative,
    fractional, enormous or full-width value, or an object of another branch:
    400, 403, 404 or the form again (200), never a 500; nothing is changed, and
    a user of branch A is shown nothing of branch B."""
    rule = RULES[key]
    pattern = next(p for p in PATTERNS if p.key == key)
    url = url_of(pattern, rule.kwargs(w, pattern) if rule.kwargs else {})
    if method == "query":
        spec, http, fields = rule.get, "get", QUERY_IDS[key]
        base = spec.data(w) if callable(spec.data) else dict(spec.data or {})
    else:
        spec = dict(methods(rule))[method]
        http = method
        base = spec.data(w) if callable(spec.data) else dict(spec.data or {})
        fields = FORM_IDS[key]
    user = _user_for(spec, branch_a_user=True)
    foreign = foreign_ids(w)
    problems = []
    for name in fields:
        values = list(BAD_IDS)
        if name in foreign and user in (IA, MA):
            values.append(foreign[name])
        for value in values:
            data = {k: (v() if callable(v) else v) for k, v in base.items()} | {name: value}
            outcome = request_as(w, user, http, url, data)
            where = f"{http.upper()} {url} as {user} with {name}={value!r}"
            if outcome.status not in (200, 302, 400, 403, 404):
                problems.append(f"{where}: {outcome.status}")
            if outcome.status == 302 and outcome.writes:
                problems.append(f"{where}: saved {outcome.writes[:2]}")
            if user in (IA, MA) and (found := [s for s in B_SECRETS if s in outcome.body]):
                problems.append(f"{where}: shows {found}")
    assert not problems, "\n".join(problems)


# --- the children of another visit -------------------------------------------------------------


def test_a_visit_s_pages_never_reach_another_visit_s_records(w):
    """The other visit is in the same branch and has the same inspector: its sheet
    record, log entry, interview and finding are still no child of this visit."""
    other = w.other_a
    cases = [
        ("visit-sheet", "get", {"pk": w.visit.pk, "record_pk": other.record.pk}, None),
        ("visit-sheet", "post", {"pk": w.visit.pk, "record_pk": other.record.pk}, sheet_post(w)),
        ("visit-log-delete", "post", {"pk": w.visit.pk, "entry_pk": other.entry.pk}, {}),
        ("visit-interview", "get", {"pk": w.visit.pk, "interview_pk": other.interview.pk}, None),
        (
            "visit-interview",
            "post",
            {"pk": w.visit.pk, "interview_pk": other.interview.pk},
            interview_post(w),
        ),
        ("visit-finding-delete", "post", {"pk": w.visit.pk, "finding_pk": other.finding.pk}, {}),
    ]
    problems = []
    for name, method, kwargs, data in cases:
        for user in (IA, HQ, MA):
            outcome = request_as(w, user, method, reverse(name, kwargs=kwargs), data)
            if outcome.status not in (403, 404) or outcome.writes:
                problems.append(f"{method.upper()} {name} {kwargs} as {user}: {outcome.status}")
    upload = request_as(
        w,
        IA,
        "post",
        reverse("visit-evidence-upload", args=[w.visit.pk]),
        {
            "file": SimpleUploadedFile("p.png", PNG, content_type="image/png"),
            "target": f"sheet:{other.record.pk}",
        },
    )
    if upload.status not in (403, 404) or upload.writes or upload.new_files:
        problems.append(f"evidence on another visit's sheet: {upload.status}")
    assert not problems, "\n".join(problems)


# --- an unannounced check, before and after it starts --------------------------------------------

#: Every URL of a visit or of its records, named by the visit's pk.
VISIT_PATTERNS = [p for p in PATTERNS if re.search(r"(^|/)visits/<int:pk>/", p.route)]
NOT_TOLD = SIGNED_IN - TOLD_OF_UNANNOUNCED  # branch A's manager and inspectors, branch B's


def _unannounced_url(w, pattern) -> str:
    """The pattern's URL with the unannounced check as its visit. A planned visit
    has no records of its own (saving one starts it): a record's URL names the
    open visit's record, so only the visit's own check can refuse first."""
    rule = RULES[pattern.key]
    return url_of(pattern, rule.kwargs(w, pattern) | {"pk": w.unannounced.pk})


def test_the_unannounced_leak_check_looks_for_what_lists_show(w):
    """Head office's lists and its inspector's home page link to the planned
    check with its badge: the sweep's `unannounced_leaks` looks for what a
    list would show; the branch's manager finds neither."""
    marker = f"/visits/{w.unannounced.pk}/"
    pages = [
        (HQ, reverse("visit-list")),
        (HQ, reverse("campaign-detail", args=[w.campaign.pk])),
        (IHQ, reverse("home")),
    ]
    for user_key, url in pages:
        body = request_as(w, user_key, "get", url, None).body
        assert marker in body and 'data-testid="unannounced"' in body, (user_key, url)
        assert not unannounced_leaks(w, MA, url, request_as(w, MA, "get", url, None))


def test_the_unannounced_sweep_covers_every_url_of_a_visit():
    keys = {p.key for p in VISIT_PATTERNS}
    assert {"visit-detail", "visit-sheet", "visit-start", "visit-review", "visit-reports"} <= keys
    assert len(keys) > 20


@pytest.mark.parametrize("pattern", VISIT_PATTERNS, ids=lambda p: p.key)
def test_a_planned_unannounced_check_is_no_url_of_the_branch(w, pattern):
    """Until its inspector starts it on site, every URL of the unannounced check
    and of its records is a 404 (`access.NotVisible`, as if it did not exist)
    for the branch's manager and inspectors and for the other branch, GET and
    POST, changing nothing; head office and its inspector open its page."""
    url = _unannounced_url(w, pattern)
    rule = RULES[pattern.key]
    problems = []
    for method, spec in methods(rule):
        if spec.not_allowed:
            continue
        data = spec.data(w) if callable(spec.data) else spec.data
        for user_key in sorted(NOT_TOLD):
            outcome = request_as(w, user_key, method, url, data)
            if outcome.status != 404:
                problems.append(f"{method.upper()} {url} as {user_key}: {outcome.status}")
            if outcome.writes or outcome.mails or outcome.new_files:
                problems.append(f"{method.upper()} {url} as {user_key}: changed something")
            if 'data-testid="unannounced"' in outcome.body:
                problems.append(f"{method.upper()} {url} as {user_key}: shows its badge")
    if pattern.key == "visit-detail":
        for user_key in sorted(TOLD_OF_UNANNOUNCED):
            outcome = request_as(w, user_key, "get", url, None)
            if outcome.status != 200 or 'data-testid="unannounced"' not in outcome.body:
                problems.append(f"GET {url} as {user_key}: {outcome.status}, no badge")
    assert not problems, "\n".join(problems)


def test_an_unannounced_check_follows_the_normal_rules_once_started(w):
    """Started on site, the check is a head-office check like any other: the
    branch's manager sees its pages (and its badge), an inspector not on it and
    the other branch still do not."""
    start = request_as(w, IHQ, "post", reverse("visit-start", args=[w.unannounced.pk]), {})
    assert start.status == 302 and start.writes
    services.start_visit(user=w.inspector_hq, visit=w.unannounced)
    pages = [
        p for p in VISIT_PATTERNS if p.kwarg_names == ("pk",) and RULES[p.key].get.ok == SEE_VISIT
    ]
    assert {"visit-detail", "visit-log", "visit-findings"} <= {p.key for p in pages}
    problems = []
    for pattern in pages:
        url = _unannounced_url(w, pattern)
        data = RULES[pattern.key].get.data
        for user_key in sorted(SIGNED_IN):
            outcome = request_as(w, user_key, "get", url, data(w) if callable(data) else data)
            expected = 200 if user_key in TOLD_OF_UNANNOUNCED | {MA} else 404
            if outcome.status != expected:
                problems.append(f"GET {url} as {user_key}: {outcome.status}, not {expected}")
    detail = request_as(w, MA, "get", reverse("visit-detail", args=[w.unannounced.pk]), None)
    assert 'data-testid="unannounced"' in detail.body
    board = request_as(w, MA, "get", reverse("campaign-detail", args=[w.campaign.pk]), None)
    assert f"/visits/{w.unannounced.pk}/" in board.body
    assert not problems, "\n".join(problems)


# --- every kind of report job ------------------------------------------------------------------

#: Who follows and downloads each kind of report (reports/access.py).
JOB_KINDS = {
    "job": SEE_VISIT,  # a visit's report, PDF
    "visit_xlsx_job": SEE_VISIT,
    "branch_job": frozenset({HQ, ADMIN, STAFF, MA}),  # branch A's report
    "branch_xlsx_job": frozenset({HQ, ADMIN, STAFF, MA}),
    "consolidated_job": HEAD_OFFICE,
    "consolidated_pdf_job": HEAD_OFFICE,
    "blank_forms_job": SIGNED_IN,  # everyone who sees the campaign
}


@pytest.mark.parametrize("job", JOB_KINDS)
@pytest.mark.parametrize("name", ["report-job", "report-job-status", "report-job-download"])
def test_every_report_job_kind(w, job, name):
    """Each kind of report job, its page, status and file: those allowed get it,
    others 404; and nobody finds in a page or a downloaded file (its text, PDF or
    Excel) the secrets they may not see."""
    rule = Rule(get=GET(JOB_KINDS[job]))
    url = reverse(name, args=[getattr(w, job).pk])
    problems = []
    for user_key in USERS:
        outcome = request_as(w, user_key, "get", url, None)
        problems += [
            f"GET {url} ({job}) as {user_key}: {p}"
            for p in check(rule, rule.get, user_key, outcome)
        ]
        if (
            name == "report-job-download"
            and user_key in JOB_KINDS[job]
            and (outcome.status != 200 or len(outcome.body) < 20)
        ):
            problems.append(f"{job} as {user_key}: no file to read ({outcome.status})")
    assert not problems, "\n".join(problems)


def test_downloads_are_read_for_leaks(w):
    """The leak check reads inside files: a visit report carries the visit's
    secret, which its readers find and outsiders never get."""
    outcome = request_as(w, HQ, "get", reverse("report-job-download", args=[w.job.pk]), None)
    assert SECRET in outcome.body and "甲一支公司" in outcome.body
    outcome = request_as(
        w, HQ, "get", reverse("report-job-download", args=[w.consolidated_job.pk]), None
    )
    assert "甲一支公司" in outcome.body and "乙一支公司" in outcome.body
