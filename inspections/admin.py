from auditlog.admin import LogEntryAdmin
from auditlog.filters import CIDFilter, ResourceTypeFilter
from auditlog.render import get_field_verbose_name
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import (
    Branch,
    BranchReportSubmission,
    Campaign,
    CampaignGradeBand,
    Counter,
    KpiFigure,
    Office,
    Post,
    RandomDraw,
    Specialist,
    User,
    Visit,
    VisitChange,
    VisitTransition,
    WorkerHeartbeat,
)


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    fields = ("code", "name", "city_tier", "active", "order")


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "rollout_batch", "rollout_date", "order")
    list_editable = ("order",)
    list_filter = ("rollout_batch",)
    search_fields = ("code", "name")
    inlines = [OfficeInline]


class CounterInline(admin.TabularInline):
    model = Counter
    extra = 0
    fields = ("branch", "name", "counter_type")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "branch", "city_tier", "active", "order")
    list_filter = ("branch", "city_tier", "active")
    search_fields = ("code", "name")
    list_select_related = ("branch",)
    inlines = [CounterInline]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("name", "counter_type", "branch", "office")
    list_filter = ("counter_type", "branch")
    list_select_related = ("branch", "office")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "covers_new_business",
        "covers_policy_change",
        "covers_claims",
        "order",
    )
    list_editable = ("covers_new_business", "covers_policy_change", "covers_claims", "order")


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    change_list_template = "admin/inspections/specialist/change_list.html"
    list_display = ("employee_no", "name", "branch", "office", "home_post", "active")
    list_filter = ("branch", "home_post", "active")
    search_fields = ("employee_no", "name")
    list_select_related = ("branch", "office", "home_post")
    filter_horizontal = ("concurrent_posts",)
    autocomplete_fields = ("office",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """A staff user who is not a superuser manages accounts only as far as their
    group allows, and never raises anyone's privileges: superuser and staff
    status, groups, permissions and the admin role are a superuser's to give."""

    list_display = ("username", "display_name", "role", "branch", "is_active")
    PRIVILEGES = ("is_superuser", "is_staff", "groups", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, *self.PRIVILEGES)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and "role" in form.base_fields:
            field = form.base_fields["role"]
            field.choices = [c for c in field.choices if c[0] != User.Role.ADMIN]
            if obj is not None and obj.role == User.Role.ADMIN:
                field.disabled = True
        return form

    list_filter = ("role", "branch", "is_active")
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ("display_name", "role", "branch")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("display_name", "role", "branch")}),
    )


class CampaignGradeBandInline(admin.TabularInline):
    """Editable until the campaign's first visit (as `update_grade_bands`):
    afterwards a changed band would re-grade results already given."""

    model = CampaignGradeBand
    extra = 0

    def _locked(self, obj) -> bool:
        return obj is not None and obj.has_visits()

    def has_add_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._locked(obj) and super().has_delete_permission(request, obj)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    inlines = [CampaignGradeBandInline]
    list_display = ("name", "rubric", "period_start", "period_end", "report_due")
    filter_horizontal = ("branches",)

    def get_readonly_fields(self, request, obj=None):
        # Its visits are scored on this rubric version.
        if obj is not None and obj.has_visits():
            return ("rubric",)
        return ()


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("hostname", "seen_at")
    readonly_fields = ("hostname", "seen_at")

    def has_add_permission(self, request):
        return False  # written by the workers only


class VisitTransitionInline(admin.TabularInline):
    model = VisitTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "to_state", "by", "at", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Visits change through the app's workflow; the admin only shows them."""

    list_display = (
        "__str__",
        "campaign",
        "branch",
        "office",
        "kind",
        "unannounced",
        "state",
        "start_date",
    )
    list_filter = ("campaign", "kind", "unannounced", "state", "branch")
    list_select_related = ("campaign", "branch", "office")
    inlines = [VisitTransitionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only a visit planned by mistake, one by one: once under way it holds
        # inspectors' work, and an approved visit is frozen.
        return (
            obj is not None
            and obj.state == Visit.State.PLANNED
            and super().has_delete_permission(request, obj)
        )


@admin.register(RandomDraw)
class RandomDrawAdmin(admin.ModelAdmin):
    list_display = ("kind", "campaign", "branch", "result_labels", "seed", "drawn_by", "drawn_at")
    list_filter = ("kind", "campaign")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KpiFigure)
class KpiFigureAdmin(admin.ModelAdmin):
    list_display = (
        "campaign",
        "kpi",
        "branch",
        "office",
        "value_percent",
        "entered_by",
        "entered_at",
    )
    list_filter = ("campaign", "kpi", "branch")
    list_select_related = ("campaign", "branch", "office", "entered_by")
    readonly_fields = ("entered_by", "entered_at")


@admin.register(BranchReportSubmission)
class BranchReportSubmissionAdmin(admin.ModelAdmin):
    """Branches submit their reports in the app; the admin only shows them."""

    list_display = ("campaign", "branch", "submitted_by", "submitted_at", "is_late")
    list_filter = ("campaign", "branch")
    list_select_related = ("campaign", "branch", "submitted_by")

    @admin.display(boolean=True, description=_("late"))
    def is_late(self, obj):
        return obj.is_late

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


# --- the change history: auditlog's admin, in the user's language ----------------


class ChangedKindFilter(ResourceTypeFilter):
    """auditlog's filter by the kind of record changed, each named as its model
    is (计分表), not by its class name (sheetrecord)."""

    def lookups(self, request, model_admin):
        ids = (
            model_admin.get_queryset(request)
            .order_by()
            .values_list("content_type_id", flat=True)
            .distinct()
        )
        kinds = []
        for content_type_id in ids:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            kinds.append(
                (content_type_id, capfirst(model._meta.verbose_name) if model else content_type_id)
            )
        return sorted(kinds, key=lambda kind: str(kind[1]))


admin.site.unregister(VisitChange)


@admin.register(VisitChange)
class VisitChangeAdmin(LogEntryAdmin):
    """auditlog's own admin of the change history (registered by auditlog for
    the log entry model, ours), with the columns it leaves in English
    translated and the changed fields named by their labels."""

    list_filter = ["action", ChangedKindFilter, CIDFilter]

    @admin.display(description=_("Changes"))
    def msg_short(self, obj):
        if obj.action in (VisitChange.Action.DELETE, VisitChange.Action.ACCESS):
            return ""
        changes = obj.changes_dict
        fields = "、".join(str(get_field_verbose_name(obj, name)) for name in changes)
        return ngettext(
            "%(count)d change: %(fields)s", "%(count)d changes: %(fields)s", len(changes)
        ) % {"count": len(changes), "fields": Truncator(fields).chars(75)}

    @admin.display(description=_("Correlation ID"))
    def cid_url(self, obj):
        return super().cid_url(obj)
