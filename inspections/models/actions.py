"""Rectification actions (整改建议及整改时间要求) and the work that follows a visit:
progress, evidence, verification, deadline extensions and reminders.

An action lives outside the frozen visit: approval freezes scores and
findings, not the work to fix what was found.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from scoring.models import ContentArea
from scoring.text import PlainCharField, PlainTextField

from .deadlines import DeadlineQuerySet, HasDeadline
from .organisation import Office
from .visits import Visit, stored_suffix


def closed_on_time() -> Q:
    """Closed no later than the deadline in force when it was closed."""
    return Q(status="closed", closed_at__date__lte=F("deadline_at_close"))


class RectificationAction(HasDeadline, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted for verification")
        CLOSED = "closed", _("Closed")

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.SUBMITTED)

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="actions", verbose_name=_("visit")
    )
    content_area = models.ForeignKey(
        ContentArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("content area")
    )
    description = PlainTextField(_("what to fix"))
    responsible_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("responsible office"),
        help_text=_("Empty: the branch itself."),
    )
    responsible_person = PlainCharField(_("responsible person"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner (user)"),
    )
    # The deadline in force; an approved extension moves it, the original stays.
    deadline = models.DateField(_("deadline"))
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    # Who submitted it for verification, until it is reopened: never its verifier.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted for verification by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The deadline in force when it was closed: on-time statistics count against it.
    deadline_at_close = models.DateField(_("deadline when closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("rectification action")
        verbose_name_plural = _("rectification actions")

    def __str__(self):
        return self.description[:50]

    def save(self, *args, **kwargs):
        if self.original_deadline is None:
            self.original_deadline = self.deadline
        super().save(*args, **kwargs)

    @property
    def closed_on_time(self) -> bool | None:
        if self.status != self.Status.CLOSED or self.closed_at is None:
            return None
        return timezone.localdate(self.closed_at) <= (self.deadline_at_close or self.deadline)

    @property
    def responsible_unit(self):
        return (
            self.responsible_office.name if self.responsible_office_id else self.visit.branch.name
        )


class ActionEvent(models.Model):
    """One step of an action's life, shown as its timeline."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STARTED = "started", _("Work started")
        PROGRESS = "progress", _("Progress note")
        SUBMITTED = "submitted", _("Submitted for verification")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")

    action = models.ForeignKey(
        RectificationAction,
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("rectification action"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    from_status = models.CharField(max_length=20, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=20, blank=True, verbose_name=_("to status"))
    text = PlainTextField(_("text"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        ordering = ["action", "at", "id"]
        verbose_name = _("action event")
        verbose_name_plural = _("action events")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


def action_evidence_path(instance, filename):
    return f"action-evidence/action-{instance.action_id}/{instance.uuid}.{stored_suffix(filename)}"


class ActionEvidence(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name=_("UUID"))
    action = models.ForeignKey(
        RectificationAction,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("rectification action"),
    )
    event = models.ForeignKey(
        ActionEvent,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("event"),
    )
    file = models.FileField(_("file"), upload_to=action_evidence_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, verbose_name=_("file type"))
    size = models.PositiveIntegerField(verbose_name=_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("uploaded at"))

    class Meta:
        ordering = ["action", "uploaded_at", "id"]
        verbose_name = _("action evidence")
        verbose_name_plural = _("action evidence")

    def __str__(self):
        return self.original_name


class DeadlineExtension(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    action = models.ForeignKey(
        RectificationAction,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("rectification action"),
    )
    previous_deadline = models.DateField(_("deadline before"))
    requested_deadline = models.DateField(_("requested deadline"))
    reason = PlainTextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_comment = PlainTextField(_("decision comment"), blank=True)

    class Meta:
        ordering = ["action", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["action"],
                condition=models.Q(state="pending"),
                name="one_pending_extension_per_action",
            )
        ]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self):
        return f"{self.previous_deadline} → {self.requested_deadline} ({self.get_state_display()})"


class ReminderLog(models.Model):
    """One reminder mail per person per day, however often the job runs."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    day = models.DateField(verbose_name=_("day"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))
    action_count = models.PositiveIntegerField(default=0, verbose_name=_("number of actions"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "day"], name="one_reminder_per_person_per_day"
            )
        ]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return f"{self.recipient} {self.day}"
