"""How long the running score takes to answer one change of a score sheet.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/running_score.py [--requests 200] [--keepdb] [--drop]

The running score is computed on the server (the engine that scores the save),
so each answer the inspector types costs one POST to the sheet's preview URL.
Issue 13 asks for under 100 ms per answer on this machine. In one process
(Django's test client, DEBUG=0, the production middleware, the database
`bench_running_score` with seed_demo), logged in as seed_demo's cq_inspector,
this posts seed_demo's saved 表二 of the visit under way, each time with one item
changed (a valid value, and one time in ten a value above its maximum, which the
answer marks), and prints the wall-clock milliseconds per answer: median, 95th
percentile and worst, and the queries of one answer.
"""

import argparse
import os
import secrets
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

DB_NAME = "bench_running_score"
USERNAME = "cq_inspector"
GOAL_MS = 100


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
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
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from inspections.models import SheetRecord, User, Visit
    from inspections.sheet_forms import SheetForm
    from scoring.selectors import sheet_definition

    if not User.objects.filter(username=USERNAME).exists():
        call_command("seed_demo", verbosity=0)
    record = (
        SheetRecord.objects.filter(
            visit__state=Visit.State.IN_PROGRESS,
            visit__inspectors__username=USERNAME,
            sheet__code="new_business",
        )
        .select_related("sheet")
        .order_by("pk")
        .first()
    )
    if record is None:
        sys.exit("running_score.py: seed_demo has no 表二 on the visit under way")
    form = SheetForm(
        initial=SheetForm.initial_from_record(record),
        definition=sheet_definition(sheet=record.sheet),
    )
    data = {
        name: ("" if value is None else value)
        for name, value in ((f.html_name, f.value()) for f in form)
        if not isinstance(value, bool) or value
    }
    data = {name: ("on" if value is True else value) for name, value in data.items()}
    items = [name for name in data if "-item-" in name or name.endswith("-score")]
    url = reverse("visit-sheet-preview", args=[record.visit_id, "new_business"])

    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    first = client.post(url, data)
    if first.status_code != 200 or not first.json()["ok"]:
        sys.exit(
            f"running_score.py: the preview answered {first.status_code} {first.content[:200]}"
        )
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        client.post(url, data)

    times = []
    for index in range(args.requests):
        changed = dict(data)
        name = items[index % len(items)]
        changed[name] = "999" if index % 10 == 0 else "0"
        started = time.perf_counter()
        response = client.post(url, changed)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"running_score.py: answer {index} failed with {response.status_code}")
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"answers: {len(times)} of 表二 ({len(items)} scored inputs), {len(queries)} queries each"
    )
    print(
        f"ms per answer: median {common.median(times):.1f}, p95 {p95:.1f}, "
        f"worst {times[-1]:.1f} (goal < {GOAL_MS})"
    )
    if args.drop:
        common.drop_database()


if __name__ == "__main__":
    main()
