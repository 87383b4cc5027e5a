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
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.conf import settings
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

from inspections import services
from inspections.models import ActionEvidence, ChecklistRecord, User, Visit
from reports.models import ReportJob
from scoring.models import RubricVersion
from tests import factories
from tests.inspections.roster_files import roster_xlsx

pytestmark = pytest.mark.django_db

# --- the users ---------------------------------------------------------------------------

ANON = "anonymous"
HQ = "hq"  # head office
ADMIN = "admin"  # role administrator, staff and superuser
MA = "manager_a"  # the objects' own branch manager
IA = "inspector_a"  # the visit's inspector
IA2 = "inspector_a2"  # an inspector of branch A not on the visit
IHQ = "inspector_hq"  # a head-office inspector not on the visit
MB = "manager_b"  # another branch's manager
IB = "inspector_b"  # an inspector of another branch
USERS = (ANON, HQ, ADMIN, MA, IA, IA2, IHQ, MB, IB)

SIGNED_IN = frozenset(USERS) - {ANON}
EVERYONE = frozenset(USERS)
HEAD_OFFICE = frozenset({HQ, ADMIN})
SEE_VISIT = frozenset({HQ, ADMIN, MA, IA})
EDIT_VISIT = frozenset({IA})
MANAGERS = frozenset({HQ, ADMIN, MA, MB})  # roster import, visit planning
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
    MA: (),
    IA: (),
}


def secret_forms(text: str) -> tuple[str, ...]:
    """A secret as HTML shows it and as a JSON response escapes it."""
    return (text, json.dumps(text)[1:-1])


# --- the world ----------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64


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
    services.submit_visit(user=w.inspector_a, visit=w.approved_visit)
    services.approve_visit(user=w.hq, visit=w.approved_visit, comment="同意")
    w.job = ReportJob(
        exporter="visit-pdf",
        format="pdf",
        visit=w.approved_visit,
        requested_by=w.hq,
        state=ReportJob.State.DONE,
        progress=100,
        is_current=True,
        download_name="report.pdf",
    )
    w.job.file.save("report.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    w.job.save()
    # Branch A's report is built (its manager may submit it); branch B's is
    # submitted (its file is served to head office and branch B's managers).
    w.branch_job = ReportJob(
        exporter="branch-pdf",
        format="pdf",
        campaign=w.campaign,
        branch=w.branch_a,
        requested_by=w.manager_a,
        state=ReportJob.State.DONE,
        progress=100,
        is_current=True,
        download_name="branch-a.pdf",
    )
    w.branch_job.file.save("branch-a.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    w.branch_job.save()
    w.submission_b = services.submit_branch_report(
        user=w.manager_b,
        campaign=w.campaign,
        branch=w.branch_b,
        report=("branch-b.pdf", b"%PDF-1.4\n% submitted\n%%EOF\n"),
    )
    return w


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
    "campaign-reports-generate": Rule(
        get=NOT_ALLOWED,
        post=POST(
            frozenset({HQ, ADMIN, MA}),
            lambda w: {"exporter": "branch-pdf", "branch": w.branch_a.pk},
        ),
        kwargs=pk("campaign"),
    ),
    "report-job": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    "report-job-status": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    "report-job-download": Rule(get=GET(SEE_VISIT), kwargs=pk("job")),
    # --- organisation
    "home": Rule(get=GET(SIGNED_IN), post=SAME_AS_GET),
    "specialist-list": Rule(get=GET(SIGNED_IN, shows=(ORG,)), post=SAME_AS_GET),
    "roster-import": Rule(
        get=GET(MANAGERS),
        # Branch B's manager may import rosters, not branch A's: the form refuses it.
        post=POST(MANAGERS, roster_post, writes=frozenset({HQ, ADMIN, MA})),
    ),
    "roster-template": Rule(get=GET(MANAGERS), post=SAME_AS_GET),
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
        get=GET(frozenset({HQ, ADMIN, MB})),
        post=NOT_ALLOWED,
        kwargs=lambda w, _p: {"pk": w.campaign.pk, "branch_pk": w.branch_b.pk},
    ),
    "campaign-kpis": Rule(
        get=GET(HEAD_OFFICE),
        post=POST(HEAD_OFFICE, lambda w: {f"balanced-{w.branch_a.pk}": "80"}),
        kwargs=pk("campaign"),
    ),
    "campaign-kpi-template": Rule(get=GET(HEAD_OFFICE), post=SAME_AS_GET, kwargs=pk("campaign")),
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
    "visit-detail": Rule(get=GET(SEE_VISIT, shows=(ORG,)), post=SAME_AS_GET, kwargs=visit_pk),
    "visit-history": Rule(get=GET(SEE_VISIT), kwargs=visit_pk),
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
        post=POST(data=interview_post, **VISIT_FORM),
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
                "responsible_person": "钱",
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
        post=POST(frozenset({HQ, ADMIN, MA}), {"decision": "return", "comment": "补充"}),
        kwargs=pk("submitted_visit"),
    ),
    "evidence-download": Rule(
        get=GET(SEE_VISIT),
        post=SAME_AS_GET,
        kwargs=lambda w, _p: {"uuid": w.evidence.uuid},
    ),
    # --- rectification actions
    "action-list": Rule(get=GET(SIGNED_IN, shows=(VISIT,)), post=SAME_AS_GET),
    "action-stats": Rule(get=GET(HEAD_OFFICE), post=SAME_AS_GET),
    "action-stats-xlsx": Rule(get=GET(HEAD_OFFICE), post=SAME_AS_GET),
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
        post=POST(frozenset({HQ, ADMIN, IA}), {"decision": "close"}),
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
ADMIN_ONLY = frozenset({ADMIN})
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


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        # Read to the end, which closes the response the way the test client
        # wants (closing it by hand would close the database connection too).
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


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
        w.job.file.name: "%PDF-1.4",
        w.branch_job.file.name: "%PDF-1.4",
        w.submission_b.file.name: "% submitted",
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
