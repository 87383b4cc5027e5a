"""Benchmark (issue 15, points 4 and 7): the across-campaigns pages and the
repeat findings over a national campaign and the one after it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/trends_page.py [--requests 5] [--keepdb] [--drop]
        [--branches 40 --offices 20 --specialists 10]

Generates (once, with --keepdb) the consolidated benchmark's national campaign
(`common.Generator`: 40 branches × 20 offices, 880 approved visits, ~222k item
outcomes; `refresh_missing_outcomes` timed and printed), then "the next
year's" campaign over the same branches: a copy of every counting visit with
its scored sheets and item outcomes (the same findings: every finding repeats,
the worst case for repeat findings). A small pair (2 × 3 × 4) is made the same
way, to show the query counts do not grow.

Then, in this process (Django's test client, DEBUG=0), logged in as head office:

    office    GET /offices/<pk>/trend/ of one office
    branch    GET /branches/<pk>/trend/ of one branch (its 20 offices' visits)
    xlsx      GET /branches/<pk>/trend.xlsx
    repeats   the repeat findings of every counting visit of the later campaign
              (what the consolidated report reads), without the client

and prints the median wall time of each (goal for the pages ≤ 1 s; the repeat
findings are part of the consolidated report, a worker's job) and its query
count, for the national data and the small one (must be equal).
"""

import argparse
import datetime
import os
import secrets
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

DB_NAME = "bench_trends"
GOAL_SECONDS = 1.0
NEXT = " 次年"


def next_campaign(campaign, progress=print):
    """The campaign after `campaign`: its counting visits, scored sheets and item
    outcomes copied a year later (bulk inserts; the records' parts are not needed)."""
    from django.db import transaction

    from inspections.models import Campaign, CampaignGradeBand, ItemOutcome, SheetRecord, Visit

    existing = Campaign.objects.filter(name=campaign.name + NEXT).first()
    if existing:
        return existing
    started = time.perf_counter()
    year = datetime.timedelta(days=365)
    with transaction.atomic():
        later = Campaign.objects.create(
            name=campaign.name + NEXT,
            rubric_id=campaign.rubric_id,
            period_start=campaign.period_start + year,
            period_end=campaign.period_end + year,
            report_due=campaign.report_due + year,
            created_by_id=campaign.created_by_id,
        )
        later.branches.set(campaign.branches.all())
        CampaignGradeBand.objects.bulk_create(
            CampaignGradeBand(campaign=later, grade=b.grade, minimum_percent=b.minimum_percent)
            for b in campaign.grade_bands.all()
        )
        old = list(Visit.objects.filter(campaign=campaign, counts_in_results=True).order_by("pk"))
        old_ids = [v.pk for v in old]
        for visit in old:
            visit.pk = None
            visit.campaign = later
            visit.start_date += year
            visit.end_date += year
        new = Visit.objects.bulk_create(old, batch_size=2000)
        mapping = dict(zip(old_ids, (v.pk for v in new), strict=True))
        records = list(SheetRecord.objects.filter(visit_id__in=old_ids))
        for record in records:
            record.pk = None
            record.visit_id = mapping[record.visit_id]
        SheetRecord.objects.bulk_create(records, batch_size=2000)
        rows = []
        for outcome in ItemOutcome.objects.filter(visit_id__in=old_ids).iterator(chunk_size=5000):
            outcome.pk = None
            outcome.campaign = later
            outcome.visit_id = mapping[outcome.visit_id]
            outcome.sheet_record_id = outcome.checklist_record_id = None
            rows.append(outcome)
        ItemOutcome.objects.bulk_create(rows, batch_size=5000)
    progress(
        f"  next campaign: {len(new)} visits, {len(records)} sheets, {len(rows)} item outcomes "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return later


class QueryCounter:
    """Counts the statements run (a request resets Django's own query log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(client, url, requests):
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(url)
    if response.status_code != 200:
        sys.exit(f"trends_page.py: {url} answered {response.status_code}")
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    return common.median(times), counter.count, len(response.content)


def measure_repeats(campaign, requests):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inspections.models import Visit
    from inspections.selectors import repeat_findings_of

    ids = list(
        Visit.objects.filter(campaign=campaign, counts_in_results=True).values_list("pk", flat=True)
    )
    with CaptureQueriesContext(connection) as queries:
        found = repeat_findings_of(visit_ids=ids)
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        repeat_findings_of(visit_ids=ids)
        times.append(time.perf_counter() - started)
    count = sum(len(v) for v in found.values())
    return common.median(times), len(queries.captured_queries), count


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--branches", type=int, default=40)
    parser.add_argument("--offices", type=int, default=20)
    parser.add_argument("--specialists", type=int, default=10)
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        PLAIN_HTTP="1",
        STATIC_MANIFEST="0",
    )
    warnings.filterwarnings("ignore", message="No directory at")
    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from inspections.models import ItemOutcome, User, Visit
    from inspections.services.outcomes import refresh_missing_outcomes

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    size = f"{args.branches}x{args.offices}x{args.specialists}"
    big = common.Generator(
        name=f"基准验收 {size}",
        branches=args.branches,
        offices=args.offices,
        specialists=args.specialists,
    )
    small = common.Generator(name="基准验收 2x3x4", branches=2, offices=3, specialists=4, seed=7)
    # Data made before the summary existed is summarised first, as after migrate.
    started = time.perf_counter()
    done = refresh_missing_outcomes()
    print(f"refresh_missing_outcomes: {done} visits in {time.perf_counter() - started:.2f} s")
    pairs = {}
    for generator in (big, small):
        campaign = generator.existing()
        if campaign is None:
            print(f"generating {generator.name} …")
            started = time.perf_counter()
            campaign = generator.run(progress=print)
            print(f"  generated in {time.perf_counter() - started:.1f} s")
        pairs[generator] = (campaign, next_campaign(campaign))

    hq = User.objects.filter(role=User.Role.HEAD_OFFICE, username__startswith="bench-hq-").first()
    client = Client()
    client.force_login(hq)
    results = {}
    for generator, (first, later) in pairs.items():
        visit = (
            Visit.objects.filter(campaign=later, counts_in_results=True, office__isnull=False)
            .order_by("pk")
            .first()
        )
        rows = ItemOutcome.objects.filter(campaign__in=[first, later]).count()
        print(f"{generator.name}: {rows} item outcomes in its two campaigns")
        urls = {
            "office": reverse("office-trend", args=[visit.office_id]),
            "branch": reverse("branch-trend", args=[visit.branch_id]),
            "xlsx": reverse("branch-trend-xlsx", args=[visit.branch_id]),
        }
        figures = {name: measure(client, url, args.requests) for name, url in urls.items()}
        figures["repeats"] = measure_repeats(later, args.requests)
        results[generator] = figures

    print()
    print(f"across campaigns, {size} national campaign and the next (medians of {args.requests})")
    ok = True
    for name in ("office", "branch", "xlsx", "repeats"):
        seconds, queries, extra = results[big][name]
        _s, small_queries, _e = results[small][name]
        what = "repeat findings" if name == "repeats" else "bytes"
        ok &= queries == small_queries
        if name != "repeats":  # a page: the goal; the repeats are a report job's part
            ok &= seconds <= GOAL_SECONDS
        print(
            f"  {name:8} {seconds * 1000:7.0f} ms  {queries:3} queries "
            f"({small_queries} for 2x3x4)  {extra} {what}"
        )
    print(f"  load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"  goal: pages ≤ {GOAL_SECONDS:.0f} s, queries equal for both sizes: "
        f"{'PASS' if ok else 'FAIL'}"
    )
    if args.drop:
        connection.close()
        common.drop_database()


if __name__ == "__main__":
    main()
