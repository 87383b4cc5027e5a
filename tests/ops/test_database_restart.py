"""Issue 6, point 9: PostgreSQL restarted under the running app.

A private PostgreSQL 15 cluster (initdb and pg_ctl in a temporary folder, on a
free port; the machine's PostgreSQL is never touched) serves gunicorn, started
as docker-compose starts it, with persistent connections (CONN_MAX_AGE=60).
A signed-in user's pages work; then:

1. PostgreSQL restarts while nobody is asking: every worker's persistent
   connection is now dead, and the next requests succeed all the same
   (CONN_HEALTH_CHECKS drops a broken connection before using it).
2. PostgreSQL stops: requests fail cleanly and at once, with a plain page in
   Chinese (503 with Retry-After through `DatabaseUnavailableMiddleware`, or
   Django's 500 page if that middleware is not installed), never a traceback
   or a connection detail; /healthz/ reports the database down; /ping/ lives.
3. PostgreSQL starts again: without restarting the app (same gunicorn
   processes), the same requests succeed and the user is still signed in.

Skipped when the PostgreSQL 15 server binaries are absent.
"""

import http.cookiejar
import json
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from config.middleware import DatabaseUnavailableMiddleware
from tests.skips import require_program

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(
    os.environ.get("PG_BIN")
    or max(
        (str(p) for p in Path("/usr/lib/postgresql").glob("*/bin")),
        key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0,
        default="/usr/lib/postgresql/15/bin",
    )
)
SHARED_PORT = 5432  # the machine's PostgreSQL: never ours to stop
BRANCH_NAME = "重启测试分公司"  # on the home page of the signed-in user
USERNAME, PASSWORD = "restart-hq", "Restart-test-2012"
LEAKS = ("Traceback", "OperationalError", "InterfaceError", "psycopg", 'File "', "127.0.0.1:")
MIDDLEWARE = "config.middleware.DatabaseUnavailableMiddleware"
REQUEST_SECONDS = 15  # a request during the outage must fail, not hang


# --- the clean failure, without a server ----------------------------------------------------


def test_an_unreachable_database_gets_a_plain_503_page_in_chinese():
    from django.db import OperationalError

    request = RequestFactory().get("/visits/")
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    with translation.override("zh-hans"):
        response = middleware.process_exception(
            request, OperationalError('connection to server at "10.0.0.5", port 5432 failed')
        )
    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "no-store" in response["Cache-Control"]
    assert "系统暂时无法连接数据库，请稍后重试" in body
    assert "10.0.0.5" not in body and "OperationalError" not in body
    assert middleware.process_exception(request, ValueError("not ours")) is None


def test_the_503_keeps_the_session_without_reading_it_again(monkeypatch, settings):
    """A signed-in user's session cannot be read either: the session middleware
    must neither read it again for the response (a 500) nor drop the cookie."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.middleware import SessionMiddleware
    from django.db import OperationalError

    def unreachable(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", unreachable)
    settings.SESSION_SAVE_EVERY_REQUEST = True
    request = RequestFactory().get(
        "/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=a-session-key-of-32-characters-xx"
    )
    request.session = SessionStore("a-session-key-of-32-characters-xx")
    with pytest.raises(OperationalError):
        request.session.get("_auth_user_id")  # what the view tried
    response = DatabaseUnavailableMiddleware(lambda r: None).process_exception(
        request, OperationalError("connection refused")
    )
    response = SessionMiddleware(lambda r: response).process_response(request, response)
    assert response.status_code == 503
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # neither set nor deleted


def test_any_other_error_gets_django_s_500_page_in_chinese():
    from django.views.defaults import server_error

    with translation.override("zh-hans"):
        response = server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "系统出现错误" in body and "请稍后重试" in body


# --- the private cluster ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A throwaway PostgreSQL cluster. As root, it runs as the `postgres` user
    (initdb refuses root); otherwise as the current user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "data"
        self.log = folder / "postgres.log"
        self.port = free_port()
        assert self.port != SHARED_PORT
        self.as_user = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            self.as_user = [shutil.which("runuser") or "runuser", "-u", "postgres", "--"]

    def run(self, *command, timeout=120, check=True):
        return subprocess.run(
            [*self.as_user, *command],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def init(self):
        self.run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )

    def pg_ctl(self, *arguments, timeout=60):
        options = (
            f"-c port={self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=30"
        )
        return self.run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(timeout),
            *arguments,
            timeout=timeout + 30,
        )

    def start(self):
        self.pg_ctl("start")

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-m", mode)

    def restart(self, mode="fast"):
        self.pg_ctl("restart", "-m", mode)

    def sql(self, query: str, database="postgres") -> str:
        return self.run(
            str(PG_BIN / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
            "-Atc",
            query,
        ).stdout.strip()

    def app_connections(self) -> int:
        return int(
            self.sql(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = 'app' AND backend_type = 'client backend'"
            )
        )

    def log_tail(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


# --- the app ------------------------------------------------------------------------------------


def app_environment(cluster: Cluster, folder: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "CELERY_", "PYTEST_", "DJANGO_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings.SETTINGS_MODULE,  # the tests' own
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{cluster.port}/app",
        CONN_MAX_AGE="60",  # persistent connections, as in production
        CELERY_BROKER_URL="memory://",  # the health check's broker; never Redis here
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        MEDIA_ROOT=str(folder / "media"),
        STATIC_ROOT=str(folder / "static"),
        PLAIN_HTTP="1",
        PYTHONUNBUFFERED="1",
    )
    return env


SETUP = f"""
from inspections.models import Branch, User
Branch.objects.create(code="restart", name="{BRANCH_NAME}")
user = User(username="{USERNAME}", role=User.Role.HEAD_OFFICE)
user.set_password("{PASSWORD}")
user.save()
"""


def manage(env, *arguments, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


class Browser:
    """urllib with a cookie jar; never raises for an HTTP status."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path, data=None):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={"Referer": self.base + path},
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as response:
                status, body, headers, url = (
                    response.status,
                    response.read(),
                    response.headers,
                    response.url,
                )
        except urllib.error.HTTPError as error:
            status, body, headers, url = error.code, error.read(), error.headers, error.url
        return status, body.decode("utf-8", errors="replace"), headers, url, started

    def sign_in(self):
        _status, page, _headers, _url, _t = self.open("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, page[:2000]
        status, _body, _headers, url, _t = self.open(
            "/accounts/login/",
            {"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        )
        assert status == 200 and "/accounts/login/" not in url, (status, url)


def wait_until(predicate, seconds, message):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(message())


def health(browser) -> tuple[int, dict]:
    """/healthz/ as the load balancer asks it: without the browser's cookies."""
    status, body, _headers, _url, _t = Browser(browser.base).open("/healthz/")
    try:
        return status, json.loads(body)
    except ValueError:
        raise AssertionError(f"/healthz/ answered {status} without JSON:\n{body[:1500]}") from None


def test_the_app_fails_cleanly_while_postgresql_is_down_and_recovers_without_a_restart():
    require_program("initdb", folder=PG_BIN, why="PostgreSQL's server programs; set PG_BIN")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a `postgres` user to run initdb as")
    folder = Path(tempfile.mkdtemp(prefix="pg-restart-"))
    cluster = Cluster(folder)
    app_log = (folder / "gunicorn.log").open("w+")
    web = None
    try:
        cluster.init()
        cluster.start()
        cluster.sql("CREATE DATABASE app")
        env = app_environment(cluster, folder)
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SETUP)

        port = free_port()
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "-b",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=app_log,
            stderr=subprocess.STDOUT,
        )
        browser = Browser(f"http://127.0.0.1:{port}")

        def up():
            try:
                return browser.open("/ping/")[0] == 200
            except OSError:
                return web.poll() is not None  # exited: fail below, not wait

        wait_until(up, 60, lambda: "gunicorn never answered /ping/")
        assert web.poll() is None, "gunicorn exited"
        workers = children(web.pid)
        assert len(workers) == 2, workers

        browser.sign_in()

        def page_works(path="/"):
            status, body, _headers, url, _t = browser.open(path)
            return status == 200 and BRANCH_NAME in body and "/accounts/login/" not in url

        # Both workers hold a persistent connection.
        wait_until(
            lambda: page_works() and cluster.app_connections() >= 2,
            60,
            lambda: f"the workers hold {cluster.app_connections()} connection(s), not 2",
        )

        # 1. A restart nobody notices: the dead persistent connections are replaced.
        cluster.restart("fast")
        for _ in range(10):
            status, body, _headers, _url, _t = browser.open("/")
            assert status == 200 and BRANCH_NAME in body, (status, body[:1500])
        assert health(browser)[1]["database"] == "ok"

        # 2. The outage: clean, fast failures.
        cluster.stop("fast")
        expected = 503 if MIDDLEWARE in settings.MIDDLEWARE else 500
        for path in ("/", "/campaigns/", "/accounts/login/", "/", "/visits/", "/"):
            status, body, headers, _url, started = browser.open(path)
            elapsed = time.monotonic() - started
            assert status == expected, (path, status, body[:1500])
            assert elapsed < REQUEST_SECONDS, f"{path} took {elapsed:.1f} s to fail"
            assert "请稍后重试" in body and "<html" in body, body[:1500]
            assert BRANCH_NAME not in body
            for leak in LEAKS:
                assert leak not in body, (path, leak, body[:1500])
            if expected == 503:
                assert headers["Retry-After"]
        status, report = health(browser)
        assert status == 503 and report["database"].startswith("error"), report
        # Liveness, as the load balancer asks it (with a session cookie, the
        # session middleware reads the session even for /ping/).
        assert Browser(browser.base).open("/ping/")[0] == 200

        # 3. Back, without restarting the app: the same requests succeed, still signed in.
        cluster.start()
        for path in ("/", "/campaigns/", "/visits/", "/", "/", "/", "/"):
            status, body, _headers, url, _t = browser.open(path)
            assert status == 200 and "/accounts/login/" not in url, (path, status, body[:1500])
        assert page_works()
        assert health(browser)[1]["database"] == "ok"
        assert web.poll() is None and children(web.pid) == workers, "gunicorn was restarted"
    except BaseException:
        app_log.seek(0)
        print("----- gunicorn -----\n" + app_log.read()[-6000:])
        print("----- postgres -----\n" + cluster.log_tail())
        raise
    finally:
        if web is not None:
            web.terminate()
            try:
                web.wait(timeout=20)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()
        app_log.close()
        if (cluster.data / "postmaster.pid").exists():
            cluster.run(
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(cluster.data),
                "stop",
                "-m",
                "immediate",
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)
