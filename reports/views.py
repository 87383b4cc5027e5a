"""Report pages: ask for a visit's report, follow a job, download its file.

Every view checks access through `reports.access` (visit reports: whoever
may see the visit; branch reports: head office and that branch's managers;
campaign reports: head office). A job the user may not see is a 404, so
its existence does not leak. Files are streamed by `job_download` only:
MEDIA_ROOT has no URL.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate, localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from inspections import access as inspection_access
from inspections.access import NotVisible
from inspections.downloads import private_file
from inspections.models import Visit
from inspections.params import BadParameter, query_id
from inspections.problem_forms import filter_form as problem_filter_form

from . import services
from .access import BLANK_FORMS, can_download, can_request, can_see_blank_forms
from .exporters.base import CONTENT_TYPES
from .exporters.campaign_results import CampaignResultsXlsxExporter
from .exporters.pdf import fewer_collections
from .exporters.workbooks import (
    ActionStatisticsXlsxExporter,
    KpiTemplateXlsxExporter,
    ProblemRegisterXlsxExporter,
    RosterTemplateXlsxExporter,
)
from .forms import ResultsQueryForm
from .models import ReportJob
from .selectors.jobs import BRANCH_EXPORTERS, CAMPAIGN_EXPORTERS, job_title
from .selectors.jobs import campaign_reports as campaign_reports_of
from .selectors.results_table import SORT_KEYS, results_branches, results_table
from .tables import sort_links, table_html


def _job_for(user, pk) -> ReportJob:
    job = get_object_or_404(
        ReportJob.objects.select_related(
            "visit__campaign",
            "visit__branch",
            "visit__office",
            "campaign",
            "branch",
            "requested_by",
        ),
        pk=pk,
    )
    if not can_download(user, job):
        raise NotVisible
    return job


def _visit_for(user, pk) -> Visit:
    return inspection_access.get_visible(
        inspection_access.visible_visits(user).select_related("campaign", "branch", "office"),
        pk=pk,
    )


def job_status_data(job: ReportJob) -> dict:
    downloadable = job.state == ReportJob.State.DONE and job.is_current and bool(job.file)
    return {
        "id": job.pk,
        "exporter": job.exporter,
        "format": job.format,
        "state": job.state,
        "state_label": job.get_state_display(),
        "progress": job.progress,
        "finished": job.is_finished,
        "error": job.error,
        "attempts": job.attempts,
        "is_current": job.is_current,
        "download_url": reverse("report-job-download", args=[job.pk]) if downloadable else None,
        "file_name": job.download_name if downloadable else "",
        "size": job.size if downloadable else None,
        "checksum": job.checksum if downloadable else "",
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@login_required
def visit_reports(request, pk):
    """The visit's acceptance reports: the current files, the jobs under way."""
    visit = _visit_for(request.user, pk)
    jobs = list(visit.report_jobs.select_related("requested_by").order_by("-pk")[:20])
    rows = []
    for exporter in services.VISIT_EXPORTERS:
        mine = [j for j in jobs if j.exporter == exporter]
        current = next((j for j in mine if j.is_current), None)
        latest = mine[0] if mine else None
        rows.append(
            {
                "exporter": exporter,
                "current": current,
                "latest": latest,
                "status": job_status_data(latest) if latest else None,
            }
        )
    return render(
        request,
        "reports/visit_reports.html",
        {
            "visit": visit,
            "rows": rows,
            "jobs": jobs,
            "can_generate": can_request(request.user, visit=visit),
        },
    )


@login_required
@require_POST
def visit_report_generate(request, pk):
    """(Re)generate the visit's PDF and/or Excel report."""
    visit = _visit_for(request.user, pk)
    if not can_request(request.user, visit=visit):
        raise PermissionDenied(_("A visit's report can be built once the visit is approved."))
    formats = [f for f in request.POST.getlist("format") if f in CONTENT_TYPES] or list(
        CONTENT_TYPES
    )
    try:
        jobs = [
            services.request_report(
                exporter=f"visit-{fmt}",
                requested_by=request.user,
                visit=visit,
                language=get_language(),
            )
            for fmt in formats
        ]
    except services.JobError as error:
        messages.error(request, str(error))
        return redirect("visit-reports", visit.pk)
    messages.success(request, _("The report is being built. This page shows its progress."))
    if len(jobs) == 1:
        return redirect("report-job", jobs[0].pk)
    return redirect("visit-reports", visit.pk)


@login_required
@require_GET
def job_detail(request, pk):
    job = _job_for(request.user, pk)
    current = None
    if job.state == ReportJob.State.DONE and not job.is_current:
        current = (
            ReportJob.objects.filter(
                exporter=job.exporter, subject_key=job.subject_key, is_current=True
            )
            .only("pk")
            .first()
        )
    return render(
        request,
        "reports/job_detail.html",
        {
            "job": job,
            "title": job_title(job=job),
            "status": job_status_data(job),
            "current": current,
        },
    )


@login_required
@require_GET
@never_cache
def job_status(request, pk):
    job = _job_for(request.user, pk)
    return JsonResponse(job_status_data(job))


@login_required
@require_GET
def job_download(request, pk):
    """Stream the report file as an attachment. A report that has been
    replaced sends the user to the current one."""
    job = _job_for(request.user, pk)
    if job.state != ReportJob.State.DONE:
        raise Http404(_("This report is not ready."))
    if not job.is_current or not job.file:
        current = ReportJob.objects.filter(
            exporter=job.exporter, subject_key=job.subject_key, is_current=True
        ).first()
        if current is None or not current.file:
            raise Http404(_("This report has been replaced."))
        return redirect("report-job-download", current.pk)
    return private_file(
        job.file,
        filename=job.download_name or job.file.name.rsplit("/", 1)[-1],
        content_type=CONTENT_TYPES.get(job.format, "application/octet-stream"),
        missing=_("The report file is missing; build the report again."),
    )


def _campaign_for(user, pk):
    return inspection_access.get_visible(inspection_access.visible_campaigns(user), pk=pk)


@login_required
def campaign_reports(request, pk):
    """A campaign's reports: consolidated (head office), per branch (head office
    and that branch's managers) and the blank forms (everyone in the campaign).
    While a job is under way, static/js/report-job.js follows the rows through
    `campaign_reports_status`."""
    campaign = _campaign_for(request.user, pk)
    reports = campaign_reports_of(campaign=campaign, user=request.user)
    return render(
        request,
        "reports/campaign_reports.html",
        {
            "campaign": campaign,
            "consolidated": reports.consolidated,
            "branches": reports.branches,
            "blank_forms": reports.blank_forms,
            "unfinished": reports.unfinished,
        },
    )


def _row_status(row) -> dict:
    """A row of the campaign's reports page as its script redraws it."""
    latest, download = row.latest, row.download
    return {
        "job": job_status_data(latest) if latest else None,
        "job_url": reverse("report-job", args=[latest.pk]) if latest else None,
        "requested_at": date_format(localtime(latest.requested_at), "Y-m-d H:i") if latest else "",
        "download_url": reverse("report-job-download", args=[download.pk]) if download else None,
    }


@login_required
@require_GET
@never_cache
def campaign_reports_status(request, pk):
    """The campaign reports page's rows (JSON), polled while a job is under way."""
    campaign = _campaign_for(request.user, pk)
    reports = campaign_reports_of(campaign=campaign, user=request.user)
    return JsonResponse(
        {
            "unfinished": reports.unfinished,
            "rows": {row.key: _row_status(row) for row in reports.rows},
        }
    )


@login_required
@require_POST
def campaign_report_generate(request, pk):
    campaign = _campaign_for(request.user, pk)
    exporter = request.POST.get("exporter", "")
    branch = None
    if exporter in BRANCH_EXPORTERS:
        branch = get_object_or_404(campaign.branches, pk=query_id(request.POST, "branch") or 0)
        allowed = can_request(request.user, campaign=campaign, branch=branch)
    elif exporter in CAMPAIGN_EXPORTERS:
        allowed = can_request(request.user, campaign=campaign)
    elif exporter == BLANK_FORMS:
        allowed = can_see_blank_forms(request.user, campaign.pk)
    else:
        raise Http404
    if not allowed:
        raise PermissionDenied
    try:
        job = services.request_report(
            exporter=exporter,
            requested_by=request.user,
            campaign=campaign,
            branch=branch,
            language=get_language(),
        )
    except services.JobError as error:
        messages.error(request, str(error))
        return redirect("campaign-reports", campaign.pk)
    messages.success(request, _("The report is being built. This page shows its progress."))
    return redirect("report-job", job.pk)


# --- a campaign's results ------------------------------------------------------------


def _results_query(request, pk):
    """The campaign and the results page's validated query; units' results are
    for head office and branch managers (`access.sees_unit_results`)."""
    campaign = _campaign_for(request.user, pk)
    if not inspection_access.sees_unit_results(request.user):
        raise PermissionDenied(
            _("The units' results are shown to head office and to the branch's managers.")
        )
    form = ResultsQueryForm(
        request.GET, branches=results_branches(campaign=campaign, user=request.user)
    )
    return campaign, form, form.query()


@login_required
@require_GET
def campaign_results(request, pk):
    """Every branch's and unit's results, as the consolidated report has them,
    filtered and sorted by the query string; charts drawn from its tables
    (static/js/charts.js)."""
    campaign, form, query = _results_query(request, pk)
    # A national campaign's rows are tens of thousands of small objects: fewer
    # collections while they are built and rendered (as for a PDF) save a quarter.
    with fewer_collections():
        return _results_page(request, campaign, form, query)


def _results_page(request, campaign, form, query):
    t = results_table(campaign=campaign, user=request.user, today=localdate(), query=query)
    links = sort_links(request.GET, query, SORT_KEYS)
    return render(
        request,
        "reports/campaign_results.html",
        {
            "campaign": campaign,
            "form": form,
            "ignored": form.ignored(),
            "t": t,
            "branches_html": table_html(
                t.branch_table,
                table_id="results-branches",
                caption=_("Branches' scores"),
                chart="bar",
                chart_title=_("Branches' scores"),
                links=links,
            ),
            "distribution_html": table_html(
                t.distribution_table,
                table_id="results-distribution",
                caption=_("Units per score band (their ranking visits)"),
                chart="bar",
            ),
            "grades_html": table_html(
                t.grades_table,
                table_id="results-grades",
                caption=_("Units per grade and branch"),
                chart="bar",
            ),
            "units_html": table_html(
                t.unit_table,
                table_id="results-units",
                caption=_("Every unit's result: its ranking visit"),
                links=links,
            ),
        },
    )


@login_required
@require_GET
def campaign_results_xlsx(request, pk):
    """The results page's tables as a workbook, with the same filters and sort."""
    campaign, _form, query = _results_query(request, pk)
    with fewer_collections():
        return workbook_response(
            CampaignResultsXlsxExporter(
                campaign_id=campaign.pk, user_id=request.user.pk, query=query
            )
        )


# --- the branch's acceptance report, submitted to head office --------------------


# --- workbooks downloaded at once --------------------------------------------------


def workbook_response(exporter) -> HttpResponse:
    """A workbook built at once (small enough not to need the worker), as a
    private download."""
    response = HttpResponse(exporter.build(), content_type=exporter.content_type)
    response["Content-Disposition"] = content_disposition_header(True, exporter.filename())
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def action_stats_xlsx(request):
    """Head office's rectification statistics, as the statistics page shows them."""
    if not request.user.is_head_office:
        raise PermissionDenied
    campaign_id = query_id(request.GET, "campaign")
    if campaign_id is not None:
        inspection_access.get_visible(
            inspection_access.visible_campaigns(request.user), pk=campaign_id
        )
    return workbook_response(
        ActionStatisticsXlsxExporter(user_id=request.user.pk, campaign_id=campaign_id)
    )


@login_required
@require_GET
def problem_register_xlsx(request):
    """The problem register's list as a workbook: the entries the user sees,
    with the list's filters (an invalid filter is refused, not ignored)."""
    form = problem_filter_form(user=request.user, data=request.GET)
    if request.GET and not form.is_valid():
        raise BadParameter(_("These filters are not valid: go back to the list and choose again."))
    return workbook_response(
        ProblemRegisterXlsxExporter(user_id=request.user.pk, filters=form.filters())
    )


@login_required
@require_GET
def roster_template(request):
    if not inspection_access.can_import_rosters(request.user):
        raise PermissionDenied
    branches = inspection_access.roster_branches(request.user)
    office = inspection_access.visible_offices(request.user).filter(branch__in=branches).first()
    return workbook_response(RosterTemplateXlsxExporter(office_id=office.pk if office else None))


@login_required
@require_GET
def campaign_kpi_template(request, pk):
    campaign = inspection_access.get_visible(
        inspection_access.visible_campaigns(request.user), pk=pk
    )
    if not inspection_access.can_run_campaigns(request.user):
        raise PermissionDenied
    return workbook_response(KpiTemplateXlsxExporter(campaign_id=campaign.pk))
