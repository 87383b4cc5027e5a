"""Build a report file from the command line, through the same exporters as
the worker (for operators, and to regenerate a file by hand).

    manage.py build_report --visit 12 --format pdf --output visit-12.pdf
    manage.py build_report --campaign 3 --consolidated --format xlsx --output all.xlsx
    manage.py build_report --campaign 3 --branch 5 --format pdf --output branch.pdf
    manage.py build_report --campaign 3 --blank-forms --output forms.pdf

The file is written under a temporary name next to PATH and renamed when
complete. No report job is recorded and no access check applies: whoever
runs manage.py already has the database.
"""

import hashlib
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reports.exporters.base import PDF, REGISTRY, XLSX
from reports.selectors.types import ReportDataError


class Command(BaseCommand):
    help = "Build a visit's, a branch's or a campaign's report as PDF or Excel."

    def add_arguments(self, parser):
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--visit", type=int, metavar="ID", help="a visit's acceptance report")
        subject.add_argument("--campaign", type=int, metavar="ID", help="a campaign's report")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument(
            "--consolidated",
            action="store_true",
            help="with --campaign: head office's consolidated report",
        )
        kind.add_argument(
            "--branch", type=int, metavar="ID", help="with --campaign: the branch's report"
        )
        kind.add_argument(
            "--blank-forms",
            action="store_true",
            help="with --campaign: the blank 表一–表七 (PDF)",
        )
        parser.add_argument("--format", choices=[PDF, XLSX], default=PDF)
        parser.add_argument("--output", required=True, metavar="PATH", help="the file to write")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            help=f"the report's language (default {settings.LANGUAGE_CODE})",
        )

    def exporter_and_subject(self, options) -> tuple[str, dict]:
        fmt = options["format"]
        if options["visit"]:
            if options["consolidated"] or options["branch"] or options["blank_forms"]:
                raise CommandError("--visit takes no --consolidated, --branch or --blank-forms")
            return f"visit-{fmt}", {"visit_id": options["visit"]}
        campaign = options["campaign"]
        if options["consolidated"]:
            return f"consolidated-{fmt}", {"campaign_id": campaign}
        if options["branch"]:
            return f"branch-{fmt}", {"campaign_id": campaign, "branch_id": options["branch"]}
        if options["blank_forms"]:
            if fmt != PDF:
                raise CommandError("the blank forms exist as PDF only")
            return "blank-forms-pdf", {"campaign_id": campaign}
        raise CommandError("--campaign needs --consolidated, --branch ID or --blank-forms")

    def handle(self, *args, **options):
        identifier, subject = self.exporter_and_subject(options)
        try:
            cls = REGISTRY[identifier]
        except KeyError:
            known = ", ".join(sorted(REGISTRY)) or "none"
            raise CommandError(f"no exporter {identifier!r} (known: {known})") from None
        output = Path(options["output"]).expanduser().resolve()
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent} is not a directory")

        last = {"percent": -10}

        def progress(percent):
            if options["verbosity"] >= 2 and percent >= last["percent"] + 10:
                last["percent"] = percent
                self.stderr.write(f"{percent:3d} %")

        started = time.perf_counter()
        try:
            with translation.override(options["language"]):
                data = cls(progress=progress, **subject).build()
        except ObjectDoesNotExist as error:
            raise CommandError(f"not found: {error}") from None
        except ReportDataError as error:
            raise CommandError(str(error)) from None
        seconds = time.perf_counter() - started

        temporary = output.with_name(f".{output.name}.{os.getpid()}.part")
        try:
            with open(temporary, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, output)
        finally:
            if temporary.exists():
                temporary.unlink()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"{output} · {identifier} · {len(data)} bytes · "
                f"sha256 {hashlib.sha256(data).hexdigest()} · {seconds:.2f} s"
            )
