"""Benchmark (issue 4, point 14): a full visit's acceptance report as PDF,
against WeasyPrint alone rendering the report's final HTML.

    .venv/bin/python benchmarks/visit_pdf.py [--runs 7] [--keepdb] [--specialists 8]

Makes (once, with --keepdb) an approved visit through the services: 8
specialists, each scored on every business sheet that is not their home post
and on 表七, 表五, a 表一 log, interviews of the three audiences, findings
per content area and rectification actions, a tablet photo on the first item of
every sheet; names include characters outside GB2312. Then, in a fresh process, after one warm-up build, run after run side
by side:

- ours: `VisitPdfExporter(visit_id).build()` (data gathering, templating and
  WeasyPrint);
- WeasyPrint alone: `html_to_pdf(html)` on the report's final HTML.

Prints the medians (goal ≤ 1.5 s), their ratio (goal ≤ 1.2), peak resident
memory (goal ≤ 250 MB), the query count and which font subsetter WeasyPrint
used (HarfBuzz when libharfbuzz-subset.so.0 loads, else fontTools: several
times slower).
"""

import argparse
import ctypes
import ctypes.util
import gc
import io
import os
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DB_NAME = "bench_visit_pdf"
CAMPAIGN_NAME = "基准验收 visit-pdf"
GOAL_SECONDS = 1.5
GOAL_RATIO = 1.2
GOAL_MB = 250


def harfbuzz_subset_library() -> str:
    """Whether libharfbuzz-subset loads, as ctypes sees it (WeasyPrint uses cffi)."""
    for name in ("libharfbuzz-subset.so.0", ctypes.util.find_library("harfbuzz-subset")):
        if not name:
            continue
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return name
    return "not found"


def make_visit(n_specialists: int):
    """An approved visit made through the services, as an inspector would fill it."""
    return make_visits(n_specialists)[0]


def make_visits(n_specialists: int, *, offices: int = 1, campaign_name: str = CAMPAIGN_NAME):
    """Approved visits of `offices` offices of one branch (the branch report's
    benchmark takes several), each made as `make_visit` describes."""
    import datetime
    import random

    from inspections import services
    from inspections.models import Branch, Finding, Office, Post, Specialist, User
    from scoring.models import KpiThreshold, RubricVersion
    from scoring.selectors import checklist_requirements, sheet_definition

    rng = random.Random(14)
    rubric = RubricVersion.objects.get(version="2012")
    hq = User.objects.create(username="bench-hq", role=User.Role.HEAD_OFFICE, display_name="总部张")
    branch = Branch.objects.create(code="bench", name="基准分公司", rollout_batch="second")
    manager = User.objects.create(
        username="bench-manager",
        role=User.Role.BRANCH_MANAGER,
        branch=branch,
        display_name="分公司李",
    )
    inspector = User.objects.create(
        username="bench-inspector",
        role=User.Role.INSPECTOR,
        branch=branch,
        display_name="验收员王喆",
    )
    campaign = services.create_campaign(
        user=hq,
        name=campaign_name,
        rubric=rubric,
        period_start=datetime.date(2012, 10, 22),
        period_end=datetime.date(2012, 11, 30),
        report_due=datetime.date(2012, 11, 30),
        branches=[branch],
    )
    visits = []
    for number in range(1, offices + 1):
        office = Office.objects.create(
            branch=branch,
            code=f"bench-{number}",
            name="基准第一支公司" if number == 1 else f"基准第{number}支公司",
        )
        posts = {p.code: p for p in Post.objects.all()}
        homes = ["contract", "policy_change", "claims"]
        people = [
            Specialist.objects.create(
                employee_no=f"B-{k:03d}" if number == 1 else f"B{number}-{k:03d}",
                # 䶮: CJK Extension A; 喆: GBK, not GB2312.
                name=("李䶮", "王喆")[k] if k < 2 else common.person_name(rng),
                branch=branch,
                office=office,
                home_post=posts[homes[k % 3]],
            )
            for k in range(n_specialists)
        ]
        visit = services.plan_visit(
            user=manager,
            campaign=campaign,
            branch=branch,
            office=office,
            kind="self_inspection",
            start_date=datetime.date(2012, 11, 5),
            end_date=datetime.date(2012, 11, 6),
            inspectors=[inspector],
        )
        sheets = {s.code: s for s in rubric.sheets.all()}
        line_of = {"contract": "new_business", "policy_change": "policy_change", "claims": "claims"}
        for person in people:
            own = line_of[person.home_post.code]
            for code in ("new_business", "policy_change", "claims"):
                if code == own:
                    continue
                definition = sheet_definition(sheet=sheets[code])
                chosen = definition.parts[0].key if code == "claims" else None
                used = [definition.parts[0]] if chosen else list(definition.parts)
                parts = {
                    part.key: {
                        "reference_no": f"NO{rng.randint(10**9, 10**10 - 1)}",
                        "servicing_item": rng.choice(definition.servicing_items)
                        if definition.servicing_items
                        else "",
                        "observed": True,
                        "answers": common.synthetic_part_answers(
                            rng, part, definition.servicing_items
                        ),
                    }
                    for part in used
                }
                services.save_sheet(
                    user=inspector,
                    visit=visit,
                    specialist=person,
                    sheet=sheets[code],
                    selection_method=rng.choice(["followed_live", "drawn_at_random"]),
                    parts=parts,
                    chosen_alternative=chosen,
                )
            answers = {
                r.key: {"compliant": True, "remark": ""}
                for r in checklist_requirements(sheet=sheet_definition(sheet=sheets["etiquette"]))
            }
            first = next(iter(answers))
            answers[first] = {"compliant": False, "remark": "未佩戴工牌"}
            services.save_checklist(
                user=inspector,
                visit=visit,
                sheet=sheets["etiquette"],
                specialist=person,
                answers=answers,
            )
        services.save_checklist(
            user=inspector,
            visit=visit,
            sheet=sheets["permissions"],
            specialist=None,
            answers={
                r.key: {"compliant": True, "remark": ""}
                for r in checklist_requirements(sheet=sheet_definition(sheet=sheets["permissions"]))
            },
        )
        for index in range(12):
            services.save_log_entry(
                user=inspector,
                visit=visit,
                policy_no=f"P{rng.randint(10**9, 10**10 - 1)}",
                business_item=rng.choice(
                    ["退保", "新契约", "理赔申请", "交费方式变更", "保单复效"]
                ),
                operator=people[index % len(people)],
                minutes_document_review=rng.randint(2, 8),
                minutes_scanning=rng.randint(1, 5),
                minutes_data_entry=rng.randint(2, 10),
                remarks=rng.choice(["", "客户资料不全，补交后受理", "系统响应慢"]),
            )
        services.save_kpi_figures(
            user=hq,
            campaign=campaign,
            figures=[
                (KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, branch, None, "82"),
                (KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, branch, office, "100"),
            ],
        )
        services.save_kpi_note(
            user=inspector, visit=visit, note="分公司每周通报混合受理率与均衡受理率。"
        )
        for audience in rubric.interview_audiences.all():
            services.save_interview(
                user=inspector,
                visit=visit,
                audience=audience,
                interviewee=common.person_name(rng),
                post="运营室主任",
                notes="",
                answers={
                    q.pk: {
                        "yes_no": True if q.is_yes_no else None,
                        "text": "系统切换较慢，高峰期排队" if q.tag else "已按方案推进",
                        "tag": q.tag,
                    }
                    for q in audience.questions.all()
                },
            )
        for area in rubric.content_areas.all():
            services.add_finding(
                user=inspector,
                visit=visit,
                content_area=area,
                kind=Finding.Kind.STRENGTH,
                text=f"{area.name}：各岗位人员熟悉一柜通流程，受理规范。",
            )
            services.add_finding(
                user=inspector,
                visit=visit,
                content_area=area,
                kind=Finding.Kind.SHORTCOMING,
                text=f"{area.name}：个别专员对保全项目不熟悉，需加强培训。",
            )
            services.add_action(
                user=inspector,
                visit=visit,
                content_area=area,
                description="组织专项培训并复查",
                responsible_office=office,
                responsible_person="李䶮",
                deadline=datetime.date(2012, 12, 31),
            )
        # A tablet photo on the first item of every sheet: the PDF shows their thumbnails.
        from django.core.files.uploadedfile import SimpleUploadedFile

        from inspections.evidence_files import evidence_key
        from inspections.management.demo_visits import counter_photo

        photo = counter_photo()
        for record in visit.sheet_records.select_related("sheet"):
            section = sheet_definition(sheet=record.sheet).parts[0].sections[0]
            services.add_evidence(
                user=inspector,
                visit=visit,
                upload=SimpleUploadedFile("柜面.jpg", photo, content_type="image/jpeg"),
                sheet_record=record,
                item_key=evidence_key(section, section.items[0]),
            )
        services.submit_visit(user=inspector, visit=visit)
        # Approval queues the visit's report jobs; the benchmark builds its own.
        with mock.patch("reports.tasks.queue_visit_reports"):
            services.approve_visit(user=hq, visit=visit, comment="同意")
        visits.append(visit)
    return visits


def child(visit_id: str, runs: str):
    common.setup_django(DB_NAME)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader
    from weasyprint.pdf import fonts

    from reports.exporters import pdf
    from reports.exporters.visit import VisitPdfExporter

    calls = {"harfbuzz": 0, "fonttools": 0}

    def counting(name, method):
        def wrapper(self, *args, **kwargs):
            calls[name] += 1
            return method(self, *args, **kwargs)

        return wrapper

    fonts.Font._harfbuzz_subset = counting("harfbuzz", fonts.Font._harfbuzz_subset)
    fonts.Font._fonttools_subset = counting("fonttools", fonts.Font._fonttools_subset)

    visit_id = int(visit_id)
    warm = VisitPdfExporter(visit_id=visit_id).build()  # font configuration, caches
    pages = len(PdfReader(io.BytesIO(warm)).pages)
    html = VisitPdfExporter(visit_id=visit_id).html()
    ours, alone, queries = [], [], 0
    ours_cpu, alone_cpu = [], []
    for _run in range(int(runs)):
        gc.collect()
        cpu = time.process_time()
        with CaptureQueriesContext(connection) as captured, common.timer(ours):
            VisitPdfExporter(visit_id=visit_id).build()
        ours_cpu.append(time.process_time() - cpu)
        queries = len(captured.captured_queries)
        gc.collect()
        cpu = time.process_time()
        with common.timer(alone):
            pdf.html_to_pdf(html)
        alone_cpu.append(time.process_time() - cpu)
    common.child_result(
        ours=ours,
        alone=alone,
        ours_cpu=ours_cpu,
        alone_cpu=alone_cpu,
        pages=pages,
        queries=queries,
        subsetter=pdf.subsetter(),
        subset_calls=calls,
        html_kb=round(len(html.encode()) / 1024),
    )


def child_trace(visit_id: str):
    common.setup_django(DB_NAME)
    import tracemalloc

    from reports.exporters.visit import VisitPdfExporter

    VisitPdfExporter(visit_id=int(visit_id)).build()
    tracemalloc.start()
    VisitPdfExporter(visit_id=int(visit_id)).build()
    common.child_result(python_peak_mb=round(tracemalloc.get_traced_memory()[1] / 2**20, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--specialists", type=int, default=8)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        {"run": child, "trace": child_trace}[kind](*rest)
        return

    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection

    from inspections.models import Visit

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    visit = Visit.objects.filter(campaign__name=CAMPAIGN_NAME).first()
    if visit is None:
        print(f"making an approved visit with {args.specialists} specialists …")
        start = time.perf_counter()
        visit = make_visit(args.specialists)
        print(f"  made in {time.perf_counter() - start:.1f} s")
    records = visit.sheet_records.count()
    connection.close()

    script = Path(__file__).resolve()
    result = common.run_child(script, "run", str(visit.pk), str(args.runs))
    trace = common.run_child(script, "trace", str(visit.pk))
    ours = common.median(result["ours"])
    alone = common.median(result["alone"])
    ratio = ours / alone
    peak = result["peak_rss_mb"]
    print()
    print(
        f"visit PDF: {args.specialists} specialists, {records} scored sheets, {result['pages']} pages"
    )
    print(
        f"  ours, median:            {ours:.2f} s over {args.runs} runs (goal ≤ {GOAL_SECONDS} s)"
    )
    print(
        f"  WeasyPrint alone, median: {alone:.2f} s on the same final HTML ({result['html_kb']} KB)"
    )
    print(f"  ratio:                   {ratio:.2f} (goal ≤ {GOAL_RATIO})")
    cpu_ours, cpu_alone = common.median(result["ours_cpu"]), common.median(result["alone_cpu"])
    print(
        f"  CPU time, medians:       ours {cpu_ours:.2f} s, WeasyPrint alone {cpu_alone:.2f} s "
        f"(ratio {cpu_ours / cpu_alone:.2f}; steadier than wall time on a busy machine)"
    )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  runs, ours:              {', '.join(f'{t:.2f}' for t in result['ours'])}")
    print(f"  runs, WeasyPrint alone:  {', '.join(f'{t:.2f}' for t in result['alone'])}")
    print(f"  peak memory (RSS):       {peak:.0f} MB (goal ≤ {GOAL_MB} MB)")
    print(f"  Python heap peak:        {trace['python_peak_mb']:.0f} MB (tracemalloc, one build)")
    print(f"  queries per build:       {result['queries']}")
    print(
        f"  font subsetter:          {result['subsetter']} "
        f"(calls: HarfBuzz {result['subset_calls']['harfbuzz']}, "
        f"fontTools {result['subset_calls']['fonttools']}; "
        f"libharfbuzz-subset: {harfbuzz_subset_library()})"
    )
    ok = ours <= GOAL_SECONDS and ratio <= GOAL_RATIO and peak <= GOAL_MB
    print(f"  verdict:                 {'PASS' if ok else 'FAIL'}")
    if args.drop:
        common.drop_database()


if __name__ == "__main__":
    main()
