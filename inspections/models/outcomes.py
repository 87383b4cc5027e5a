"""A summary of approved visits' item outcomes, kept for head office's analysis
(where points are lost, trends across campaigns, repeat findings) so that it
reads a few grouped queries instead of recomputing every stored form.

Rows are derived: `services.outcomes.refresh_visit_outcomes` rewrites a visit's
rows whenever its approved results change (approval, a correction after an
upheld objection), from the engine (`scoring.outcomes`). Nothing else writes them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models import Item, Sheet

from .campaigns import Campaign
from .visits import ChecklistRecord, SheetRecord, Visit


class ItemOutcome(models.Model):
    # Copied from the visit: the analysis filters on it without a join.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="item_outcomes", verbose_name=_("visit")
    )
    sheet = models.ForeignKey(Sheet, on_delete=models.PROTECT, related_name="+")
    sheet_record = models.ForeignKey(
        SheetRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    checklist_record = models.ForeignKey(
        ChecklistRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # None for a section scored whole.
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Codes, not rubric ids: they match an item across rubric versions.
    sheet_code = models.CharField(max_length=50)
    part_code = models.CharField(max_length=50)
    section_code = models.CharField(max_length=50)
    item_code = models.CharField(max_length=50)
    points = models.DecimalField(max_digits=6, decimal_places=1, null=True)
    score = models.DecimalField(max_digits=6, decimal_places=1, null=True)
    lost = models.DecimalField(max_digits=6, decimal_places=1, default=0)
    not_applicable = models.BooleanField(default=False)
    compliant = models.BooleanField(null=True)
    failed = models.BooleanField(default=False)
    remark = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "sheet_code", "section_code"]),
            models.Index(fields=["sheet_code", "item_code", "failed"]),
        ]
        verbose_name = _("item outcome")
        verbose_name_plural = _("item outcomes")

    def __str__(self):
        return f"{self.sheet_code}/{self.section_code}/{self.item_code}"
