from django.urls import path

from . import loss_views, views

urlpatterns = [
    path("visits/<int:pk>/", views.visit_reports, name="visit-reports"),
    path("visits/<int:pk>/generate/", views.visit_report_generate, name="visit-reports-generate"),
    path("campaigns/<int:pk>/", views.campaign_reports, name="campaign-reports"),
    path(
        "campaigns/<int:pk>/status/",
        views.campaign_reports_status,
        name="campaign-reports-status",
    ),
    path(
        "campaigns/<int:pk>/generate/",
        views.campaign_report_generate,
        name="campaign-reports-generate",
    ),
    # Workbooks downloaded at once (reports/exporters/workbooks.py).
    path("actions/statistics.xlsx", views.action_stats_xlsx, name="action-stats-xlsx"),
    path("problems/register.xlsx", views.problem_register_xlsx, name="problem-register-xlsx"),
    path("roster/template.xlsx", views.roster_template, name="roster-template"),
    path(
        "campaigns/<int:pk>/kpis/template.xlsx",
        views.campaign_kpi_template,
        name="campaign-kpi-template",
    ),
    path("jobs/<int:pk>/", views.job_detail, name="report-job"),
    path("jobs/<int:pk>/status/", views.job_status, name="report-job-status"),
    path("jobs/<int:pk>/download/", views.job_download, name="report-job-download"),
]

#: Under /campaigns/<pk>/ (config/urls.py), beside the campaign's board.
campaign_results_urlpatterns = [
    path("results/", views.campaign_results, name="campaign-results"),
    path("results.xlsx", views.campaign_results_xlsx, name="campaign-results-xlsx"),
    # Where points are lost.
    path("results/losses/", loss_views.campaign_losses, name="campaign-losses"),
    path("results/losses.xlsx", loss_views.campaign_losses_xlsx, name="campaign-losses-xlsx"),
    path("results/losses/visits/", loss_views.campaign_loss_visits, name="campaign-loss-visits"),
]
