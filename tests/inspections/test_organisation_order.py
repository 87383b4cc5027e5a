"""Lists of branches, offices and units follow the organisation's own order on
every database: rollout batch, then display order, then code (compared byte by
byte); within a branch its own unit first, then its offices.

The codes are chosen so that a collation that ignores punctuation ("b-2"
before "b1" byte by byte, after it in en_US) or that puts NULLs last
(PostgreSQL) would give another order."""

import datetime

import pytest

from inspections import selectors, services
from inspections.models import Branch, Office, Specialist, Visit
from reports.selectors.campaign import consolidated_data
from scoring.models import RolloutBatch
from tests import factories

DAY = datetime.date


@pytest.fixture
def organisation(fast_password_hashing, loaded_rubric):
    third = factories.BranchFactory(
        code="a-third", name="丙分公司", rollout_batch=RolloutBatch.THIRD
    )
    second_late = factories.BranchFactory(
        code="b1", name="乙分公司", rollout_batch=RolloutBatch.SECOND, order=2
    )
    second_early = factories.BranchFactory(
        code="b-2", name="丁分公司", rollout_batch=RolloutBatch.SECOND, order=2
    )
    first = factories.BranchFactory(
        code="z-first", name="甲分公司", rollout_batch=RolloutBatch.FIRST, order=9
    )
    # Offices of `first`: display order beats code; equal orders go by code, bytewise.
    for code, name, order in [("z1", "末支公司", 1), ("o1", "二支公司", 0), ("o-2", "一支公司", 0)]:
        factories.OfficeFactory(branch=first, code=code, name=name, order=order)
    factories.OfficeFactory(branch=third, code="c1", name="丙一支公司")
    hq = factories.HeadOfficeUserFactory(username="hq-order")
    campaign = services.create_campaign(
        user=hq,
        name="排序验收",
        rubric=loaded_rubric,
        period_start=DAY(2012, 10, 22),
        period_end=DAY(2012, 11, 30),
        report_due=DAY(2012, 11, 30),
        branches=[third, second_late, second_early, first],
    )
    return campaign, hq


BRANCHES = ["甲分公司", "丁分公司", "乙分公司", "丙分公司"]
UNITS_OF_FIRST = ["甲分公司", "一支公司", "二支公司", "末支公司"]


def test_default_orders(organisation):
    assert [b.name for b in Branch.objects.all()] == BRANCHES
    assert [o.name for o in Office.objects.all()] == [*UNITS_OF_FIRST[1:], "丙一支公司"]


def test_campaign_board_lists_branches_then_own_unit_first(organisation):
    campaign, hq = organisation
    board = selectors.campaign_board(campaign=campaign, user=hq, today=DAY(2012, 11, 1))
    assert [row.branch.name for row in board] == BRANCHES
    assert [unit.name for unit in board[0].units] == UNITS_OF_FIRST


def test_specialists_and_action_statistics_by_unit(organisation, make_unit_actions):
    campaign, hq = organisation
    first = Branch.objects.get(code="z-first")
    offices = list(Office.objects.filter(branch=first))
    post = factories.post("general")
    for n, office in enumerate([offices[2], None, offices[0]]):
        factories.SpecialistFactory(
            branch=first, office=office, home_post=post, employee_no=f"E-{n}", name=f"员工{n}"
        )
    listed = selectors.specialist_list(user=hq)
    assert [s.workplace.name for s in listed] == ["甲分公司", "一支公司", "末支公司"]
    assert list(listed) == list(Specialist.objects.all())

    make_unit_actions(campaign, hq, first, [offices[2], None, offices[0], offices[1]])
    rows = selectors.action_stats(user=hq, today=DAY(2012, 11, 1))
    assert [row.unit for row in rows] == UNITS_OF_FIRST


def test_consolidated_report_order(organisation):
    campaign, _hq = organisation
    data = consolidated_data(campaign=campaign, today=DAY(2012, 11, 1))
    assert [row.name for row in data.branches] == BRANCHES
    assert [unit.name for unit in data.branches[0].units] == UNITS_OF_FIRST[1:]


@pytest.fixture
def make_unit_actions():
    """One action per responsible unit (None: the branch itself), on one
    head-office check of the branch itself."""

    def make(campaign, hq, branch, units):
        inspector = factories.InspectorFactory(username="inspector-order")
        visit = services.plan_visit(
            user=hq,
            campaign=campaign,
            branch=branch,
            office=None,
            kind=Visit.Kind.HEAD_OFFICE_CHECK,
            start_date=DAY(2012, 10, 25),
            end_date=DAY(2012, 10, 26),
            inspectors=[inspector],
        )
        for n, office in enumerate(units):
            services.add_action(
                user=inspector,
                visit=visit,
                content_area=campaign.rubric.content_areas.first(),
                description=f"整改{n}",
                responsible_office=office,
                responsible_person="钱经理",
                deadline=DAY(2012, 12, 15),
                owner=None,
            )

    return make
