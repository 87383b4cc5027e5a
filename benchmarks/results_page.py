"""Benchmark (issue 15, point 7): a national campaign's results page.

    .venv/bin/python benchmarks/results_page.py [--runs 5] [--keepdb] [--drop]
        [--branches 40 --offices 20 --specialists 10]

Generates (once, with --keepdb) the consolidated benchmark's national campaign
(`common.Generator`: 40 branches × 20 offices × 10 specialists, 880 approved
visits, about 222,000 item rows behind them) and a small 2×3×4 one. Then, in a
fresh process, head office opens `/campaigns/<pk>/results/` (sorted by score,
so the sort is in the time) through Django's test client, `--runs` times after
one warm-up request, and downloads the page's Excel file once; a branch
manager's page (one branch's rows, ranked among the whole campaign) is timed
too.

Prints the median and worst time of the page (goal: within 1 s), the Excel
download's time, and the query counts, which must not grow with the number of
visits (compared with the small campaign).
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

DB_NAME = "bench_results"
GOAL_SECONDS = 1.0


def child_page(campaign_id: str, runs: str):
    common.setup_django(DB_NAME)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from inspections.models import Campaign, User

    campaign = Campaign.objects.get(pk=int(campaign_id))
    branch = campaign.branches.order_by("pk").first()
    manager, _created = User.objects.get_or_create(
        username=f"bench-manager-{branch.pk}",
        defaults={"role": User.Role.BRANCH_MANAGER, "branch": branch},
    )
    url = reverse("campaign-results", args=[campaign.pk])
    figures = {}
    for who, user in (("hq", campaign.created_by), ("manager", manager)):
        client = Client()
        client.force_login(user)
        client.get(url, {"sort": "-score"})  # warm-up: templates, translations, the session
        seconds, cpu = [], []
        for _run in range(int(runs)):
            with CaptureQueriesContext(connection) as queries:
                start, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, {"sort": "-score"})
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200, response.status_code
        figures[who] = {
            "seconds": seconds,
            "cpu": cpu,
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
        }
    client = Client()
    client.force_login(campaign.created_by)
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(reverse("campaign-results-xlsx", args=[campaign.pk]))
        xlsx_seconds = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    figures["xlsx"] = {
        "seconds": xlsx_seconds,
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }
    common.child_result(**figures)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--offices", type=int, default=20)
    parser.add_argument("--specialists", type=int, default=10)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_page(*args.child[1:])
        return

    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection

    from inspections.models import Visit

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
        visits = Visit.objects.filter(campaign=campaign, state=Visit.State.APPROVED).count()
        campaigns[generator] = (campaign.pk, visits)
    connection.close()

    script = Path(__file__).resolve()
    small_out = common.run_child(script, "page", str(campaigns[small][0]), "1")
    ours = common.run_child(script, "page", str(campaigns[big][0]), str(args.runs))
    hq, manager, xlsx = ours["hq"], ours["manager"], ours["xlsx"]
    median = common.median(hq["seconds"])
    print()
    print(f"results page, {size} (branches × offices × specialists)")
    print(f"  approved visits:         {campaigns[big][1]} (small: {campaigns[small][1]})")
    print(
        f"  head office, median:     {median:.3f} s over {args.runs} runs "
        f"(worst {max(hq['seconds']):.3f} s; goal ≤ {GOAL_SECONDS} s), "
        f"{hq['bytes'] / 2**20:.1f} MB of HTML"
    )
    print(
        f"  head office, CPU median: {common.median(hq['cpu']):.3f} s (this process only: "
        "steadier than wall time on a busy machine)"
    )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"  a branch manager:        {common.median(manager['seconds']):.3f} s "
        f"(one branch's rows, {manager['bytes'] / 2**10:.0f} KB)"
    )
    print(f"  Excel download:          {xlsx['seconds']:.3f} s, {xlsx['bytes'] / 2**10:.0f} KB")
    print(f"  peak memory (RSS):       {ours['peak_rss_mb']:.0f} MB")
    counts = [
        (name, ours[name]["queries"], small_out[name]["queries"])
        for name in ("hq", "manager", "xlsx")
    ]
    for name, big_count, small_count in counts:
        print(f"  queries, {name + ':':<16}{big_count} (small campaign: {small_count})")
    ok = median <= GOAL_SECONDS and all(b == s for _n, b, s in counts)
    print(f"  verdict:                 {'PASS' if ok else 'FAIL'}")
    if args.drop:
        common.setup_django(DB_NAME)
        common.drop_database()


if __name__ == "__main__":
    main()
