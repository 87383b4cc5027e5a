"""Load a rubric file once: `manage.py load_rubric [FILE]` (default: the 2012 rubric)."""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scoring.models import RubricVersion
from scoring.rubric_io import RubricImportError, import_rubric

DEFAULT_FILE = Path(settings.BASE_DIR) / "fixtures" / "rubric-2012.yaml"


def read_rubric_file(path: str | Path) -> dict:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as stream:
            return yaml.safe_load(stream)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}") from error
    except yaml.YAMLError as error:
        raise CommandError(f"{path} is not valid YAML: {error}") from error


def import_or_fail(data: dict, **options) -> RubricVersion:
    try:
        return import_rubric(data, **options)
    except RubricImportError as error:
        lines = "\n".join(f"  - {message}" for message in error.messages)
        raise CommandError(f"The rubric was not imported:\n{lines}") from error


class Command(BaseCommand):
    help = (
        "Load a rubric version from a YAML file (default: fixtures/rubric-2012.yaml). "
        "Does nothing when that version exists already."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, file, **options):
        data = read_rubric_file(file)
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, str):
            existing = RubricVersion.objects.filter(version=version.strip()).first()
            if existing is not None:
                self.stdout.write(
                    f"Rubric version {existing.version} exists already; nothing done."
                )
                return
        rubric = import_or_fail(data)
        self.stdout.write(self.style.SUCCESS(f"Loaded rubric version {rubric.version}: {rubric}."))
