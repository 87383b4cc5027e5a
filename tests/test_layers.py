"""The apps' imports run one way (scoring <- inspections <- reports <- config),
kept by import-linter's contracts in pyproject.toml, which scripts/test runs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "inspections", "reports", "scoring")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=os.environ | {"PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_repository_keeps_its_import_contracts():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("scoring/engine.py", "from inspections import models", "scoring is not allowed"),
        ("inspections/selectors.py", "from reports import tasks", "inspections is not allowed"),
        ("reports/tasks.py", "from inspections.services import visits", "never its services"),
    ],
)
def test_a_wrong_way_import_breaks_the_build(tmp_path, module, line, broken):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / module, "a") as source:
        source.write(f"\n{line}  # noqa\n")
    run = lint_imports(tmp_path)
    assert run.returncode == 1 and broken in run.stdout, run.stdout + run.stderr
