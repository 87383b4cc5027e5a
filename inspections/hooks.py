"""What inspections announces and asks for, without importing the apps that
build on it (reports registers here in its AppConfig.ready): layers run one
way, scoring ← inspections ← reports.

- `visit_approved`: a signal, sent once a visit's approval is committed, with
  `visit_id` and `approved_by_id` (reports queues the visit's reports).
- `visit_results_changed`: a signal, sent once a change to what an approved
  visit's reports show is committed (its results published, an objection
  raised or decided, a score corrected), with `visit_id` and `changed_by_id`
  (reports rebuilds the visit's reports).
- `built_branch_report(campaign=, branch=)`: the branch's acceptance report as
  last built, `(file name, content)` or None, from the source reports
  registers with `provide_branch_report`; what a branch submits is that file.
"""

from collections.abc import Callable

from django.dispatch import Signal

visit_approved = Signal()
visit_results_changed = Signal()

BranchReportSource = Callable[..., tuple[str, bytes] | None]
_branch_report_sources: list[BranchReportSource] = []


def provide_branch_report(source: BranchReportSource) -> None:
    if source not in _branch_report_sources:
        _branch_report_sources.append(source)


def built_branch_report(*, campaign, branch) -> tuple[str, bytes] | None:
    for source in _branch_report_sources:
        report = source(campaign=campaign, branch=branch)
        if report is not None:
            return report
    return None
