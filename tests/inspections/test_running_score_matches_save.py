"""The running score (the preview) and the save judge a sheet the same way.

Random answers, typed the way inspectors type them (blank, valid, too high,
negative, words, two decimals, a control character pasted from Word), for
every scored sheet, with parts not observed (with and without a reason),
表四's sub-sheets chosen with and without a reason and its notice section
with no 二核 notice to check (with and without a reason), deductions recorded
(a reference now and then twice) and sheets marked as resting on falsified
material (with and without a reason), go through the page's
two posts: what the preview scores is what the save stores, and what the
preview refuses the save refuses, on the same inputs with the same messages.
"""

import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inspections.models import SheetRecord
from scoring import definitions as d
from scoring.answers import field_name
from scoring.selectors import sheet_definition

SCORED_SHEETS = ["new_business", "policy_change", "claims"]


def typed_score(maximum: Decimal, *, careful: bool):
    """What an inspector types into a score input of this maximum; `careful`:
    only what the sheet accepts."""
    tenths = int(maximum * 10)
    valid = st.integers(0, tenths).map(lambda n: str(Decimal(n) / 10))
    if careful:
        return st.one_of(st.just(""), valid, valid, valid, st.just(str(maximum)))
    return st.one_of(
        st.just(""),
        valid,
        valid,
        st.just(str(maximum)),
        st.just(str(maximum + 1)),
        st.sampled_from(["-1", "abc", "1.25", " 3 ", "1\x0b", "NaN", "1e1"]),
    )


@st.composite
def sheet_posts(draw, definition: d.SheetDef) -> dict:
    """The sheet form's POST data with random answers."""
    data = {}
    careful = draw(st.booleans())
    if draw(st.integers(0, 9)):  # now and then, how the case was chosen is left out
        data["selection_method"] = draw(st.sampled_from(["followed_live", "drawn_at_random"]))
    parts = definition.parts
    if definition.grouping == d.ALTERNATIVES:
        chosen = draw(st.sampled_from(parts))
        data["chosen_alternative"] = chosen.key
        data["alternative_reason"] = draw(st.sampled_from(["", "本期无标准流程案件"]))
        parts = [chosen] if draw(st.booleans()) else parts  # other sub-sheets may be typed too
    for part in parts:
        data[field_name(part.key, what="reference_no")] = draw(st.sampled_from(["", "NO-1"]))
        if definition.servicing_items:
            data[field_name(part.key, what="servicing_item")] = draw(
                st.sampled_from(["", *definition.servicing_items])
            )
        if definition.grouping == d.PARTS and not draw(st.integers(0, 3)):
            data[field_name(part.key, what="not_observed")] = "on"
            data[field_name(part.key, what="not_observed_reason")] = draw(
                st.sampled_from(["", "本期无撤单"])
            )
        for section in part.sections:
            name = field_name(part.key, section.key, what="score")
            if section.scoring == d.SECTION_POINTS:
                data[name] = draw(typed_score(section.max_points, careful=careful))
            elif section.scoring == d.DEDUCTION:
                # A few references to choose from: the same one comes back now and then.
                for item in section.items:
                    references = draw(st.lists(st.sampled_from(REFERENCES), max_size=3))
                    data[field_name(part.key, section.key, item=item.key)] = "\n".join(references)
            else:
                for item in section.items:
                    data[field_name(part.key, section.key, item=item.key)] = draw(
                        typed_score(item.points, careful=careful)
                    )
            if section.allows_not_applicable and not draw(st.integers(0, 3)):
                data[field_name(part.key, section.key, what="na")] = "on"
                data[field_name(part.key, section.key, what="na_reason")] = draw(
                    st.sampled_from(["", "本期无此业务"])
                )
            if section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND:
                data[field_name(part.key, section.key, what="notice_kind")] = draw(
                    st.sampled_from(["", *(i.key for i in section.notice_kinds)])
                )
            if section.allows_no_notice and not draw(st.integers(0, 2)):
                # No 二核 notice to check, with or without the reason it needs.
                data[field_name(part.key, section.key, what="na")] = "on"
                data[field_name(part.key, section.key, what="na_reason")] = draw(
                    st.sampled_from(["", "本月无二核件"])
                )
    if not draw(st.integers(0, 5)):
        data["falsified"] = "on"
        data["falsified_reason"] = draw(st.sampled_from(["", "提供虚假材料"]))
    return data


REFERENCES = ["渝保监罚〔2012〕3号", " 渝保监罚〔２０１２〕３号", "渝保监发〔2012〕12号", "", "A-1"]


@pytest.mark.parametrize("sheet_code", SCORED_SHEETS)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_preview_scores_what_the_save_stores(client, world, visit, sheet_code, data):
    client.force_login(world.inspector_a)
    client.cookies["django_language"] = "en"
    sheet = world.rubric.sheets.get(code=sheet_code)
    definition = sheet_definition(sheet=sheet)
    post = data.draw(sheet_posts(definition))
    # Each example starts from no saved sheet.
    with transaction.atomic():
        preview = json.loads(
            client.post(reverse("visit-sheet-preview", args=[visit.pk, sheet_code]), post).content
        )
        response = client.post(
            reverse("visit-sheet-new", args=[visit.pk]),
            post | {"sheet": sheet.pk, "specialist": world.generalist.pk},
        )
        record = SheetRecord.objects.filter(visit=visit, sheet=sheet).first()
        try:
            assert_same_judgement(preview, response, record, post)
        finally:
            transaction.set_rollback(True)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_preview_scores_deductions_as_the_save_does(client, world, deductions_visit, data):
    """The same, on a rubric with a deduction section (the 2012 rubric has none)."""
    visit = deductions_visit
    client.force_login(world.inspector_a)
    client.cookies["django_language"] = "en"
    post = data.draw(sheet_posts(sheet_definition(sheet=visit.sheet)))
    with transaction.atomic():
        preview = json.loads(
            client.post(
                reverse("visit-sheet-preview", args=[visit.pk, visit.sheet.code]), post
            ).content
        )
        response = client.post(
            reverse("visit-sheet-new", args=[visit.pk]),
            post | {"sheet": visit.sheet.pk, "specialist": world.nb.pk},
        )
        record = SheetRecord.objects.filter(visit=visit).first()
        try:
            assert_same_judgement(preview, response, record, post)
        finally:
            transaction.set_rollback(True)


def assert_same_judgement(preview: dict, response, record, post: dict) -> None:
    """The save stored what the preview scored, or refused what it refused."""
    if preview["ok"]:
        assert response.status_code == 302, response.context["form"].errors
        assert_same_result(preview, record)
        return
    assert response.status_code == 200 and record is None
    form = response.context["form"]
    refused = {name: list(messages) for name, messages in form.errors.items()}
    if _form_refusals(form, post):
        # The service never ran: the preview lists the form's refusals first,
        # then the engine's.
        for name, messages in refused.items():
            assert preview["problems"][name][: len(messages)] == messages
    else:
        assert refused == preview["problems"]


def _form_refusals(form, post) -> bool:
    """Did the form itself refuse (before the service ran)?"""
    fresh = type(form)(post, definition=form.definition)
    return not fresh.is_valid()


def assert_same_result(preview: dict, record: SheetRecord) -> None:
    assert Decimal(preview["score"]) == record.score
    assert Decimal(preview["max"]) == record.max_points
    percent = preview["percent"]
    assert (Decimal(percent) if percent is not None else None) == record.percent
    assert (preview["grade"] or "") == record.grade
    assert (preview["missing"] == 0) == record.complete
    stored = {p.part.code: p for p in record.parts.select_related("part")}
    assert set(stored) == set(preview["parts"])
    for code, part in preview["parts"].items():
        assert Decimal(part["score"]) == stored[code].score
        assert Decimal(part["max"]) == stored[code].max_points
        assert part["observed"] == stored[code].observed
