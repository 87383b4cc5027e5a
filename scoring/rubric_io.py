"""Rubric versions to and from plain data (the YAML of `fixtures/rubric-2012.yaml`).

`export_rubric` turns a version into a dict; `import_rubric` checks a dict
completely (shape, kinds, and every total through `scoring.rubric_rules`) and
only then writes it, in one transaction; `copy_as_draft` makes an editable
copy of a version. The format, in display order (lists carry the order):

    version, name, status, effective_date, notes,
    content_areas: [{code, name}],
    sheets: [{code, table_label, name, kind, business_line, grouping,
              total_points, servicing_items, notes,
              parts: [{code, name, total_points, is_preferred_alternative,
                       sections: [{code, name, scoring, max_points,
                                   not_applicable_rule, not_applicable_conditions,
                                   exempt_servicing_items,
                                   items: [{code, text, points, is_notice_kind}]}]}]}],
    interview_audiences: [{name, required_at, questions: [{text, is_yes_no, tag}]}],
    kpi_thresholds: [{kpi, rollout_batch, minimum_percent, note}],
    grade_bands: [{grade, minimum_percent}]

An item's `code` may be left out of a file: the items of a section are then
numbered i1, i2, … in their order. A copy keeps every code, which is how the
comparison of two versions (`scoring.rubric_diff`) knows an item again.

An audience's `required_at` lists the kinds of visit that cannot be submitted
without an interview of it (`InterviewAudience.RequiredAt`: head_office_check,
office_self_inspection, branch_self_inspection); left out, none.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import rubric_rules as rules
from .models import (
    BusinessLine,
    ContentArea,
    GradeBand,
    InterviewAudience,
    InterviewQuestion,
    Item,
    KpiThreshold,
    RolloutBatch,
    RubricVersion,
    Section,
    Sheet,
    SheetPart,
)
from .text import control_characters, normalise, validate_plain_text


@dataclass(frozen=True)
class RubricProblem:
    """One problem: where (`path`, e.g. "sheets[1].parts[0]"), a readable
    `label` of the same place (e.g. "表二 › 新契约流程") and the message."""

    path: str
    label: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}" if self.path else self.message


class RubricImportError(ValueError):
    """The data cannot be imported; `problems` lists every problem found."""

    def __init__(self, problems: Iterable[RubricProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


# --- export ----------------------------------------------------------------


def _number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _choice_rank(choices: type, value: str) -> int:
    values = list(choices.values)
    return values.index(value) if value in values else len(values)


def export_rubric(version: RubricVersion) -> dict[str, Any]:
    """The whole version as plain data (the format `import_rubric` reads)."""
    sheets = version.sheets.order_by("order", "id").prefetch_related(
        "parts__sections__items"  # every level's default ordering is (order, id)
    )
    thresholds = sorted(
        version.kpi_thresholds.all(),
        key=lambda t: (
            _choice_rank(KpiThreshold.Kpi, t.kpi),
            _choice_rank(RolloutBatch, t.rollout_batch),
        ),
    )
    return {
        "version": version.version,
        "name": version.name,
        "status": version.status,
        "effective_date": version.effective_date,
        "notes": version.notes,
        "content_areas": [
            {"code": a.code, "name": a.name} for a in version.content_areas.order_by("order", "id")
        ],
        "sheets": [
            {
                "code": sheet.code,
                "table_label": sheet.table_label,
                "name": sheet.name,
                "kind": sheet.kind,
                "business_line": sheet.business_line,
                "grouping": sheet.grouping,
                "total_points": sheet.total_points,
                "servicing_items": list(sheet.servicing_items or []),
                "per_specialist": sheet.per_specialist,
                "notes": sheet.notes,
                "parts": [
                    {
                        "code": part.code,
                        "name": part.name,
                        "total_points": part.total_points,
                        "is_preferred_alternative": part.is_preferred_alternative,
                        "sections": [
                            {
                                "code": section.code,
                                "name": section.name,
                                "scoring": section.scoring,
                                "max_points": section.max_points,
                                "not_applicable_rule": section.not_applicable_rule,
                                "not_applicable_conditions": section.not_applicable_conditions,
                                "exempt_servicing_items": list(
                                    section.exempt_servicing_items or []
                                ),
                                "items": [
                                    {
                                        "code": item.code,
                                        "text": item.text,
                                        "points": item.points,
                                        "is_notice_kind": item.is_notice_kind,
                                    }
                                    for item in section.items.all()
                                ],
                            }
                            for section in part.sections.all()
                        ],
                    }
                    for part in sheet.parts.all()
                ],
            }
            for sheet in sheets
        ],
        "interview_audiences": [
            {
                "name": audience.name,
                "required_at": audience.required_at,
                "questions": [
                    {"text": q.text, "is_yes_no": q.is_yes_no, "tag": q.tag}
                    for q in audience.questions.order_by("order", "id")
                ],
            }
            for audience in version.interview_audiences.order_by("order", "id")
        ],
        "kpi_thresholds": [
            {
                "kpi": t.kpi,
                "rollout_batch": t.rollout_batch,
                "minimum_percent": _number(t.minimum_percent),
                "note": t.note,
            }
            for t in thresholds
        ],
        "grade_bands": [
            {"grade": b.grade, "minimum_percent": _number(b.minimum_percent)}
            for b in version.grade_bands.order_by("-minimum_percent", "grade")
        ],
    }


# --- validation ------------------------------------------------------------


_MISSING = object()


def _text_problem(value: str) -> str:
    try:
        validate_plain_text(value)
    except ValidationError as error:
        return error.messages[0]
    return ""


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Validator:
    """Walks the data, collecting every problem and the cleaned values."""

    def __init__(self):
        self.problems: list[RubricProblem] = []

    def add(self, path: str, message: str, label: str = ""):
        self.problems.append(RubricProblem(path, label or path, str(message)))

    def mapping(self, value, path: str, allowed: dict[str, bool]) -> dict | None:
        """A dict with only the allowed keys (True = required)."""
        if not isinstance(value, dict):
            self.add(path, _("must be a mapping of keys to values"))
            return None
        for key in value:
            if key not in allowed:
                self.add(path, _("unknown key “%(key)s”") % {"key": key})
        for key, required in allowed.items():
            if required and key not in value:
                self.add(path, _("the key “%(key)s” is missing") % {"key": key})
        return value

    def text(self, data: dict, key: str, path: str, *, max_length: int, required=True) -> str:
        value = data.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required and value is None:
                self.add(_at(path, key), _("is required"))
            return ""
        if not isinstance(value, str):
            self.add(_at(path, key), _("must be text"))
            return ""
        value = normalise(value).strip()
        if control_characters(value):
            self.add(_at(path, key), _text_problem(value))
        if required and not value:
            self.add(_at(path, key), _("is required"))
        if len(value) > max_length:
            self.add(
                _at(path, key),
                _("is %(length)s characters long; at most %(max)s are allowed")
                % {"length": len(value), "max": max_length},
            )
        return value

    def slug(self, data: dict, key: str, path: str) -> str:
        value = self.text(data, key, path, max_length=50)
        if value:
            try:
                validate_slug(value)
            except ValidationError:
                self.add(
                    _at(path, key),
                    _("“%(value)s” is not a valid code (letters, digits, - and _ only)")
                    % {"value": value},
                )
        return value

    def choice(self, data: dict, key: str, path: str, choices, *, default=_MISSING) -> str:
        value = data.get(key, default)
        if value is _MISSING:
            return ""  # reported as a missing key already
        if value not in choices.values:
            self.add(
                _at(path, key),
                _("“%(value)s” is not one of: %(choices)s")
                % {"value": value, "choices": ", ".join(v or "''" for v in choices.values)},
            )
            return ""
        return value

    def integer(self, data: dict, key: str, path: str, *, nullable=False, default=_MISSING):
        value = data.get(key, default)
        if value is _MISSING:
            return None
        if value is None:
            if not nullable:
                self.add(_at(path, key), _("is required"))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(_at(path, key), _("must be a whole number"))
            return None
        if value < 0:
            self.add(_at(path, key), _("cannot be negative"))
            return None
        return value

    def percent(self, data: dict, key: str, path: str) -> Decimal | None:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.add(_at(path, key), _("must be a number"))
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.add(_at(path, key), _("must be a number"))
            return None
        if not number.is_finite() or number < 0 or number > 100:
            self.add(_at(path, key), _("must be between 0 and 100"))
            return None
        if number != number.quantize(Decimal("0.01")):
            self.add(_at(path, key), _("allows at most two decimal places"))
            return None
        return number

    def boolean(self, data: dict, key: str, path: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.add(_at(path, key), _("must be true or false"))
            return False
        return value

    def items(self, data: dict, key: str, path: str, *, required=False) -> list:
        value = data.get(key, _MISSING)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.add(_at(path, key), _("must be a list"))
            return []
        if required and not value:
            self.add(_at(path, key), _("must not be empty"))
        return value

    def strings(self, data: dict, key: str, path: str, *, max_length=100) -> list[str]:
        result = []
        for index, value in enumerate(self.items(data, key, path)):
            if not isinstance(value, str) or not value.strip():
                self.add(f"{_at(path, key)}[{index}]", _("must be non-empty text"))
            elif control_characters(value):
                self.add(f"{_at(path, key)}[{index}]", _text_problem(value))
            elif len(value) > max_length:
                self.add(f"{_at(path, key)}[{index}]", _("is too long"))
            elif value.strip() in result:
                self.add(
                    f"{_at(path, key)}[{index}]",
                    _("“%(value)s” is listed twice") % {"value": value},
                )
            else:
                result.append(value.strip())
        return result

    def unique(self, values: list[tuple[str, Any]], what: str):
        """Report values (path, value) that occur more than once."""
        seen: dict[Any, str] = {}
        for path, value in values:
            if value in ("", None):
                continue
            if value in seen:
                self.add(
                    path,
                    _("%(what)s “%(value)s” is already used at %(other)s")
                    % {"what": what, "value": value, "other": seen[value]},
                )
            else:
                seen[value] = path

    def rules(self, path: str, label: str, messages: Iterable[str]):
        for message in messages:
            self.add(path, message, label)


_TOP = {
    "version": True,
    "name": True,
    "status": False,
    "effective_date": True,
    "notes": False,
    "content_areas": False,
    "sheets": True,
    "interview_audiences": False,
    "kpi_thresholds": False,
    "grade_bands": False,
}
_SHEET = {
    "code": True,
    "table_label": True,
    "name": True,
    "kind": True,
    "business_line": False,
    "grouping": False,
    "total_points": False,
    "servicing_items": False,
    "per_specialist": False,
    "notes": False,
    "parts": False,
}
_PART = {
    "code": True,
    "name": True,
    "total_points": True,
    "is_preferred_alternative": False,
    "sections": True,
}
_SECTION = {
    "code": True,
    "name": True,
    "scoring": True,
    "max_points": False,
    "not_applicable_rule": False,
    "not_applicable_conditions": False,
    "exempt_servicing_items": False,
    "items": True,
}
_ITEM = {"code": False, "text": True, "points": False, "is_notice_kind": False}
_AREA = {"code": True, "name": True}
_AUDIENCE = {"name": True, "required_at": False, "questions": True}
_QUESTION = {"text": True, "is_yes_no": False, "tag": False}
_THRESHOLD = {"kpi": True, "rollout_batch": True, "minimum_percent": True, "note": False}
_BAND = {"grade": True, "minimum_percent": True}


def _clean_date(v: _Validator, data: dict) -> datetime.date | None:
    value = data.get("effective_date")
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    if "effective_date" in data:
        v.add("effective_date", _("must be a date such as 2012-10-22"))
    return None


def _clean_sheet(v: _Validator, raw, path: str) -> dict | None:
    data = v.mapping(raw, path, _SHEET)
    if data is None:
        return None
    sheet = {
        "code": v.slug(data, "code", path),
        "table_label": v.text(data, "table_label", path, max_length=20),
        "name": v.text(data, "name", path, max_length=200),
        "kind": v.choice(data, "kind", path, Sheet.Kind),
        "business_line": v.choice(data, "business_line", path, _BlankableBusinessLine, default=""),
        "grouping": v.choice(data, "grouping", path, Sheet.Grouping, default=Sheet.Grouping.SINGLE),
        "total_points": v.integer(data, "total_points", path, nullable=True, default=None),
        "servicing_items": v.strings(data, "servicing_items", path),
        "per_specialist": v.boolean(data, "per_specialist", path),
        "notes": v.text(data, "notes", path, max_length=10_000, required=False),
        "parts": [],
    }
    label = f"{sheet['table_label']} {sheet['name']}".strip()
    for p_index, raw_part in enumerate(v.items(data, "parts", path)):
        part = _clean_part(v, raw_part, f"{path}.parts[{p_index}]", sheet, label)
        if part is not None:
            sheet["parts"].append(part)
    v.unique([(p["path"], p["code"]) for p in sheet["parts"]], _("the part code"))
    if sheet["kind"]:
        v.rules(
            path,
            label,
            rules.sheet_problems(
                sheet=label,
                kind=sheet["kind"],
                grouping=sheet["grouping"] or rules.SINGLE,
                total_points=sheet["total_points"],
                business_line=sheet["business_line"],
                parts=[
                    rules.PartValues(p["name"], p["total_points"], p["is_preferred_alternative"])
                    for p in sheet["parts"]
                ],
            ),
        )
    return sheet


class _BlankableBusinessLine:
    values = ["", *BusinessLine.values]


def _clean_part(v: _Validator, raw, path: str, sheet: dict, sheet_label: str) -> dict | None:
    data = v.mapping(raw, path, _PART)
    if data is None:
        return None
    part = {
        "path": path,
        "code": v.slug(data, "code", path),
        "name": v.text(data, "name", path, max_length=200),
        "total_points": v.integer(data, "total_points", path) or 0,
        "is_preferred_alternative": v.boolean(data, "is_preferred_alternative", path),
        "sections": [],
    }
    label = f"{sheet_label} › {part['name']}"
    for s_index, raw_section in enumerate(v.items(data, "sections", path, required=True)):
        section = _clean_section(v, raw_section, f"{path}.sections[{s_index}]", sheet, label)
        if section is not None:
            part["sections"].append(section)
    v.unique([(s["path"], s["code"]) for s in part["sections"]], _("the section code"))
    if sheet["kind"]:
        v.rules(
            path,
            label,
            rules.part_problems(
                name=part["name"],
                sheet_kind=sheet["kind"],
                total_points=part["total_points"],
                sections=[
                    rules.SectionValues(s["name"], s["scoring"], s["max_points"])
                    for s in part["sections"]
                ],
            ),
        )
    return part


def _clean_section(v: _Validator, raw, path: str, sheet: dict, part_label: str) -> dict | None:
    data = v.mapping(raw, path, _SECTION)
    if data is None:
        return None
    section = {
        "path": path,
        "code": v.slug(data, "code", path),
        "name": v.text(data, "name", path, max_length=200),
        "scoring": v.choice(data, "scoring", path, Section.Scoring),
        "max_points": v.integer(data, "max_points", path, default=0) or 0,
        "not_applicable_rule": v.choice(
            data,
            "not_applicable_rule",
            path,
            Section.NotApplicableRule,
            default=Section.NotApplicableRule.NONE,
        ),
        "not_applicable_conditions": v.text(
            data, "not_applicable_conditions", path, max_length=10_000, required=False
        ),
        "exempt_servicing_items": v.strings(data, "exempt_servicing_items", path),
        "items": [],
    }
    label = f"{part_label} › {section['name']}"
    for i_index, raw_item in enumerate(v.items(data, "items", path, required=True)):
        item_path = f"{path}.items[{i_index}]"
        item = v.mapping(raw_item, item_path, _ITEM)
        if item is None:
            continue
        section["items"].append(
            {
                "path": item_path,
                "code": v.slug(item, "code", item_path) if "code" in item else f"i{i_index + 1}",
                "text": v.text(item, "text", item_path, max_length=300),
                "points": v.integer(item, "points", item_path, nullable=True, default=None),
                "is_notice_kind": v.boolean(item, "is_notice_kind", item_path),
            }
        )
    v.unique([(i["path"], i["code"]) for i in section["items"]], _("the item code"))
    if section["scoring"]:
        v.rules(
            path,
            label,
            rules.section_problems(
                name=section["name"],
                scoring=section["scoring"],
                max_points=section["max_points"],
                not_applicable_rule=section["not_applicable_rule"] or rules.NA_NONE,
                items=[
                    rules.ItemValues(i["points"], i["is_notice_kind"]) for i in section["items"]
                ],
                exempt_servicing_items=section["exempt_servicing_items"],
            ),
        )
    v.rules(
        path,
        label,
        rules.exempt_servicing_item_problems(
            name=section["name"],
            exempt_servicing_items=section["exempt_servicing_items"],
            servicing_items=sheet["servicing_items"],
        ),
    )
    return section


def _clean_list(v: _Validator, data: dict, key: str, allowed: dict, clean: Callable) -> list:
    result = []
    for index, raw in enumerate(v.items(data, key, "")):
        path = f"{key}[{index}]"
        entry = v.mapping(raw, path, allowed)
        if entry is not None:
            result.append({"path": path, **clean(entry, path)})
    return result


def validate_rubric_data(data: Any) -> tuple[dict | None, list[RubricProblem]]:
    """Check rubric data completely. Returns (cleaned data, problems)."""
    v = _Validator()
    top = v.mapping(data, "", _TOP)
    if top is None:
        return None, v.problems

    cleaned: dict[str, Any] = {}
    version = top.get("version")
    if isinstance(version, str) and version.strip():
        cleaned["version"] = version.strip()
        if len(cleaned["version"]) > 50:
            v.add("version", _("is longer than 50 characters"))
    elif "version" in top:
        v.add("version", _("must be text such as '2012' (quote it in YAML)"))
    cleaned["name"] = v.text(top, "name", "", max_length=200)
    cleaned["status"] = v.choice(
        top, "status", "", RubricVersion.Status, default=RubricVersion.Status.DRAFT
    )
    cleaned["effective_date"] = _clean_date(v, top)
    cleaned["notes"] = v.text(top, "notes", "", max_length=10_000, required=False)

    cleaned["content_areas"] = _clean_list(
        v,
        top,
        "content_areas",
        _AREA,
        lambda e, p: {"code": v.slug(e, "code", p), "name": v.text(e, "name", p, max_length=200)},
    )
    v.unique([(a["path"], a["code"]) for a in cleaned["content_areas"]], _("the content area code"))

    cleaned["sheets"] = []
    for index, raw_sheet in enumerate(v.items(top, "sheets", "", required=True)):
        path = f"sheets[{index}]"
        sheet = _clean_sheet(v, raw_sheet, path)
        if sheet is not None:
            cleaned["sheets"].append({"path": path, **sheet})
    v.unique([(s["path"], s["code"]) for s in cleaned["sheets"]], _("the sheet code"))

    def clean_audience(entry, path):
        questions = []
        for q_index, raw in enumerate(v.items(entry, "questions", path, required=True)):
            q_path = f"{path}.questions[{q_index}]"
            question = v.mapping(raw, q_path, _QUESTION)
            if question is not None:
                questions.append(
                    {
                        "text": v.text(question, "text", q_path, max_length=300),
                        "is_yes_no": v.boolean(question, "is_yes_no", q_path),
                        "tag": v.choice(question, "tag", q_path, InterviewQuestion.Tag, default=""),
                    }
                )
        required_at = v.strings(entry, "required_at", path, max_length=50)
        for index, code in enumerate(required_at):
            if code not in InterviewAudience.RequiredAt.values:
                v.add(
                    f"{path}.required_at[{index}]",
                    _("“%(value)s” is not one of: %(choices)s")
                    % {"value": code, "choices": ", ".join(InterviewAudience.RequiredAt.values)},
                )
        return {
            "name": v.text(entry, "name", path, max_length=200),
            "required_at": required_at,
            "questions": questions,
        }

    cleaned["interview_audiences"] = _clean_list(
        v, top, "interview_audiences", _AUDIENCE, clean_audience
    )

    cleaned["kpi_thresholds"] = _clean_list(
        v,
        top,
        "kpi_thresholds",
        _THRESHOLD,
        lambda e, p: {
            "kpi": v.choice(e, "kpi", p, KpiThreshold.Kpi),
            "rollout_batch": v.choice(e, "rollout_batch", p, RolloutBatch),
            "minimum_percent": v.percent(e, "minimum_percent", p),
            "note": v.text(e, "note", p, max_length=200, required=False),
        },
    )
    v.unique(
        [
            (t["path"], f"{t['kpi']} / {t['rollout_batch']}")
            for t in cleaned["kpi_thresholds"]
            if t["kpi"] and t["rollout_batch"]
        ],
        _("the KPI and rollout batch"),
    )

    cleaned["grade_bands"] = _clean_list(
        v,
        top,
        "grade_bands",
        _BAND,
        lambda e, p: {
            "grade": v.text(e, "grade", p, max_length=5),
            "minimum_percent": v.percent(e, "minimum_percent", p),
        },
    )
    v.unique([(b["path"], b["grade"]) for b in cleaned["grade_bands"]], _("the grade"))
    v.unique(
        [(b["path"], b["minimum_percent"]) for b in cleaned["grade_bands"]],
        _("the minimum of a grade band"),
    )
    return cleaned, v.problems


def rubric_problems(version: RubricVersion) -> list[RubricProblem]:
    """Every problem of a version as stored (e.g. a draft half way through an edit)."""
    return validate_rubric_data(export_rubric(version))[1]


# --- import ----------------------------------------------------------------


def import_rubric(data: dict, *, replace_draft: bool = False) -> RubricVersion:
    """Check `data` completely, then write it as a new version in one transaction.

    Raises `RubricImportError` listing every problem (nothing is written then).
    An existing version of the same string is an error, unless it is a draft
    and `replace_draft` is set: then the draft is replaced.
    """
    cleaned, problems = validate_rubric_data(data)
    if problems:
        raise RubricImportError(problems)
    with transaction.atomic():
        existing = RubricVersion.objects.select_for_update().filter(version=cleaned["version"])
        existing = existing.first()
        if existing is not None:
            if existing.status != RubricVersion.Status.DRAFT or not replace_draft:
                message = (
                    _(
                        "version “%(version)s” exists already and is a draft; import it with "
                        "replace_draft to replace it"
                    )
                    if existing.status == RubricVersion.Status.DRAFT
                    else _("version “%(version)s” exists already and is published")
                )
                raise RubricImportError(
                    [RubricProblem("version", "version", message % {"version": existing.version})]
                )
            if existing.campaigns.exists():
                raise RubricImportError(
                    [
                        RubricProblem(
                            "version",
                            "version",
                            _("the draft “%(version)s” is used by a campaign")
                            % {"version": existing.version},
                        )
                    ]
                )
            existing.delete()
        return _write(cleaned)


def _write(data: dict) -> RubricVersion:
    """Write data already checked (or exported); the caller holds a transaction."""
    rubric = RubricVersion.objects.create(
        version=data["version"],
        name=data["name"],
        status=data["status"],
        effective_date=data["effective_date"],
        notes=data.get("notes", ""),
    )
    ContentArea.objects.bulk_create(
        ContentArea(rubric=rubric, code=a["code"], name=a["name"], order=index)
        for index, a in enumerate(data.get("content_areas", []))
    )
    items = []
    for s_index, s in enumerate(data["sheets"]):
        sheet = Sheet.objects.create(
            rubric=rubric,
            code=s["code"],
            table_label=s["table_label"],
            name=s["name"],
            kind=s["kind"],
            business_line=s["business_line"],
            grouping=s["grouping"],
            total_points=s["total_points"],
            servicing_items=list(s["servicing_items"]),
            per_specialist=s["per_specialist"],
            notes=s["notes"],
            order=s_index,
        )
        for p_index, p in enumerate(s["parts"]):
            part = SheetPart.objects.create(
                sheet=sheet,
                code=p["code"],
                name=p["name"],
                total_points=p["total_points"],
                is_preferred_alternative=p["is_preferred_alternative"],
                order=p_index,
            )
            for c_index, c in enumerate(p["sections"]):
                section = Section.objects.create(
                    part=part,
                    code=c["code"],
                    name=c["name"],
                    scoring=c["scoring"],
                    max_points=c["max_points"],
                    not_applicable_rule=c["not_applicable_rule"],
                    not_applicable_conditions=c["not_applicable_conditions"],
                    exempt_servicing_items=list(c["exempt_servicing_items"]),
                    order=c_index,
                )
                items.extend(
                    Item(
                        section=section,
                        code=i["code"],
                        text=i["text"],
                        points=i["points"],
                        is_notice_kind=i["is_notice_kind"],
                        order=i_index,
                    )
                    for i_index, i in enumerate(c["items"])
                )
    Item.objects.bulk_create(items)
    questions = []
    for a_index, a in enumerate(data.get("interview_audiences", [])):
        audience = InterviewAudience.objects.create(
            rubric=rubric,
            name=a["name"],
            order=a_index,
            **{
                field: code in a["required_at"]
                for code, field in InterviewAudience.REQUIRED_FIELDS.items()
            },
        )
        questions.extend(
            InterviewQuestion(
                audience=audience,
                text=q["text"],
                is_yes_no=q["is_yes_no"],
                tag=q["tag"],
                order=q_index,
            )
            for q_index, q in enumerate(a["questions"])
        )
    InterviewQuestion.objects.bulk_create(questions)
    KpiThreshold.objects.bulk_create(
        KpiThreshold(
            rubric=rubric,
            kpi=t["kpi"],
            rollout_batch=t["rollout_batch"],
            minimum_percent=Decimal(str(t["minimum_percent"])),
            note=t["note"],
        )
        for t in data.get("kpi_thresholds", [])
    )
    GradeBand.objects.bulk_create(
        GradeBand(
            rubric=rubric, grade=b["grade"], minimum_percent=Decimal(str(b["minimum_percent"]))
        )
        for b in data.get("grade_bands", [])
    )
    return rubric


# --- copy ------------------------------------------------------------------


def copy_as_draft(
    version: RubricVersion,
    *,
    new_version: str,
    name: str,
    effective_date: datetime.date | None = None,
) -> RubricVersion:
    """An editable draft copy of `version`, as the version `new_version` named
    `name` (effective from `effective_date`, else from the same date).

    Copies whatever is stored, even a draft whose totals do not add up yet; the
    codes of sheets, parts, sections and items stay the same.
    """
    data = export_rubric(version)
    data["version"] = new_version
    data["name"] = name
    data["status"] = RubricVersion.Status.DRAFT
    if effective_date is not None:
        data["effective_date"] = effective_date
    taken = RubricImportError(
        [
            RubricProblem(
                "version",
                "version",
                _("version “%(version)s” exists already") % {"version": new_version},
            )
        ]
    )
    if RubricVersion.objects.filter(version=new_version).exists():
        raise taken
    try:
        with transaction.atomic():
            return _write(data)
    except IntegrityError:  # the same code, taken by another copy meanwhile
        if RubricVersion.objects.filter(version=new_version).exists():
            raise taken from None
        raise
