"""Comments and documents point only to files inside the repository.

Every path the code, templates and documents name (a file with its extension, or
a folder under one of the project's top folders) exists in the repository, and
every source document cited as "seed NNN" is described in docs/sources.md.
"""

import os
import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEXT_SUFFIXES = {".py", ".html", ".txt", ".svg", ".css", ".js", ".md", ".toml", ".yml", ".yaml"}
TOP = "config|inspections|reports|scoring|templates|tests|static|scripts|benchmarks|docs|fixtures|shared"
PATH = re.compile(
    r"(?<![\w/.$-])("
    r"(?:\.\./)*[\w.-]+(?:/[\w.-]+)+\.(?:py|html|txt|svg|css|js|yaml|yml|toml|md|json|po)"
    rf"|(?:\.\./)*(?:{TOP})/[\w./-]*"
    r")"
)
# Where Django and the static files look a relative name up.
LOOKUP_PREFIXES = ("", "templates/", "templates/jinja2/", "static/")
# Made by the install (not kept in git), or Django's own templates.
ELSEWHERE = ("static/vendor/", "locale/", "admin/")
# Reference data, and this file's own examples of paths that do not exist.
UNCHECKED = {"tests/data/rubrics-2012.yaml", "tests/test_repository_paths.py"}
SEED = re.compile(r"\bseed (\d{3})\b")


def tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, text=True
    ).stdout
    return [name for name in listing.split("\0") if name]


def known_paths(files: list[str]) -> set[str]:
    folders = {
        "/".join(parts[:i]) for parts in (f.split("/") for f in files) for i in range(1, len(parts))
    }
    return set(files) | folders


def missing_in(text: str, name: str, known: set[str]) -> list[str]:
    """The paths `text` (the file `name`) names that are not in `known`."""
    missing = []
    for match in PATH.finditer(text):
        target = match.group(1).rstrip("/.,")
        if target.endswith("-"):  # the start of a name built in code (media files)
            continue
        candidates = [prefix + target for prefix in LOOKUP_PREFIXES]
        candidates.append(os.path.normpath(os.path.join(os.path.dirname(name), target)))
        candidates.append(f"{name.split('/')[0]}/{target}")
        if not any(c in known or c.startswith(ELSEWHERE) for c in candidates):
            line = text.count("\n", 0, match.start()) + 1
            missing.append(f"{name}:{line}: {target}")
    return missing


def missing_paths(files: list[str]) -> list[str]:
    known = known_paths(files)
    missing = []
    for name in files:
        path = ROOT / name
        if path.suffix in TEXT_SUFFIXES and name not in UNCHECKED and path.exists():
            missing += missing_in(path.read_text(encoding="utf-8"), name, known)
    return missing


def test_every_path_named_is_in_the_repository():
    assert missing_paths(tracked_files()) == []


def test_a_path_outside_is_caught():
    known = known_paths(tracked_files())
    comment = (
        "# Read from ../elsewhere/reference.yaml; see reports/consolidated.py,\n"
        "# scoring/engine.py and the template inspections/sheet_form.html.\n"
    )
    assert missing_in(comment, "scoring/example.py", known) == [
        "scoring/example.py:1: ../elsewhere/reference.yaml",
        "scoring/example.py:1: reports/consolidated.py",
    ]


def test_every_seed_cited_is_described():
    described = set(SEED.findall((ROOT / "docs" / "sources.md").read_text(encoding="utf-8")))
    described |= set(
        re.findall(
            r"^\| (\d{3}) \|", (ROOT / "docs" / "sources.md").read_text(encoding="utf-8"), re.M
        )
    )
    cited = {}
    for name in tracked_files():
        path = ROOT / name
        if path.suffix in TEXT_SUFFIXES and path.exists():
            for number in SEED.findall(path.read_text(encoding="utf-8")):
                cited.setdefault(number, name)
    assert cited, "the code cites its sources"
    assert {n: f for n, f in cited.items() if n not in described} == {}
