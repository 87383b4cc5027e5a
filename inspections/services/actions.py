"""The life of a rectification action after its visit: work, evidence,
verification and deadline extensions. Every step is one transaction and is
recorded as an `ActionEvent` (who, when, what)."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access, evidence_files
from ..models import ActionEvent, ActionEvidence, DeadlineExtension, RectificationAction, User

Status = RectificationAction.Status
Kind = ActionEvent.Kind


def _locked(action: RectificationAction) -> RectificationAction:
    return (
        RectificationAction.objects.select_for_update(of=("self",))
        .select_related("visit__branch")
        .get(pk=action.pk)
    )


def _event(action, user, kind, text="", from_status="", to_status=""):
    return ActionEvent.objects.create(
        action=action, kind=kind, text=text, by=user, from_status=from_status, to_status=to_status
    )


def _move(action, user, kind, to_status, text=""):
    event = _event(action, user, kind, text, from_status=action.status, to_status=to_status)
    action.status = to_status
    return event


def _attach(action, event, user, files):
    files = list(files)
    if files:
        evidence_files.check_room(
            held=ActionEvidence.objects.filter(action=action).count(),
            adding=len(files),
            limit=settings.EVIDENCE_MAX_PER_ACTION,
            where=_("This action"),
        )
    checked = [(upload, evidence_files.check_upload(upload)) for upload in files]
    for upload, content_type in checked:
        ActionEvidence.objects.create(
            action=action,
            event=event,
            file=upload,
            original_name=evidence_files.stored_name(upload),
            content_type=content_type,
            size=upload.size,
            uploaded_by=user,
        )


def _require_verifier(user, action):
    if user.pk in (action.owner_id, action.submitted_by_id):
        raise PermissionDenied(_("You own this action or submitted it: someone else verifies it."))
    if not access.can_verify_action(user, action):
        raise PermissionDenied(_("Only the visit's inspectors or head office verify an action."))


def _require_worker(user, action):
    if not access.can_work_action(user, action):
        raise PermissionDenied(_("Only the branch's managers and the action's owner work on it."))


@transaction.atomic
def add_progress(
    *, user: User, action: RectificationAction, note: str, files: Iterable[UploadedFile] = ()
) -> ActionEvent:
    """A progress note (and files); the first one starts the work."""
    action = _locked(action)
    _require_worker(user, action)
    if action.status not in (Status.OPEN, Status.IN_PROGRESS):
        raise ValidationError(
            _("The action is %(status)s: progress can no longer be added.")
            % {"status": action.get_status_display()}
        )
    if not note.strip():
        raise ValidationError(_("Write what was done."))
    if action.status == Status.OPEN:
        _move(action, user, Kind.STARTED, Status.IN_PROGRESS)
        action.save(update_fields=["status"])
    event = _event(action, user, Kind.PROGRESS, note.strip())
    _attach(action, event, user, files)
    return event


@transaction.atomic
def submit_for_verification(
    *,
    user: User,
    action: RectificationAction,
    text: str,
    files: Iterable[UploadedFile] = (),
) -> ActionEvent:
    action = _locked(action)
    _require_worker(user, action)
    if action.status not in (Status.OPEN, Status.IN_PROGRESS):
        raise ValidationError(
            _("The action is %(status)s: it cannot be submitted.")
            % {"status": action.get_status_display()}
        )
    if not text.strip():
        raise ValidationError(_("Describe the evidence that the shortcoming is fixed."))
    event = _move(action, user, Kind.SUBMITTED, Status.SUBMITTED, text.strip())
    action.submitted_by = user
    action.save(update_fields=["status", "submitted_by"])
    _attach(action, event, user, files)
    return event


@transaction.atomic
def close_action(*, user: User, action: RectificationAction, comment: str = "") -> ActionEvent:
    action = _locked(action)
    _require_verifier(user, action)
    if action.status != Status.SUBMITTED:
        raise ValidationError(_("Only an action submitted for verification can be closed."))
    # A request still waiting is settled first, and recorded like any decision.
    for extension in action.extensions.select_for_update().filter(
        state=DeadlineExtension.State.PENDING
    ):
        extension.state = DeadlineExtension.State.REFUSED
        extension.decided_by = user
        extension.decided_at = timezone.now()
        extension.decision_comment = _("Closed before a decision.")
        extension.save()
        _event(action, user, Kind.EXTENSION_REFUSED, extension.decision_comment)
    event = _move(action, user, Kind.CLOSED, Status.CLOSED, comment.strip())
    action.closed_at = timezone.now()
    action.deadline_at_close = action.deadline
    action.save(update_fields=["status", "closed_at", "deadline_at_close"])
    return event


@transaction.atomic
def reopen_action(*, user: User, action: RectificationAction, comment: str) -> ActionEvent:
    action = _locked(action)
    _require_verifier(user, action)
    if action.status not in (Status.SUBMITTED, Status.CLOSED):
        raise ValidationError(_("Only a submitted or closed action can be reopened."))
    if not comment.strip():
        raise ValidationError(_("Say why the action is reopened."))
    event = _move(action, user, Kind.REOPENED, Status.IN_PROGRESS, comment.strip())
    action.closed_at = None
    action.deadline_at_close = None
    action.submitted_by = None
    action.save(update_fields=["status", "closed_at", "deadline_at_close", "submitted_by"])
    return event


@transaction.atomic
def request_extension(
    *, user: User, action: RectificationAction, new_deadline: datetime.date, reason: str
) -> DeadlineExtension:
    action = _locked(action)
    if not access.can_request_extension(user, action):
        raise PermissionDenied(_("Only the branch's managers ask for an extension."))
    errors = []
    if not action.is_open:
        errors.append(_("A closed action needs no extension."))
    if new_deadline <= action.deadline:
        errors.append(
            _("The new deadline must come after the current one (%(date)s).")
            % {"date": action.deadline}
        )
    if not reason.strip():
        errors.append(_("Give a reason for the extension."))
    if action.extensions.filter(state=DeadlineExtension.State.PENDING).exists():
        errors.append(_("An extension request is already waiting for head office."))
    if errors:
        raise ValidationError(errors)
    extension = DeadlineExtension.objects.create(
        action=action,
        previous_deadline=action.deadline,
        requested_deadline=new_deadline,
        reason=reason.strip(),
        requested_by=user,
    )
    _event(
        action,
        user,
        Kind.EXTENSION_REQUESTED,
        _("%(old)s → %(new)s: %(reason)s")
        % {"old": action.deadline, "new": new_deadline, "reason": reason.strip()},
    )
    return extension


@transaction.atomic
def decide_extension(
    *, user: User, extension: DeadlineExtension, approve: bool, comment: str = ""
) -> DeadlineExtension:
    if not access.can_decide_extensions(user):
        raise PermissionDenied(_("Only head office decides on extensions."))
    # The action first, then its extension: the order `close_action` locks them in.
    action = _locked(extension.action)
    extension = DeadlineExtension.objects.select_for_update().get(pk=extension.pk)
    if extension.state != DeadlineExtension.State.PENDING:
        raise ValidationError(_("This request was already decided."))
    if not approve and not comment.strip():
        raise ValidationError(_("Say why the extension is refused."))
    extension.state = (
        DeadlineExtension.State.APPROVED if approve else DeadlineExtension.State.REFUSED
    )
    extension.decided_by = user
    extension.decided_at = timezone.now()
    extension.decision_comment = comment.strip()
    extension.save()
    if approve:
        action.deadline = extension.requested_deadline
        action.save(update_fields=["deadline"])
    _event(
        action,
        user,
        Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_REFUSED,
        comment.strip(),
    )
    return extension
