"""Benchmark (issue 14, point 3): a branch's acceptance report, PDF and Excel,
now that it carries every visit's filled tables and interviews.

    .venv/bin/python benchmarks/branch_pdf.py [--visits 10] [--specialists 8] [--runs 3] [--keepdb]

Makes (once, with --keepdb) one branch with `--visits` offices, each with an
approved visit filled as `visit_pdf.py` fills its one (8 specialists scored on
the two business sheets that are not their home post and on 表七, 表五, a
表一 log, interviews of the three audiences, findings, actions and a photo per
sheet). Then, in fresh processes, builds `BranchPdfExporter` and
`BranchXlsxExporter` run after run and prints the median time, the CPU time,
the peak resident memory, the query count, the PDF's pages and both files'
sizes. No goal: the figures are for comparison (the visit PDF's goals are in
`visit_pdf.py`).
"""

import argparse
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import visit_pdf

DB_NAME = "bench_branch_pdf"
CAMPAIGN_NAME = "基准验收 branch-pdf"


def child(kind: str, campaign_id: str, branch_id: str, runs: str):
    common.setup_django(DB_NAME)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import load_workbook
    from pypdf import PdfReader

    from reports.exporters.branch import BranchPdfExporter, BranchXlsxExporter

    exporter = {"pdf": BranchPdfExporter, "xlsx": BranchXlsxExporter}[kind]
    subject = {"campaign_id": int(campaign_id), "branch_id": int(branch_id)}
    seconds, cpu, queries, content = [], [], 0, b""
    for _run in range(int(runs)):
        start = time.process_time()
        with CaptureQueriesContext(connection) as captured, common.timer(seconds):
            content = exporter(**subject).build()
        cpu.append(time.process_time() - start)
        queries = len(captured.captured_queries)
    if kind == "pdf":
        parts = len(PdfReader(io.BytesIO(content)).pages)
    else:
        parts = len(load_workbook(io.BytesIO(content), read_only=True).sheetnames)
    common.child_result(
        seconds=seconds, cpu=cpu, queries=queries, kb=round(len(content) / 1024), parts=parts
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=10)
    parser.add_argument("--specialists", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection

    from inspections.models import Campaign

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    campaign = Campaign.objects.filter(name=CAMPAIGN_NAME).first()
    if campaign is None:
        print(f"making {args.visits} approved visits with {args.specialists} specialists each …")
        start = time.perf_counter()
        visits = visit_pdf.make_visits(
            args.specialists, offices=args.visits, campaign_name=CAMPAIGN_NAME
        )
        print(f"  made in {time.perf_counter() - start:.1f} s")
        campaign = visits[0].campaign
    branch = campaign.branches.get()
    visits = campaign.visits.count()
    records = sum(v.sheet_records.count() for v in campaign.visits.all())
    connection.close()

    script = Path(__file__).resolve()
    print()
    print(f"branch report: {visits} visits, {records} scored sheets, {args.runs} runs each")
    for kind, unit in (("pdf", "pages"), ("xlsx", "worksheets")):
        result = common.run_child(script, kind, str(campaign.pk), str(branch.pk), str(args.runs))
        print(
            f"  {kind:4}: median {common.median(result['seconds']):.2f} s "
            f"(CPU {common.median(result['cpu']):.2f} s; runs "
            f"{', '.join(f'{t:.2f}' for t in result['seconds'])}), "
            f"peak memory (RSS) {result['peak_rss_mb']:.0f} MB, {result['queries']} queries, "
            f"{result['parts']} {unit}, {result['kb']} KB"
        )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.drop:
        common.drop_database()


if __name__ == "__main__":
    main()
