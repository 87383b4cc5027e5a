"""State changes, each inside one transaction (the HackSoft styleguide's services).

Views validate input with forms, then call one of these; nothing else writes.
"""

from .actions import (
    add_progress,
    close_action,
    decide_extension,
    reopen_action,
    request_extension,
    submit_for_verification,
)
from .branch_reports import submit_branch_report
from .campaigns import (
    create_campaign,
    draw_offices,
    import_kpi_figures,
    save_kpi_figures,
    update_grade_bands,
)
from .errors import INCOMPLETE, LOCKED, STALE, has_code
from .problems import (
    close_problem,
    reassign_problem,
    register_problems,
    reopen_problem,
    respond_to_problem,
)
from .roster import RosterImportError, RosterImportSummary, import_roster
from .visits import (
    add_action,
    add_evidence,
    add_finding,
    approve_visit,
    delete_finding,
    delete_log_entry,
    draw_specialists,
    plan_visit,
    return_visit,
    save_checklist,
    save_interview,
    save_kpi_note,
    save_line_waiver,
    save_log_entry,
    save_sheet,
    start_visit,
    submit_visit,
)

__all__ = [
    "INCOMPLETE",
    "LOCKED",
    "STALE",
    "RosterImportError",
    "RosterImportSummary",
    "add_action",
    "add_evidence",
    "add_finding",
    "add_progress",
    "approve_visit",
    "close_action",
    "close_problem",
    "create_campaign",
    "decide_extension",
    "delete_finding",
    "delete_log_entry",
    "draw_offices",
    "draw_specialists",
    "has_code",
    "import_kpi_figures",
    "import_roster",
    "plan_visit",
    "reassign_problem",
    "register_problems",
    "reopen_action",
    "reopen_problem",
    "request_extension",
    "respond_to_problem",
    "return_visit",
    "save_checklist",
    "save_interview",
    "save_kpi_figures",
    "save_kpi_note",
    "save_line_waiver",
    "save_log_entry",
    "save_sheet",
    "start_visit",
    "submit_branch_report",
    "submit_for_verification",
    "submit_visit",
    "update_grade_bands",
]
