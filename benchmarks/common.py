"""What both benchmarks share: Django set-up on a database of their own, a
synthetic data generator, and measuring helpers.

The benchmarks create (or with --keepdb reuse) a database named after the
benchmark, next to the one `DATABASE_URL` names (PostgreSQL is what
production runs; SQLite works too), load the 2012 rubric, and generate their
data with bulk inserts. Scores are always the engine's. Each measurement runs
in a fresh child process, so its peak resident memory is its own.
"""

import hashlib
import json
import os
import random
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

BENCH_DB_ENV = "BENCH_DATABASE_URL"


def _bench_url(name: str) -> str:
    """The URL of the benchmark's own database, beside DATABASE_URL's."""
    import environ

    env = environ.Env()
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    url = env.str("DATABASE_URL", default="")
    if not url or url.startswith("sqlite"):
        return f"sqlite:///{BASE_DIR / 'var' / f'{name}.sqlite3'}"
    base, _slash, _db = url.rpartition("/")
    query = ""
    if "?" in _db:
        query = "?" + _db.split("?", 1)[1]
    return f"{base}/{name}{query}"


def setup_django(name: str, *, create: bool = False, keepdb: bool = False):
    """Point Django at the benchmark database (create and migrate it when
    asked) and set it up. Returns the database URL."""
    url = os.environ.get(BENCH_DB_ENV) or _bench_url(name)
    os.environ["DATABASE_URL"] = url
    # Nothing a benchmark does may reach a real worker's queue, or the app's var/.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ.setdefault(
        "MEDIA_ROOT", str(Path(tempfile.gettempdir()) / f"yiguitong-{name}-media")
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Production settings (DEBUG off) need these to start; plain HTTP in process.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("PLAIN_HTTP", "1")
    import logging

    import django

    # WeasyPrint logs every step at INFO; the figures are what matters here.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    if create:
        _create_database(url, keepdb=keepdb)
    os.environ[BENCH_DB_ENV] = url
    return url


def _create_database(url: str, *, keepdb: bool):
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        settings = connection.settings_dict
        name = settings["NAME"]
        admin = psycopg.connect(
            dbname="postgres",
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        )
        with admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if exists and not keepdb:
                admin.execute(f'DROP DATABASE "{name}"')
                exists = None
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(connection.settings_dict["NAME"])
        if path.exists() and not keepdb:
            connection.close()
            path.unlink()
    call_command("migrate", verbosity=0, interactive=False)
    from scoring.models import RubricVersion

    if not RubricVersion.objects.filter(version="2012").exists():
        call_command("load_rubric", verbosity=0)


def drop_database():
    from django.db import connection

    settings = connection.settings_dict
    connection.close()
    if connection.vendor == "postgresql":
        import psycopg

        admin = psycopg.connect(
            dbname="postgres",
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        )
        with admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{settings["NAME"]}"')
    else:
        Path(settings["NAME"]).unlink(missing_ok=True)


# --- measuring ----------------------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer(into: list):
    start = time.perf_counter()
    yield
    into.append(time.perf_counter() - start)


def run_child(script: Path, *args: str) -> dict:
    """Run `script --child ARGS` in a fresh interpreter; it prints one JSON line last."""
    result = subprocess.run(
        [sys.executable, str(script), "--child", *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def child_result(**figures) -> None:
    figures.setdefault("peak_rss_mb", round(peak_rss_mb(), 1))
    print(json.dumps(figures))


def median(values) -> float:
    return statistics.median(values)


# --- the synthetic generator --------------------------------------------------------

PAYLOADS = ("=1+1", "+x", "-2", "@a")
REMARKS = ("资料齐全", "扫描清晰", "录入有误已更正", "需加强培训", "系统响应慢", *PAYLOADS)
# Names partly outside GB2312: 喆 (GBK), 䶮 (CJK Extension A).
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂喆䶮"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def synthetic_part_answers(rng: random.Random, part, servicing_items) -> dict:
    """Answers for one form: mostly full points, some deductions, the
    not-applicable and notice-kind rules used now and then, a few remarks."""
    from scoring import definitions as d

    sections, remarks = {}, {}
    for section in part.sections:
        entry = {}
        if section.allows_not_applicable and rng.random() < 0.3:
            entry = {"not_applicable": True, "not_applicable_reason": "未产生补费"}
        elif section.scoring == d.SECTION_POINTS:
            top = int(section.max_points)
            entry["score"] = str(top if rng.random() < 0.7 else rng.randint(top // 2, top))
        else:
            if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                entry["notice_kind"] = rng.choice(section.notice_kinds).key
            entry["items"] = {
                item.key: str(
                    int(item.points)
                    if rng.random() < 0.8
                    else rng.randint(int(item.points) // 2, int(item.points))
                )
                for item in section.items
            }
        if rng.random() < 0.15:
            remarks[section.key] = rng.choice(REMARKS)
        sections[section.key] = entry
    return {"sections": sections, "remarks": remarks}


class Generator:
    """Bulk-creates an approved campaign: `branches` × `offices` × `specialists`.

    Every office has an approved branch self-inspection; head office draws two
    offices per branch and checks them too. Each specialist is scored on 表七
    and on the two business sheets that are not their home line (≈ 3 sheets);
    the unit gets 表五. KPI figures, a rectification action and an interview
    with a problem and a support request per visit complete the picture.
    """

    def __init__(self, *, name, branches, offices, specialists, seed=2012, log_rows=0):
        self.name = name
        self.n_branches = branches
        self.n_offices = offices
        self.n_specialists = specialists
        self.rng = random.Random(seed)
        self.log_rows = log_rows

    def existing(self):
        from inspections.models import Campaign

        return Campaign.objects.filter(name=self.name).first()

    def run(self, progress=print):
        import datetime

        from django.db import transaction

        from inspections.models import (
            Branch,
            Campaign,
            CampaignGradeBand,
            ChecklistRecord,
            Interview,
            InterviewAnswer,
            KpiFigure,
            Office,
            PartRecord,
            Post,
            RandomDraw,
            RectificationAction,
            SheetRecord,
            Specialist,
            User,
            Visit,
        )
        from scoring import answers as stored
        from scoring import definitions as d
        from scoring.engine import evaluate_checklist, score_sheet
        from scoring.models import KpiThreshold, RubricVersion, Sheet
        from scoring.selectors import checklist_requirements, rubric_definitions

        rng = self.rng
        rubric = RubricVersion.objects.get(version="2012")
        tag = hashlib.sha1(self.name.encode()).hexdigest()[:6]
        with transaction.atomic():
            hq, _created = User.objects.get_or_create(
                username=f"bench-hq-{tag}", defaults={"role": User.Role.HEAD_OFFICE}
            )
            inspector, _created = User.objects.get_or_create(
                username=f"bench-inspector-{tag}",
                defaults={"role": User.Role.INSPECTOR, "display_name": "验收员甲"},
            )
            campaign = Campaign.objects.create(
                name=self.name,
                rubric=rubric,
                period_start=datetime.date(2012, 10, 22),
                period_end=datetime.date(2012, 11, 30),
                report_due=datetime.date(2012, 11, 30),
                created_by=hq,
            )
            CampaignGradeBand.objects.bulk_create(
                CampaignGradeBand(
                    campaign=campaign, grade=b.grade, minimum_percent=b.minimum_percent
                )
                for b in rubric.grade_bands.all()
            )
            batches = ["first", "second", "third"]
            branches = Branch.objects.bulk_create(
                Branch(
                    code=f"{tag}-b{i:02d}",
                    name=f"基准{tag}第{i + 1}分公司",
                    rollout_batch=batches[i % 3],
                )
                for i in range(self.n_branches)
            )
            campaign.branches.set(branches)
            offices = Office.objects.bulk_create(
                Office(
                    branch=branch,
                    code=f"{branch.code}-o{j:02d}",
                    name=f"{branch.name[-6:]}第{j + 1}支公司",
                    city_tier="ABC"[j % 3],
                )
                for branch in branches
                for j in range(self.n_offices)
            )
            posts = {p.code: p for p in Post.objects.all()}
            homes = ["contract", "policy_change", "claims"]
            specialists = Specialist.objects.bulk_create(
                (
                    Specialist(
                        employee_no=f"{office.code}-{k:02d}",
                        name=person_name(rng),
                        branch_id=office.branch_id,
                        office=office,
                        home_post=posts[homes[(k + office.pk) % 3]],
                    )
                    for office in offices
                    for k in range(self.n_specialists)
                ),
                batch_size=2000,
            )
            progress(
                f"  {len(branches)} branches, {len(offices)} offices, "
                f"{len(specialists)} specialists"
            )
            by_office = {}
            for person in specialists:
                by_office.setdefault(person.office_id, []).append(person)

            # Draws and visits.
            drawn = {}
            draws = []
            for branch in branches:
                candidates = [o for o in offices if o.branch_id == branch.pk]
                picked = rng.sample(candidates, min(2, len(candidates)))
                drawn[branch.pk] = picked
                draws.append(
                    RandomDraw(
                        kind=RandomDraw.Kind.OFFICES,
                        campaign=campaign,
                        branch=branch,
                        seed=f"bench-{branch.pk}",
                        sample_size=2,
                        candidate_ids=[o.pk for o in candidates],
                        result_ids=[o.pk for o in picked],
                        result_labels=[o.name for o in picked],
                        drawn_by=hq,
                    )
                )
            RandomDraw.objects.bulk_create(draws)
            now = datetime.datetime(2012, 11, 20, 10, tzinfo=datetime.UTC)
            visits = []
            for office in offices:
                visits.append(
                    Visit(
                        campaign=campaign,
                        branch_id=office.branch_id,
                        office=office,
                        kind=Visit.Kind.SELF_INSPECTION,
                        start_date=datetime.date(2012, 11, 1),
                        end_date=datetime.date(2012, 11, 2),
                        state=Visit.State.APPROVED,
                        planned_by=hq,
                        approved_at=now,
                    )
                )
            for branch in branches:
                for office in drawn[branch.pk]:
                    visits.append(
                        Visit(
                            campaign=campaign,
                            branch=branch,
                            office=office,
                            kind=Visit.Kind.HEAD_OFFICE_CHECK,
                            start_date=datetime.date(2012, 11, 12),
                            end_date=datetime.date(2012, 11, 13),
                            state=Visit.State.APPROVED,
                            planned_by=hq,
                            approved_at=now,
                        )
                    )
            visits = Visit.objects.bulk_create(visits, batch_size=2000)
            Visit.inspectors.through.objects.bulk_create(
                (Visit.inspectors.through(visit_id=v.pk, user_id=inspector.pk) for v in visits),
                batch_size=5000,
            )

            # Sheets, scored by the engine.
            definitions = rubric_definitions(rubric=rubric)
            sheets = {s.code: s for s in Sheet.objects.filter(rubric=rubric)}
            parts_by_sheet = {s.code: {p.code: p for p in s.parts.all()} for s in sheets.values()}
            bands = campaign.grade_band_defs()
            line_of = {
                "contract": "new_business",
                "policy_change": "policy_change",
                "claims": "claims",
            }
            scored_codes = ["new_business", "policy_change", "claims"]
            etiquette = definitions["etiquette"]
            permissions = definitions["permissions"]
            records, pending_parts, checklists = [], [], []
            post_codes = {p.pk: code for code, p in posts.items()}
            for visit in visits:
                for person in by_office[visit.office_id]:
                    own = line_of[post_codes[person.home_post_id]]
                    for code in scored_codes:
                        if code == own:
                            continue
                        definition = definitions[code]
                        chosen = None
                        if definition.grouping == d.ALTERNATIVES:
                            chosen = (
                                definition.parts[0].key
                                if rng.random() < 0.85
                                else rng.choice(definition.parts[1:]).key
                            )
                            used = [definition.part(chosen)]
                        else:
                            used = list(definition.parts)
                        raw = {}
                        for part in used:
                            observed = not (
                                definition.grouping == d.PARTS
                                and part.key != definition.parts[0].key
                                and rng.random() < 0.05
                            )
                            servicing = (
                                rng.choice(definition.servicing_items)
                                if definition.servicing_items
                                else ""
                            )
                            raw[part.key] = {
                                "servicing_item": servicing,
                                "observed": observed,
                                "not_observed_reason": "" if observed else "当日无此业务",
                                "answers": synthetic_part_answers(
                                    rng, part, definition.servicing_items
                                )
                                if observed
                                else {},
                            }
                        answers = stored.sheet_answers(
                            raw,
                            chosen_alternative=chosen,
                        )
                        result = score_sheet(definition, answers, bands)
                        record = SheetRecord(
                            visit=visit,
                            specialist=person,
                            sheet=sheets[code],
                            selection_method="followed_live",
                            chosen_alternative=parts_by_sheet[code][chosen] if chosen else None,
                            alternative_reason="本月无理赔案件"
                            if chosen and chosen != "standard_process"
                            else "",
                            score=result.score,
                            max_points=result.max_points,
                            percent=result.percent,
                            grade=result.grade or "",
                            complete=result.complete,
                        )
                        records.append(record)
                        part_results = {p.key: p for p in result.parts}
                        for key, data in raw.items():
                            pending_parts.append(
                                (
                                    record,
                                    PartRecord(
                                        part=parts_by_sheet[code][key],
                                        reference_no=f"NO{rng.randint(10**9, 10**10 - 1)}",
                                        servicing_item=data["servicing_item"],
                                        observed=data["observed"],
                                        not_observed_reason=data["not_observed_reason"],
                                        answers=data["answers"],
                                        score=part_results[key].score,
                                        max_points=part_results[key].max_points,
                                    ),
                                )
                            )
                    checklists.append(
                        self._checklist(
                            rng,
                            visit,
                            sheets["etiquette"],
                            person,
                            etiquette,
                            ChecklistRecord,
                            evaluate_checklist,
                            checklist_requirements,
                            stored,
                        )
                    )
                checklists.append(
                    self._checklist(
                        rng,
                        visit,
                        sheets["permissions"],
                        None,
                        permissions,
                        ChecklistRecord,
                        evaluate_checklist,
                        checklist_requirements,
                        stored,
                    )
                )
            SheetRecord.objects.bulk_create(records, batch_size=2000)
            for record, part in pending_parts:
                part.sheet_record = record
            PartRecord.objects.bulk_create([p for _r, p in pending_parts], batch_size=2000)
            ChecklistRecord.objects.bulk_create(checklists, batch_size=2000)
            progress(
                f"  {len(visits)} approved visits, {len(records)} scored sheets, "
                f"{len(pending_parts)} forms, {len(checklists)} checklists"
            )

            # KPIs, actions, interviews.
            figures = []
            for branch in branches:
                figures.append(
                    KpiFigure(
                        campaign=campaign,
                        kpi=KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE,
                        branch=branch,
                        value_percent=Decimal(rng.randint(60, 100)),
                        entered_by=hq,
                    )
                )
            for office in offices:
                figures.append(
                    KpiFigure(
                        campaign=campaign,
                        kpi=KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE,
                        branch_id=office.branch_id,
                        office=office,
                        value_percent=Decimal(100 if rng.random() < 0.8 else rng.randint(80, 99)),
                        entered_by=hq,
                    )
                )
            KpiFigure.objects.bulk_create(figures, batch_size=2000)
            areas = list(rubric.content_areas.all())
            audience = rubric.interview_audiences.order_by("order").last()
            questions = list(audience.questions.all())
            RectificationAction.objects.bulk_create(
                (
                    RectificationAction(
                        visit=visit,
                        content_area=rng.choice(areas),
                        description=rng.choice(REMARKS),
                        responsible_office=visit.office,
                        responsible_person=person_name(rng),
                        deadline=datetime.date(2012, 12, rng.randint(1, 31)),
                        status=rng.choice(list(RectificationAction.Status.values)),
                        created_by=inspector,
                    )
                    for visit in visits
                ),
                batch_size=2000,
            )
            interviews = Interview.objects.bulk_create(
                (
                    Interview(
                        visit=visit,
                        audience=audience,
                        interviewee=person_name(rng),
                        post="运营室主任",
                    )
                    for visit in visits
                ),
                batch_size=2000,
            )
            InterviewAnswer.objects.bulk_create(
                (
                    InterviewAnswer(
                        interview=interview,
                        question=question,
                        yes_no=True if question.is_yes_no else None,
                        text=rng.choice(REMARKS),
                        tag=question.tag,
                    )
                    for interview in interviews
                    for question in questions
                ),
                batch_size=5000,
            )
        return campaign

    def _checklist(
        self, rng, visit, sheet, person, definition, model, evaluate, requirements, stored
    ):
        answers = {}
        for requirement in requirements(sheet=definition):
            ok = rng.random() < 0.93
            answers[requirement.key] = {
                "compliant": ok,
                "remark": "" if ok else rng.choice(REMARKS),
            }
        result = evaluate(requirements(sheet=definition), stored.checklist_answers(answers))
        return model(
            visit=visit,
            sheet=sheet,
            specialist=person,
            answers=answers,
            compliant=result.compliant,
            non_compliant=result.non_compliant,
            complete=result.complete,
        )
