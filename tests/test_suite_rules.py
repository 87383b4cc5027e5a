"""The suite's own rules (tests/isolation.py, tests/skips.py): in CI a skip is
allowed only where a program is not installed, and a run writes nothing into
the app's var/."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

SKIPPING_TESTS = """
import pytest
from tests.skips import require_program, require_service

def test_passes():
    pass

def test_without_a_program():
    require_program("no-such-program-here", why="an example")

def test_{name}():
    {body}
"""


def run_pytest(folder: Path, *, ci: bool) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true" if ci else ""}
    env.pop("PYTEST_XDIST_WORKER", None)
    return subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "-p", "tests.skips", "-p", "no:django"),
            *("-p", "no:cacheprovider", "-c", os.devnull, "--rootdir", str(folder), "-rs"),
            str(folder),
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("skipped", 'pytest.skip("not today")'),
        ("marked", 'pytest.skip("Redis is down")'),
        ("without_a_service", 'require_service("Nothing", "127.0.0.1", 1, why="an example")'),
    ],
)
def test_ci_fails_a_run_with_any_other_skip(tmp_path, name, body):
    (tmp_path / "test_example.py").write_text(SKIPPING_TESTS.format(name=name, body=body))
    result = run_pytest(tmp_path, ci=True)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "skips refused in CI" in output
    assert f"test_example.py::test_{name}" in output
    assert "test_without_a_program:" not in output.split("skips refused in CI")[1]
    # Outside CI the same run passes, each skip saying why.
    result = run_pytest(tmp_path, ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "program not installed: no-such-program-here (an example)" in result.stdout


def test_ci_allows_a_program_that_is_not_installed(tmp_path):
    (tmp_path / "test_example.py").write_text(
        SKIPPING_TESTS.format(name="more", body='require_program("nope", why="an example")')
    )
    result = run_pytest(tmp_path, ci=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout


def test_the_run_writes_into_a_temporary_var_folder():
    var = Path(settings.VAR_DIR)
    assert var != ROOT / "var"
    assert Path(settings.MEDIA_ROOT).is_relative_to(var)
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).is_relative_to(var)
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        for folder in settings.CELERY_BROKER_TRANSPORT_OPTIONS.values():
            if isinstance(folder, str):
                assert Path(folder).is_relative_to(var)
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        assert Path(database["TEST"]["NAME"]).is_relative_to(var)
