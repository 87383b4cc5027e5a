"""A branch submits its acceptance report to head office (以分公司为单位形成工作验收报告)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Branch, BranchReportSubmission, Campaign, User


def can_submit_branch_report(user: User, branch: Branch) -> bool:
    """Only a branch manager of that branch submits its report."""
    return (
        user.is_authenticated
        and user.is_active
        and user.is_branch_manager
        and user.branch_id == branch.pk
    )


@transaction.atomic
def submit_branch_report(
    *, user: User, campaign: Campaign, branch: Branch, note: str = ""
) -> BranchReportSubmission:
    """Record that the branch submitted its acceptance report, once per campaign.

    A submission after the campaign's report due date is accepted and marked late.
    """
    if not can_submit_branch_report(user, branch):
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
    return BranchReportSubmission.objects.create(
        campaign=campaign,
        branch=branch,
        submitted_by=user,
        submitted_at=timezone.now(),
        note=note.strip(),
    )
