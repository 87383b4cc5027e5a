"""Import a rubric version from a YAML file: `manage.py import_rubric FILE`."""

from django.core.management.base import BaseCommand

from .load_rubric import import_or_fail, read_rubric_file


class Command(BaseCommand):
    help = (
        "Import a rubric version from a YAML file (the format export_rubric writes). "
        "Every total is checked before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Replace a draft version of the same version string.",
        )

    def handle(self, *args, file, replace_draft, **options):
        rubric = import_or_fail(read_rubric_file(file), replace_draft=replace_draft)
        self.stdout.write(
            self.style.SUCCESS(f"Imported rubric version {rubric.version}: {rubric}.")
        )
