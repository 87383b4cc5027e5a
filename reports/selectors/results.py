"""Whether head office's results are provisional or final, and the branch's
objections with their outcome (seed 002): what every report shows of them."""

import datetime

from inspections.models import Objection
from inspections.selectors import ResultsStatus

from .types import ObjectionLine


def objection_lines(objections) -> list[ObjectionLine]:
    """`objections`: Objection rows with their visit, raiser and decider."""
    return [
        ObjectionLine(
            unit=o.visit.unit_name,
            item=o.target_label,
            original=o.original_label,
            grounds=o.grounds,
            raised_by=str(o.raised_by),
            raised_at=o.raised_at,
            state=o.state,
            state_label=o.get_state_display(),
            corrected=o.corrected_label,
            decision_reason=o.decision_reason,
            decided_by=str(o.decided_by) if o.decided_by_id else "",
            decided_at=o.decided_at,
        )
        for o in objections
    ]


def branch_objections(*, campaign_id: int, branch_id: int | None = None):
    """The objections to a campaign's head-office checks (of one branch), in order."""
    objections = Objection.objects.filter(visit__campaign_id=campaign_id)
    if branch_id is not None:
        objections = objections.filter(visit__branch_id=branch_id)
    return objections.select_related(
        "visit__branch", "visit__office", "raised_by", "decided_by"
    ).order_by("visit__branch__code", "raised_at", "pk")


def status_text(status: ResultsStatus, today: datetime.date) -> str:
    """The status as a report prints it, dated: it changes with time."""
    return f"{status.label}（{today:%Y-%m-%d}）"
