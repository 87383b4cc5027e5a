"""Benchmark (issue 4, point 15): head office's consolidated Excel for a
national campaign, against raw openpyxl write-only mode writing the same rows.

    .venv/bin/python benchmarks/consolidated_xlsx.py [--runs 3] [--keepdb]
        [--branches 40 --offices 20 --specialists 10]

Generates (once, with --keepdb) 40 branches × 20 offices × 10 specialists,
each scored on 表七 and the two business sheets that are not their home line,
an approved self-inspection of every office and head-office checks of two
drawn offices per branch: about a quarter of a million item rows in the
detail sheet. Then, run after run in fresh processes, side by side:

- ours: `ConsolidatedXlsxExporter(campaign_id).build()`, everything included
  (queries, recomputing every form with the engine, formula escaping, the
  summary sheets and charts);
- baseline: the same rows, already in memory (read back from our file), written
  by a bare `Workbook(write_only=True)`.

Prints the medians, their ratio (goal ≤ 1.3), our peak resident memory
(goal ≤ 300 MB) and the query count, which must not grow with the number of
visits (compared with a small campaign).
"""

import argparse
import gc
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DB_NAME = "bench_consolidated"
GOAL_RATIO = 1.3
GOAL_MB = 300


def child_ours(campaign_id: int, output: str):
    common.setup_django(DB_NAME)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.exporters.consolidated import ConsolidatedXlsxExporter

    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        content = ConsolidatedXlsxExporter(campaign_id=campaign_id).build()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    Path(output).write_bytes(content)
    common.child_result(
        seconds=seconds, cpu=cpu, queries=len(queries.captured_queries), bytes=len(content)
    )


def child_ours_tracemalloc(campaign_id: int):
    """Python's own heap peak while building (slower under tracemalloc: not timed)."""
    common.setup_django(DB_NAME)
    import tracemalloc

    from reports.exporters.consolidated import ConsolidatedXlsxExporter

    tracemalloc.start()
    ConsolidatedXlsxExporter(campaign_id=campaign_id).build()
    _current, peak = tracemalloc.get_traced_memory()
    common.child_result(python_peak_mb=round(peak / 2**20, 1))


def child_baseline(path: str):
    from openpyxl import Workbook, load_workbook

    source = load_workbook(path, read_only=True)
    sheets = [(ws.title, [tuple(row) for row in ws.iter_rows(values_only=True)]) for ws in source]
    source.close()
    rows = sum(len(r) for _t, r in sheets)
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    for title, values in sheets:
        worksheet = workbook.create_sheet(title)
        for row in values:
            worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    detail = len(sheets[-1][1]) - 1
    common.child_result(
        seconds=seconds, cpu=cpu, rows=rows, detail_rows=detail, bytes=len(buffer.getvalue())
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--offices", type=int, default=20)
    parser.add_argument("--specialists", type=int, default=10)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        {"ours": child_ours, "trace": child_ours_tracemalloc, "baseline": child_baseline}[kind](
            *rest
        )
        return

    url = common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    size = f"{args.branches}x{args.offices}x{args.specialists}"
    big = common.Generator(
        name=f"基准验收 {size}",
        branches=args.branches,
        offices=args.offices,
        specialists=args.specialists,
    )
    small = common.Generator(name="基准验收 2x3x4", branches=2, offices=3, specialists=4, seed=7)
    campaigns = {}
    for generator in (big, small):
        campaign = generator.existing()
        if campaign is None:
            print(f"generating {generator.name} …")
            start = time.perf_counter()
            campaign = generator.run(progress=print)
            print(f"  generated in {time.perf_counter() - start:.1f} s")
        campaigns[generator] = campaign.pk
    connection.close()
    del url

    script = Path(__file__).resolve()
    ours, baseline = [], []
    with tempfile.TemporaryDirectory() as tmp:
        output = str(Path(tmp) / "consolidated.xlsx")
        small_out = common.run_child(script, "ours", str(campaigns[small]), output)
        for run in range(1, args.runs + 1):
            mine = common.run_child(script, "ours", str(campaigns[big]), output)
            raw = common.run_child(script, "baseline", output)
            ours.append(mine)
            baseline.append(raw)
            print(
                f"run {run}: ours {mine['seconds']:.2f} s (CPU {mine['cpu']:.2f} s, "
                f"{mine['peak_rss_mb']:.0f} MB, {mine['queries']} queries) · raw write-only "
                f"{raw['seconds']:.2f} s (CPU {raw['cpu']:.2f} s, {raw['rows']} rows)"
            )
        trace = common.run_child(script, "trace", str(campaigns[big]))

    our_median = common.median(m["seconds"] for m in ours)
    raw_median = common.median(r["seconds"] for r in baseline)
    ratio = our_median / raw_median
    cpu_ratio = common.median(m["cpu"] for m in ours) / common.median(r["cpu"] for r in baseline)
    peak = max(m["peak_rss_mb"] for m in ours)
    queries = {m["queries"] for m in ours}
    print()
    print(f"consolidated Excel, {size} (branches × offices × specialists)")
    print(
        f"  rows written:            {baseline[0]['rows']} ({baseline[0]['detail_rows']} item rows)"
    )
    print(f"  file size:               {ours[0]['bytes'] / 2**20:.1f} MB")
    print(f"  ours, median:            {our_median:.2f} s over {args.runs} runs")
    print(f"  raw write-only, median:  {raw_median:.2f} s (same rows, same run)")
    print(f"  ratio:                   {ratio:.2f} (goal ≤ {GOAL_RATIO})")
    print(
        f"  ratio of CPU times:      {cpu_ratio:.2f} (ours: this process only; "
        "steadier than wall time on a busy machine)"
    )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  peak memory (RSS):       {peak:.0f} MB (goal ≤ {GOAL_MB} MB)")
    print(f"  Python heap peak:        {trace['python_peak_mb']:.0f} MB (tracemalloc)")
    print(
        f"  queries:                 {sorted(queries)} for {size}; "
        f"{small_out['queries']} for 2x3x4 (must not grow)"
    )
    ok = ratio <= GOAL_RATIO and peak <= GOAL_MB and queries == {small_out["queries"]}
    print(f"  verdict:                 {'PASS' if ok else 'FAIL'}")
    if args.drop:
        common.setup_django(DB_NAME)
        common.drop_database()


if __name__ == "__main__":
    main()
