"""The results analysis' summary of approved visits (`models.ItemOutcome`) and
which approved visit ranks each unit (`Visit.counts_in_results`), kept current
by the services that change approved results: approval, and corrections after
an upheld objection. Both are derived; these functions rewrite them whole."""

from django.db import transaction
from django.db.models import Exists, OuterRef

from scoring import answers as stored_answers
from scoring.engine import assess_sheet
from scoring.models import Item
from scoring.outcomes import Outcome, checklist_layout, checklist_outcomes, part_outcomes
from scoring.results import ranking_visit
from scoring.selectors import sheet_definition

from ..models import ChecklistRecord, ItemOutcome, SheetRecord, Visit


def _row(visit: Visit, outcome: Outcome, codes: dict[str, str], **record) -> ItemOutcome:
    item_id = int(outcome.item_key) if outcome.item_key in codes else None
    return ItemOutcome(
        campaign_id=visit.campaign_id,
        visit=visit,
        item_id=item_id,
        part_code=outcome.part_key,
        section_code=outcome.section_key,
        item_code=codes.get(outcome.item_key, outcome.item_key),
        points=outcome.points,
        score=outcome.score,
        lost=outcome.lost,
        not_applicable=outcome.not_applicable,
        compliant=outcome.compliant,
        failed=outcome.failed,
        remark=outcome.remark,
        **record,
    )


@transaction.atomic
def refresh_visit_outcomes(*, visit: Visit) -> int:
    """Rewrite the visit's item outcomes from its stored answers, scored by the
    engine as the save scored them; a visit not approved has none. Returns the
    number of rows written."""
    ItemOutcome.objects.filter(visit=visit).delete()
    if visit.state != Visit.State.APPROVED:
        return 0
    # Stored answers name items by primary key; rows keep the code that matches
    # an item across rubric versions.
    codes = {
        str(pk): code
        for pk, code in Item.objects.filter(
            section__part__sheet__rubric_id=visit.campaign.rubric_id
        ).values_list("pk", "code")
    }
    rows: list[ItemOutcome] = []
    records = SheetRecord.objects.filter(visit=visit).select_related("sheet", "chosen_alternative")
    for record in records.prefetch_related("parts__part"):
        definition = sheet_definition(sheet=record.sheet, in_use=True)
        part_records = {p.part.code: p for p in record.parts.all()}
        result = assess_sheet(definition, record.engine_answers(part_records)).result
        for part_result in result.parts:
            remarks = (part_records[part_result.key].answers or {}).get("remarks") or {}
            for outcome in part_outcomes(
                definition.part(part_result.key),
                part_result,
                remarks,
                falsified=record.falsified_material,
            ):
                rows.append(
                    _row(
                        visit,
                        outcome,
                        codes,
                        sheet_id=record.sheet_id,
                        sheet_code=record.sheet.code,
                        sheet_record=record,
                    )
                )
    for checklist in ChecklistRecord.objects.filter(visit=visit).select_related("sheet"):
        definition = sheet_definition(sheet=checklist.sheet, in_use=True)
        for outcome in checklist_outcomes(
            checklist_layout(definition), stored_answers.checklist_answers(checklist.answers)
        ):
            rows.append(
                _row(
                    visit,
                    outcome,
                    codes,
                    sheet_id=checklist.sheet_id,
                    sheet_code=checklist.sheet.code,
                    checklist_record=checklist,
                )
            )
    ItemOutcome.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@transaction.atomic
def mark_ranking_visit(*, visit: Visit) -> None:
    """Mark which approved visit of the visit's unit ranks it in the campaign
    (`scoring.results.ranking_visit` over the latest approved visit of each
    kind), and unmark the others."""
    unit = Visit.objects.filter(
        campaign_id=visit.campaign_id, branch_id=visit.branch_id, office_id=visit.office_id
    )
    latest: dict[bool, int] = {}
    approved = unit.filter(state=Visit.State.APPROVED).order_by("start_date", "approved_at", "pk")
    for pk, kind in approved.values_list("pk", "kind"):
        latest[kind == Visit.Kind.HEAD_OFFICE_CHECK] = pk
    ranking = ranking_visit(latest.get(False), latest.get(True))
    unit.exclude(pk=ranking).filter(counts_in_results=True).update(counts_in_results=False)
    if ranking is not None:
        unit.filter(pk=ranking, counts_in_results=False).update(counts_in_results=True)


def refresh_missing_outcomes(**_signal) -> int:
    """Summarise approved visits that have records but no outcomes yet: those
    approved before the summary existed. Runs after every `migrate` (the
    engine needs today's models, which a data migration may not use); costs
    one query when nothing is missing. Returns the number of visits done."""
    has_records = Exists(SheetRecord.objects.filter(visit=OuterRef("pk"))) | Exists(
        ChecklistRecord.objects.filter(visit=OuterRef("pk"))
    )
    missing = (
        Visit.objects.filter(has_records, state=Visit.State.APPROVED)
        .exclude(Exists(ItemOutcome.objects.filter(visit=OuterRef("pk"))))
        .select_related("campaign")
    )
    done = 0
    for visit in missing:
        refresh_visit_outcomes(visit=visit)
        done += 1
    return done
