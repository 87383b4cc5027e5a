"""What every exporter is: a small class that turns selected data into one file
(after pretix's exporters). Exporters read through selectors, never write, and
report their progress through a callback so a job can show it."""

import re
from collections.abc import Callable

PDF = "pdf"
XLSX = "xlsx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Exporter:
    #: a stable name, e.g. "visit-pdf"; the registry and report jobs refer to it
    identifier: str = ""
    #: PDF or XLSX
    format: str = ""
    #: what it needs: "visit", "campaign" or "branch" (branch reports take campaign and branch)
    subject: str = ""
    #: what a report job of it is, in words (`reports.selectors.jobs.job_title`):
    #: a translatable format naming %(format)s and, by subject, %(unit)s and
    #: %(kind)s (visit), %(branch)s (branch) or %(campaign)s
    title_format = ""

    def __init__(self, *, progress: Callable[[int], None] | None = None, **subject):
        self.subject_ids = subject  # e.g. {"visit_id": 3} or {"campaign_id": 1, "branch_id": 2}
        self._progress = progress or (lambda percent: None)

    def progress(self, percent: int):
        self._progress(max(0, min(100, int(percent))))

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def filename(self) -> str:
        raise NotImplementedError

    def build(self) -> bytes:
        """Return the whole file. Raise an exception with a readable message on bad data."""
        raise NotImplementedError


UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def report_filename(title: str, *names: str, extension: str) -> str:
    """A report's download name: its title and what it is about (the campaign,
    the unit…), never the day it was built, e.g. 一柜通工作验收报告-2012年度-万州支公司.pdf."""
    parts = [UNSAFE_IN_FILENAME.sub("_", part).strip() for part in (title, *names) if part]
    return "-".join(p for p in parts if p) + f".{extension}"


REGISTRY: dict[str, type[Exporter]] = {}


def register(cls: type[Exporter]) -> type[Exporter]:
    REGISTRY[cls.identifier] = cls
    return cls
