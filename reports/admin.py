from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ReportJob
from .selectors.jobs import job_title


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    """Read-only: jobs are made by the app and the worker, never by hand."""

    list_display = (
        "id",
        "title",
        "exporter",
        "subject_key",
        "state",
        "progress",
        "is_current",
        "attempts",
        "requested_by",
        "requested_at",
        "finished_at",
    )
    list_filter = ("state", "exporter", "is_current", "format")
    search_fields = ("subject_key", "exporter", "task_id", "checksum")
    date_hierarchy = "requested_at"
    list_select_related = (
        "requested_by",
        "visit__branch",
        "visit__office",
        "campaign",
        "branch",
    )
    readonly_fields = [f.name for f in ReportJob._meta.fields if f.name != "file"]
    # The file is never linked: report files are served by the access-checked view only.
    exclude = ("file",)

    @admin.display(description=_("report"))
    def title(self, obj):
        return job_title(job=obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
