"""Publishing a campaign's head-office results to a branch (通报), the branch's
written objections within three working days, and head office's review (复核):
seed 002, 可在通报之日起3个工作日内反馈书面意见, 复核确认测评结果."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scoring.engine import ScoringError, parse_points

from .. import access, evidence_files, hooks
from ..calendars import CalendarUnknown, add_working_days
from ..models import (
    Branch,
    Campaign,
    ChecklistRecord,
    Objection,
    ObjectionEvidence,
    ResultsPublication,
    SheetRecord,
    User,
    Visit,
)
from ..models.objections import OBJECTION_WINDOW_WORKING_DAYS
from ..objection_targets import (
    CHECKLIST,
    COMPLIANT,
    NON_COMPLIANT,
    corrected_checklist_answers,
    corrected_sheet_answers,
    parse_key,
    points_text,
)
from ..selectors import objection_targets
from .errors import problems_refused, refused
from .visits import correct_checklist, correct_sheet_part

#: The most files one objection may carry.
OBJECTION_MAX_FILES = 10


@transaction.atomic
def publish_results(*, user: User, campaign: Campaign, branch: Branch) -> ResultsPublication:
    """Publish the branch's head-office results: every head-office check of
    the branch in the campaign must be approved. The objection window's last
    day is fixed now, three working days from the day after."""
    if not access.can_run_campaigns(user):
        raise PermissionDenied(_("Only head office may do this."))
    if not campaign.branches.filter(pk=branch.pk).exists():
        raise refused(_("%(branch)s is not in the campaign's scope.") % {"branch": branch})
    checks = list(
        Visit.objects.filter(campaign=campaign, branch=branch, kind=Visit.Kind.HEAD_OFFICE_CHECK)
        .select_related("branch", "office")
        .select_for_update(of=("self",))
    )
    if not checks:
        raise refused(
            _("Head office has not checked %(branch)s in this campaign: nothing to publish.")
            % {"branch": branch},
            code="nothing_to_publish",
        )
    open_checks = [v for v in checks if v.state != Visit.State.APPROVED]
    if open_checks:
        raise refused(
            _("Approve every head-office check of %(branch)s before publishing: %(units)s.")
            % {"branch": branch, "units": "、".join(v.unit_name for v in open_checks)},
            code="checks_open",
        )
    published_at = timezone.now()
    try:
        closes = add_working_days(timezone.localdate(published_at), OBJECTION_WINDOW_WORKING_DAYS)
    except CalendarUnknown as error:
        raise refused(str(error), code="calendar_unknown") from None
    try:
        with transaction.atomic():
            publication = ResultsPublication.objects.create(
                campaign=campaign,
                branch=branch,
                published_at=published_at,
                published_by=user,
                window_closes_on=closes,
            )
    except IntegrityError:
        existing = ResultsPublication.objects.get(campaign=campaign, branch=branch)
        raise refused(
            _("The results of %(branch)s were already published on %(date)s.")
            % {"branch": branch, "date": existing.published_on.isoformat()},
            code="already_published",
        ) from None
    _announce_change([v.pk for v in checks], user)
    return publication


def _announce_change(visit_ids: list[int], user: User) -> None:
    """Once committed: the visits' reports show the new state."""
    user_id = user.pk

    def send():
        for visit_id in visit_ids:
            hooks.visit_results_changed.send(sender=Visit, visit_id=visit_id, changed_by_id=user_id)

    transaction.on_commit(send)


def _publication_of(visit: Visit) -> ResultsPublication | None:
    return ResultsPublication.objects.filter(campaign=visit.campaign, branch=visit.branch).first()


@transaction.atomic
def raise_objection(
    *,
    user: User,
    visit: Visit,
    target: str,
    grounds: str,
    files: list[UploadedFile],
) -> Objection:
    """A branch manager objects in writing, with evidence, to one item of a
    published head-office check of their branch, within the window."""
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("campaign", "branch")
        .get(pk=visit.pk)
    )
    if not access.can_object(user, visit):
        raise PermissionDenied(_("Only the branch's managers may object to its results."))
    publication = _publication_of(visit)
    today = timezone.localdate()
    if publication is None:
        raise refused(_("These results are not published yet."), code="not_published")
    if not publication.window_open(today):
        raise refused(
            _("Objections were accepted until %(date)s; the window has closed.")
            % {"date": publication.window_closes_on.isoformat()},
            code="window_closed",
        )
    targets = {t.key: t for t in objection_targets(visit=visit)}
    chosen = targets.get(target)
    if chosen is None:
        raise refused(_("Choose the item you object to."), field="target", code="invalid_choice")
    grounds = grounds.strip()
    if not grounds:
        raise refused(
            _("Say in writing why the result is wrong."), field="grounds", code="required"
        )
    if not files:
        raise refused(
            _("Attach the evidence that supports the objection."), field="files", code="required"
        )
    evidence_files.check_room(
        held=0, adding=len(files), limit=OBJECTION_MAX_FILES, where=_("An objection")
    )
    checked = []
    for upload in files:
        try:
            checked.append((upload, evidence_files.check_upload(upload)))
        except ValidationError as error:
            raise refused(error.messages[0], field="files", code="invalid_file") from None
    key = parse_key(chosen.key)
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                publication=publication,
                visit=visit,
                sheet_record_id=key.record_id if key.kind != CHECKLIST else None,
                checklist_id=key.record_id if key.kind == CHECKLIST else None,
                target=chosen.key,
                target_label=chosen.label[:500],
                original_value=chosen.value,
                grounds=grounds,
                raised_by=user,
            )
    except IntegrityError:
        raise refused(
            _("An objection to this item is already awaiting review."),
            field="target",
            code="duplicate",
        ) from None
    for upload, content_type in checked:
        ObjectionEvidence.objects.create(
            objection=objection,
            file=upload,
            original_name=evidence_files.stored_name(upload),
            content_type=content_type,
            size=upload.size,
        )
    _announce_change([visit.pk], user)
    return objection


def _corrected_value(target, corrected: str) -> str:
    """The corrected result as stored: points within the item's maximum, or
    compliant / non-compliant. It must differ from the result objected to."""
    if target.is_points:
        try:
            points = parse_points(
                corrected,
                key="corrected_value",
                label=_("Corrected points"),
                maximum=target.maximum,
                field="corrected_value",
            )
        except ScoringError as error:
            raise problems_refused(error.problems) from None
        if points is None:
            raise refused(
                _("Give the corrected points (0 to %(max)s).")
                % {"max": points_text(target.maximum)},
                field="corrected_value",
                code="required",
            )
        value = points_text(Decimal(points))
    else:
        if corrected not in (COMPLIANT, NON_COMPLIANT):
            raise refused(
                _("Choose compliant or non-compliant."), field="corrected_value", code="required"
            )
        value = corrected
    if value == target.value:
        raise refused(
            _("The corrected result is the result objected to: reject the objection instead."),
            field="corrected_value",
            code="unchanged",
        )
    return value


@transaction.atomic
def decide_objection(
    *,
    user: User,
    objection: Objection,
    upheld: bool,
    reason: str,
    corrected_value: str = "",
) -> Objection:
    """Head office's review. Upheld: the item is scored again with the
    corrected result through the engine, the change kept in the visit's
    history, and its reports rebuilt. Rejected: the result stands. Either way
    with the reason."""
    objection = (
        Objection.objects.select_for_update(of=("self",))
        .select_related("visit__campaign", "visit__branch")
        .get(pk=objection.pk)
    )
    visit = Visit.objects.select_for_update(of=("self",)).get(pk=objection.visit_id)
    if not access.can_decide_objection(user, visit):
        raise PermissionDenied(
            _("Head office reviews objections; not an inspector of the check objected to.")
        )
    if objection.is_settled:
        raise refused(
            _("This objection was already decided (%(state)s) by %(user)s.")
            % {"state": objection.get_state_display(), "user": objection.decided_by},
            code="decided",
        )
    reason = reason.strip()
    if not reason:
        raise refused(_("Give the reason for the decision."), field="reason", code="required")
    if upheld:
        target = {t.key: t for t in objection_targets(visit=visit)}.get(objection.target)
        if target is None:
            raise refused(_("The item objected to no longer has a result to correct."))
        value = _corrected_value(target, corrected_value.strip())
        key = parse_key(objection.target)
        if key.kind == CHECKLIST:
            checklist = ChecklistRecord.objects.select_for_update(of=("self",)).get(
                pk=key.record_id
            )
            correct_checklist(
                checklist=checklist,
                answers=corrected_checklist_answers(
                    checklist.answers, requirement=key.path[0], compliant=value == COMPLIANT
                ),
            )
        else:
            record = (
                SheetRecord.objects.select_for_update(of=("self",))
                .select_related("sheet", "specialist", "chosen_alternative", "visit__campaign")
                .get(pk=key.record_id)
            )
            part = record.parts.select_related("part").get(part__code=key.path[0])
            correct_sheet_part(
                record=record,
                part_code=key.path[0],
                answers=corrected_sheet_answers(part.answers, path=key.path, points=Decimal(value)),
            )
        objection.corrected_value = value
        objection.state = Objection.State.UPHELD
    else:
        objection.state = Objection.State.REJECTED
    objection.decision_reason = reason
    objection.decided_by = user
    objection.decided_at = timezone.now()
    objection.save()
    _announce_change([visit.pk], user)
    return objection
