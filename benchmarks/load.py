"""Load benchmark: gunicorn on loopback against PostgreSQL, 32 concurrent users.

    .venv/bin/python benchmarks/load.py [--users 32] [--requests 640] [--seconds 60]

Creates a database of its own (yiguitong_load, dropped afterwards) next to the
server that DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/),
migrates it and loads seed_demo, then starts gunicorn as docker-compose does
(config.wsgi:application, 3 sync workers, DEBUG=0) on 127.0.0.1 and drives, one
scenario after another, from a thread pool of N users, each with its own
session (logged in as seed_demo's cq_inspector) and a new http.client
connection per request:

    ping        GET /ping/                         the trivial view
    sheet GET   GET the user's own scored sheet (one per user, in visits of
                重庆 万州 under way, made for the run)
    sheet save  POST that sheet, every item answered, with the version the page
                was opened at (raised after each save); a 302 is a success

Each scenario stops after --requests requests or --seconds seconds, whichever
comes first. Prints p50, p99 and requests per second per scenario, the sheet
page's throughput as a share of the trivial view's (goal: >= 50 %), and exits
non-zero if any request failed.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DB = "yiguitong_load"
PASSWORD = "yiguitong2012"  # seed_demo's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_url() -> urllib.parse.SplitResult:
    url = urllib.parse.urlsplit(
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )
    if not url.scheme.startswith("postgres"):
        sys.exit("load.py: DATABASE_URL must name a PostgreSQL server")
    return url


def psql(server, sql: str):
    admin = server._replace(path="/postgres").geturl()
    subprocess.run(["psql", "-q", "-d", admin, "-c", sql], check=True, capture_output=True)


def manage(env, *args, capture=False) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


SETUP = """
import json
from inspections import services
from inspections.models import SheetRecord, User, Visit
from tests import factories
users = {users}
base = (SheetRecord.objects.filter(visit__state=Visit.State.IN_PROGRESS,
        visit__inspectors__username="cq_inspector").order_by("pk").first())
inspector = User.objects.get(username="cq_inspector")
manager = User.objects.get(username="cq_manager")
parts = factories.full_sheet_parts(base.sheet)
records = [base]
# One sheet per user, as at the counter: each inspector saves their own sheet
# (two saving the same sheet would be refused as stale, by design).
while len(records) < users:
    visit = services.plan_visit(
        user=manager, campaign=base.visit.campaign, branch=base.visit.branch,
        office=base.visit.office, kind=base.visit.kind, start_date=base.visit.start_date,
        end_date=base.visit.end_date, inspectors=[inspector])
    records.append(services.save_sheet(
        user=inspector, visit=visit, specialist=base.specialist, sheet=base.sheet,
        selection_method="followed_live", parts=parts))
data = factories.sheet_post_data(parts)
data["selection_method"] = base.selection_method or data["selection_method"]
print(json.dumps({{"sheets": [[r.visit_id, r.pk] for r in records], "data": data}}))
"""


class Session:
    """One user: a session cookie and a CSRF token, a connection per request."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            all_headers = {"Host": "127.0.0.1"}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data, response.getheader("Location") or ""
        finally:
            conn.close()

    def csrf(self, html: bytes) -> str:
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return found.group(1).decode() if found else self.cookies.get("csrftoken", "")

    def login(self, username: str):
        _, page, _ = self.request("GET", "/accounts/login/")
        body = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf(page)}
        )
        status, _, location = self.request("POST", "/accounts/login/", body)
        if status != 302 or "login" in location:
            raise RuntimeError(f"log-in as {username} failed ({status})")


def run_scenario(name, sessions, call, total, seconds):
    """`call(session) -> bool`; returns latencies (s), errors, elapsed (s)."""
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(total))
    deadline = time.monotonic() + seconds

    def user(session):
        while time.monotonic() < deadline:
            with lock:
                if next(counter, None) is None:
                    return
            started = time.perf_counter()
            try:
                ok, detail = call(session)
            except Exception as error:  # counted, reported
                ok, detail = False, repr(error)
            elapsed = time.perf_counter() - started
            with lock:
                (latencies.append(elapsed) if ok else errors.append(detail))

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        list(pool.map(user, sessions))
    return latencies, errors, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (gunicorn's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except OSError:
            pass  # a worker that exited meanwhile
    return total


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent busy (all processes, all cores)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--requests", type=int, default=640, help="per scenario")
    parser.add_argument("--seconds", type=float, default=60, help="per scenario, at most")
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    args = parser.parse_args()

    server = server_url()
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="load-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PLAIN_HTTP": "1",
        "DATABASE_URL": server._replace(path=f"/{DB}").geturl(),
        # Approving in seed_demo queues report jobs: a broker that needs no server.
        "CELERY_BROKER_URL": "filesystem://",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(work / "static"),
        "MEDIA_ROOT": str(work / "media"),
        "PYTHONUNBUFFERED": "1",
    }
    psql(server, f'DROP DATABASE IF EXISTS "{DB}"')
    psql(server, f'CREATE DATABASE "{DB}"')
    gunicorn = None
    try:
        print("load.py: migrate, collectstatic, seed_demo …", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "seed_demo")
        setup = json.loads(
            manage(env, "shell", "-c", SETUP.format(users=args.users)).strip().splitlines()[-1]
        )
        sheet_paths = [f"/visits/{visit}/sheets/{record}/" for visit, record in setup["sheets"]]

        log = open(work / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
        gunicorn = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "config.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.gunicorn_workers),
                "--backlog",
                "256",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        probe = Session(port)
        for _ in range(100):
            try:
                if probe.request("GET", "/ping/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("load.py: gunicorn did not start")

        sessions = [Session(port) for _ in range(args.users)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda s: s.login("cq_inspector"), sessions))
        save_body = {}
        for s, path in zip(sessions, sheet_paths, strict=True):
            s.sheet_path = path
            status, page, _ = s.request("GET", path)
            if status != 200:
                sys.exit(f"load.py: {path} answered {status}")
            # The page's CSRF token and the version it was opened at; every
            # accepted save raises the version, as a reloaded page would show.
            version = int(re.search(rb'name="version" value="(\d+)"', page).group(1))
            save_body[id(s)] = {
                **setup["data"],
                "csrfmiddlewaretoken": s.csrf(page),
                "version": version,
            }

        def ping(session):
            status, body, _ = session.request("GET", "/ping/")
            return status == 200 and body == b"ok", status

        def sheet_get(session):
            status, body, _ = session.request("GET", session.sheet_path)
            return status == 200 and b"csrfmiddlewaretoken" in body, status

        def sheet_save(session):
            fields = save_body[id(session)]
            body = urllib.parse.urlencode(fields, doseq=True)
            status, page, location = session.request("POST", session.sheet_path, body)
            # 302 back to the sheet: saved; a 200 is the form with errors.
            saved = status == 302 and location.endswith(session.sheet_path)
            if saved:
                fields["version"] += 1
            return saved, (status, page[:300])

        scenarios = [("ping", ping), ("sheet GET", sheet_get), ("sheet save", sheet_save)]
        results = {}
        cpu = {}
        for name, call in scenarios:
            before = cpu_seconds(gunicorn.pid), time.process_time(), machine_busy_seconds()
            latencies, errors, elapsed = run_scenario(
                name, sessions, call, args.requests, args.seconds
            )
            after = cpu_seconds(gunicorn.pid), time.process_time(), machine_busy_seconds()
            results[name] = (latencies, errors, elapsed)
            cpu[name] = [(a - b) for a, b in zip(after, before, strict=True)]
            print(f"load.py: {name}: {len(latencies)} ok, {len(errors)} errors", flush=True)
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
        psql(server, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')

    print()
    print(
        f"{args.users} users, gunicorn {args.gunicorn_workers} sync workers, "
        f"PostgreSQL {server.hostname}:{server.port or 5432}"
    )
    print(
        f"{'scenario':<12} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}"
    )
    rps = {}
    failed = False
    for name, (latencies, errors, elapsed) in results.items():
        rps[name] = len(latencies) / elapsed if elapsed else 0.0
        p50 = percentile(latencies, 0.50) * 1000 if latencies else float("nan")
        p99 = percentile(latencies, 0.99) * 1000 if latencies else float("nan")
        print(
            f"{name:<12} {len(latencies):>8} {len(errors):>6} {p50:>8.1f} {p99:>8.1f} "
            f"{rps[name]:>8.1f}"
        )
        if errors:
            failed = True
            print(f"  first error: {errors[0]!r}")
    if rps.get("ping"):
        share = rps["sheet GET"] / rps["ping"]
        print(
            f"sheet GET throughput: {share:.0%} of the trivial view's "
            f"(goal >= 50 %: {'met' if share >= 0.5 else 'NOT met'})"
        )
    print(
        f"(mean ms: {', '.join(f'{n} {statistics.mean(r[0]) * 1000:.1f}' for n, r in results.items() if r[0])})"
    )
    # CPU per request: less sensitive than req/s to whatever else the machine runs.
    print("CPU ms per request: gunicorn (master + workers), load generator, whole machine")
    for name, (latencies, errors, _elapsed) in results.items():
        count = len(latencies) + len(errors)
        if count:
            web, client, machine = (seconds * 1000 / count for seconds in cpu[name])
            print(f"  {name:<12} {web:>6.1f} {client:>6.1f} {machine:>6.1f}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
