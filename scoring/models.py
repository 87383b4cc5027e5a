"""Versioned rubrics: the score sheets, interview questions, KPI thresholds and
grade bands of one acceptance plan (the 2012 plan is version "2012").

The arithmetic lives in `scoring.engine`, which works on the plain definitions
built by `scoring.selectors.sheet_definition`; nothing here computes a score.
"""

import secrets
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import PlainCharField, PlainTextField


class BusinessLine(models.TextChoices):
    NEW_BUSINESS = "new_business", _("New business")
    POLICY_CHANGE = "policy_change", _("Policy change")
    CLAIMS = "claims", _("Claims")


class RolloutBatch(models.TextChoices):
    FIRST = "first", _("First batch")
    SECOND = "second", _("Second batch")
    THIRD = "third", _("Third batch")


class RubricVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = PlainCharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=50, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    effective_date = models.DateField(_("effective date"))
    notes = PlainTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-version"]
        verbose_name = _("rubric version")
        verbose_name_plural = _("rubric versions")

    def __str__(self):
        return f"{self.name} ({self.version})"

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    def is_in_use(self):
        """A published version that a campaign uses may no longer change."""
        return self.is_published and self.campaigns.exists()

    def is_locked(self):
        return self.is_in_use()

    def is_open_draft(self) -> bool:
        """A draft no campaign uses: what the one-page sheet editor may change."""
        return self.status == self.Status.DRAFT and not self.campaigns.exists()


class Sheet(models.Model):
    class Kind(models.TextChoices):
        SCORED = "scored", _("Scored sheet")
        CHECKLIST = "checklist", _("Checklist")
        LOG = "log", _("Process log")

    class Grouping(models.TextChoices):
        # One form: the sections add up to the sheet's total (表三).
        SINGLE = "single", _("Single form")
        # Separate forms whose totals add up to the sheet's total (表二).
        PARTS = "parts", _("Parts that add up")
        # Alternative forms of the full total each; one is scored (表四).
        ALTERNATIVES = "alternatives", _("Alternative sub-sheets")

    rubric = models.ForeignKey(
        RubricVersion, on_delete=models.CASCADE, related_name="sheets", verbose_name=_("rubric")
    )
    code = models.SlugField(_("code"), max_length=50)
    table_label = PlainCharField(_("table label"), max_length=20, help_text=_("e.g. 表二"))
    name = PlainCharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    business_line = models.CharField(
        _("business line"), max_length=20, choices=BusinessLine.choices, blank=True
    )
    grouping = models.CharField(
        _("grouping"), max_length=20, choices=Grouping.choices, default=Grouping.SINGLE
    )
    total_points = models.PositiveIntegerField(_("total points"), null=True, blank=True)
    servicing_items = models.JSONField(
        _("servicing items"),
        default=list,
        blank=True,
        help_text=_("The servicing items an inspector may choose on this sheet (表三)."),
    )
    per_specialist = models.BooleanField(
        _("filled per specialist"),
        default=True,
        help_text=_(
            "Scored sheets and 表七 are filled per specialist; 表五 once for the visited unit."
        ),
    )
    notes = PlainTextField(_("notes"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="unique_sheet_code_per_rubric")
        ]
        verbose_name = _("sheet")
        verbose_name_plural = _("sheets")

    def __str__(self):
        return f"{self.table_label} {self.name}"

    def clean(self):
        if self.kind == self.Kind.SCORED:
            if not self.business_line:
                raise ValidationError({"business_line": _("A scored sheet needs a business line.")})
            if not self.total_points:
                raise ValidationError({"total_points": _("A scored sheet needs its total points.")})
        elif self.grouping != self.Grouping.SINGLE:
            raise ValidationError({"grouping": _("Only scored sheets have parts or alternatives.")})


class SheetPart(models.Model):
    """A form of a scored sheet: a part of 表二, a sub-sheet of 表四, or the one
    form of 表三. Each has its own header and its own total."""

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="parts", verbose_name=_("sheet")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = PlainCharField(_("name"), max_length=200)
    total_points = models.PositiveIntegerField(_("total points"))
    is_preferred_alternative = models.BooleanField(
        _("preferred alternative"),
        default=False,
        help_text=_("The sub-sheet suggested first when the standard process cannot be checked."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sheet", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "code"], name="unique_part_code_per_sheet")
        ]
        verbose_name = _("sheet part")
        verbose_name_plural = _("sheet parts")

    def __str__(self):
        return f"{self.sheet.table_label} {self.name}"


class Section(models.Model):
    """An operating stage (操作环节) of a form, or the requirement list of a checklist."""

    class Scoring(models.TextChoices):
        ITEM_POINTS = "item_points", _("Points per item")
        SECTION_POINTS = "section_points", _("Points per section, items are checkpoints")
        CHECKLIST = "checklist", _("Yes/no checklist")
        # Seed 002's compliance item: the section's max less its items' points
        # per occurrence recorded, never below 0.
        DEDUCTION = "deduction", _("Deductions per occurrence from the section's max")

    class NotApplicableRule(models.TextChoices):
        NONE = "none", _("Never not applicable")
        FULL_POINTS = "full_points", _("Not applicable gives full points")
        CHOOSE_ONE_NOTICE_KIND = (
            "choose_one_notice_kind",
            _("One notice kind is checked; the others get full points"),
        )

    part = models.ForeignKey(
        SheetPart, on_delete=models.CASCADE, related_name="sections", verbose_name=_("part")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = PlainCharField(_("name"), max_length=200)
    scoring = models.CharField(_("scoring"), max_length=20, choices=Scoring.choices)
    max_points = models.PositiveIntegerField(_("max points"), default=0)
    not_applicable_rule = models.CharField(
        _("not-applicable rule"),
        max_length=30,
        choices=NotApplicableRule.choices,
        default=NotApplicableRule.NONE,
    )
    not_applicable_conditions = PlainTextField(
        _("when it does not apply"),
        blank=True,
        help_text=_("Shown to the inspector, e.g. “no extra premium arose”."),
    )
    exempt_servicing_items = models.JSONField(
        _("servicing items exempting this section"),
        default=list,
        blank=True,
        help_text=_("For these servicing items the section does not apply and gets full points."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["part", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["part", "code"], name="unique_section_code_per_part")
        ]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self):
        return self.name


def new_item_code() -> str:
    """The code of an item made by hand: random, so that it never takes the code
    of an item deleted before (comparing versions matches items by code)."""
    return f"i{secrets.token_hex(4)}"


class Item(models.Model):
    """A checkpoint (验收内容): with points in an item-points section, without
    points in a section-points section or a checklist.

    Its `code` stays the same when a version is copied, so the comparison of two
    versions (`scoring.rubric_diff`) knows an item again after its text or points
    changed. (Stored answers name an item by its primary key, which the copy does
    not keep: they belong to one version.)"""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    code = models.SlugField(_("code"), max_length=50, default=new_item_code)
    text = PlainCharField(_("text"), max_length=300)
    points = models.PositiveIntegerField(
        _("points"),
        null=True,
        blank=True,
        help_text=_(
            "The item's points; in a deduction section, the points taken off per occurrence."
        ),
    )
    is_notice_kind = models.BooleanField(_("notice kind"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["section", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="unique_item_code_per_section")
        ]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self):
        return self.text


class ContentArea(models.Model):
    """The plan's four content areas, under which findings and actions are filed."""

    rubric = models.ForeignKey(
        RubricVersion,
        on_delete=models.CASCADE,
        related_name="content_areas",
        verbose_name=_("rubric version"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name = PlainCharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["rubric", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "code"], name="unique_area_code_per_rubric")
        ]
        verbose_name = _("content area")
        verbose_name_plural = _("content areas")

    def __str__(self):
        return self.name


class InterviewAudience(models.Model):
    """Whom the inspector interviews on how the rollout is driven (推动情况), and
    at which visits an interview of them is required before the visit can be
    submitted. Seed 000: 总部对分公司、分公司对三级机构的验收以访谈方式进行，
    分公司自行验收的以验收报告形式进行汇报 (head office's checks and a branch's
    checks of its offices are by interview; the branch's check of its own
    counters is reported in its acceptance report)."""

    class RequiredAt(models.TextChoices):
        """The kinds of visit an audience may be required at (the YAML's codes)."""

        HEAD_OFFICE_CHECK = "head_office_check", _("Head-office checks")
        OFFICE_SELF_INSPECTION = (
            "office_self_inspection",
            _("Branch self-inspections of an office"),
        )
        BRANCH_SELF_INSPECTION = (
            "branch_self_inspection",
            _("Branch self-inspections of the branch's own counters"),
        )

    rubric = models.ForeignKey(
        RubricVersion,
        on_delete=models.CASCADE,
        related_name="interview_audiences",
        verbose_name=_("rubric version"),
    )
    name = PlainCharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    required_at_head_office_check = models.BooleanField(
        _("required at head-office checks"), default=False
    )
    required_at_office_self_inspection = models.BooleanField(
        _("required at a branch's self-inspection of an office"), default=False
    )
    required_at_branch_self_inspection = models.BooleanField(
        _("required at a branch's self-inspection of its own counters"), default=False
    )

    #: Each kind of visit and the field that says whether this audience is required there.
    REQUIRED_FIELDS = {
        RequiredAt.HEAD_OFFICE_CHECK: "required_at_head_office_check",
        RequiredAt.OFFICE_SELF_INSPECTION: "required_at_office_self_inspection",
        RequiredAt.BRANCH_SELF_INSPECTION: "required_at_branch_self_inspection",
    }

    class Meta:
        ordering = ["rubric", "order", "id"]
        verbose_name = _("interview audience")
        verbose_name_plural = _("interview audiences")

    def __str__(self):
        return self.name

    @property
    def required_at(self) -> list[str]:
        """The codes (`RequiredAt`) of the visits this audience is required at."""
        return [str(code) for code, name in self.REQUIRED_FIELDS.items() if getattr(self, name)]


class InterviewQuestion(models.Model):
    class Tag(models.TextChoices):
        NONE = "", _("None")
        PROBLEM = "problem", _("Problems raised")
        SUPPORT = "support", _("Support asked of head office")

    audience = models.ForeignKey(
        InterviewAudience,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("interview audience"),
    )
    text = PlainCharField(_("text"), max_length=300)
    is_yes_no = models.BooleanField(_("yes/no question"), default=False)
    tag = models.CharField(_("tag"), max_length=20, choices=Tag.choices, blank=True, default="")
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["audience", "order", "id"]
        verbose_name = _("interview question")
        verbose_name_plural = _("interview questions")

    def __str__(self):
        return self.text


class KpiThreshold(models.Model):
    class Kpi(models.TextChoices):
        MIXED_ACCEPTANCE_RATE = "mixed_acceptance_rate", _("Mixed acceptance rate")
        BALANCED_ACCEPTANCE_RATE = "balanced_acceptance_rate", _("Balanced acceptance rate")

    rubric = models.ForeignKey(
        RubricVersion,
        on_delete=models.CASCADE,
        related_name="kpi_thresholds",
        verbose_name=_("rubric version"),
    )
    kpi = models.CharField(_("KPI"), max_length=40, choices=Kpi.choices)
    rollout_batch = models.CharField(
        _("rollout batch"), max_length=20, choices=RolloutBatch.choices
    )
    minimum_percent = models.DecimalField(
        _("minimum (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    note = PlainCharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["rubric", "kpi", "rollout_batch"]
        constraints = [
            models.UniqueConstraint(
                fields=["rubric", "kpi", "rollout_batch"], name="unique_kpi_threshold"
            )
        ]
        verbose_name = _("KPI threshold")
        verbose_name_plural = _("KPI thresholds")

    def __str__(self):
        return (
            f"{self.get_kpi_display()} {self.get_rollout_batch_display()} ≥ {self.minimum_percent}%"
        )


class GradeBand(models.Model):
    rubric = models.ForeignKey(
        RubricVersion,
        on_delete=models.CASCADE,
        related_name="grade_bands",
        verbose_name=_("rubric version"),
    )
    grade = models.CharField(_("grade"), max_length=5)
    minimum_percent = models.DecimalField(
        _("minimum (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )

    class Meta:
        ordering = ["rubric", "-minimum_percent"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "grade"], name="unique_grade_per_rubric")
        ]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")

    def __str__(self):
        return f"{self.grade} ≥ {self.minimum_percent}%"
