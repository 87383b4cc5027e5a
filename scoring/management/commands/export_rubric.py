"""Write a rubric version as YAML: `manage.py export_rubric VERSION [--output PATH]`."""

from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from scoring.models import RubricVersion
from scoring.rubric_io import export_rubric


def dump_rubric(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


class Command(BaseCommand):
    help = "Write a rubric version as YAML (the format import_rubric reads); stdout by default."

    def add_arguments(self, parser):
        parser.add_argument("version")
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, version, output, **options):
        try:
            rubric = RubricVersion.objects.get(version=version)
        except RubricVersion.DoesNotExist:
            raise CommandError(f"There is no rubric version {version}.") from None
        text = dump_rubric(export_rubric(rubric))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote rubric version {rubric.version} to {output}.")
        else:
            self.stdout.write(text, ending="")
