"""Report jobs: one request for one report file, built by a Celery worker.

A job names its exporter (`reports.exporters.base.REGISTRY`) and its subject:
a visit, a campaign, or a campaign's branch. Of all the finished jobs of one
exporter and subject, exactly one is *current*: the report people download.
A regenerated report becomes current only once its file is complete
(`reports.services.finish_job`); the old one is then retired.

The files live under MEDIA_ROOT/reports/ and are never reachable by a URL of
their own: only the access-checked download view serves them.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from inspections.models import Branch, Campaign, Visit


def report_path(instance, filename):
    # Deterministic: a job always writes the same file, so running it twice
    # never leaves two files behind.
    return instance.storage_name()


class ReportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel"

    exporter = models.CharField(
        _("report"), max_length=50, help_text=_("The exporter's identifier, e.g. visit-pdf.")
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    visit = models.ForeignKey(
        Visit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("visit"),
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("campaign"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_jobs",
        verbose_name=_("branch"),
    )
    # "visit:3", "campaign:1" or "campaign:1/branch:2": one value per subject,
    # so "one current report per exporter and subject" is a plain constraint.
    subject_key = models.CharField(max_length=100, editable=False, verbose_name=_("subject"))
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_path, max_length=200, blank=True)
    download_name = models.CharField(_("file name"), max_length=200, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    error_detail = models.TextField(_("technical detail"), blank=True)
    task_id = models.CharField(_("Celery task id"), max_length=255, blank=True)
    # When the build task was last handed to the broker; null while it never was
    # (the broker was down): `reports.tasks.requeue_unsent_jobs` sends it then.
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["exporter", "subject_key"],
                condition=models.Q(is_current=True),
                name="one_current_report_per_subject",
            ),
            # Asking again (a double click, a busy worker) reuses the unfinished job.
            models.UniqueConstraint(
                fields=["exporter", "subject_key"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_unfinished_job_per_report",
            ),
            models.CheckConstraint(
                condition=models.Q(is_current=False) | models.Q(state="done"),
                name="only_a_done_report_is_current",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_at_most_100"
            ),
        ]
        indexes = [models.Index(fields=["exporter", "subject_key", "state"])]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")

    def __str__(self):
        return f"{self.exporter} {self.subject_key} #{self.pk} ({self.get_state_display()})"

    def save(self, *args, **kwargs):
        self.subject_key = self.make_subject_key(
            visit_id=self.visit_id, campaign_id=self.campaign_id, branch_id=self.branch_id
        )
        super().save(*args, **kwargs)

    @staticmethod
    def make_subject_key(*, visit_id=None, campaign_id=None, branch_id=None) -> str:
        if visit_id:
            return f"visit:{visit_id}"
        if branch_id:
            return f"campaign:{campaign_id}/branch:{branch_id}"
        return f"campaign:{campaign_id}"

    @property
    def subject(self) -> str:
        """ "visit", "branch" or "campaign" (as `Exporter.subject` names them)."""
        if self.visit_id:
            return "visit"
        if self.branch_id:
            return "branch"
        return "campaign"

    def subject_ids(self) -> dict[str, int]:
        """The keyword arguments the exporter takes."""
        if self.visit_id:
            return {"visit_id": self.visit_id}
        if self.branch_id:
            return {"campaign_id": self.campaign_id, "branch_id": self.branch_id}
        return {"campaign_id": self.campaign_id}

    def storage_name(self) -> str:
        return f"reports/job-{self.pk}.{self.format}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


@receiver(post_delete, sender=ReportJob)
def delete_report_file(sender, instance: ReportJob, **kwargs):
    """A job deleted (with its visit, campaign or branch) takes its file along."""
    if instance.file:
        name = instance.file.name
        storage = instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
