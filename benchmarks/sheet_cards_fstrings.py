"""The sheet page's part cards and radios as they were written before they moved
to a Jinja2 template (commit 80eacc8, `inspections/sheet_forms.py`): Python
f-strings. Kept here only so that `page_floor.py --compare-sheet` can time the
page with either renderer in one process; the app does not use it.
"""

import html

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from inspections.evidence_files import evidence_key
from inspections.sheet_forms import PartBlock, SectionBlock, SheetForm
from scoring import definitions as d


def radios_html(self, name: str, badges: dict[int, str] | None = None) -> SafeString:
    """`SheetForm.radios_html` as it was."""
    field = self[name]
    value = field.value()
    value = "" if value is None else str(value)
    inline = " form-check-inline" if name == "selection_method" else ""
    required = " required" if field.field.required else ""
    if self.is_bound and field.errors:
        required += ' aria-invalid="true"'
    required = mark_safe(required)
    html = []
    for index, (choice, label) in enumerate(field.field.choices):
        badge = (badges or {}).get(index)
        html.append(
            format_html(
                '<div class="form-check{}"><input type="radio" name="{}" value="{}" '
                'class="form-check-input" id="{}_{}"{}{}>'
                '<label class="form-check-label" for="{}_{}">{}{}</label></div>',
                inline,
                field.html_name,
                choice,
                field.auto_id,
                index,
                required,
                " checked" if str(choice) == value else "",
                field.auto_id,
                index,
                label,
                format_html(' <span class="badge text-bg-info">{}</span>', badge) if badge else "",
            )
        )
    return mark_safe("".join(html))


# Plain f-strings; every value goes through `_e` (what the template language's
# autoescape does), the markup is the one the template wrote before. Field
# names and ids are made of slugs (part and section codes) and item keys.


def _e(value) -> str:
    """HTML-escaped text of a value, as `django.utils.html.escape` does it."""
    return html.escape(str(value))


def _value(field) -> str:
    value = field.value()
    return "" if value is None else _e(value)


def _checked(field) -> str:
    return " checked" if field.value() else ""


def _select(field) -> str:
    value = field.value()
    value = "" if value is None else str(value)
    options = "".join(
        f'<option value="{_e(choice)}"{" selected" if str(choice) == value else ""}>'
        f"{_e(label)}</option>"
        for choice, label in field.field.choices
    )
    return (
        f'<select name="{field.html_name}" class="form-select form-select-sm" '
        f'id="{field.auto_id}">{options}</select>'
    )


def _points(value) -> str:
    return _e(floatformat(value, "-1"))


_SCORE_INPUT = (
    '<input name="{name}" id="{id}" value="{value}" class="form-control form-control-sm '
    'score-input{invalid}" inputmode="decimal" autocomplete="off" aria-label="{label}"{extra}>'
)


def _score_box(field, label) -> str:
    """A score input; the engine's refusal of what was typed shows right under it."""
    errors = field.errors
    html = _SCORE_INPUT.format(
        name=field.html_name,
        id=field.auto_id,
        value=_value(field),
        label=_e(label),
        invalid=" is-invalid" if errors else "",
        extra=f' aria-invalid="true" aria-describedby="{field.auto_id}-error"' if errors else "",
    )
    if errors:
        messages = "<br>".join(_e(message) for message in errors)
        html += f'<div class="invalid-feedback" id="{field.auto_id}-error">{messages}</div>'
    return html


def _errors_after(field) -> str:
    if not field.errors:
        return ""
    messages = "<br>".join(_e(message) for message in field.errors)
    return f'<div class="invalid-feedback d-block" id="{field.auto_id}-error">{messages}</div>'


def _text_box(field, label: str, *, placeholder: bool = False, css: str = "") -> str:
    """A free-text input; a refusal (a control character) shows right under it."""
    invalid = (
        f' aria-invalid="true" aria-describedby="{field.auto_id}-error"' if field.errors else ""
    )
    hint = f' placeholder="{_e(label)}"' if placeholder else ""
    return (
        f'<input class="form-control form-control-sm{css}{" is-invalid" if field.errors else ""}" '
        f'name="{field.html_name}" id="{field.auto_id}" value="{_value(field)}"'
        f'{hint} aria-label="{_e(label)}"{invalid}>{_errors_after(field)}'
    )


def _section_head(s: SectionBlock, part_prefix: str) -> str:
    """The section's first cell: name, maximum, not-applicable box, notice kind."""
    section = s.section
    count = len(s.items)
    # gettext outside the f-strings: makemessages cannot see calls inside them.
    maximum = _e(gettext("max"))
    head = [
        f'<th rowspan="{count}" class="small">{_e(section.name)}\n'
        f'<div class="fw-normal text-muted">{maximum} {_points(section.max_points)}'
        f' · <span data-section-score="{_e(section.key)}" data-part-key="{_e(part_prefix)}">'
        "—</span></div>"
    ]
    if s.na_field is not None:
        na = s.na_field
        full = gettext("Not applicable: gives the full %(points)s points") % {
            "points": floatformat(section.max_points, "-1")
        }
        head.append(
            f'<div class="form-check mt-1 fw-normal"><input type="checkbox" '
            f'class="form-check-input" name="{na.html_name}" id="{na.auto_id}"{_checked(na)}>'
            f'<label class="form-check-label small" for="{na.auto_id}">{_e(full)}</label>'
        )
        if section.not_applicable_conditions:
            head.append(
                f'<div class="small text-muted">{_e(section.not_applicable_conditions)}</div>'
            )
        if section.exempt_servicing_items:
            exempt = "、".join(sorted(section.exempt_servicing_items))
            automatically = _e(gettext("Automatically for"))
            head.append(f'<div class="small text-muted">{automatically} {_e(exempt)}</div>')
        reason = gettext("Reason")
        head.append(_text_box(s.na_reason_field, reason, placeholder=True, css=" mt-1") + "</div>")
    if s.notice_field is not None:
        label = _e(gettext("Notice kind checked (the others get full points)"))
        head.append(
            f'<label class="small fw-normal mt-1" for="{s.notice_field.auto_id}">{label}</label>'
            f"{_select(s.notice_field)}"
        )
    head.append("</th>")
    return "".join(head)


def _evidence_list(evidence: list, key: str) -> str:
    files = [f for f in evidence if f.item_key == key]
    if not files:
        return ""
    return render_to_string("inspections/_evidence.html", {"evidence": files, "item_key": key})


def _section_rows(s: SectionBlock, part_prefix: str, evidence: list) -> str:
    """The section's rows: one per item, its first row with the section's cells."""
    section = s.section
    count = len(s.items)
    rows = []
    for index, row in enumerate(s.items):
        first = index == 0
        item = row.item
        cells = [_section_head(s, part_prefix)] if first else []
        points = "" if item.points is None else _points(item.points)
        item_files = _evidence_list(evidence, evidence_key(section, item))
        cells.append(
            f'<td class="small">{_e(item.text)}{item_files}</td>'
            f'<td class="text-end small">{points}</td>'
        )
        if row.field is not None:
            cells.append(f'<td class="score-box">{_score_box(row.field, item.text)}</td>')
        elif first:
            cells.append(
                f'<td class="score-box" rowspan="{count}">'
                f"{_score_box(s.score_field, section.name)}</td>"
            )
        if first:
            listed = _evidence_list(evidence, evidence_key(section))
            remark = gettext("Remark")
            cells.append(f'<td rowspan="{count}">{_text_box(s.remark_field, remark)}{listed}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "\n".join(rows)


def _part_fields(block: PartBlock) -> str:
    """The part's header fields: reference number, servicing item, not observed."""
    ref = block.reference_field
    fields = [
        f'<div class="col-sm-4"><label class="form-label small" for="{ref.auto_id}">'
        f"{_e(ref.label)}</label>{_text_box(ref, str(ref.label))}</div>"
    ]
    if block.servicing_field is not None:
        servicing = block.servicing_field
        fields.append(
            f'<div class="col-sm-4"><label class="form-label small" for="{servicing.auto_id}">'
            f"{_e(servicing.label)}</label>{_select(servicing)}</div>"
        )
    if block.not_observed_field is not None:
        box, reason = block.not_observed_field, block.not_observed_reason_field
        not_observed = _e(gettext("Not observed"))
        why = gettext("Why not observed")
        fields.append(
            '<div class="col-sm-8 d-flex align-items-end gap-2">'
            f'<div class="form-check text-nowrap"><input type="checkbox" name="{box.html_name}" '
            f'class="form-check-input" id="{box.auto_id}"{_checked(box)}>'
            f'<label class="form-check-label small" for="{box.auto_id}">'
            f"{not_observed}</label></div>"
            f"<div class='flex-fill'>{_text_box(reason, why, placeholder=True)}</div></div>"
        )
    return "".join(fields)


def parts_html(form: SheetForm, blocks: list[PartBlock], evidence=()) -> SafeString:
    """Every part's card: its header fields and its table of sections and items,
    with the values of `form` (bound or initial) and the `evidence` of each section."""
    definition = form.definition
    evidence = list(evidence)
    named_parts = definition.grouping in (d.PARTS, d.ALTERNATIVES)
    # gettext outside the f-strings: makemessages cannot see calls inside them.
    section, item, points, score, remark, total, subtotal = (
        _e(text)
        for text in (
            gettext("Section"),
            gettext("Item"),
            gettext("Points"),
            gettext("Score"),
            gettext("Remark"),
            gettext("total"),
            gettext("Subtotal"),
        )
    )
    table_head = (
        '<thead class="table-light"><tr>'
        f"<th>{section}</th><th>{item}</th>"
        f'<th class="text-end">{points}</th>'
        f"<th>{score}</th><th>{remark}</th></tr></thead>"
    )
    cards = []
    for block in blocks:
        p = _e(block.prefix)
        title = block.part.name if named_parts else definition.name
        body = "\n".join(_section_rows(s, block.prefix, evidence) for s in block.sections)
        cards.append(
            f'<div class="card mb-3 sheet-part" data-part="{p}">\n'
            '<div class="card-header d-flex flex-wrap gap-2 align-items-center">'
            f'<strong class="me-auto">{_e(title)} <small class="text-muted">'
            f"（{total} {_e(localize(block.part.total_points))}）</small></strong>"
            f'<span class="small">{subtotal} '
            f'<strong data-part-score="{p}">—</strong></span></div>\n'
            f'<div class="card-body"><div class="row g-2 mb-2">{_part_fields(block)}</div>\n'
            f'<table class="table table-sm table-bordered align-middle mb-0">{table_head}\n'
            f"<tbody>\n{body}\n</tbody></table></div></div>"
        )
    return mark_safe("\n".join(cards))
