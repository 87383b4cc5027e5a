"""Publication of a campaign's head-office results to a branch (通报) and the
branch's written objections to them (seed 002: 可在通报之日起3个工作日内反馈
书面意见, head office reviews them: 复核).

A branch's head-office results are provisional from publication until its
objection window has closed and every objection is settled, and final after.
"""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainCharField, PlainTextField

from ..objection_targets import value_label
from .campaigns import Campaign
from .organisation import Branch
from .visits import ChecklistRecord, SheetRecord, Visit, stored_suffix

#: Working days a branch has to object, from the day after publication.
OBJECTION_WINDOW_WORKING_DAYS = 3


class ResultsPublication(models.Model):
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="publications", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="publications", verbose_name=_("branch")
    )
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    # Stored, not recomputed: a later update of the holiday calendar must not
    # move a window the branch was told.
    window_closes_on = models.DateField(_("objections accepted until"))
    reminded_on = models.DateField(_("branch reminded on"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "branch__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "branch"], name="one_publication_per_branch_and_campaign"
            )
        ]
        verbose_name = _("results publication")
        verbose_name_plural = _("results publications")

    def __str__(self):
        return f"{self.branch} · {self.campaign} · {self.published_on:%Y-%m-%d}"

    @property
    def published_on(self) -> datetime.date:
        return timezone.localdate(self.published_at)

    def window_open(self, today: datetime.date) -> bool:
        """The window's last day ends at midnight (Civil Code art. 203)."""
        return today <= self.window_closes_on


class Objection(models.Model):
    """A branch's written objection to one scored item, section or checklist
    requirement of a head-office check, with its evidence and head office's
    decision."""

    class State(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    publication = models.ForeignKey(
        ResultsPublication,
        on_delete=models.PROTECT,
        related_name="objections",
        verbose_name=_("results publication"),
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="objections", verbose_name=_("visit")
    )
    sheet_record = models.ForeignKey(
        SheetRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("scored sheet"),
    )
    checklist = models.ForeignKey(
        ChecklistRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="objections",
        verbose_name=_("checklist"),
    )
    # Which item, whole: "sheet-<record id>/<part>/<section>[/<item>]" or
    # "checklist-<record id>/<requirement>" (`inspections.objection_targets`).
    target = models.CharField(_("item"), max_length=160)
    # What the item was and showed when the objection was raised, as the
    # branch saw it: the decision may change the value, never this record.
    target_label = PlainCharField(_("item objected to"), max_length=500)
    original_value = models.CharField(_("result objected to"), max_length=20)
    grounds = PlainTextField(_("grounds"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    corrected_value = models.CharField(_("corrected result"), max_length=20, blank=True)
    decision_reason = PlainTextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["publication", "visit", "raised_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sheet_record__isnull=True) ^ models.Q(checklist__isnull=True),
                name="objection_to_a_sheet_or_a_checklist",
            ),
            # One open objection per item: a double click, or two managers at
            # once, cannot file the same objection twice.
            models.UniqueConstraint(
                fields=["visit", "target"],
                condition=models.Q(state="pending"),
                name="one_pending_objection_per_item",
            ),
        ]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self):
        return f"{self.target_label} · {self.get_state_display()}"

    @property
    def is_settled(self) -> bool:
        return self.state != self.State.PENDING

    @property
    def original_label(self) -> str:
        return value_label(self.original_value)

    @property
    def corrected_label(self) -> str:
        return value_label(self.corrected_value) if self.corrected_value else ""


def objection_evidence_path(instance, filename):
    return f"objections/{instance.objection_id}/{instance.uuid}.{stored_suffix(filename)}"


class ObjectionEvidence(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name=_("UUID"))
    objection = models.ForeignKey(
        Objection, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("objection")
    )
    file = models.FileField(_("file"), upload_to=objection_evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, verbose_name=_("file type"))
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))

    class Meta:
        ordering = ["objection", "uploaded_at", "id"]
        verbose_name = _("objection evidence")
        verbose_name_plural = _("objection evidence")

    def __str__(self):
        return self.original_name
