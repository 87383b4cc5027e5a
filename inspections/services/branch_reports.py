"""A branch submits its acceptance report to head office (以分公司为单位形成工作验收报告)."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import access
from ..models import Branch, BranchReportSubmission, Campaign, User


@transaction.atomic
def submit_branch_report(
    *,
    user: User,
    campaign: Campaign,
    branch: Branch,
    report: tuple[str, bytes] | None,
    note: str = "",
) -> BranchReportSubmission:
    """Submit the branch's acceptance report to head office, once per campaign:
    `report` is the built report's (file name, content), kept as submitted.

    A submission after the campaign's report due date is accepted and marked late.
    """
    if not access.can_submit_branch_report(user, branch):
        raise PermissionDenied(
            _("Only a manager of %(branch)s may submit its report.") % {"branch": branch}
        )
    # Lock the branch row so two managers cannot submit at once.
    Branch.objects.select_for_update().get(pk=branch.pk)
    if not campaign.branches.filter(pk=branch.pk).exists():
        raise ValidationError(_("%(branch)s is not in the campaign's scope.") % {"branch": branch})
    existing = BranchReportSubmission.objects.filter(campaign=campaign, branch=branch).first()
    if existing is not None:
        raise ValidationError(
            _("%(branch)s already submitted its report on %(date)s.")
            % {"branch": branch, "date": existing.submitted_on}
        )
    if not report or not report[1]:
        raise ValidationError(
            _("Build the branch's acceptance report (PDF) first: what is submitted is that file.")
        )
    name, content = report
    submission = BranchReportSubmission(
        campaign=campaign,
        branch=branch,
        submitted_by=user,
        submitted_at=timezone.now(),
        note=note.strip(),
        checksum=hashlib.sha256(content).hexdigest(),
    )
    # The file is written before the row; a failure rolls the row back, and the
    # stray file has a name no one links to.
    submission.file.save(name, ContentFile(content), save=False)
    submission.save()
    return submission
