"""Issue 15 point 1: the visit page shows the unit's score and grade, the
campaign board each unit's and branch's score, grade and rank, with the
consolidated report's numbers."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from inspections import selectors, services
from inspections.models import SheetRecord, Visit
from reports.selectors.campaign import consolidated_data
from scoring import definitions as d
from scoring.results import ApprovedVisit, standings

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2012, 11, 20)
BANDS = (d.GradeBandDef("A", Decimal(85)), d.GradeBandDef("B", Decimal(70)))


# --- the pure computation ----------------------------------------------------------


def visit(branch, office, percents, check=False):
    return ApprovedVisit(branch, office, check, tuple(Decimal(p) for p in percents))


def test_the_head_office_check_ranks_and_the_latest_visit_of_a_kind_counts():
    result = standings(
        [
            visit(1, 10, ["90"]),
            visit(1, 10, ["60"], check=True),  # ranks office 10, not the self-inspection
            visit(1, 11, ["50"]),
            visit(1, 11, ["80", "90"]),  # the later self-inspection replaces the first
            visit(1, None, ["80"]),  # the branch's own counters are a unit too
            visit(2, 20, ["85"]),
        ],
        BANDS,
    )
    units = {k: (s.result.percent, s.result.grade, s.rank) for k, s in result.units.items()}
    assert units == {
        (1, 10): (Decimal("60.00"), None, 4),
        (1, 11): (Decimal("85.00"), "A", 1),
        (1, None): (Decimal("80.00"), "B", 3),
        (2, 20): (Decimal("85.00"), "A", 1),  # a tie: competition ranks 1, 1, 3, 4
    }
    # A branch: every sheet of its units' ranking visits, not the mean of the units.
    branches = {k: (s.result.percent, s.rank) for k, s in result.branches.items()}
    assert branches == {1: (Decimal("77.50"), 2), 2: (Decimal("85.00"), 1)}


def test_a_unit_with_nothing_scored_is_unranked():
    result = standings([visit(1, 10, []), visit(1, 11, ["70"])], BANDS)
    assert result.units[1, 10].result.percent is None
    assert result.units[1, 10].rank is None
    assert result.units[1, 11].rank == 1
    assert standings([], BANDS).branches == {}


# --- the visit page ----------------------------------------------------------------


def approved(world, complete_visit, *, branch, office, percents, check=False):
    """An approved visit whose stored sheet percentages are then `percents`
    (approval freezes them; both the board and the reports read them)."""
    if check:
        manager, inspector, kind = world.hq, world.inspector_hq, Visit.Kind.HEAD_OFFICE_CHECK
    elif branch == world.branch_a:
        manager, inspector, kind = world.manager_a, world.inspector_a, Visit.Kind.SELF_INSPECTION
    else:
        manager, inspector, kind = world.manager_b, world.inspector_b, Visit.Kind.SELF_INSPECTION
    planned = services.plan_visit(
        user=manager,
        campaign=world.campaign,
        branch=branch,
        office=office,
        kind=kind,
        start_date=datetime.date(2012, 10, 25),
        end_date=datetime.date(2012, 10, 26),
        inspectors=[inspector],
    )
    complete_visit(planned, inspector)
    services.submit_visit(user=inspector, visit=planned)
    services.approve_visit(user=manager, visit=planned)
    records = list(planned.sheet_records.order_by("pk"))
    assert len(records) == len(percents)
    for record, percent in zip(records, percents, strict=True):
        SheetRecord.objects.filter(pk=record.pk).update(percent=Decimal(percent))
    return planned


def test_the_visit_page_shows_the_unit_s_score_and_grade(client, world, complete_visit):
    done = approved(
        world, complete_visit, branch=world.branch_a, office=world.a1, percents=["90", "80", "61"]
    )
    client.force_login(world.hq)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("visit-detail", args=[done.pk])).content.decode()
    shown = page.split('data-testid="unit-result">')[1].split("</p>")[0]
    assert "本单位得分与等级" in shown
    assert "77.00%" in shown and "<strong>B</strong>" in shown
    assert "共 3 张评分表" in shown


def test_the_visit_page_shows_a_dash_before_anything_is_scored(client, world, visit):
    client.force_login(world.hq)
    page = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    shown = page.split('data-testid="unit-result">')[1].split("</p>")[0]
    assert "—" in shown and "%" not in shown


# --- the campaign board ------------------------------------------------------------


@pytest.fixture
def results(world, complete_visit):
    """Approved visits in both branches; the branch A's own counters also
    have head office's check (an office would have to be drawn first)."""
    a, b = world.branch_a, world.branch_b
    approved(world, complete_visit, branch=a, office=world.a1, percents=["95", "90", "88"])
    approved(world, complete_visit, branch=a, office=None, percents=["70", "60", "65"], check=True)
    approved(world, complete_visit, branch=a, office=None, percents=["86", "84", "85"])
    approved(world, complete_visit, branch=a, office=world.a2, percents=["75", "72", "71"])
    approved(world, complete_visit, branch=b, office=world.b1, percents=["85", "85", "85"])


def standing_of(standing):
    if standing is None:
        return (None, None, None)
    return (standing.result.percent, standing.result.grade, standing.rank)


def test_the_board_s_numbers_are_the_consolidated_report_s(world, results):
    board = selectors.campaign_board(campaign=world.campaign, user=world.hq, today=TODAY)
    report = consolidated_data(campaign=world.campaign, today=TODAY)
    assert [standing_of(row.standing) for row in board] == [
        (b.percent, b.grade, b.rank) for b in report.branches
    ]
    expected = {(u.branch_id, u.office_id): (u.percent, u.grade, u.rank) for u in report.units}
    shown = {
        (row.branch.pk, unit.office.pk if unit.office else None): standing_of(unit.standing)
        for row in board
        for unit in row.units
    }
    assert {k: v for k, v in shown.items() if v[0] is not None} == {
        k: v for k, v in expected.items() if v[0] is not None
    }
    # And they are what the rules say: the branch itself ranks by head office's check.
    assert shown[world.branch_a.pk, None] == (Decimal("65.00"), "C", 4)
    assert shown[world.branch_a.pk, world.a1.pk] == (Decimal("91.00"), "A", 1)
    assert shown[world.branch_b.pk, world.b1.pk] == (Decimal("85.00"), "A", 2)
    assert shown[world.branch_a.pk, world.a3.pk] == (None, None, None)


def test_a_branch_manager_sees_their_branch_ranked_among_all(world, results):
    everyone = selectors.campaign_board(campaign=world.campaign, user=world.hq, today=TODAY)
    [own] = selectors.campaign_board(campaign=world.campaign, user=world.manager_b, today=TODAY)
    assert own.branch == world.branch_b
    assert standing_of(own.standing) == standing_of(everyone[1].standing)
    assert standing_of(own.standing) == (Decimal("85.00"), "A", 1)


def test_an_inspector_sees_no_unit_s_result_on_the_board(world, results):
    """An inspector sees only the visits they inspect, so not the results of the others."""
    [own] = selectors.campaign_board(campaign=world.campaign, user=world.inspector_a, today=TODAY)
    assert own.branch == world.branch_a
    assert own.standing is None
    assert all(unit.standing is None for unit in own.units)


def test_the_board_page_shows_score_grade_and_rank(client, world, results):
    client.force_login(world.hq)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
    branch_a = page.split(f'id="branch-{world.branch_a.pk}"')[1].split("</tbody>")[0]
    head = branch_a.split('data-testid="branch-standing">')[1].split("</td>")[0]
    # 表二–表四 of the ranking visits: a1, the branch's check, a2.
    assert "<strong>76.22%</strong> · B · 第 2 名" in head
    units = branch_a.split('data-testid="unit-standing">')[1:]
    assert "<strong>65.00%</strong> · C · 第 4 名" in units[0]  # the branch itself
    assert "<strong>91.00%</strong> · A · 第 1 名" in units[1]  # a1
    assert "—" in units[3] and "%" not in units[3].split("</td>")[0]  # a3: no visit


def test_approved_visits_add_no_query_to_the_board(
    client, world, complete_visit, django_assert_max_num_queries
):
    approved(world, complete_visit, branch=world.branch_a, office=world.a1, percents=["90"] * 3)
    client.force_login(world.hq)
    url = reverse("campaign-detail", args=[world.campaign.pk])
    with django_assert_max_num_queries(100) as few:
        client.get(url)
    for office in (None, world.a2, world.a3):
        approved(world, complete_visit, branch=world.branch_a, office=office, percents=["80"] * 3)
    approved(world, complete_visit, branch=world.branch_b, office=world.b1, percents=["70"] * 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert standing_of(response.context["board"][1].standing)[2] == 2
