"""A skipped test says why, and in CI only a program that is really absent may
skip (LibreOffice, today): CI has PostgreSQL, Redis and everything the suite
installs, so any other skip there fails the run.

Loaded as a plugin (`-p tests.skips` in pyproject.toml's addopts), so that it
sees every test's report in the controller of a pytest-xdist run. Tests skip
only through `require_program` and `require_service`.
"""

import os
import shutil
import socket

import pytest

PROGRAM_ABSENT = "program not installed:"
SERVICE_ABSENT = "service not answering:"


def require_program(*names: str, why: str, folder=None) -> str:
    """The path of the first of `names` found (on PATH, or in `folder`), or skip."""
    for name in names:
        found = shutil.which(name, path=str(folder) if folder else None)
        if found:
            return found
    where = f" in {folder}" if folder else ""
    pytest.skip(f"{PROGRAM_ABSENT} {' or '.join(names)}{where} ({why})")


def require_service(name: str, host: str, port: int, *, why: str) -> None:
    """Skip unless something accepts a TCP connection at host:port."""
    try:
        socket.create_connection((host, port), timeout=3).close()
    except OSError as error:
        pytest.skip(f"{SERVICE_ABSENT} {name} at {host}:{port}: {error} ({why})")


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


_skipped: list[tuple[str, str]] = []


def pytest_runtest_logreport(report):
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _skipped.append((report.nodeid, reason.removeprefix("Skipped: ")))


def pytest_sessionfinish(session):
    if os.environ.get("PYTEST_XDIST_WORKER") or not _in_ci():
        return
    refused = [(node, reason) for node, reason in _skipped if not reason.startswith(PROGRAM_ABSENT)]
    if not refused:
        return
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    lines = [
        f"CI allows a skip only where a program is not installed; {len(refused)} other skip(s):",
        *(f"  {node}: {reason}" for node, reason in refused),
    ]
    if reporter is not None:
        reporter.write_sep("=", "skips refused in CI", red=True)
        for line in lines:
            reporter.write_line(line)
