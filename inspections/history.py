"""The change history of visits: every created, changed or deleted score,
answer, finding or action, with who and when.

django-auditlog's signals write a `VisitChange` on each save and delete of the
models in `TRACKED` (registered when the app is ready), through whatever path
the change takes (views, services, the admin). This module links each change to
its visit and turns the stored old and new values into lines a reader follows:
field names in the user's language, answers item by item with the rubric's
wording, foreign keys and choices by name.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from auditlog.cid import get_cid
from auditlog.diff import model_instance_diff
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str
from django.utils.translation import gettext as _

from scoring import definitions as d

from .models import (
    ChecklistRecord,
    Evidence,
    Finding,
    Interview,
    InterviewAnswer,
    LineWaiver,
    Objection,
    PartRecord,
    ProcessLogEntry,
    RectificationAction,
    SheetRecord,
    Visit,
    VisitChange,
)
from .models.history import additional_data_of, visit_id_of

# The fields whose changes are recorded; the rest are timestamps, counters and
# keys that say nothing to a reader.
TRACKED: dict[type[models.Model], list[str]] = {
    Visit: ["start_date", "end_date", "state", "kpi_monitoring_note"],
    SheetRecord: [
        "selection_method",
        "chosen_alternative",
        "alternative_reason",
        "score",
        "percent",
        "grade",
    ],
    PartRecord: [
        "reference_no",
        "servicing_item",
        "observed",
        "not_observed_reason",
        "answers",
        "score",
    ],
    ChecklistRecord: ["answers", "compliant", "non_compliant"],
    LineWaiver: ["business_line", "reason"],
    ProcessLogEntry: [
        "policy_no",
        "business_item",
        "operator",
        "minutes_document_review",
        "minutes_scanning",
        "minutes_data_entry",
        "remarks",
    ],
    Interview: ["audience", "interviewee", "post", "notes"],
    InterviewAnswer: ["question", "yes_no", "text", "tag"],
    Finding: ["content_area", "kind", "text"],
    Evidence: ["original_name", "caption", "item_key"],
    Objection: ["target_label", "grounds", "state", "corrected_value", "decision_reason"],
    RectificationAction: [
        "content_area",
        "description",
        "responsible_office",
        "responsible_person",
        "owner",
        "deadline",
        "status",
    ],
}


def register() -> None:
    for model, fields in TRACKED.items():
        if not auditlog.contains(model):
            auditlog.register(model, include_fields=fields)


def record_changes(
    changes: Iterable[tuple[models.Model | None, models.Model | None]],
) -> list[VisitChange]:
    """The history of changes written in bulk, past the model signals (a save
    that writes many rows in a few queries, inside auditlog's
    `disable_auditlog()`): one `VisitChange` per (before, after) pair that
    differs, None for before on a creation and for after on a deletion, the same
    entry auditlog's signals write (its diff of the tracked fields, the request's
    actor and address from its context), all in one insert."""
    entries = []
    for before, after in changes:
        instance = after if after is not None else before
        if before is None:
            action = VisitChange.Action.CREATE
        elif after is None:
            action = VisitChange.Action.DELETE
        else:
            action = VisitChange.Action.UPDATE
        diff = model_instance_diff(
            before, after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
        )
        if not diff:
            continue
        entry = VisitChange(
            content_type=ContentType.objects.get_for_model(instance),
            object_pk=str(instance.pk),
            object_id=instance.pk,
            object_repr=smart_str(instance),
            action=action,
            changes=diff,
            visit_id=visit_id_of(instance),
            additional_data=additional_data_of(instance),
            cid=get_cid(),
        )
        # auditlog fills the actor and the address of the request (its
        # middleware's context) through this signal, as for its own entries.
        pre_save.send(sender=VisitChange, instance=entry, raw=False, using=None, update_fields=None)
        entries.append(entry)
    return VisitChange.objects.bulk_create(entries)


# --- reading ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    timestamp: Any
    actor: str
    action: str
    subject: str
    object_repr: str
    lines: list[ChangeLine] = field(default_factory=list)


class Labels:
    """Names for what a change refers to: the rubric's sections, items and
    parts per sheet code, and related objects by model and id."""

    def __init__(self, sheets: dict[str, d.SheetDef], related: dict[type, dict[Any, str]]):
        self.related = related
        self.by_sheet: dict[str, dict[str, str]] = {}
        for code, sheet in sheets.items():
            names: dict[str, str] = {}
            for part in sheet.parts:
                names[part.key] = part.name
                for section in part.sections:
                    names[section.key] = section.name
                    for item in section.items:
                        names[item.key] = _shorten(item.text)
            self.by_sheet[code] = names

    def rubric(self, sheet_code: str | None, key: str) -> str:
        return self.by_sheet.get(sheet_code or "", {}).get(key, key)


def related_ids(entries: list[VisitChange]) -> dict[type, set]:
    """The ids of related objects the entries' changes name, by model."""
    wanted: dict[type, set] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, values in (entry.changes or {}).items():
            model_field = _field(model, name)
            if model_field is not None and model_field.is_relation:
                ids = wanted.setdefault(model_field.related_model, set())
                ids.update(value for value in values if value not in (None, "", "None"))
    return wanted


def describe(entry: VisitChange, labels: Labels) -> HistoryEntry:
    model = entry.content_type.model_class()
    result = HistoryEntry(
        timestamp=entry.timestamp,
        actor=_actor_name(entry),
        action=_action_name(entry.action),
        subject=str(model._meta.verbose_name) if model else "",
        object_repr=entry.object_repr,
    )
    sheet_code = (entry.additional_data or {}).get("sheet")
    for name, (old, new) in sorted((entry.changes or {}).items(), key=_field_order(model)):
        if name == "answers" and model is PartRecord:
            result.lines += _diff_lines(
                old, new, lambda path: _part_label(path, sheet_code, labels)
            )
        elif name == "answers" and model is ChecklistRecord:
            result.lines += _diff_lines(
                old, new, lambda path: _checklist_label(path, sheet_code, labels)
            )
        else:
            model_field = _field(model, name)
            label = str(model_field.verbose_name) if model_field is not None else name
            result.lines.append(
                ChangeLine(
                    label, _value(model_field, old, labels), _value(model_field, new, labels)
                )
            )
    return result


def _action_name(action: int) -> str:
    # auditlog's own labels have no Chinese translation.
    names = {
        VisitChange.Action.CREATE: _("created"),
        VisitChange.Action.UPDATE: _("changed"),
        VisitChange.Action.DELETE: _("deleted"),
    }
    return str(names.get(action, action))


def _actor_name(entry: VisitChange) -> str:
    if entry.actor is None:
        return _("the system")
    return str(entry.actor)


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a field removed since the change was recorded
        return None


def _field_order(model):
    order = {name: index for index, name in enumerate(TRACKED.get(model, []))}
    return lambda item: order.get(item[0], len(order))


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


EMPTY = "—"


def _value(model_field, value, labels: Labels) -> str:
    if value is None or value == "" or value == "None":
        return EMPTY
    if model_field is None:
        return _shorten(value, 200)
    if model_field.is_relation:
        names = labels.related.get(model_field.related_model, {})
        return names.get(_int_or_same(value), str(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _plain(value)
    return _shorten(value, 200)


def _int_or_same(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _plain(value) -> str:
    if value is True or value == "True":
        return _("yes")
    if value is False or value == "False":
        return _("no")
    if value is None or value == "" or value == "None":
        return EMPTY
    return _shorten(value, 200)


def _flatten(value, prefix: tuple = ()) -> dict[tuple, Any]:
    if isinstance(value, dict):
        flat: dict[tuple, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, (*prefix, str(key))))
        return flat
    return {prefix: value}


def _diff_lines(old, new, label_for) -> list[ChangeLine]:
    """One line per answer that changed, in the order of the new answers."""
    before = _flatten(old if isinstance(old, dict) else {})
    after = _flatten(new if isinstance(new, dict) else {})
    lines = []
    for path in [*after, *(path for path in before if path not in after)]:
        if _plain(before.get(path)) != _plain(after.get(path)):
            lines.append(
                ChangeLine(label_for(path), _plain(before.get(path)), _plain(after.get(path)))
            )
    return lines


def _part_label(path: tuple, sheet_code: str | None, labels: Labels) -> str:
    match path:
        case ("sections", section, "items", item):
            return f"{labels.rubric(sheet_code, section)} · {labels.rubric(sheet_code, item)}"
        case ("sections", section, aspect) if aspect in _SECTION_ASPECTS:
            return f"{labels.rubric(sheet_code, section)} · {_SECTION_ASPECTS[aspect]()}"
        case ("remarks", key):
            return f"{labels.rubric(sheet_code, key)} · {_remark()}"
    return " · ".join(path)


def _checklist_label(path: tuple, sheet_code: str | None, labels: Labels) -> str:
    match path:
        case (key, "compliant"):
            return labels.rubric(sheet_code, key)
        case (key, "remark"):
            return f"{labels.rubric(sheet_code, key)} · {_remark()}"
    return " · ".join(path)


def _remark() -> str:
    return _("remark")


# What a section's stored answer holds besides its items, named for the reader.
_SECTION_ASPECTS = {
    "score": lambda: _("score"),
    "not_applicable": lambda: _("not applicable"),
    "not_applicable_reason": lambda: _("why not applicable"),
    "notice_kind": lambda: _("notice kind"),
}
