"""Property tests of the scoring engine: invariants over arbitrary, consistent
sheet definitions (see `rubric_defs.sheet_defs`) and possible or impossible
answers to them."""

import copy
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import definitions as d
from scoring import engine as e

from . import rubric_defs as r
from .rubric_defs import GRADE_BANDS

# Fast enough for every run: the two files take a few seconds together.
engine_settings = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

ZERO = Decimal(0)


# --- helpers -------------------------------------------------------------------


def as_decimal(value) -> Decimal:
    """An answer known to be valid, as the engine reads it; blank is 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    return Decimal(str(value).strip())


def scored_parts(sheet: d.SheetDef, answers: d.SheetAnswers) -> list[d.PartDef]:
    """The parts the engine scores: the chosen alternative, or all parts."""
    if sheet.grouping == d.ALTERNATIVES:
        return [sheet.part(answers.chosen_alternative)]
    return list(sheet.parts)


def slots(section: d.SectionDef, answer: d.SectionAnswer | None):
    """The (key, label, maximum) of every value the engine will read for a
    section: the section itself, or its items (the notice kinds not checked
    take full points and are not read)."""
    if section.scoring == d.SECTION_POINTS:
        return [(section.key, section.name, section.max_points)]
    chosen = answer.notice_kind if answer else None
    result = []
    for item in section.items:
        if (
            section.not_applicable_rule == d.NA_CHOOSE_ONE_NOTICE_KIND
            and item.is_notice_kind
            and chosen
            and item.key != chosen
        ):
            continue
        result.append((item.key, item.text, item.points or ZERO))
    return result


def full_answers_without_servicing_item(sheet: d.SheetDef) -> d.SheetAnswers:
    """Full marks everywhere, with no servicing item so that nothing is exempt."""
    answers = r.full_sheet_answers(sheet)
    for part in answers.parts.values():
        part.servicing_item = None
    return answers


def set_value(answers: d.SheetAnswers, part: d.PartDef, section: d.SectionDef, key, value):
    part_answers = answers.parts.setdefault(part.key, d.PartAnswers())
    section_answer = part_answers.sections.setdefault(section.key, d.SectionAnswer())
    if key == section.key:
        section_answer.score = value
    else:
        section_answer.item_scores[key] = value


def read_value(answers: d.SheetAnswers, part: d.PartDef, section: d.SectionDef, key):
    part_answers = answers.parts.get(part.key)
    section_answer = part_answers.sections.get(section.key) if part_answers else None
    if section_answer is None:
        return None
    if key == section.key:
        return section_answer.score
    return section_answer.item_scores.get(key)


def readable_slots(sheet: d.SheetDef, answers: d.SheetAnswers):
    """Every (part, section, key, label, maximum) whose value counts towards the score."""
    found = []
    for part in scored_parts(sheet, answers):
        part_answers = answers.parts.get(part.key) or d.PartAnswers()
        if not part_answers.observed:
            continue
        for section in part.sections:
            answer = part_answers.sections.get(section.key)
            if section.allows_not_applicable and (
                (answer and answer.not_applicable)
                or part_answers.servicing_item in section.exempt_servicing_items
            ):
                continue
            if section.allows_no_notice and answer and answer.not_applicable:
                continue  # no 二核 notice to check: nothing of it is read
            for key, label, maximum in slots(section, answer):
                found.append((part, section, key, label, maximum))
    return found


def check_result(sheet: d.SheetDef, result: e.SheetResult):
    assert ZERO <= result.score <= result.max_points
    if result.max_points and result.percent is None:
        assert result.score == 0 and result.grade is None  # nothing scored yet
    elif result.max_points:
        assert ZERO <= result.percent <= 100
        expected = (result.score / result.max_points * 100).quantize(Decimal("0.01"))
        assert abs(result.percent - expected) <= Decimal("0.01")
        assert result.percent == e.percent_of(result.score, result.max_points)
    else:
        assert result.percent is None
        assert result.grade is None
    assert result.grade == e.grade_for(result.percent, GRADE_BANDS)
    for part in result.parts:
        assert ZERO <= part.score <= part.max_points
        if not part.observed:
            assert part.score == part.max_points == 0
            assert part.percent is None
        for section in part.sections:
            assert ZERO <= section.score <= section.max_points
            if section.not_applicable:
                assert section.score == section.max_points
            for value in section.item_scores.values():
                assert value >= 0
    assert result.complete == (not result.missing)


# --- scores stay within bounds -------------------------------------------------


@engine_settings
@given(r.sheets_with_answers())
def test_valid_answers_score_within_bounds(sheet_and_answers):
    sheet, answers = sheet_and_answers
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    check_result(sheet, result)
    assert result.max_points <= (sheet.total_points or ZERO)
    if sheet.grouping == d.ALTERNATIVES:
        assert [p.key for p in result.parts] == [answers.chosen_alternative]


@engine_settings
@given(r.sheets_with_answers(d.PARTS))
def test_part_scores_add_up_to_the_sheet_score(sheet_and_answers):
    sheet, answers = sheet_and_answers
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    assert [p.key for p in result.parts] == [p.key for p in sheet.parts]
    assert result.score == sum((p.score for p in result.parts), ZERO)
    assert result.max_points == sum((p.max_points for p in result.parts if p.observed), ZERO)
    for part_def, part in zip(sheet.parts, result.parts, strict=True):
        if part.observed:
            assert part.max_points == part_def.total_points
            assert part.score == sum((s.score for s in part.sections), ZERO)
    if not any(p.observed for p in result.parts):
        assert result.percent is None
        assert result.missing


@engine_settings
@given(st.data())
def test_full_marks_give_100_percent_and_the_top_grade(data):
    sheet = data.draw(r.sheet_defs())
    alternative = data.draw(st.sampled_from([p.key for p in sheet.parts]))
    result = e.score_sheet(sheet, r.full_sheet_answers(sheet, alternative), GRADE_BANDS)
    assert result.complete
    assert result.score == result.max_points
    if result.max_points:
        assert result.percent == 100
        assert result.grade == "A"
    else:
        assert result.percent is None


# --- monotonicity ----------------------------------------------------------------


@engine_settings
@given(st.data())
def test_adding_points_never_lowers_the_score(data):
    sheet, answers = data.draw(r.sheets_with_answers())
    before = e.score_sheet(sheet, answers, GRADE_BANDS)
    candidates = readable_slots(sheet, answers)
    assume(candidates)
    part, section, key, _label, maximum = data.draw(st.sampled_from(candidates))
    current = as_decimal(read_value(answers, part, section, key))
    new = data.draw(r.one_decimal_between(current, maximum))
    changed = copy.deepcopy(answers)
    set_value(changed, part, section, key, str(new))
    after = e.score_sheet(sheet, changed, GRADE_BANDS)
    assert after.score >= before.score
    assert after.max_points == before.max_points
    if before.percent is not None:
        assert after.percent >= before.percent
        assert "ABC".index(after.grade) <= "ABC".index(before.grade)
    # Without clamping (the generated sheets add up), the gain is exact.
    assert after.score - before.score == new - current


@engine_settings
@given(st.data())
def test_marking_an_allowed_section_not_applicable_never_lowers_the_score(data):
    sheet, answers = data.draw(r.sheets_with_answers(with_na=True))
    candidates = [
        (part, section)
        for part in scored_parts(sheet, answers)
        if (answers.parts.get(part.key) or d.PartAnswers()).observed
        for section in part.sections
        if section.allows_not_applicable
    ]
    assume(candidates)
    part, section = data.draw(st.sampled_from(candidates))
    before = e.score_sheet(sheet, answers, GRADE_BANDS)
    changed = copy.deepcopy(answers)
    part_answers = changed.parts.setdefault(part.key, d.PartAnswers())
    section_answer = part_answers.sections.setdefault(section.key, d.SectionAnswer())
    section_answer.not_applicable = True
    section_answer.not_applicable_reason = data.draw(st.sampled_from(["", "未产生补费"]))
    after = e.score_sheet(sheet, changed, GRADE_BANDS)
    assert after.score >= before.score
    assert after.max_points == before.max_points
    (section_result,) = [
        s for p in after.parts if p.key == part.key for s in p.sections if s.key == section.key
    ]
    assert section_result.not_applicable
    assert section_result.score == section.max_points
    # The result says why, or lists the missing reason.
    assert section_result.not_applicable_reason or section_result.missing


@engine_settings
@given(st.data())
def test_exempt_servicing_items_give_full_points(data):
    servicing_items = tuple(data.draw(st.lists(st.text(min_size=1), min_size=1, unique=True)))
    section = data.draw(r.section_points_sections("s", servicing_items, allows_na=True))
    item = data.draw(st.sampled_from(sorted(section.exempt_servicing_items)))
    answer = data.draw(r.valid_section_answers(section))
    result = r.score_section(section, answer, servicing_item=item)
    assert result.not_applicable
    assert result.score == section.max_points
    assert result.not_applicable_reason
    assert result.missing == ()


# --- not-applicable rules ----------------------------------------------------------


@engine_settings
@given(st.data())
def test_not_applicable_where_not_allowed_raises_naming_the_section(data):
    sheet = data.draw(r.sheet_defs())
    sections = [
        (p, s)
        for p in sheet.parts
        for s in p.sections
        if not (s.allows_not_applicable or s.allows_no_notice)
    ]
    assume(sections)
    part, section = data.draw(st.sampled_from(sections))
    answers = full_answers_without_servicing_item(sheet)
    if sheet.grouping == d.ALTERNATIVES:
        answers = r.full_sheet_answers(sheet, part.key)
    answers.parts[part.key].sections[section.key].not_applicable = True
    answers.parts[part.key].sections[section.key].not_applicable_reason = "不适用"
    with pytest.raises(e.ScoringError) as excinfo:
        e.score_sheet(sheet, answers, GRADE_BANDS)
    assert [(p.key, p.label) for p in excinfo.value.problems] == [(section.key, section.name)]


@engine_settings
@given(st.data())
def test_unchecked_notice_kinds_get_full_points(data):
    section = data.draw(r.item_points_sections("s", notice=True))
    chosen = data.draw(st.sampled_from(section.notice_kinds))
    scores = {
        i.key: str(data.draw(r.one_decimal_between(ZERO, i.points)))
        for i in section.items
        if i is chosen or not i.is_notice_kind
    }
    result = r.score_section(section, d.SectionAnswer(notice_kind=chosen.key, item_scores=scores))
    assert result.notice_kind == chosen.key
    assert result.missing == ()
    for kind in section.notice_kinds:
        if kind is not chosen:
            assert result.item_scores[kind.key] == kind.points
    assert result.score == sum(result.item_scores.values(), ZERO)


@engine_settings
@given(st.data())
def test_no_notice_to_check_gives_every_item_its_full_points_with_the_reason(data):
    """表四: the office had no 二核 notice to check. Whatever else was typed (item
    scores, even impossible ones, and a notice kind) is not read."""
    section = data.draw(r.item_points_sections("s", notice=True))
    reason = data.draw(st.sampled_from(["本月无二核件", "  无二核通知书\t"]))
    scores = {
        i.key: data.draw(st.none() | r.one_decimal_between(ZERO, i.points).map(str) | junk)
        for i in section.items
    }
    answer = d.SectionAnswer(
        not_applicable=True,
        not_applicable_reason=reason,
        item_scores={k: v for k, v in scores.items() if v is not None},
        notice_kind=data.draw(st.none() | st.sampled_from([i.key for i in section.items])),
    )
    result = r.score_section(section, answer)
    assert result.not_applicable
    assert result.not_applicable_reason == reason.strip()
    assert result.score == result.max_points == section.max_points
    assert result.item_scores == {i.key: i.points for i in section.items}
    assert result.notice_kind is None
    assert result.missing == ()
    # Never less than any way of checking one notice kind.
    checked = r.score_section(section, r.full_section_answer(section))
    assert result.score >= checked.score


@engine_settings
@given(st.data())
def test_no_notice_to_check_without_a_reason_is_refused_on_the_reason_input(data):
    section = data.draw(r.item_points_sections("s", notice=True))
    answer = d.SectionAnswer(
        not_applicable=True,
        not_applicable_reason=data.draw(st.sampled_from(["", "  ", "\n"])),
        notice_kind=data.draw(st.none() | st.sampled_from([i.key for i in section.notice_kinds])),
    )
    result, problems = e.assess_section(section, answer, part_key="p")
    assert [(p.key, p.field, p.code) for p in problems] == [
        (section.key, f"p-{section.key}-na_reason", "reason_required")
    ]
    # The running score still shows the full points beside the refusal.
    assert result.not_applicable and result.score == section.max_points


@engine_settings
@given(st.data())
def test_not_applicable_on_a_section_without_notices_is_still_refused(data):
    section = data.draw(r.item_points_sections("s", notice=False))
    answer = d.SectionAnswer(not_applicable=True, not_applicable_reason="无二核通知书")
    _result, problems = e.assess_section(section, answer, part_key="p")
    assert [p.code for p in problems] == ["not_applicable_refused"]


# --- missing answers ---------------------------------------------------------------


@engine_settings
@given(st.data())
def test_missing_answers_count_zero_and_are_listed(data):
    sheet = data.draw(r.sheet_defs())
    alternative = data.draw(st.sampled_from([p.key for p in sheet.parts]))
    answers = r.full_sheet_answers(sheet, alternative)
    for part in answers.parts.values():
        part.servicing_item = None
    full = e.score_sheet(sheet, answers, GRADE_BANDS)
    candidates = readable_slots(sheet, answers)
    blanked = data.draw(st.lists(st.sampled_from(candidates), unique_by=lambda s: s[2]))
    for part, section, key, _label, _maximum in blanked:
        set_value(answers, part, section, key, data.draw(st.sampled_from([None, "", "  "])))
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    assert result.score == full.score - sum((s[4] for s in blanked), ZERO)
    assert result.max_points == full.max_points
    labels = [s[3] for s in blanked]
    # Every form of a sheet with servicing items asks for one (its own header).
    expected_missing = labels + (
        ["servicing item"] * len(answers.parts) if sheet.servicing_items else []
    )
    assert len(result.missing) == len(expected_missing)
    for label in labels:
        assert label in result.missing
    assert result.complete == (not expected_missing)


# --- impossible answers --------------------------------------------------------------


@engine_settings
@given(st.data())
def test_an_impossible_answer_raises_naming_it(data):
    sheet = data.draw(r.sheet_defs())
    alternative = data.draw(st.sampled_from([p.key for p in sheet.parts]))
    answers = r.full_sheet_answers(sheet, alternative)
    for part in answers.parts.values():
        part.servicing_item = None
    part, section, key, label, maximum = data.draw(st.sampled_from(readable_slots(sheet, answers)))
    bad = data.draw(r.invalid_values(maximum))
    set_value(answers, part, section, key, bad.value)
    with pytest.raises(e.ScoringError) as excinfo:
        e.score_sheet(sheet, answers, GRADE_BANDS)
    assert [(p.key, p.label) for p in excinfo.value.problems] == [(key, label)], bad.why
    assert label in str(excinfo.value)


@engine_settings
@given(st.data())
def test_every_impossible_answer_is_reported_at_once(data):
    sheet = data.draw(r.sheet_defs(data.draw(st.sampled_from([d.SINGLE, d.PARTS]))))
    answers = full_answers_without_servicing_item(sheet)
    candidates = readable_slots(sheet, answers)
    chosen = data.draw(st.lists(st.sampled_from(candidates), min_size=1, unique_by=lambda s: s[2]))
    for part, section, key, _label, maximum in chosen:
        set_value(answers, part, section, key, data.draw(r.invalid_values(maximum)).value)
    with pytest.raises(e.ScoringError) as excinfo:
        e.score_sheet(sheet, answers, GRADE_BANDS)
    reported = {(p.key, p.label) for p in excinfo.value.problems}
    assert reported == {(s[2], s[3]) for s in chosen}
    assert len(excinfo.value.problems) == len(chosen)


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.text(alphabet="0123456789.-+eE _", max_size=12),
    st.lists(st.integers(), max_size=2),
)


@engine_settings
@given(st.data())
def test_any_input_gives_a_result_or_a_scoring_error(data):
    sheet = data.draw(r.sheet_defs())
    answers = data.draw(r.valid_sheet_answers(sheet))
    candidates = readable_slots(sheet, answers)
    assume(candidates)
    for part, section, key, _label, _maximum in data.draw(
        st.lists(st.sampled_from(candidates), min_size=1, max_size=3)
    ):
        set_value(answers, part, section, key, data.draw(junk))
    try:
        result = e.score_sheet(sheet, answers, GRADE_BANDS)
    except e.ScoringError as error:
        assert error.problems
        assert all(p.key and p.message for p in error.problems)
    else:
        check_result(sheet, result)


# --- parse_points, percentages, grades, means ---------------------------------------


@engine_settings
@given(st.data())
def test_parse_points_accepts_one_decimal_place_within_the_maximum(data):
    maximum = data.draw(r.points)
    value = data.draw(r.one_decimal_between(ZERO, maximum))
    spelled = data.draw(
        st.sampled_from([value, str(value), f" {value} ", f"{value:.1f}", float(value)])
    )
    parsed = e.parse_points(spelled, key="k", label="l", maximum=maximum)
    assert parsed == value
    assert parsed.is_finite()
    assert not parsed.is_signed()


@engine_settings
@given(st.data())
def test_parse_points_rejects_impossible_values(data):
    maximum = data.draw(r.points)
    bad = data.draw(r.invalid_values(maximum))
    with pytest.raises(e.ScoringError) as excinfo:
        e.parse_points(bad.value, key="k", label="l", maximum=maximum)
    assert [(p.key, p.label) for p in excinfo.value.problems] == [("k", "l")], bad.why


@engine_settings
@given(st.data())
def test_percent_of(data):
    maximum = data.draw(r.one_decimal_between(Decimal("0.1"), Decimal(1000)))
    score = data.draw(r.one_decimal_between(ZERO, maximum))
    percent = e.percent_of(score, maximum)
    assert ZERO <= percent <= 100
    assert percent.as_tuple().exponent == -2
    assert abs(percent - score * 100 / maximum) <= Decimal("0.005")
    assert (percent == 100) == (score == maximum) or maximum > 20000


percents = st.integers(min_value=0, max_value=10000).map(lambda n: Decimal(n) / 100)


@engine_settings
@given(percents, percents)
def test_grade_for_follows_the_bands_and_is_monotonic(low, high):
    low, high = sorted((low, high))
    grade = e.grade_for(low, GRADE_BANDS)
    assert grade == ("A" if low >= 85 else "B" if low >= 70 else "C")
    assert "ABC".index(e.grade_for(high, GRADE_BANDS)) <= "ABC".index(grade)


@engine_settings
@given(st.lists(st.none() | percents, max_size=12))
def test_mean_percent_ignores_none(values):
    present = [v for v in values if v is not None]
    mean = e.mean_percent(values)
    assert mean == e.mean_percent(present)
    if not present:
        assert mean is None
    else:
        assert min(present) <= mean <= max(present)
        assert abs(mean - sum(present, ZERO) / len(present)) <= Decimal("0.005")


# --- checklists --------------------------------------------------------------------


checklist_answers = st.one_of(
    st.none(),
    st.builds(d.ChecklistAnswer, compliant=st.none(), remark=st.sampled_from(["", "未见"])),
    st.builds(d.ChecklistAnswer, compliant=st.just(True), remark=st.sampled_from(["", "好"])),
    st.builds(
        d.ChecklistAnswer, compliant=st.just(False), remark=st.sampled_from(["x", "未着职业装"])
    ),
)


@engine_settings
@given(
    st.integers(min_value=0, max_value=10).flatmap(
        lambda n: st.tuples(st.just(n), st.lists(checklist_answers, min_size=n, max_size=n))
    )
)
def test_checklist_counts_and_rate(n_and_answers):
    n, answer_list = n_and_answers
    requirements = tuple(d.ItemDef(key=f"r{i}", text=f"要求 {i}") for i in range(n))
    answers = {f"r{i}": a for i, a in enumerate(answer_list) if a is not None}
    result = e.evaluate_checklist(requirements, answers)
    answered = result.compliant + result.non_compliant
    assert answered + len(result.unanswered) == n
    assert result.compliant == sum(1 for a in answers.values() if a.compliant is True)
    assert result.unanswered == tuple(
        req.text
        for req in requirements
        if answers.get(req.key, d.ChecklistAnswer()).compliant is None
    )
    if answered:
        assert result.rate == e.percent_of(Decimal(result.compliant), Decimal(answered))
        assert ZERO <= result.rate <= 100
    else:
        assert result.rate is None


@engine_settings
@given(st.lists(st.sampled_from(["", " ", "\t", None]), min_size=1, max_size=5))
def test_checklist_no_without_remark_raises_for_each(remarks):
    requirements = tuple(d.ItemDef(key=f"r{i}", text=f"要求 {i}") for i in range(len(remarks)))
    answers = {
        f"r{i}": d.ChecklistAnswer(compliant=False)
        if remark is None
        else d.ChecklistAnswer(compliant=False, remark=remark)
        for i, remark in enumerate(remarks)
    }
    with pytest.raises(e.ScoringError) as excinfo:
        e.evaluate_checklist(requirements, answers)
    assert [(p.key, p.label) for p in excinfo.value.problems] == [
        (req.key, req.text) for req in requirements
    ]


# --- the reference sheets ----------------------------------------------------------


@engine_settings
@given(st.data())
def test_reference_sheets_score_within_bounds(data):
    sheet = data.draw(st.sampled_from([r.new_business(), r.policy_change(), r.claims()]))
    answers = data.draw(r.valid_sheet_answers(sheet))
    result = e.score_sheet(sheet, answers, GRADE_BANDS)
    check_result(sheet, result)
    assert result.max_points <= 100
