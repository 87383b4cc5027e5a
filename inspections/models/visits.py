"""An acceptance visit and everything an inspector records in it.

Scores are never typed into these tables: `inspections.services` runs the
`scoring` engine on the answers and stores what it returns.
"""

import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring import answers as stored_answers
from scoring import definitions as d
from scoring.engine import compliance_rate
from scoring.models import BusinessLine, ContentArea, InterviewAudience, InterviewQuestion, Sheet
from scoring.models import SheetPart as RubricPart
from scoring.text import PlainCharField, PlainTextField

from .campaigns import Campaign
from .organisation import Branch, Office, Specialist


class Visit(models.Model):
    class Kind(models.TextChoices):
        SELF_INSPECTION = "self_inspection", _("Branch self-inspection")
        HEAD_OFFICE_CHECK = "head_office_check", _("Head-office check")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    EDITABLE_STATES = (State.PLANNED, State.IN_PROGRESS, State.RETURNED)

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="visits", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="visits", verbose_name=_("branch")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("office"),
        help_text=_("Empty when the branch itself is inspected."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="visits", verbose_name=_("inspectors")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PLANNED
    )
    # Seed 001's flying checks (飞行检查): the branch learns of the visit only
    # when its inspectors start it on site (access.visible_visits).
    unannounced = models.BooleanField(
        _("unannounced (flying) check"),
        default=False,
        help_text=_(
            "Head-office checks only: the branch does not see the visit until its "
            "inspectors start it on site."
        ),
    )
    kpi_monitoring_note = PlainTextField(
        _("how the branch monitors the KPIs, and what was discussed"), blank=True
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("planned by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # The approved visit that ranks its unit in the campaign (the latest
    # head-office check, else the latest self-inspection: scoring.results.
    # ranking_visit), kept on approval for the results analysis' queries.
    counts_in_results = models.BooleanField(_("counts in the results"), default=False)

    class Meta:
        ordering = ["campaign", "branch__code", "office__code", "start_date"]
        constraints = [
            # A branch cannot surprise itself: only head office checks unannounced.
            models.CheckConstraint(
                condition=models.Q(unannounced=False) | models.Q(kind="head_office_check"),
                name="only_head_office_checks_unannounced",
            )
        ]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self):
        return f"{self.unit_name} · {self.get_kind_display()} · {self.start_date:%Y-%m-%d}"

    @property
    def unit_name(self) -> str:
        return self.office.name if self.office_id else self.branch.name

    @property
    def hidden_from_branch(self) -> bool:
        """An unannounced check its inspectors have not started yet: the
        branch does not know of it (access.visible_visits)."""
        return self.unannounced and self.state == self.State.PLANNED

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    @property
    def interview_requirement(self) -> str:
        """Which of the rubric's interview requirements applies to this visit
        (`InterviewAudience.RequiredAt`): a head-office check, or a branch's
        self-inspection of an office or of its own counters."""
        required_at = InterviewAudience.RequiredAt
        if self.kind == self.Kind.HEAD_OFFICE_CHECK:
            return required_at.HEAD_OFFICE_CHECK
        if self.office_id:
            return required_at.OFFICE_SELF_INSPECTION
        return required_at.BRANCH_SELF_INSPECTION


class VisitTransition(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("visit")
    )
    from_state = models.CharField(_("from"), max_length=20, choices=Visit.State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=Visit.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    comment = PlainTextField(_("comment"), blank=True)

    class Meta:
        ordering = ["visit", "at", "id"]
        verbose_name = _("visit transition")
        verbose_name_plural = _("visit transitions")

    def __str__(self):
        return (
            f"{self.visit_id}: {self.get_from_state_display() or '-'} → "
            f"{self.get_to_state_display()}"
        )


class ProcessLogEntry(models.Model):
    """A row of 表一 一柜通工作流程执行记录表."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("visit")
    )
    policy_no = PlainCharField(_("policy number"), max_length=50)
    business_item = PlainCharField(_("business item"), max_length=100)
    operator = models.ForeignKey(
        Specialist, on_delete=models.PROTECT, related_name="log_entries", verbose_name=_("operator")
    )
    minutes_document_review = models.DecimalField(
        _("document review (min)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    minutes_scanning = models.DecimalField(
        _("scanning (min)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    minutes_data_entry = models.DecimalField(
        _("data entry (min)"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    remarks = PlainTextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["visit", "created_at", "id"]
        verbose_name = _("process log row")
        verbose_name_plural = _("process log rows")

    def __str__(self):
        return f"{self.policy_no} {self.business_item}"


class SelectionMethod(models.TextChoices):
    FOLLOWED_LIVE = "followed_live", _("Followed live")
    DRAWN_AT_RANDOM = "drawn_at_random", _("Drawn at random")


class SheetRecord(models.Model):
    """One specialist's scored sheet (表二, 表三 or 表四) in a visit. Its forms
    (the parts of 表二, the form of 表三, the chosen sub-sheet of 表四) are
    `PartRecord`s; the score here is the engine's, over all of them."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="sheet_records", verbose_name=_("visit")
    )
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.PROTECT,
        related_name="sheet_records",
        verbose_name=_("specialist"),
    )
    sheet = models.ForeignKey(
        Sheet, on_delete=models.PROTECT, related_name="+", verbose_name=_("sheet")
    )
    selection_method = models.CharField(
        _("how the case was chosen"), max_length=20, choices=SelectionMethod.choices
    )
    chosen_alternative = models.ForeignKey(
        RubricPart,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sub-sheet checked"),
    )
    alternative_reason = PlainTextField(
        _("why not the standard process"),
        blank=True,
        help_text=_("For 表四: why the office had no claim to check with the standard process."),
    )
    # Seed 002: falsified material scores 0 (the max stays), for the reason given.
    falsified_material = models.BooleanField(_("falsified material"), default=False)
    falsified_reason = PlainTextField(_("what was falsified"), blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, default=0)
    max_points = models.DecimalField(_("max points"), max_digits=6, decimal_places=1, default=0)
    percent = models.DecimalField(_("percent"), max_digits=5, decimal_places=2, null=True)
    grade = models.CharField(_("grade"), max_length=5, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    # Raised by every save: a save from a page opened before the last one is refused.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["visit", "sheet__order", "specialist__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "specialist", "sheet"], name="one_sheet_per_specialist_and_visit"
            )
        ]
        verbose_name = _("scored sheet")
        verbose_name_plural = _("scored sheets")

    def __str__(self):
        return f"{self.sheet.table_label} {self.specialist.name}"

    def engine_answers(self, parts: Mapping[str, Any] | None = None) -> d.SheetAnswers:
        """The engine's input for this sheet as recorded: its forms (`parts`, code
        → stored part, else its own PartRecords, `parts__part` best prefetched)
        with the sheet's own answers: the sub-sheet checked and why, and
        falsified material, which every rescoring must keep."""
        if parts is None:
            parts = {p.part.code: p for p in self.parts.all()}
        return stored_answers.sheet_answers(
            parts,
            chosen_alternative=self.chosen_alternative.code if self.chosen_alternative_id else None,
            alternative_reason=self.alternative_reason,
            falsified=self.falsified_material,
            falsified_reason=self.falsified_reason,
        )


class PartRecord(models.Model):
    """One form of a scored sheet, with its own header and the raw answers
    (section codes and item ids → what the inspector entered)."""

    sheet_record = models.ForeignKey(
        SheetRecord, on_delete=models.CASCADE, related_name="parts", verbose_name=_("scored sheet")
    )
    part = models.ForeignKey(
        RubricPart, on_delete=models.PROTECT, related_name="+", verbose_name=_("sheet part")
    )
    reference_no = PlainCharField(
        _("reference number"),
        max_length=50,
        blank=True,
        help_text=_("Application, acceptance or claim number of the case."),
    )
    servicing_item = models.CharField(_("servicing item"), max_length=50, blank=True)
    observed = models.BooleanField(_("observed"), default=True)
    not_observed_reason = PlainTextField(_("why it was not observed"), blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=1, default=0)
    max_points = models.DecimalField(_("max points"), max_digits=6, decimal_places=1, default=0)

    class Meta:
        ordering = ["sheet_record", "part__order"]
        constraints = [
            models.UniqueConstraint(fields=["sheet_record", "part"], name="one_record_per_part")
        ]
        verbose_name = _("sheet form")
        verbose_name_plural = _("sheet forms")

    def __str__(self):
        return f"{self.sheet_record} · {self.part.name}"


class ChecklistRecord(models.Model):
    """表五 for the visited unit (specialist empty) or 表七 for a specialist:
    yes/no per requirement with a remark for every no (`answers`)."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="checklists", verbose_name=_("visit")
    )
    sheet = models.ForeignKey(
        Sheet, on_delete=models.PROTECT, related_name="+", verbose_name=_("sheet")
    )
    specialist = models.ForeignKey(
        Specialist,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checklists",
        verbose_name=_("specialist"),
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    compliant = models.PositiveIntegerField(default=0, verbose_name=_("compliant"))
    non_compliant = models.PositiveIntegerField(default=0, verbose_name=_("non-compliant"))
    complete = models.BooleanField(default=False, verbose_name=_("complete"))
    # Raised by every save: a save from a page opened before the last one is refused.
    version = models.PositiveIntegerField(_("version"), default=0)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        ordering = ["visit", "sheet__order", "specialist__employee_no"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "sheet", "specialist"], name="one_checklist_per_specialist"
            ),
            models.UniqueConstraint(
                fields=["visit", "sheet"],
                condition=models.Q(specialist__isnull=True),
                name="one_unit_checklist_per_visit",
            ),
        ]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self):
        who = self.specialist.name if self.specialist_id else ""
        return f"{self.sheet.table_label} {who}".strip()

    @property
    def rate(self):
        return compliance_rate(self.compliant, self.non_compliant)


class LineWaiver(models.Model):
    """Why a visit has no sheet for a business line."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="line_waivers", verbose_name=_("visit")
    )
    business_line = models.CharField(
        _("business line"), max_length=20, choices=BusinessLine.choices
    )
    reason = PlainTextField(_("reason"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "business_line"], name="one_waiver_per_line")
        ]
        verbose_name = _("missing business line")
        verbose_name_plural = _("missing business lines")

    def __str__(self):
        return f"{self.get_business_line_display()}: {self.reason}"


class Interview(models.Model):
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("visit")
    )
    audience = models.ForeignKey(
        InterviewAudience, on_delete=models.PROTECT, related_name="+", verbose_name=_("audience")
    )
    interviewee = PlainCharField(_("interviewee"), max_length=50)
    post = PlainCharField(_("post"), max_length=50)
    notes = PlainTextField(_("extra notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["visit", "created_at", "id"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self):
        return f"{self.interviewee}（{self.post}）"


class InterviewAnswer(models.Model):
    class Tag(models.TextChoices):
        NONE = "", _("None")
        PROBLEM = "problem", _("Problem raised")
        SUPPORT = "support", _("Support asked of head office")

    interview = models.ForeignKey(
        Interview, on_delete=models.CASCADE, related_name="answers", verbose_name=_("interview")
    )
    question = models.ForeignKey(
        InterviewQuestion, on_delete=models.PROTECT, related_name="+", verbose_name=_("question")
    )
    yes_no = models.BooleanField(_("yes/no"), null=True, blank=True)
    text = PlainTextField(_("answer"), blank=True)
    tag = models.CharField(_("tag"), max_length=20, choices=Tag.choices, blank=True, default="")

    class Meta:
        ordering = ["interview", "question__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "question"], name="one_answer_per_question"
            )
        ]
        verbose_name = _("interview answer")
        verbose_name_plural = _("interview answers")

    def __str__(self):
        return f"{self.question.text}: {self.text}"


class Finding(models.Model):
    class Kind(models.TextChoices):
        STRENGTH = "strength", _("Strength")
        SHORTCOMING = "shortcoming", _("Shortcoming")

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("visit")
    )
    content_area = models.ForeignKey(
        ContentArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("content area")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = PlainTextField(_("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        ordering = ["visit", "content_area__order", "kind", "created_at"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")

    def __str__(self):
        return self.text[:50]


def stored_suffix(filename: str) -> str:
    """The suffix an uploaded file is stored under: the stored name never
    reuses the uploaded one, as files are served only through an
    access-checked view, by id."""
    return filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"


def evidence_path(instance, filename):
    return f"evidence/visit-{instance.visit_id}/{instance.uuid}.{stored_suffix(filename)}"


def thumbnail_path(instance, filename):
    return f"evidence/visit-{instance.visit_id}/{instance.uuid}-thumbnail.jpg"


class Evidence(models.Model):
    """A photo or file attached as evidence to a sheet item, a checklist answer
    or a finding of a visit. A photo taken on a sheet before its first save
    waits with the sheet and specialist it is for, and joins the record when
    the sheet is saved."""

    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name=_("UUID"))
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("visit")
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, verbose_name=_("file type"))
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    caption = PlainCharField(_("caption"), max_length=200, blank=True)
    sheet_record = models.ForeignKey(
        SheetRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("scored sheet"),
    )
    checklist = models.ForeignKey(
        ChecklistRecord,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("checklist"),
    )
    finding = models.ForeignKey(
        Finding,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("finding"),
    )
    item_key = models.CharField(_("item"), max_length=50, blank=True)
    # A photo of a sheet not saved yet: the sheet and the specialist it is for.
    pending_sheet = models.ForeignKey(
        Sheet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sheet not saved yet"),
    )
    pending_specialist = models.ForeignKey(
        Specialist,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("its specialist"),
    )
    # A photo's small copy (inspections.thumbnails): upright, without its metadata.
    thumbnail = models.FileField(_("thumbnail"), upload_to=thumbnail_path, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))

    class Meta:
        ordering = ["visit", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.original_name
