from django.urls import path

from .views import actions, campaigns, history, objections, organisation, problems, visits

urlpatterns = [
    path("", organisation.home, name="home"),
    path("specialists/", organisation.specialist_list, name="specialist-list"),
    path("roster/import/", organisation.roster_import, name="roster-import"),
    # campaigns (head office)
    path("campaigns/", campaigns.campaign_list, name="campaign-list"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign-create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign-detail"),
    path(
        "campaigns/<int:pk>/grade-bands/",
        campaigns.campaign_grade_bands,
        name="campaign-grade-bands",
    ),
    path("campaigns/<int:pk>/draw/<int:branch_pk>/", campaigns.campaign_draw, name="campaign-draw"),
    path(
        "campaigns/<int:pk>/remind/<int:branch_pk>/",
        campaigns.campaign_remind,
        name="campaign-remind",
    ),
    path(
        "campaigns/<int:pk>/branches/<int:branch_pk>/report/submit/",
        campaigns.branch_report_submit,
        name="campaign-branch-report-submit",
    ),
    path(
        "campaigns/<int:pk>/branches/<int:branch_pk>/report/submitted/",
        campaigns.branch_report_submitted_file,
        name="campaign-branch-report-submitted",
    ),
    path(
        "campaigns/<int:pk>/publish/<int:branch_pk>/",
        objections.campaign_publish,
        name="campaign-publish",
    ),
    path("campaigns/<int:pk>/kpis/", campaigns.campaign_kpis, name="campaign-kpis"),
    path("campaigns/<int:pk>/visits/new/", campaigns.visit_plan, name="visit-plan"),
    # visits
    path("visits/", visits.visit_list, name="visit-list"),
    path("visits/to-review/", visits.review_list, name="review-list"),
    path("visits/<int:pk>/", visits.visit_detail, name="visit-detail"),
    path("visits/<int:pk>/start/", visits.visit_start, name="visit-start"),
    path("visits/<int:pk>/draw/", visits.visit_draw_specialists, name="visit-draw-specialists"),
    path("visits/<int:pk>/waivers/", visits.visit_line_waiver, name="visit-line-waiver"),
    path("visits/<int:pk>/sheets/new/", visits.visit_sheet_new, name="visit-sheet-new"),
    path("visits/<int:pk>/sheets/<int:record_pk>/", visits.visit_sheet, name="visit-sheet"),
    path(
        "visits/<int:pk>/sheets/preview/<slug:sheet_code>/",
        visits.visit_sheet_preview,
        name="visit-sheet-preview",
    ),
    path(
        "visits/<int:pk>/checklists/<slug:sheet_code>/",
        visits.visit_checklist,
        name="visit-checklist",
    ),
    path("visits/<int:pk>/log/", visits.visit_log, name="visit-log"),
    path(
        "visits/<int:pk>/log/<int:entry_pk>/delete/",
        visits.visit_log_delete,
        name="visit-log-delete",
    ),
    path("visits/<int:pk>/kpis/", visits.visit_kpis, name="visit-kpis"),
    path("visits/<int:pk>/interviews/", visits.visit_interviews, name="visit-interviews"),
    path("visits/<int:pk>/interviews/new/", visits.visit_interview, name="visit-interview-new"),
    path(
        "visits/<int:pk>/interviews/<int:interview_pk>/",
        visits.visit_interview,
        name="visit-interview",
    ),
    path("visits/<int:pk>/findings/", visits.visit_findings, name="visit-findings"),
    path(
        "visits/<int:pk>/findings/<int:finding_pk>/delete/",
        visits.visit_finding_delete,
        name="visit-finding-delete",
    ),
    path("visits/<int:pk>/actions/", visits.visit_actions, name="visit-actions"),
    path("visits/<int:pk>/evidence/", visits.visit_evidence_upload, name="visit-evidence-upload"),
    path("visits/<int:pk>/submit/", visits.visit_submit, name="visit-submit"),
    path("visits/<int:pk>/review/", visits.visit_review, name="visit-review"),
    path("visits/<int:pk>/history/", history.visit_history, name="visit-history"),
    path("evidence/<uuid:uuid>/", visits.evidence_download, name="evidence-download"),
    path(
        "evidence/<uuid:uuid>/thumbnail/",
        visits.evidence_thumbnail,
        name="evidence-thumbnail",
    ),
    path(
        "visits/<int:pk>/sheets/<slug:sheet_code>/evidence/",
        visits.visit_sheet_evidence,
        name="visit-sheet-evidence",
    ),
    # objections to published results
    path(
        "visits/<int:pk>/objections/new/",
        objections.visit_objection_new,
        name="visit-objection-new",
    ),
    path("objections/<int:pk>/", objections.objection_detail, name="objection-detail"),
    path(
        "objections/evidence/<uuid:uuid>/",
        objections.objection_evidence,
        name="objection-evidence",
    ),
    # rectification actions
    path("actions/", actions.action_list, name="action-list"),
    path("actions/statistics/", actions.action_stats, name="action-stats"),
    path("actions/<int:pk>/", actions.action_detail, name="action-detail"),
    path("actions/<int:pk>/progress/", actions.action_progress, name="action-progress"),
    path("actions/<int:pk>/submit/", actions.action_submit, name="action-submit"),
    path("actions/<int:pk>/verify/", actions.action_verify, name="action-verify"),
    path(
        "actions/<int:pk>/extension/",
        actions.action_extension_request,
        name="action-extension-request",
    ),
    path(
        "actions/extensions/<int:extension_pk>/decide/",
        actions.action_extension_decide,
        name="action-extension-decide",
    ),
    path("actions/evidence/<uuid:uuid>/", actions.action_evidence, name="action-evidence"),
    # the problem register
    path("problems/", problems.problem_list, name="problem-list"),
    path("problems/<int:pk>/", problems.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/respond/", problems.problem_respond, name="problem-respond"),
    path("problems/<int:pk>/review/", problems.problem_review, name="problem-review"),
    path("problems/<int:pk>/reassign/", problems.problem_reassign, name="problem-reassign"),
]
