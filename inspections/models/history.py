"""The change history of visits: one row per created, changed or deleted
score, answer, finding or action, written by django-auditlog's signals
(`inspections.history` registers the models). This is auditlog's log entry
model with the visit it belongs to, so a visit's history is one indexed query."""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .visits import ChecklistRecord, InterviewAnswer, PartRecord, Visit


def visit_id_of(instance: models.Model) -> int | None:
    if isinstance(instance, Visit):
        return instance.pk
    if isinstance(instance, PartRecord):
        return instance.sheet_record.visit_id
    if isinstance(instance, InterviewAnswer):
        return instance.interview.visit_id
    return getattr(instance, "visit_id", None)


def additional_data_of(instance: models.Model) -> dict | None:
    """What the history page needs to name a change's answers: the sheet's code."""
    if isinstance(instance, PartRecord):
        return {"sheet": instance.sheet_record.sheet.code, "part": instance.part.code}
    if isinstance(instance, ChecklistRecord):
        return {"sheet": instance.sheet.code}
    return None


class VisitChangeManager(LogEntryManager):
    def log_create(self, instance, force_log: bool = False, **kwargs):
        kwargs.setdefault("visit_id", visit_id_of(instance))
        kwargs.setdefault("additional_data", additional_data_of(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)


class VisitChange(AbstractLogEntry):
    # No database constraint and no cascade: the history outlives what it records.
    visit = models.ForeignKey(
        "inspections.Visit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visit"),
    )

    objects = VisitChangeManager()

    class Meta(AbstractLogEntry.Meta):
        indexes = [models.Index(fields=["visit", "-timestamp"], name="visit_change_by_visit")]
        verbose_name = _("visit change")
        verbose_name_plural = _("visit changes")
