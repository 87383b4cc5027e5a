from .actions import (
    ActionEvent,
    ActionEvidence,
    DeadlineExtension,
    RectificationAction,
    ReminderLog,
)
from .branch_reports import BranchReportSubmission
from .campaigns import Campaign, CampaignGradeBand, KpiFigure, RandomDraw
from .history import VisitChange
from .objections import Objection, ObjectionEvidence, ResultsPublication
from .organisation import Branch, Counter, Office, Post, Specialist, User, WorkerHeartbeat
from .outcomes import ItemOutcome
from .problems import RaisedProblem
from .visits import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    LineWaiver,
    PartRecord,
    ProcessLogEntry,
    SelectionMethod,
    SheetRecord,
    Visit,
    VisitTransition,
)

__all__ = [
    "ActionEvent",
    "ActionEvidence",
    "Branch",
    "BranchReportSubmission",
    "Campaign",
    "CampaignGradeBand",
    "ChecklistRecord",
    "Counter",
    "DeadlineExtension",
    "Evidence",
    "Finding",
    "Interview",
    "InterviewAnswer",
    "ItemOutcome",
    "KpiFigure",
    "LineWaiver",
    "Objection",
    "ObjectionEvidence",
    "Office",
    "PartRecord",
    "Post",
    "ProcessLogEntry",
    "RaisedProblem",
    "RandomDraw",
    "RectificationAction",
    "ReminderLog",
    "ResultsPublication",
    "SelectionMethod",
    "SheetRecord",
    "Specialist",
    "User",
    "Visit",
    "VisitChange",
    "VisitTransition",
    "WorkerHeartbeat",
]
