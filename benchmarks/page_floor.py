"""The cost floor of an access-checked page, beside the trivial view and the sheet page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/page_floor.py [--requests 300] [--keepdb] [--drop]

`load.py` compares the sheet page's throughput with a trivial view's (issue 6,
point 10: goal >= 50 %). This says how much of that any page of a visit can
reach: in one process (Django's test client, DEBUG=0, the production middleware,
the database `bench_page_floor` with seed_demo), logged in as seed_demo's
cq_inspector, it measures the CPU time per request of views that add one step
at a time to the trivial view:

    ping      GET /ping/: the trivial view (the session is read and written,
              as for every request of a logged-in user)
    user      + the logged-in user (login_required)
    visit     + the visit, read through the access rules (what every visit
              URL does first)
    record    + the sheet record of that visit
    sheet     the sheet page itself (record, parts, evidence, form, template)

and prints each one's throughput relative to the ping (its CPU time over the
row's). The first three rows are views defined here, mounted for this process
only; the ping and the sheet page are the app's own.

--compare-sheet then times the sheet page again, 2 × --requests requests in
60 rounds taken in turn (the machine's speed drifts): with its part cards and
radios written by Python f-strings as they were before they moved to a Jinja2
template (sheet_cards_fstrings.py, patched in for those rounds), and as the
app writes them now; it prints each one's median and the median of the rounds'
ratios (issue 12, point 5: the template may cost at most 10 % more).
"""

import argparse
import contextlib
import os
import secrets
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common

DB_NAME = "bench_page_floor"
USERNAME = "cq_inspector"


def measure(client, path: str, requests: int) -> float:
    """Median over 5 rounds of CPU milliseconds per request."""
    response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"page_floor.py: {path} answered {response.status_code}")
    rounds = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(requests // 5):
            client.get(path)
        rounds.append((time.process_time() - started) / (requests // 5) * 1000)
    return common.median(rounds)


def compare_sheet(client, path: str, requests: int, rounds: int = 60):
    """CPU milliseconds per request of the sheet page with the f-string cards
    ("before") and with the app's template ("after"): `rounds` rounds of each,
    taken in turn, the order swapped every round. Returns both medians and the
    median of the rounds' after/before ratios."""
    from unittest import mock

    import sheet_cards_fstrings

    from inspections.sheet_forms import SheetForm
    from inspections.views import visits

    def renderer(name):
        stack = contextlib.ExitStack()
        if name == "before":
            stack.enter_context(
                mock.patch.object(visits, "parts_html", sheet_cards_fstrings.parts_html)
            )
            stack.enter_context(
                mock.patch.object(SheetForm, "radios_html", sheet_cards_fstrings.radios_html)
            )
        return stack

    def round_of(name, count):
        with renderer(name):
            started = time.process_time()
            for _ in range(count):
                client.get(path)
            return (time.process_time() - started) / count * 1000

    for name in ("before", "after"):
        with renderer(name):
            if client.get(path).status_code != 200:
                sys.exit(f"page_floor.py: {path} failed with the {name} renderer")
    count = max(1, requests * 2 // rounds)
    times = {"before": [], "after": []}
    for index in range(rounds):
        order = ("before", "after") if index % 2 == 0 else ("after", "before")
        for name in order:
            times[name].append(round_of(name, count))
    ratios = [a / b for a, b in zip(times["after"], times["before"], strict=True)]
    return common.median(times["before"]), common.median(times["after"]), common.median(ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per view")
    parser.add_argument("--keepdb", action="store_true", help="reuse the benchmark database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--compare-sheet",
        action="store_true",
        help="also time the sheet page with its cards written by f-strings, as before",
    )
    args = parser.parse_args()

    os.environ.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        PLAIN_HTTP="1",
        STATIC_MANIFEST="0",
    )
    # WhiteNoise warns that collectstatic has not run: no static file is asked for here.
    warnings.filterwarnings("ignore", message="No directory at")
    common.setup_django(DB_NAME, create=True, keepdb=args.keepdb)
    from django.contrib.auth.decorators import login_required
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.shortcuts import get_object_or_404
    from django.test import Client
    from django.urls import clear_url_caches, path

    from config import urls
    from inspections.models import SheetRecord, User, Visit
    from inspections.views.visits import _visit_for

    if not User.objects.filter(username=USERNAME).exists():
        call_command("seed_demo", verbosity=0)
    record = (
        SheetRecord.objects.filter(
            visit__state=Visit.State.IN_PROGRESS, visit__inspectors__username=USERNAME
        )
        .order_by("pk")
        .first()
    )

    @login_required
    def user_view(request, pk, record_pk):
        return HttpResponse("ok", content_type="text/plain")

    @login_required
    def visit_view(request, pk, record_pk):
        _visit_for(request.user, pk)
        return HttpResponse("ok", content_type="text/plain")

    @login_required
    def record_view(request, pk, record_pk):
        visit = _visit_for(request.user, pk)
        get_object_or_404(SheetRecord, pk=record_pk, visit=visit)
        return HttpResponse("ok", content_type="text/plain")

    floor = "bench-floor/<str:step>/<int:pk>/<int:record_pk>/"
    views = {"user": user_view, "visit": visit_view, "record": record_view}
    urls.urlpatterns.insert(0, path(floor, lambda request, step, **kw: views[step](request, **kw)))
    clear_url_caches()

    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    ids = f"{record.visit_id}/{record.pk}/"
    rows = [
        ("ping", "/ping/"),
        ("user", f"/bench-floor/user/{ids}"),
        ("visit", f"/bench-floor/visit/{ids}"),
        ("record", f"/bench-floor/record/{ids}"),
        ("sheet", f"/visits/{ids.replace('/', '/sheets/', 1)}"),
    ]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"{'view':8} {'CPU ms/request':>15} {'throughput vs ping':>19}")
    ping = None
    for name, url in rows:
        cpu = measure(client, url, args.requests)
        ping = ping or cpu
        print(f"{name:8} {cpu:15.2f} {ping / cpu:18.0%}", flush=True)
    if args.compare_sheet:
        before, after, ratio = compare_sheet(client, rows[-1][1], args.requests)
        print("sheet page, CPU ms/request (median of 60 rounds each, taken in turn):")
        print(f"  part cards and radios written by f-strings (before) {before:8.2f}")
        print(f"  part cards and radios written by the template       {after:8.2f}")
        print(f"  template / f-strings, median of the rounds' ratios  {ratio:8.3f} (goal <= 1.10)")
    if args.drop:
        common.drop_database()


if __name__ == "__main__":
    main()
