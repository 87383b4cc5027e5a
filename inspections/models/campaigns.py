"""Campaigns, their grade bands, the random draws and head office's KPI figures."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring import definitions as d
from scoring.models import KpiThreshold, RubricVersion
from scoring.text import PlainCharField, PlainTextField

from .organisation import Branch, Office

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class Campaign(models.Model):
    """An acceptance campaign (验收): a period, a due date, the rubric version
    used, its grade bands and the branches in scope."""

    name = PlainCharField(_("name"), max_length=200)
    rubric = models.ForeignKey(
        RubricVersion, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("rubric")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    report_due = models.DateField(_("report due date"))
    branches = models.ManyToManyField(
        Branch, related_name="campaigns", blank=True, verbose_name=_("branches in scope")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self):
        return self.name

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if self.period_start and self.report_due and self.report_due < self.period_start:
            raise ValidationError(
                {"report_due": _("The report due date cannot be before the period starts.")}
            )
        if self.rubric_id and not self.rubric.is_published:
            raise ValidationError({"rubric": _("A campaign uses a published rubric version.")})

    def contains(self, day) -> bool:
        return self.period_start <= day <= self.period_end

    def is_past_due(self, today) -> bool:
        """The report due date has passed (a branch without a report is late)."""
        return today > self.report_due

    def is_late(self, moment) -> bool:
        """Something done at `moment` (a branch report's submission) is late:
        its local date is after the report due date."""
        return self.is_past_due(timezone.localdate(moment))

    def grade_band_defs(self) -> tuple[d.GradeBandDef, ...]:
        """The campaign's grade bands, highest first, as the scoring engine and
        every report take them."""
        bands = (d.GradeBandDef(b.grade, b.minimum_percent) for b in self.grade_bands.all())
        return tuple(sorted(bands, key=lambda band: band.minimum_percent, reverse=True))

    def has_visits(self) -> bool:
        return self.visits.exists()


class CampaignGradeBand(models.Model):
    """Grade bands of a campaign: copied from its rubric, editable before the first visit."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="grade_bands", verbose_name=_("campaign")
    )
    grade = models.CharField(_("grade"), max_length=5)
    minimum_percent = models.DecimalField(
        _("minimum (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )

    class Meta:
        ordering = ["campaign", "-minimum_percent"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "grade"], name="unique_grade_per_campaign")
        ]
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")

    def __str__(self):
        return f"{self.grade} ≥ {self.minimum_percent}%"


class RandomDraw(models.Model):
    """A recorded random draw: offices of a branch (head office's two per
    branch) or specialists of a visited unit. Reproducible from its seed and
    candidates (`inspections.draws.draw`); a redraw keeps the old one."""

    class Kind(models.TextChoices):
        OFFICES = "offices", _("Offices of a branch")
        SPECIALISTS = "specialists", _("Specialists of a visited unit")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="draws", verbose_name=_("campaign")
    )
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="draws", verbose_name=_("branch")
    )
    visit = models.ForeignKey(
        "inspections.Visit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="draws",
        verbose_name=_("visit"),
    )
    seed = models.CharField(_("seed"), max_length=64)
    sample_size = models.PositiveIntegerField(_("sample size"))
    candidate_ids = models.JSONField(_("candidates"), default=list)
    result_ids = models.JSONField(_("result"), default=list)
    result_labels = models.JSONField(_("result names"), default=list)
    reason = PlainTextField(_("reason for redrawing"), blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drawn by"),
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    superseded_by = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )

    class Meta:
        ordering = ["campaign", "branch", "-drawn_at", "-id"]
        verbose_name = _("random draw")
        verbose_name_plural = _("random draws")

    def __str__(self):
        return f"{self.get_kind_display()} {self.branch} {self.drawn_at:%Y-%m-%d %H:%M}"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None


class KpiFigure(models.Model):
    """A KPI figure from head office's monitoring: the mixed acceptance rate per
    office, the balanced acceptance rate per branch."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="kpi_figures", verbose_name=_("campaign")
    )
    kpi = models.CharField(_("KPI"), max_length=40, choices=KpiThreshold.Kpi.choices)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="kpi_figures", verbose_name=_("branch")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="kpi_figures",
        verbose_name=_("office"),
    )
    value_percent = models.DecimalField(
        _("value (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["campaign", "branch", "office", "kpi"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kpi", "office"],
                condition=models.Q(office__isnull=False),
                name="unique_kpi_figure_per_office",
            ),
            models.UniqueConstraint(
                fields=["campaign", "kpi", "branch"],
                condition=models.Q(office__isnull=True),
                name="unique_kpi_figure_per_branch",
            ),
        ]
        verbose_name = _("KPI figure")
        verbose_name_plural = _("KPI figures")

    def __str__(self):
        return f"{self.get_kpi_display()} {self.office or self.branch}: {self.value_percent}%"
