"""Who may ask for, follow and download which report: the one place deciding it.

- A visit's report: whoever may see the visit (`inspections.access.visible_visits`):
  head office, the branch's managers and inspectors, the visit's own head-office
  inspectors. A branch manager never gets another branch's visit reports.
- A branch's report for a campaign: head office, and that branch's managers.
- A campaign's consolidated report: head office only.
- A campaign's blank forms (paper backup on site): everyone who sees the campaign.
"""

from inspections import access as inspection_access
from inspections.models import User, Visit


def can_see_subject(user: User, *, visit_id=None, campaign_id=None, branch_id=None) -> bool:
    if not user.is_authenticated:
        return False
    if visit_id:
        return inspection_access.visible_visits(user).filter(pk=visit_id).exists()
    if branch_id:
        return inspection_access.can_read_branch_report(user, branch_id=branch_id)
    return user.is_head_office


BLANK_FORMS = "blank-forms-pdf"


def can_see_blank_forms(user: User, campaign_id) -> bool:
    return inspection_access.visible_campaigns(user).filter(pk=campaign_id).exists()


def can_download(user: User, job) -> bool:
    """May the user follow this report job and download its file?"""
    if job.exporter == BLANK_FORMS:
        return can_see_blank_forms(user, job.campaign_id)
    return can_see_subject(
        user, visit_id=job.visit_id, campaign_id=job.campaign_id, branch_id=job.branch_id
    )


def can_request(user: User, *, visit=None, campaign=None, branch=None) -> bool:
    """May the user (re)generate this subject's report? Visit reports exist
    once the visit is approved."""
    if visit is not None:
        return visit.state == Visit.State.APPROVED and can_see_subject(user, visit_id=visit.pk)
    return can_see_subject(
        user,
        campaign_id=campaign.pk if campaign is not None else None,
        branch_id=branch.pk if branch is not None else None,
    )
