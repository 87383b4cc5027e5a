"""No dead code: scripts/deadcode (vulture, counting the names templates, strings
and keywords use) passes on the repository and fails on a function nothing calls."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("config", "inspections", "reports", "scoring", "templates", "scripts")


def deadcode(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(root / "scripts" / "deadcode")],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_repository_has_no_dead_code():
    run = deadcode(ROOT)
    assert (run.returncode, run.stdout) == (0, ""), run.stdout + run.stderr


def test_code_nothing_uses_fails_the_build(tmp_path):
    for folder in COPIED:
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("*.pyc"))
    for name in ("pyproject.toml", "manage.py", "vulture_whitelist.py"):
        shutil.copy(ROOT / name, tmp_path)
    with open(tmp_path / "scoring" / "engine.py", "a") as source:
        source.write("\n\ndef forgotten_helper():\n    return 1\n")
    with open(tmp_path / "reports" / "selectors" / "types.py", "a") as source:
        # Read by a template only: used.
        source.write("\n\nclass Shown:\n    shown_in_a_template = 1\n")
    with open(tmp_path / "templates" / "base.html", "a") as template:
        template.write("{{ view.shown_in_a_template }}\n")
    run = deadcode(tmp_path)
    assert run.returncode == 3, run.stdout + run.stderr
    assert "unused function 'forgotten_helper'" in run.stdout
    assert "shown_in_a_template" not in run.stdout
