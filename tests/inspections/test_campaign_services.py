"""Issue 3, campaigns: opening one, its grade bands, the random draw of offices,
head office's KPI figures and their pass/fail, and the campaign board."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook

from inspections import draws, reminders, selectors, services
from inspections.models import Campaign, KpiFigure, RandomDraw, User, Visit
from scoring.models import KpiThreshold, RolloutBatch, RubricVersion
from tests import factories

pytestmark = pytest.mark.django_db

MIXED = KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE
BALANCED = KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE


def bands_of(campaign):
    return [(b.grade, b.minimum_percent) for b in campaign.grade_bands.order_by("-minimum_percent")]


def plan(world, office=None, kind=Visit.Kind.SELF_INSPECTION, **overrides):
    arguments = {
        "user": world.manager_a if kind == Visit.Kind.SELF_INSPECTION else world.hq,
        "campaign": world.campaign,
        "branch": world.branch_a,
        "office": office,
        "kind": kind,
        "start_date": datetime.date(2012, 10, 25),
        "end_date": datetime.date(2012, 10, 26),
        "inspectors": [world.inspector_a],
    }
    arguments.update(overrides)
    return services.plan_visit(**arguments)


# --- creating a campaign ---------------------------------------------------------


def test_a_new_campaign_copies_the_rubrics_grade_bands_and_records_its_scope(world):
    campaign = world.campaign
    assert bands_of(campaign) == [("A", Decimal(85)), ("B", Decimal(70)), ("C", Decimal(0))]
    assert set(campaign.branches.all()) == {world.branch_a, world.branch_b}
    assert campaign.rubric == world.rubric
    assert campaign.created_by == world.hq
    assert campaign.report_due == datetime.date(2012, 11, 30)


def test_the_campaigns_bands_are_a_copy_the_rubric_is_untouched(world):
    services.update_grade_bands(
        user=world.hq, campaign=world.campaign, bands=[("优", Decimal(90)), ("合格", Decimal(0))]
    )
    assert bands_of(world.campaign) == [("优", Decimal(90)), ("合格", Decimal(0))]
    rubric_bands = [(b.grade, b.minimum_percent) for b in world.rubric.grade_bands.all()]
    assert sorted(rubric_bands) == [("A", 85), ("B", 70), ("C", 0)]


@pytest.mark.parametrize("who", ["manager_a", "inspector_hq"])
def test_only_head_office_opens_a_campaign(world, who):
    with pytest.raises(PermissionDenied):
        services.create_campaign(
            user=getattr(world, who),
            name="越权",
            rubric=world.rubric,
            period_start=datetime.date(2013, 1, 1),
            period_end=datetime.date(2013, 2, 1),
            report_due=datetime.date(2013, 2, 1),
            branches=[world.branch_a],
        )
    assert Campaign.objects.count() == 1


def test_a_campaign_needs_a_published_rubric_and_a_sensible_period(world):
    draft = factories.RubricVersionFactory(status=RubricVersion.Status.DRAFT)
    common = {"user": world.hq, "name": "X", "branches": [world.branch_a]}
    with pytest.raises(ValidationError) as error:
        services.create_campaign(
            rubric=draft,
            period_start=datetime.date(2013, 1, 1),
            period_end=datetime.date(2013, 2, 1),
            report_due=datetime.date(2013, 2, 1),
            **common,
        )
    assert "rubric" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_campaign(
            rubric=world.rubric,
            period_start=datetime.date(2013, 2, 1),
            period_end=datetime.date(2013, 1, 1),
            report_due=datetime.date(2013, 2, 1),
            **common,
        )
    assert "period_end" in error.value.message_dict
    assert Campaign.objects.count() == 1


# --- grade bands -----------------------------------------------------------------


def test_grade_bands_are_editable_before_the_first_visit(world):
    services.update_grade_bands(
        user=world.hq,
        campaign=world.campaign,
        bands=[("A", Decimal(90)), ("B", Decimal("75.5")), ("C", Decimal(0))],
    )
    assert bands_of(world.campaign) == [
        ("A", Decimal(90)),
        ("B", Decimal("75.5")),
        ("C", Decimal(0)),
    ]


def test_grade_bands_are_refused_once_a_visit_exists(world):
    plan(world, office=world.a1)
    with pytest.raises(ValidationError):
        services.update_grade_bands(
            user=world.hq, campaign=world.campaign, bands=[("A", Decimal(50)), ("C", Decimal(0))]
        )
    assert bands_of(world.campaign) == [("A", Decimal(85)), ("B", Decimal(70)), ("C", Decimal(0))]


@pytest.mark.parametrize(
    "bands",
    [
        [("A", Decimal(85)), ("A", Decimal(0))],  # a grade twice
        [("A", Decimal(85)), ("B", Decimal(70))],  # no band from 0
        [("A", Decimal(150)), ("C", Decimal(0))],  # above 100 %
        [("A", Decimal(85)), ("C", Decimal(0)), ("D", Decimal(-5))],  # below 0 %
        [("", Decimal(85)), ("C", Decimal(0))],  # no grade
        [("EXCELLENT", Decimal(85)), ("C", Decimal(0))],  # longer than a grade may be
    ],
)
def test_grade_bands_must_cover_every_result_once(world, bands):
    with pytest.raises(ValidationError):
        services.update_grade_bands(user=world.hq, campaign=world.campaign, bands=bands)
    assert len(bands_of(world.campaign)) == 3


def test_only_head_office_edits_grade_bands(world):
    with pytest.raises(PermissionDenied):
        services.update_grade_bands(
            user=world.manager_a, campaign=world.campaign, bands=[("A", Decimal(0))]
        )
    assert len(bands_of(world.campaign)) == 3


def test_the_campaigns_bands_grade_its_sheets(world, visit):
    """Bands set before the first visit are the ones the visit's sheets are graded with."""
    sheet = world.rubric.sheets.get(code="policy_change")
    parts = factories.full_sheet_parts(sheet)
    parts["policy_change_process"]["answers"]["sections"]["document_review"]["score"] = "10"
    record = services.save_sheet(
        user=world.inspector_a,
        visit=visit,
        specialist=world.generalist,
        sheet=sheet,
        selection_method="followed_live",
        parts=parts,
    )
    assert record.percent == Decimal(80) and record.grade == "B"


# --- the random draw of offices ------------------------------------------------------


def test_the_draw_picks_two_active_offices_of_the_branch_and_records_everything(world):
    draw = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    active = {world.a1.pk, world.a2.pk, world.a3.pk}
    assert draw.kind == RandomDraw.Kind.OFFICES
    assert draw.drawn_by == world.hq and draw.drawn_at is not None
    assert draw.seed and draw.sample_size == 2
    assert draw.candidate_ids == sorted(active)  # the closed office is no candidate
    assert len(draw.result_ids) == 2 and set(draw.result_ids) <= active
    names = {world.a1.pk: "甲一支公司", world.a2.pk: "甲二支公司", world.a3.pk: "甲三支公司"}
    assert draw.result_labels == [names[pk] for pk in draw.result_ids]
    assert draw.is_current and draw.reason == ""


def test_the_draw_is_reproducible_from_its_seed_and_candidates(world):
    draw = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    draw.refresh_from_db()
    assert draws.draw(draw.candidate_ids, draw.sample_size, draw.seed) == draw.result_ids
    # Whatever order the candidates are listed in.
    shuffled = list(reversed(draw.candidate_ids))
    assert draws.draw(shuffled, draw.sample_size, draw.seed) == draw.result_ids


def test_a_given_seed_always_gives_the_same_offices(world):
    first = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, seed="2012-seed"
    )
    second = services.draw_offices(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        seed="2012-seed",
        reason="复核抽签结果",
    )
    assert first.result_ids == second.result_ids


def test_different_seeds_give_different_draws_over_many_tries():
    results = {tuple(draws.draw([1, 2, 3, 4, 5], 2, f"seed-{n}")) for n in range(50)}
    assert len(results) > 5
    assert all(len(set(r)) == 2 and set(r) <= {1, 2, 3, 4, 5} for r in results)


def test_a_branch_with_one_office_gets_that_office(world):
    world.a2.active = world.a3.active = False
    world.a2.save()
    world.a3.save()
    draw = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    assert draw.result_ids == [world.a1.pk]


def test_a_redraw_without_a_reason_is_refused(world):
    first = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    for reason in ("", "   "):
        with pytest.raises(ValidationError):
            services.draw_offices(
                user=world.hq, campaign=world.campaign, branch=world.branch_a, reason=reason
            )
    assert list(RandomDraw.objects.all()) == [first]
    first.refresh_from_db()
    assert first.is_current


def test_a_redraw_with_a_reason_supersedes_the_old_draw_which_stays_on_record(world):
    first = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    second = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, reason="  一家机构停业  "
    )
    first.refresh_from_db()
    assert first.superseded_by == second and not first.is_current
    assert second.is_current and second.reason == "一家机构停业"
    assert first.seed and first.result_ids  # the old draw is untouched
    assert draws.draw(first.candidate_ids, 2, first.seed) == first.result_ids
    history = list(selectors.draw_history(campaign=world.campaign, user=world.hq))
    assert history == [second, first]
    assert selectors.current_office_draws(campaign=world.campaign)[world.branch_a.pk] == second


def test_each_branch_has_its_own_draw(world):
    draw_a = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    draw_b = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_b)
    assert set(draw_b.result_ids) == {world.b1.pk, world.b2.pk}
    assert draw_a.is_current and draw_b.is_current


def test_the_draw_history_shows_a_branch_manager_only_their_branch(world):
    services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_a)
    draw_b = services.draw_offices(user=world.hq, campaign=world.campaign, branch=world.branch_b)
    assert list(selectors.draw_history(campaign=world.campaign, user=world.manager_b)) == [draw_b]


def test_a_branch_outside_the_campaign_cannot_be_drawn(world):
    outside = factories.BranchFactory(code="c", name="丙分公司")
    factories.OfficeFactory(branch=outside)
    with pytest.raises(ValidationError):
        services.draw_offices(user=world.hq, campaign=world.campaign, branch=outside)
    assert not RandomDraw.objects.exists()


def test_a_branch_without_an_active_office_cannot_be_drawn(world):
    empty = factories.BranchFactory(code="c", name="丙分公司")
    world.campaign.branches.add(empty)
    with pytest.raises(ValidationError):
        services.draw_offices(user=world.hq, campaign=world.campaign, branch=empty)


@pytest.mark.parametrize("who", ["manager_a", "inspector_hq", "inspector_a"])
def test_only_head_office_draws(world, who):
    with pytest.raises(PermissionDenied):
        services.draw_offices(
            user=getattr(world, who), campaign=world.campaign, branch=world.branch_a
        )
    assert not RandomDraw.objects.exists()


# --- KPI figures ----------------------------------------------------------------------


def test_head_office_enters_kpi_figures_by_form(world):
    count = services.save_kpi_figures(
        user=world.hq,
        campaign=world.campaign,
        figures=[
            (BALANCED, world.branch_a, None, "72.5"),
            (MIXED, world.branch_a, world.a1, "100%"),
            (MIXED, world.branch_a, world.a2, 98),
        ],
    )
    assert count == 3
    stored = {(f.kpi, f.branch_id, f.office_id): f.value_percent for f in KpiFigure.objects.all()}
    assert stored == {
        (BALANCED, world.branch_a.pk, None): Decimal("72.50"),
        (MIXED, world.branch_a.pk, world.a1.pk): Decimal("100.00"),
        (MIXED, world.branch_a.pk, world.a2.pk): Decimal("98.00"),
    }
    assert {f.entered_by for f in KpiFigure.objects.all()} == {world.hq}


def test_entering_a_figure_again_replaces_it(world):
    for value in ("60", "75"):
        services.save_kpi_figures(
            user=world.hq,
            campaign=world.campaign,
            figures=[(BALANCED, world.branch_a, None, value)],
        )
    assert KpiFigure.objects.get().value_percent == Decimal(75)


@pytest.mark.parametrize(
    "bad",
    [
        (MIXED, "branch_a", None, "100"),  # mixed is per office
        (BALANCED, "branch_a", "a1", "80"),  # balanced is per branch
        (BALANCED, "branch_a", None, "abc"),
        (BALANCED, "branch_a", None, "100.5"),
        (BALANCED, "branch_a", None, "-1"),
        (MIXED, "branch_a", "b1", "100"),  # office of another branch
    ],
)
def test_a_wrong_figure_saves_nothing(world, bad):
    kpi, branch, office, value = bad
    figures = [
        (MIXED, world.branch_a, world.a2, "100"),
        (kpi, getattr(world, branch), getattr(world, office) if office else None, value),
    ]
    with pytest.raises(ValidationError):
        services.save_kpi_figures(user=world.hq, campaign=world.campaign, figures=figures)
    assert not KpiFigure.objects.exists()


def test_a_branch_outside_the_campaign_gets_no_figure(world):
    outside = factories.BranchFactory(code="c", name="丙分公司")
    with pytest.raises(ValidationError):
        services.save_kpi_figures(
            user=world.hq, campaign=world.campaign, figures=[(BALANCED, outside, None, "90")]
        )
    assert not KpiFigure.objects.exists()


def test_only_head_office_enters_figures(world):
    with pytest.raises(PermissionDenied):
        services.save_kpi_figures(
            user=world.manager_a,
            campaign=world.campaign,
            figures=[(BALANCED, world.branch_a, None, "99")],
        )
    assert not KpiFigure.objects.exists()


def workbook(*rows, header=("分公司", "三级机构", "混合受理率", "均衡受理率")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_kpi_figures_import_from_excel(world):
    content = workbook(
        ("甲分公司", None, None, 88),
        ("甲分公司", "甲一支公司", 100, None),
        ("a", "a2", "99.5%", None),  # codes work as well as names
        (None, None, None, None),  # blank rows are skipped
        ("乙分公司", None, None, "70"),
    )
    assert services.import_kpi_figures(user=world.hq, campaign=world.campaign, content=content) == 4
    stored = {(f.kpi, f.office_id or f.branch_id): f.value_percent for f in KpiFigure.objects.all()}
    assert stored == {
        (BALANCED, world.branch_a.pk): Decimal(88),
        (MIXED, world.a1.pk): Decimal(100),
        (MIXED, world.a2.pk): Decimal("99.5"),
        (BALANCED, world.branch_b.pk): Decimal(70),
    }


def test_an_excel_import_with_any_bad_row_saves_nothing_and_numbers_the_rows(world):
    content = workbook(
        ("甲分公司", None, None, 88),  # row 2: fine
        ("丁分公司", None, None, 88),  # row 3: unknown branch
        ("甲分公司", "不存在支公司", 100, None),  # row 4: unknown office
        ("甲分公司", "甲一支公司", "百分百", None),  # row 5: not a number
        ("甲分公司", "甲二支公司", None, 80),  # row 6: balanced on an office row
        ("甲分公司", None, 100, None),  # row 7: mixed on a branch row
        ("甲分公司", "甲三支公司", 101, None),  # row 8: above 100
    )
    with pytest.raises(ValidationError) as error:
        services.import_kpi_figures(user=world.hq, campaign=world.campaign, content=content)
    messages = error.value.messages
    assert len(messages) == 6
    for row, message in zip((3, 4, 5, 6, 7, 8), messages, strict=True):
        assert str(row) in message
    assert "丁分公司" in messages[0] and "不存在支公司" in messages[1]
    assert not KpiFigure.objects.exists()


def test_an_excel_import_refuses_a_file_that_is_no_workbook_or_lacks_columns(world):
    with pytest.raises(ValidationError):
        services.import_kpi_figures(user=world.hq, campaign=world.campaign, content=b"not excel")
    with pytest.raises(ValidationError) as error:
        services.import_kpi_figures(
            user=world.hq,
            campaign=world.campaign,
            content=workbook(("甲分公司", 88), header=("分公司", "均衡受理率")),
        )
    assert "三级机构" in error.value.messages[0] and "混合受理率" in error.value.messages[0]
    assert not KpiFigure.objects.exists()


def test_only_head_office_imports_figures(world):
    with pytest.raises(PermissionDenied):
        services.import_kpi_figures(
            user=world.manager_a,
            campaign=world.campaign,
            content=workbook(("甲分公司", None, None, 88)),
        )


# --- pass or fail by rollout batch ----------------------------------------------------


@pytest.mark.parametrize(
    ("batch", "balanced", "passed"),
    [
        (RolloutBatch.FIRST, "85", True),
        (RolloutBatch.FIRST, "84.99", False),
        (RolloutBatch.FIRST, "70", False),
        (RolloutBatch.SECOND, "70", True),
        (RolloutBatch.SECOND, "69.99", False),
        (RolloutBatch.THIRD, "70", True),
        (RolloutBatch.THIRD, "69.99", False),
    ],
)
def test_the_balanced_rate_passes_by_the_branchs_rollout_batch(
    world, visit, batch, balanced, passed
):
    world.branch_a.rollout_batch = batch
    world.branch_a.save()
    services.save_kpi_figures(
        user=world.hq, campaign=world.campaign, figures=[(BALANCED, world.branch_a, None, balanced)]
    )
    status = {k.kpi: k for k in selectors.visit_kpis(visit=visit)}[BALANCED]
    assert status.value == Decimal(balanced)
    assert status.threshold == (Decimal(85) if batch == RolloutBatch.FIRST else Decimal(70))
    assert status.passed is passed
    assert status.unit_name == world.branch_a.name


@pytest.mark.parametrize("batch", list(RolloutBatch))
@pytest.mark.parametrize(("mixed", "passed"), [("100", True), ("99.99", False)])
def test_the_mixed_rate_passes_only_at_100_percent(world, visit, batch, mixed, passed):
    world.branch_a.rollout_batch = batch
    world.branch_a.save()
    services.save_kpi_figures(
        user=world.hq, campaign=world.campaign, figures=[(MIXED, world.branch_a, world.a1, mixed)]
    )
    rows = selectors.visit_kpis(visit=visit)
    assert [(r.kpi, r.unit_name) for r in rows] == [
        (BALANCED, world.branch_a.name),
        (MIXED, world.a1.name),
    ]
    assert rows[1].threshold == Decimal(100) and rows[1].passed is passed
    assert rows[0].value is None and rows[0].passed is None  # not entered yet


def test_a_visit_of_the_branch_itself_shows_every_active_offices_mixed_rate(world):
    branch_visit = plan(world, office=None)
    services.save_kpi_figures(
        user=world.hq,
        campaign=world.campaign,
        figures=[
            (MIXED, world.branch_a, world.a1, "100"),
            (MIXED, world.branch_a, world.a2, "90"),
            (MIXED, world.branch_b, world.b1, "100"),
        ],
    )
    rows = selectors.visit_kpis(visit=branch_visit)
    mixed = {r.unit_name: r.passed for r in rows if r.kpi == MIXED}
    assert mixed == {"甲一支公司": True, "甲二支公司": False, "甲三支公司": None}


def test_figures_of_another_campaign_do_not_count(world, visit):
    other = services.create_campaign(
        user=world.hq,
        name="2013",
        rubric=world.rubric,
        period_start=datetime.date(2013, 1, 1),
        period_end=datetime.date(2013, 2, 1),
        report_due=datetime.date(2013, 2, 1),
        branches=[world.branch_a],
    )
    services.save_kpi_figures(
        user=world.hq, campaign=other, figures=[(BALANCED, world.branch_a, None, "99")]
    )
    assert all(r.value is None for r in selectors.visit_kpis(visit=visit))


# --- the campaign board -----------------------------------------------------------------


def test_the_board_lists_every_unit_with_its_visits_and_the_drawn_offices(world):
    draw = services.draw_offices(
        user=world.hq, campaign=world.campaign, branch=world.branch_a, seed="fixed"
    )
    drawn_office = next(o for o in (world.a1, world.a2, world.a3) if o.pk in draw.result_ids)
    self_a1 = plan(world, office=world.a1)
    self_branch = plan(world, office=None)
    check = plan(
        world,
        office=drawn_office,
        kind=Visit.Kind.HEAD_OFFICE_CHECK,
        inspectors=[world.inspector_hq],
    )
    board = selectors.campaign_board(
        campaign=world.campaign, user=world.hq, today=datetime.date(2012, 11, 1)
    )
    assert [row.branch for row in board] == [world.branch_a, world.branch_b]
    row_a = board[0]
    assert row_a.draw == draw
    assert [unit.name for unit in row_a.units] == [
        "甲分公司",
        "甲一支公司",
        "甲二支公司",
        "甲三支公司",
    ]
    units = {unit.office.pk if unit.office else None: unit for unit in row_a.units}
    assert units[None].self_inspections == [self_branch]
    assert units[world.a1.pk].self_inspections == [self_a1]
    assert units[drawn_office.pk].head_office_checks == [check]
    assert {pk for pk, unit in units.items() if unit.drawn} == set(draw.result_ids)
    assert not row_a.late


def test_the_board_flags_branches_late_after_the_due_date(world, visit):
    before = selectors.campaign_board(
        campaign=world.campaign, user=world.hq, today=datetime.date(2012, 11, 30)
    )
    after = selectors.campaign_board(
        campaign=world.campaign, user=world.hq, today=datetime.date(2012, 12, 1)
    )
    assert [row.late for row in before] == [False, False]
    assert [row.late for row in after] == [True, True]
    # The branch itself has no visit; a1's is not approved, a2 and a3 have none.
    assert after[0].open_units == 4
    assert [unit.office for unit in after[0].unapproved_units] == [
        None,
        world.a1,
        world.a2,
        world.a3,
    ]


def approved_self_inspection(world, complete_visit, office):
    planned = plan(world, office=office)
    complete_visit(planned)
    services.submit_visit(user=world.inspector_a, visit=planned)
    return services.approve_visit(user=world.manager_a, visit=planned)


def test_a_branch_whose_units_are_all_approved_is_not_late(world, complete_visit):
    for office in (None, world.a1, world.a2, world.a3):
        approved_self_inspection(world, complete_visit, office)
    board = selectors.campaign_board(
        campaign=world.campaign, user=world.hq, today=datetime.date(2012, 12, 1)
    )
    assert [(row.branch, row.late, row.open_units) for row in board] == [
        (world.branch_a, False, 0),
        (world.branch_b, True, 3),  # the branch itself, b1 and b2
    ]


def test_the_branch_s_own_counters_count_like_an_office(world, complete_visit):
    """Seed 000: 分公司、三级机构均在验收范围. Every office approved is not enough:
    the branch's own counters (visits with no office) need an approved
    self-inspection by the due date too."""
    for office in (world.a1, world.a2, world.a3):
        approved_self_inspection(world, complete_visit, office)
    own = plan(world, office=None)
    complete_visit(own)
    services.submit_visit(user=world.inspector_a, visit=own)  # submitted, not approved

    def row_a(day):
        board = selectors.campaign_board(campaign=world.campaign, user=world.hq, today=day)
        return board[0]

    assert not row_a(datetime.date(2012, 11, 30)).late
    late = row_a(datetime.date(2012, 12, 1))
    assert (late.late, late.open_units) == (True, 1)
    [unit] = late.unapproved_units
    assert unit.office is None and unit.name == "甲分公司"
    assert not unit.self_inspection_approved

    services.approve_visit(user=world.manager_a, visit=own)
    assert not row_a(datetime.date(2012, 12, 1)).late


def test_the_board_page_marks_the_late_branch_s_own_counters(client, world, complete_visit):
    for office in (world.a1, world.a2, world.a3):
        approved_self_inspection(world, complete_visit, office)
    client.force_login(world.hq)
    client.cookies["django_language"] = "zh-hans"
    with time_machine.travel(datetime.datetime(2012, 12, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        html = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
    branch_a = html.split(f'id="branch-{world.branch_a.pk}"')[1].split("</tbody>")[0]
    assert "逾期：1 个单位自查未批准" in branch_a
    rows = branch_a.split("<tr>")[1:]  # the unit rows: the branch itself first
    assert "分公司本部" in rows[0]
    assert 'data-testid="unit-late"' in rows[0]
    assert not any('data-testid="unit-late"' in row for row in rows[1:])
    assert reverse("campaign-remind", args=[world.campaign.pk, world.branch_a.pk]) in branch_a


def test_a_branch_manager_sees_only_their_branch_on_the_board(world, visit):
    board = selectors.campaign_board(
        campaign=world.campaign, user=world.manager_b, today=datetime.date(2012, 11, 1)
    )
    assert [row.branch for row in board] == [world.branch_b]
    assert all(not unit.self_inspections for unit in board[0].units)


def test_a_reminder_tells_the_late_branch_s_managers_what_is_open(world, visit, mailoutbox):
    world.manager_a.email = "a@example.cn"
    world.manager_a.save()
    factories.BranchManagerFactory(username="a-2", branch=world.branch_a, email="a2@example.cn")
    factories.BranchManagerFactory(username="a-mute", branch=world.branch_a, email="")
    factories.BranchManagerFactory(username="b-2", branch=world.branch_b, email="b@example.cn")

    sent = reminders.send_report_reminder(
        user=world.hq,
        campaign=world.campaign,
        branch=world.branch_a,
        today=datetime.date(2012, 12, 1),
    )
    assert sent == 2
    [mail] = mailoutbox
    assert sorted(mail.to) == ["a2@example.cn", "a@example.cn"]
    assert "2012-11-30" in mail.subject and world.campaign.name in mail.subject
    # In Chinese, naming every office without an approved self-inspection.
    assert "尚未批准" in mail.body or "未批准" in mail.body, mail.body
    for office in (world.a1, world.a2, world.a3):
        assert office.name in mail.body
    assert "甲分公司（分公司本部柜面）" in mail.body  # the branch's own counters too
    assert world.a_closed.name not in mail.body
    assert "分公司验收报告" in mail.body  # not submitted yet
    assert f"/campaigns/{world.campaign.pk}/" in mail.body

    with pytest.raises(PermissionDenied):
        reminders.send_report_reminder(
            user=world.manager_a, campaign=world.campaign, branch=world.branch_a
        )
    outside = factories.BranchFactory(code="c", name="丙分公司")
    with pytest.raises(ValidationError, match="丙分公司"):
        reminders.send_report_reminder(user=world.hq, campaign=world.campaign, branch=outside)
    world.manager_a.email = ""
    world.manager_a.save()
    User.objects.filter(username="a-2").update(email="")
    with pytest.raises(ValidationError):
        reminders.send_report_reminder(
            user=world.hq, campaign=world.campaign, branch=world.branch_a
        )
    assert len(mailoutbox) == 1


def test_the_admin_locks_grade_bands_and_rubric_once_a_visit_exists(world, admin_client):
    from django.urls import reverse

    url = reverse("admin:inspections_campaign_change", args=[world.campaign.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="grade_bands-0-minimum_percent"' in page
    assert 'name="rubric"' in page
    plan(world, office=world.a1)
    page = admin_client.get(url).content.decode()
    assert 'name="grade_bands-0-minimum_percent"' not in page  # shown, not editable
    assert 'name="rubric"' not in page
    bands = list(world.campaign.grade_bands.values_list("grade", "minimum_percent"))
    assert bands and all(f">{grade}<" in page for grade, _m in bands)
