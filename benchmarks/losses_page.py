"""Benchmark (issue 15, points 3 and 7): "where points are lost" for a national
campaign: the page (sections, items, heat map, top ten, checklists), a batch's
page, a branch's, the drill-down behind the worst heat map cell and the
workbook, against the goal of 1 s, with query counts that must not grow with
the number of visits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/losses_page.py [--runs 5] [--keepdb] [--drop]

Generates (once, with --keepdb) the consolidated benchmark's national campaign
(40 branches × 20 offices × 10 specialists: 880 approved visits, about 220,000
item outcomes) and a small one (2 × 3 × 4), fills in the item outcomes of any
approved visit without them (`refresh_missing_outcomes`, timed), then times
each request through Django's test client as head office, in a fresh process,
the median of `--runs` after one warm-up.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DB_NAME = "bench_losses"
GOAL_SECONDS = 1.0
BIG = dict(name="基准验收 40x20x10", branches=40, offices=20, specialists=10, seed=2012)
SMALL = dict(name="基准验收 2x3x4", branches=2, offices=3, specialists=4, seed=7)


def child_measure(campaign_id: str, runs: str):
    common.setup_django(DB_NAME)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from inspections.models import Campaign, User
    from reports.selectors.losses import Scope, losses

    campaign = Campaign.objects.get(pk=campaign_id)
    user = User.objects.get(pk=campaign.created_by_id)
    client = Client()
    client.force_login(user)
    branch = campaign.branches.order_by("pk").first()
    page = reverse("campaign-losses", args=[campaign.pk])
    # The worst cell of the heat map: the drill-down with the most rows behind it.
    data = losses(scope=Scope(campaign=campaign, user=user))
    worst = max(
        (cell for row in data.heat_rows for cell in row.cells),
        key=lambda cell: cell.loss.lost,
    )
    urls = {
        "page": page,
        "page, one batch": f"{page}?batch={branch.rollout_batch}",
        "page, one branch": f"{page}?branch={branch.pk}",
        "drill-down, worst cell": f"{reverse('campaign-loss-visits', args=[campaign.pk])}"
        f"?{worst.query}",
        "drill-down, a section nationally": f"{reverse('campaign-loss-visits', args=[campaign.pk])}"
        f"?{data.sections[0].query}",
        "workbook": reverse("campaign-losses-xlsx", args=[campaign.pk]),
    }
    figures = {}
    for label, url in urls.items():
        assert client.get(url).status_code == 200, url  # warm-up
        seconds, cpu, sql, counts = [], [], [], set()
        for _run in range(int(runs)):
            with CaptureQueriesContext(connection) as queries:
                start, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, (url, response.status_code)
            counts.add(len(queries.captured_queries))
            sql.append(sum(float(q["time"]) for q in queries.captured_queries))
        figures[label] = {
            "seconds": common.median(seconds),
            "cpu": common.median(cpu),
            "sql": common.median(sql),
            "queries": sorted(counts),
        }
    common.child_result(figures=figures)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_measure(*args.child)
        return

    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection

    from inspections.models import ItemOutcome
    from inspections.services.outcomes import refresh_missing_outcomes

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    campaigns = {}
    for spec in (BIG, SMALL):
        generator = common.Generator(**spec)
        campaign = generator.existing()
        if campaign is None:
            print(f"generating {generator.name} …")
            start = time.perf_counter()
            campaign = generator.run(progress=print)
            print(f"  generated in {time.perf_counter() - start:.1f} s")
        campaigns[spec["name"]] = campaign
    # Visits bulk-created without their summary get it here, as after a migrate.
    start = time.perf_counter()
    done = refresh_missing_outcomes()
    print(
        f"refresh_missing_outcomes: {done} visits summarised in {time.perf_counter() - start:.1f} s"
    )
    for name, campaign in campaigns.items():
        visits = campaign.visits.filter(counts_in_results=True).count()
        rows = ItemOutcome.objects.filter(campaign=campaign).count()
        print(f"  {name}: {visits} visits count in the results, {rows} item outcomes")
    connection.close()

    script = Path(__file__).resolve()
    big = common.run_child(script, str(campaigns[BIG["name"]].pk), str(args.runs))["figures"]
    small = common.run_child(script, str(campaigns[SMALL["name"]].pk), str(args.runs))["figures"]
    print()
    print(f"where points are lost, median of {args.runs} runs (goal ≤ {GOAL_SECONDS:.1f} s)")
    ok = True
    for label, figure in big.items():
        same = figure["queries"] == small[label]["queries"]
        fast = figure["seconds"] <= GOAL_SECONDS or label == "workbook"
        ok = ok and same and fast
        print(
            f"  {label:34} {figure['seconds'] * 1000:6.0f} ms (database {figure['sql'] * 1000:.0f}"
            f" ms, Python CPU {figure['cpu'] * 1000:.0f} ms)  queries {figure['queries']} "
            f"(small campaign: {small[label]['queries']}, "
            f"{small[label]['seconds'] * 1000:.0f} ms)"
        )
    # The figures move with whatever else the machine runs: report its load.
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  verdict: {'PASS' if ok else 'FAIL'} (the workbook, a download, is not held to 1 s)")
    if args.drop:
        common.setup_django(DB_NAME)
        common.drop_database()


if __name__ == "__main__":
    main()
