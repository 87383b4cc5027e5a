"""Django admin for rubric versions and everything in them.

- Each level is edited with its children inline, and the inline formset checks
  the parent form together with the children (`scoring.forms`), so a section
  whose items do not add up to its max, or a part or sheet whose children do
  not add up, is refused with the reason.
- Changes one level up or down can leave other levels out of step while a
  draft is being reworked: after every save the admin lists what does not add
  up yet, and a version cannot be published until everything does.
- A published version that a campaign uses is read-only everywhere: the
  version and every child. The action "Copy as next year's draft" (or the
  button on the version's page) asks for the new version's code, name and
  effective date and makes an editable copy.
- "Compare two versions" lists every sheet, part, section and item added,
  removed or changed from one version to another (`scoring.rubric_diff`).
- A draft's sheet, with its parts, sections, items and points, can be edited
  on one page ("Edit on one page", `scoring.sheet_editor`), saved in one
  transaction (`scoring.services.save_sheet_tree`).
"""

from decimal import Decimal
from itertools import groupby

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import rubric_diff
from .forms import (
    CompareRubricsForm,
    CopyRubricForm,
    ItemFormSet,
    PartFormSet,
    RubricVersionForm,
    SectionFormSet,
)
from .models import (
    ContentArea,
    GradeBand,
    InterviewAudience,
    InterviewQuestion,
    Item,
    KpiThreshold,
    RubricVersion,
    Section,
    Sheet,
    SheetPart,
)
from .rubric_io import RubricImportError, copy_as_draft, rubric_problems
from .selectors import comparable_definitions, editing_fingerprint
from .services import save_sheet_tree
from .sheet_editor import SheetEditor

MAX_PROBLEM_MESSAGES = 10

# The one-page editor adds, changes and deletes parts, sections and items.
EDITOR_PERMISSIONS = (
    "scoring.change_sheet",
    *(
        f"scoring.{action}_{model}"
        for model in ("sheetpart", "section", "item")
        for action in ("add", "change", "delete")
    ),
)


# --- locking ---------------------------------------------------------------


def rubric_of(obj) -> RubricVersion | None:
    """The rubric version an object of the rubric belongs to (None when unsaved)."""
    try:
        if obj is None:
            return None
        if isinstance(obj, RubricVersion):
            return obj if obj.pk else None
        if isinstance(obj, Sheet):
            return obj.rubric
        if isinstance(obj, SheetPart):
            return obj.sheet.rubric
        if isinstance(obj, Section):
            return obj.part.sheet.rubric
        if isinstance(obj, Item):
            return obj.section.part.sheet.rubric
        if isinstance(obj, InterviewQuestion):
            return obj.audience.rubric
        return obj.rubric  # content areas, audiences, KPI thresholds, grade bands
    except ObjectDoesNotExist:
        return None


def is_locked(request, obj) -> bool:
    """Whether obj's rubric version is published and in use (once per request)."""
    rubric = rubric_of(obj)
    if rubric is None:
        return False
    cache = request.__dict__.setdefault("_rubric_locks", {})
    if rubric.pk not in cache:
        cache[rubric.pk] = rubric.is_locked()
    return cache[rubric.pk]


def unlocked_rubrics():
    locked = RubricVersion.objects.filter(
        status=RubricVersion.Status.PUBLISHED, campaigns__isnull=False
    ).values("pk")
    return RubricVersion.objects.exclude(pk__in=locked)


def locked_message(rubric: RubricVersion) -> str:
    campaigns = "、".join(str(c) for c in rubric.campaigns.all()[:5])
    return gettext(
        "Rubric version %(version)s is published and used by the campaign(s) %(campaigns)s, "
        "so it and everything in it are read-only: changing it would change what those "
        "campaigns were scored against. To change it, select it in the list of rubric "
        "versions and run the action “Copy as next year's draft”, then edit the copy."
    ) % {"version": rubric.version, "campaigns": campaigns}


class LockedRubricAdmin(admin.ModelAdmin):
    """A model admin whose objects are read-only while their rubric version is locked.

    `parent_field` names the foreign key to the parent, whose choices are
    limited to parents that are not locked.
    """

    parent_field: str | None = None

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return [
                f.name
                for f in self.model._meta.get_fields()
                if getattr(f, "editable", False) and f.concrete and not f.auto_created
            ]
        return super().get_readonly_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and request.method == "GET" and is_locked(request, obj):
            self.message_user(request, locked_message(rubric_of(obj)), messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == self.parent_field:
            kwargs["queryset"] = self.unlocked_parents()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def unlocked_parents(self):
        raise NotImplementedError

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        warn_problems(request, rubric_of(form.instance))


def warn_problems(request, rubric: RubricVersion | None):
    """After a save, say what in the version does not add up yet."""
    if rubric is None:
        return
    problems = rubric_problems(rubric)
    if not problems:
        return
    messages.warning(
        request,
        gettext(
            "Saved, but not everything in rubric version %(version)s adds up yet "
            "(it cannot be published until it does):"
        )
        % {"version": rubric.version},
    )
    for problem in problems[:MAX_PROBLEM_MESSAGES]:
        messages.warning(request, f"{problem.label}: {problem.message}")
    if len(problems) > MAX_PROBLEM_MESSAGES:
        messages.warning(
            request,
            gettext("… and %(count)s more.") % {"count": len(problems) - MAX_PROBLEM_MESSAGES},
        )


class LockedRubricInline:
    """An inline that is read-only, and takes no additions, while the rubric is locked."""

    extra = 0
    ordering = ("order", "id")

    def has_add_permission(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return False
        return super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and is_locked(request, obj):
            return False
        return super().has_delete_permission(request, obj)


# --- rubric versions -------------------------------------------------------


class SheetInline(LockedRubricInline, admin.TabularInline):
    model = Sheet
    fields = (
        "order",
        "table_label",
        "code",
        "name",
        "kind",
        "business_line",
        "grouping",
        "total_points",
        "one_page",
    )
    readonly_fields = ("one_page",)
    show_change_link = True

    @admin.display(description=_("edit on one page"))
    def one_page(self, obj):
        if obj.pk is None or not obj.rubric.is_open_draft():
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:scoring_sheet_editor", args=[obj.pk]),
            gettext("Edit on one page"),
        )


class ContentAreaInline(LockedRubricInline, admin.TabularInline):
    model = ContentArea
    fields = ("order", "code", "name")


_REQUIRED_AT = tuple(InterviewAudience.REQUIRED_FIELDS.values())


class InterviewAudienceInline(LockedRubricInline, admin.TabularInline):
    model = InterviewAudience
    fields = ("order", "name", *_REQUIRED_AT)
    show_change_link = True


class KpiThresholdInline(LockedRubricInline, admin.TabularInline):
    model = KpiThreshold
    fields = ("kpi", "rollout_batch", "minimum_percent", "note")
    ordering = ("kpi", "rollout_batch")


class GradeBandInline(LockedRubricInline, admin.TabularInline):
    model = GradeBand
    fields = ("grade", "minimum_percent")
    ordering = ("-minimum_percent",)


@admin.register(RubricVersion)
class RubricVersionAdmin(LockedRubricAdmin):
    form = RubricVersionForm
    list_display = ("version", "name", "status", "effective_date", "in_use")
    list_filter = ("status",)
    search_fields = ("version", "name")
    fields = ("name", "version", "status", "effective_date", "notes")
    inlines = [
        SheetInline,
        ContentAreaInline,
        InterviewAudienceInline,
        KpiThresholdInline,
        GradeBandInline,
    ]
    actions = ["copy_as_next_draft", "compare_two"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(campaign_count=Count("campaigns"))

    @admin.display(boolean=True, description=_("in use"), ordering="campaign_count")
    def in_use(self, obj):
        count = getattr(obj, "campaign_count", None)
        if count is None:
            return obj.is_in_use()
        return obj.is_published and count > 0

    def get_urls(self):
        return [
            path(
                "<path:object_id>/copy/",
                self.admin_site.admin_view(self.copy_view),
                name="scoring_rubricversion_copy",
            ),
            path(
                "compare/",
                self.admin_site.admin_view(self.compare_view),
                name="scoring_rubricversion_compare",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Copy as next year's draft"), permissions=["add"])
    def copy_as_next_draft(self, request, queryset):
        rubrics = list(queryset[:2])
        if len(rubrics) != 1:
            self.message_user(
                request, gettext("Select one rubric version to copy."), messages.ERROR
            )
            return None
        return redirect("admin:scoring_rubricversion_copy", rubrics[0].pk)

    @admin.action(description=_("Compare the two selected versions"), permissions=["view"])
    def compare_two(self, request, queryset):
        rubrics = list(queryset.order_by("effective_date", "version")[:3])
        if len(rubrics) != 2:
            self.message_user(
                request, gettext("Select two rubric versions to compare."), messages.ERROR
            )
            return None
        before, after = rubrics
        return redirect(
            f"{reverse('admin:scoring_rubricversion_compare')}?before={before.pk}&after={after.pk}"
        )

    def compare_view(self, request):
        """Every sheet, part, section and item added, removed or changed."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CompareRubricsForm(
            request.GET if "before" in request.GET else None,
            initial={"after": request.GET.get("after")},
        )
        sheets = None
        if form.is_valid():
            changes = rubric_diff.diff_rubrics(
                comparable_definitions(rubric=form.cleaned_data["before"]),
                comparable_definitions(rubric=form.cleaned_data["after"]),
            )
            sheets = [
                {"label": group[0].labels[0], "changes": [_change_row(c) for c in group]}
                for group in (
                    list(changes) for _code, changes in groupby(changes, key=lambda c: c.path[0])
                )
            ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare two rubric versions"),
            "opts": self.opts,
            "form": form,
            "sheets": sheets,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/scoring/rubricversion/compare.html", context)

    def copy_view(self, request, object_id):
        """Ask for the copy's code, name and effective date, then copy."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        rubric = self.get_object(request, unquote(object_id))
        if rubric is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        form = CopyRubricForm(request.POST if request.method == "POST" else None, source=rubric)
        if form.is_valid():
            try:
                copy = copy_as_draft(
                    rubric,
                    new_version=form.cleaned_data["new_version"],
                    name=form.cleaned_data["name"],
                    effective_date=form.cleaned_data["effective_date"],
                )
            except RubricImportError as error:  # the code was taken meanwhile
                form.add_error("new_version", [p.message for p in error.problems])
            else:
                self.log_addition(request, copy, [{"added": {}}])
                self.message_user(
                    request,
                    gettext(
                        "Copied %(old)s as the draft %(new)s “%(name)s”. Edit it here, or "
                        "each sheet on one page."
                    )
                    % {"old": rubric.version, "new": copy.version, "name": copy.name},
                    messages.SUCCESS,
                )
                return redirect("admin:scoring_rubricversion_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Copy %(version)s as next year's draft") % {"version": rubric},
            "opts": self.opts,
            "original": rubric,
            "form": form,
            "media": self.media + form.media,
            "has_view_permission": self.has_view_permission(request, rubric),
        }
        return TemplateResponse(request, "admin/scoring/rubricversion/copy.html", context)


# --- comparing versions ----------------------------------------------------

_LEVEL_MODELS = {
    rubric_diff.SHEET: Sheet,
    rubric_diff.PART: SheetPart,
    rubric_diff.SECTION: Section,
    rubric_diff.ITEM: Item,
}
_KINDS = {
    rubric_diff.ADDED: _("added"),
    rubric_diff.REMOVED: _("removed"),
    rubric_diff.CHANGED: _("changed"),
}


def _shown(model, field_name: str, value) -> str:
    """A value of a model field as a page shows it."""
    if value is None or value == () or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, tuple):
        return "、".join(value)
    choices = dict(model._meta.get_field(field_name).flatchoices)
    return str(choices.get(value, value))


def _change_row(change: rubric_diff.Change) -> dict:
    model = _LEVEL_MODELS[change.level]
    return {
        "kind": change.kind,
        "kind_label": _KINDS[change.kind],
        "level": model._meta.verbose_name,
        "where": " › ".join(change.labels[1:]) or change.labels[0],
        "points_before": _shown(model, "", change.points_before),
        "points_after": _shown(model, "", change.points_after),
        "has_points": change.points_before is not None or change.points_after is not None,
        "fields": [
            {
                "label": model._meta.get_field(f.field).verbose_name,
                "before": _shown(model, f.field, f.before),
                "after": _shown(model, f.field, f.after),
            }
            for f in change.fields
        ],
    }


# --- sheets, parts, sections -----------------------------------------------


class PartInline(LockedRubricInline, admin.TabularInline):
    model = SheetPart
    formset = PartFormSet
    fields = ("order", "code", "name", "total_points", "is_preferred_alternative")
    show_change_link = True


@admin.register(Sheet)
class SheetAdmin(LockedRubricAdmin):
    parent_field = "rubric"
    list_display = ("table_label", "name", "code", "rubric", "kind", "grouping", "total_points")
    list_filter = ("rubric", "kind")
    list_select_related = ("rubric",)
    search_fields = ("code", "name", "table_label")
    fields = (
        "rubric",
        "order",
        "table_label",
        "code",
        "name",
        "kind",
        "business_line",
        "grouping",
        "total_points",
        "servicing_items",
        "per_specialist",
        "notes",
    )
    inlines = [PartInline]

    def unlocked_parents(self):
        return unlocked_rubrics()

    def get_urls(self):
        return [
            path(
                "<path:object_id>/editor/",
                self.admin_site.admin_view(self.editor_view),
                name="scoring_sheet_editor",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        sheet = self.get_object(request, unquote(object_id))
        one_page = (
            sheet is not None
            and request.user.has_perms(EDITOR_PERMISSIONS)
            and sheet.rubric.is_open_draft()
        )
        extra_context = {**(extra_context or {}), "editable_on_one_page": one_page}
        return super().change_view(request, object_id, form_url, extra_context)

    def editor_view(self, request, object_id):
        """The sheet with its parts, sections and items on one page (drafts only)."""
        if not request.user.has_perms(EDITOR_PERMISSIONS):
            raise PermissionDenied
        sheet = self.get_object(request, unquote(object_id))
        if sheet is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not sheet.rubric.is_open_draft():
            self.message_user(
                request,
                gettext(
                    "Only a draft that no campaign uses can be edited on one page, and rubric "
                    "version %(version)s is not one. To change it, copy it as next year's "
                    "draft and edit the copy."
                )
                % {"version": sheet.rubric.version},
                messages.ERROR,
            )
            return redirect("admin:scoring_sheet_change", sheet.pk)
        if request.method == "POST":
            editor = SheetEditor(sheet=sheet, data=request.POST)
            if editor.is_valid():
                try:
                    save_sheet_tree(
                        sheet=sheet, edited=editor.edited(), fingerprint=editor.fingerprint
                    )
                except ValidationError as error:
                    editor.refuse(error)
                else:
                    sheet.refresh_from_db()
                    self.log_change(request, sheet, gettext("Edited on one page."))
                    self.message_user(
                        request, gettext("Saved %(sheet)s.") % {"sheet": sheet}, messages.SUCCESS
                    )
                    return redirect("admin:scoring_sheet_editor", sheet.pk)
        else:
            # Read before the rows the page shows: a change in between makes the
            # save stale, never lost.
            editor = SheetEditor(sheet=sheet, fingerprint=editing_fingerprint(sheet=sheet))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Edit %(sheet)s on one page") % {"sheet": sheet},
            "opts": self.opts,
            "sheet": sheet,
            "editor": editor,
            "has_view_permission": self.has_view_permission(request, sheet),
        }
        return TemplateResponse(request, "admin/scoring/sheet/editor.html", context)


class SectionInline(LockedRubricInline, admin.TabularInline):
    model = Section
    formset = SectionFormSet
    fields = ("order", "code", "name", "scoring", "max_points", "not_applicable_rule")
    show_change_link = True


@admin.register(SheetPart)
class SheetPartAdmin(LockedRubricAdmin):
    parent_field = "sheet"
    list_display = ("name", "code", "sheet", "total_points", "is_preferred_alternative")
    list_filter = ("sheet__rubric",)
    list_select_related = ("sheet__rubric",)
    search_fields = ("code", "name")
    fields = ("sheet", "order", "code", "name", "total_points", "is_preferred_alternative")
    inlines = [SectionInline]

    def unlocked_parents(self):
        return Sheet.objects.filter(rubric__in=unlocked_rubrics()).select_related("rubric")


class ItemInline(LockedRubricInline, admin.TabularInline):
    model = Item
    formset = ItemFormSet
    fields = ("order", "text", "points", "is_notice_kind")


@admin.register(Section)
class SectionAdmin(LockedRubricAdmin):
    parent_field = "part"
    list_display = ("name", "code", "part", "scoring", "max_points", "not_applicable_rule")
    list_filter = ("part__sheet__rubric", "scoring")
    list_select_related = ("part__sheet__rubric",)
    search_fields = ("code", "name")
    fields = (
        "part",
        "order",
        "code",
        "name",
        "scoring",
        "max_points",
        "not_applicable_rule",
        "not_applicable_conditions",
        "exempt_servicing_items",
    )
    inlines = [ItemInline]

    def unlocked_parents(self):
        return SheetPart.objects.filter(sheet__rubric__in=unlocked_rubrics()).select_related(
            "sheet__rubric"
        )


# --- content areas and interviews ------------------------------------------


@admin.register(ContentArea)
class ContentAreaAdmin(LockedRubricAdmin):
    parent_field = "rubric"
    list_display = ("name", "code", "rubric", "order")
    list_filter = ("rubric",)
    list_select_related = ("rubric",)
    fields = ("rubric", "order", "code", "name")

    def unlocked_parents(self):
        return unlocked_rubrics()


class InterviewQuestionInline(LockedRubricInline, admin.TabularInline):
    model = InterviewQuestion
    fields = ("order", "text", "is_yes_no", "tag")


@admin.register(InterviewAudience)
class InterviewAudienceAdmin(LockedRubricAdmin):
    parent_field = "rubric"
    list_display = ("name", "rubric", "order", *_REQUIRED_AT)
    list_filter = ("rubric",)
    list_select_related = ("rubric",)
    fields = ("rubric", "order", "name", *_REQUIRED_AT)
    inlines = [InterviewQuestionInline]

    def unlocked_parents(self):
        return unlocked_rubrics()
