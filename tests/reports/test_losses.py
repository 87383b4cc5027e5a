"""Where points are lost (issue 15, point 3): the figures by section, item,
branch and batch, computed by hand for a small world; the ranking-visit rule;
not-applicable items; the drill-down, its links and its refusals; the query
counts; the workbook."""

import datetime
import io
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from inspections import services
from inspections.models import ChecklistRecord, SheetRecord, Visit
from inspections.services.visits import correct_checklist, correct_sheet_part
from reports.selectors.losses import Scope, losses
from scoring.models import Item, RolloutBatch
from tests import factories

pytestmark = pytest.mark.django_db

SECTION = ("new_business", "new_business_process", "intake_review")  # 3 items of 10 points


def approve(world, complete_visit, *, office, branch=None, check=False, day=25):
    """An approved visit of `office` (or of `branch` itself): a self-inspection,
    or head office's check."""
    branch = branch or office.branch
    if check:
        manager, inspector, kind = world.hq, world.inspector_hq, Visit.Kind.HEAD_OFFICE_CHECK
    elif branch == world.branch_a:
        manager, inspector, kind = world.manager_a, world.inspector_a, Visit.Kind.SELF_INSPECTION
    else:
        manager, inspector, kind = world.manager_b, world.inspector_b, Visit.Kind.SELF_INSPECTION
    visit = services.plan_visit(
        user=manager,
        campaign=world.campaign,
        branch=branch,
        office=office,
        kind=kind,
        start_date=datetime.date(2012, 10, day),
        end_date=datetime.date(2012, 10, day + 1),
        inspectors=[inspector],
    )
    complete_visit(visit, inspector)
    services.submit_visit(user=inspector, visit=visit)
    return services.approve_visit(user=manager if not check else world.hq, visit=visit)


def item_pk(world, sheet, section, code) -> str:
    return str(
        Item.objects.get(
            section__part__sheet__rubric=world.rubric,
            section__part__sheet__code=sheet,
            section__code=section,
            code=code,
        ).pk
    )


def lose(world, visit, *, score, remark="", code="i1"):
    """Score item `code` of 表二's intake review `score` (of 10) on the visit's
    first 表二, with a remark, as a correction after an upheld objection does."""
    record = SheetRecord.objects.filter(visit=visit, sheet__code="new_business").first()
    part = record.parts.select_related("part").get(part__code=SECTION[1])
    answers = dict(part.answers)
    key = item_pk(world, *SECTION[::2], code)
    answers["sections"]["intake_review"]["items"][key] = str(score)
    answers["remarks"] = {key: remark}
    correct_sheet_part(record=record, part_code=SECTION[1], answers=answers)


def breach(world, visit, *, code="i2", remark="争执"):
    """表七's requirement `code` not complied with on the visit's first 表七."""
    checklist = ChecklistRecord.objects.filter(visit=visit, sheet__code="etiquette").first()
    key = item_pk(world, "etiquette", "requirements", code)
    answers = dict(checklist.answers)
    answers[key] = {"compliant": False, "remark": remark}
    correct_checklist(checklist=checklist, answers=answers)


@pytest.fixture
def two(world, complete_visit):
    """Office a1 (branch A, second batch) and b1 (branch B, first batch), one
    approved self-inspection each; each has one 表二 and one 表三. a1 loses all
    10 points of intake item i1, b1 loses 5 of them; one of a1's two 表七
    breaches requirement i2. Both 表三 are of a surrender (退保), for which
    payment-notice printing (10 points) is not applicable."""
    world.branch_b.rollout_batch = RolloutBatch.FIRST
    world.branch_b.save()
    world.visit_a = approve(world, complete_visit, office=world.a1)
    world.visit_b = approve(world, complete_visit, office=world.b1)
    lose(world, world.visit_a, score=0, remark="未见客户签名")
    lose(world, world.visit_b, score=5, remark="签名不全")
    breach(world, world.visit_a)
    return world


def page(client, user, campaign, **params):
    client.force_login(user)
    return client.get(reverse("campaign-losses", args=[campaign.pk]), params)


def scope(world, **kwargs):
    return Scope(campaign=world.campaign, user=world.hq, **kwargs)


def section_of(data, key):
    return next(s for s in data.sections if (s.key.sheet, s.key.part, s.key.section) == key)


def test_the_figures_by_hand(two):
    data = losses(scope=scope(two))
    intake = section_of(data, SECTION)
    # Two 表二 (one per visit) of 30 points each: 10 + 5 lost.
    assert (intake.loss.checked, intake.loss.lost, intake.loss.visits) == (60, 15, 2)
    assert intake.loss.share == Decimal("25.0")
    i1, i2, _i3 = intake.items
    assert (i1.loss.checked, i1.loss.lost, i1.loss.share, i1.loss.visits) == (
        20,
        15,
        Decimal("75.0"),
        2,
    )
    assert i2.loss.lost == 0 and i2.loss.share == Decimal("0.0")
    # The heat map: a row per branch, a column per section.
    rows = {row.label: row for row in data.heat_rows}
    column = data.sections.index(intake)
    assert rows["甲分公司"].cells[column].loss.share == Decimal("33.3")
    assert rows["乙分公司"].cells[column].loss.share == Decimal("16.7")
    assert [row.label for row in data.batch_rows] == [
        str(RolloutBatch.FIRST.label),
        str(RolloutBatch.SECOND.label),
    ]
    # The top ten: only items that lost points; i1 first.
    assert [(item.text, item.loss.lost) for item in data.top] == [("投保资料完整性审核", 15)]
    # Every counted visit, and every section's points (表二, 表三, 表四: less than
    # 3 × 100 per visit, as not-applicable items count nowhere).
    assert data.total.visits == 2
    assert data.total.checked == sum(s.loss.checked for s in data.sections) < 2 * 300
    assert data.total.lost == 15


def test_not_applicable_items_count_nowhere(two):
    data = losses(scope=scope(two))
    printing = section_of(
        data, ("policy_change", "policy_change_process", "payment_notice_printing")
    )
    assert (printing.loss.checked, printing.loss.visits, printing.loss.share) == (0, 0, None)
    assert printing.whole and not printing.items
    # 表三's 100 points, less the 10 not applicable, on each of the two visits.
    policy_change = next(group for group in data.sheets if group.label == "表三")
    assert policy_change.loss.checked == 2 * 90


def test_checklist_requirements_by_non_compliance_rate(two):
    data = losses(scope=scope(two))
    first = data.requirements[0]
    # 表七 at a1 for two people, at b1 for one: 1 of 3 answers did not comply.
    assert (first.sheet_label, first.key.item) == ("表七", "i2")
    assert (first.non_compliant, first.answered, first.visits) == (1, 3, 2)
    assert first.rate == Decimal("33.3")
    assert all(line.rate == 0 for line in data.requirements[1:])
    assert {line.sheet_label for line in data.requirements} == {"表五", "表七"}


def test_filters_by_branch_and_by_batch(two):
    by_branch = losses(scope=scope(two, branch=two.branch_b))
    by_batch = losses(scope=scope(two, batch=RolloutBatch.FIRST))
    for data in (by_branch, by_batch):
        intake = section_of(data, SECTION)
        assert (intake.loss.checked, intake.loss.lost, intake.loss.share) == (
            30,
            5,
            Decimal("16.7"),
        )
        assert [row.label for row in data.heat_rows] == ["乙分公司"]
        assert data.total.visits == 1
    assert losses(scope=scope(two, batch=RolloutBatch.THIRD)).total.visits == 0


def test_a_self_inspection_replaced_by_a_head_office_check_no_longer_counts(two, complete_visit):
    own = approve(two, complete_visit, office=None, branch=two.branch_a, day=26)
    lose(two, own, score=2, remark="本部失分")
    intake = section_of(losses(scope=scope(two)), SECTION)
    assert (intake.loss.checked, intake.loss.lost, intake.loss.visits) == (90, 23, 3)
    # Head office's check of the branch's own counters, full marks, ranks it now.
    approve(two, complete_visit, office=None, branch=two.branch_a, check=True, day=28)
    data = losses(scope=scope(two))
    intake = section_of(data, SECTION)
    assert (intake.loss.checked, intake.loss.lost, intake.loss.visits) == (90, 15, 3)
    assert data.total.visits == 3


def test_the_page_shows_the_tables_with_links_to_the_visits_behind(client, two):
    response = page(client, two.hq, two.campaign)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="losses-heatmap" data-chart="heatmap"' in body
    assert 'data-chart-for="losses-heatmap"' in body
    assert "loss-band-" in body
    assert 'data-testid="which-visits"' in body
    drill = reverse("campaign-loss-visits", args=[two.campaign.pk])
    heat = response.context["data"].heat_rows[0].cells
    hrefs = [f"{drill}?{cell.query}" for cell in heat]
    assert all(href.replace("&", "&amp;") in body for href in hrefs)
    # The heat map cell of branch A's intake review leads to a1's finding.
    column = response.context["data"].sections.index(section_of(response.context["data"], SECTION))
    cell = next(r for r in response.context["data"].heat_rows if r.label == "甲分公司").cells[
        column
    ]
    query = parse_qs(cell.query)
    assert query["branch"] == [str(two.branch_a.pk)] and query["section"] == ["intake_review"]
    drilled = client.get(f"{drill}?{cell.query}")
    assert drilled.status_code == 200
    text = drilled.content.decode()
    assert "未见客户签名" in text and "签名不全" not in text
    assert reverse("visit-detail", args=[two.visit_a.pk]) in text
    record = SheetRecord.objects.filter(visit=two.visit_a, sheet__code="new_business").first()
    assert reverse("visit-sheet", args=[two.visit_a.pk, record.pk]) in text


def test_the_drill_down_of_an_item_and_of_a_requirement(client, two):
    client.force_login(two.hq)
    drill = reverse("campaign-loss-visits", args=[two.campaign.pk])
    data = losses(scope=scope(two))
    top = client.get(f"{drill}?{data.top[0].query}")
    assert top.status_code == 200
    rows = top.context["rows"]
    # Worst first: a1 lost 10, b1 5.
    assert [(row.visit_id, row.lost) for row in rows] == [
        (two.visit_a.pk, 10),
        (two.visit_b.pk, 5),
    ]
    requirement = client.get(f"{drill}?{data.requirements[0].query}")
    body = requirement.content.decode()
    assert "争执" in body
    assert reverse("visit-checklist", args=[two.visit_a.pk, "etiquette"]) in body


def test_a_branch_manager_sees_their_own_branch_only(client, two):
    response = page(client, two.manager_b, two.campaign)
    assert response.status_code == 200
    data = response.context["data"]
    assert [row.label for row in data.heat_rows] == ["乙分公司"]
    assert section_of(data, SECTION).loss.lost == 5
    assert "甲分公司" not in response.content.decode()
    # Branch A named in the query: a 404, on the page, the drill-down and the workbook.
    assert page(client, two.manager_b, two.campaign, branch=two.branch_a.pk).status_code == 404
    drill = reverse("campaign-loss-visits", args=[two.campaign.pk])
    query = {"sheet": SECTION[0], "part": SECTION[1], "section": SECTION[2]}
    assert client.get(drill, query | {"branch": two.branch_a.pk}).status_code == 404
    xlsx = reverse("campaign-losses-xlsx", args=[two.campaign.pk])
    assert client.get(xlsx, {"branch": two.branch_a.pk}).status_code == 404
    # Without a branch, the drill-down is their branch's.
    own = client.get(drill, query)
    assert own.status_code == 200
    text = own.content.decode()
    assert "签名不全" in text and "未见客户签名" not in text


def test_inspectors_are_refused(client, two):
    for user in (two.inspector_a, two.inspector_hq):
        assert page(client, user, two.campaign).status_code == 403


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"batch": "fourth"}, "is not a rollout batch"),
        ({"branch": "abc"}, "does not name a branch"),
        ({"sheet": "nope", "section": "intake_review"}, "has no such sheet"),
        ({"sheet": "new_business", "section": "nope"}, "has no such section"),
        ({"sheet": "new_business", "section": "intake_review", "item": "i9"}, "has no such item"),
        ({"sheet": "process_log", "section": "x"}, "has no such sheet"),
        ({"sheet": "new_business"}, "its sheet and section"),
    ],
)
def test_bad_parameters_get_a_clear_message(client, two, params, message):
    client.cookies["django_language"] = "en"
    client.force_login(two.hq)
    url = reverse("campaign-loss-visits", args=[two.campaign.pk])
    if not {"sheet", "section"} & params.keys():
        params = {"sheet": "new_business", "section": "intake_review"} | params
    response = client.get(url, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_branch_is_a_404(client, two):
    other = factories.BranchFactory(code="zz")
    assert page(client, two.hq, two.campaign, branch=other.pk).status_code == 404


def test_the_board_links_to_the_page(client, two):
    link = reverse("campaign-losses", args=[two.campaign.pk])
    for user, shown in ((two.hq, True), (two.manager_a, True), (two.inspector_a, False)):
        client.force_login(user)
        body = client.get(reverse("campaign-detail", args=[two.campaign.pk])).content.decode()
        assert (link in body) is shown, user


def test_query_counts_do_not_grow_with_visits(
    client, two, complete_visit, django_assert_max_num_queries
):
    drill = reverse("campaign-loss-visits", args=[two.campaign.pk])
    query = {"sheet": SECTION[0], "part": SECTION[1], "section": SECTION[2]}
    client.force_login(two.hq)
    counts = {}
    for label in ("two visits", "four visits"):
        with django_assert_max_num_queries(30) as page_queries:
            assert client.get(reverse("campaign-losses", args=[two.campaign.pk])).status_code == 200
        with django_assert_max_num_queries(30) as drill_queries:
            assert client.get(drill, query).status_code == 200
        counts[label] = (len(page_queries), len(drill_queries))
        if label == "two visits":
            for office in (two.a2, two.b2):
                visit = approve(two, complete_visit, office=office)
                lose(two, visit, score=3, remark="另一处失分")
    assert counts["two visits"] == counts["four visits"]
    assert section_of(losses(scope=scope(two)), SECTION).loss.visits == 4


def test_the_workbook_reads_back(client, two):
    client.force_login(two.hq)
    response = client.get(reverse("campaign-losses-xlsx", args=[two.campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    sections, heat, top, requirements = workbook.worksheets
    rows = list(sections.iter_rows(values_only=True))
    intake = next(row for row in rows if row[1] == "接单初审" and not row[2])
    assert intake[3:8] == (30, 60, 15, 25.0, 2)
    header, *branches = list(heat.iter_rows(values_only=True))
    column = header.index("表二 接单初审")
    assert {row[0]: row[column] for row in branches}["甲分公司"] == 33.3
    assert list(top.iter_rows(values_only=True))[1][:5] == (
        1,
        "表二",
        "接单初审",
        "投保资料完整性审核",
        15,
    )
    first = list(requirements.iter_rows(values_only=True))[1]
    assert (first[0], first[3], first[4], first[5]) == ("表七", 3, 1, 33.3)


def test_the_workbook_keeps_the_filters(client, two):
    client.force_login(two.hq)
    response = client.get(
        reverse("campaign-losses-xlsx", args=[two.campaign.pk]), {"branch": two.branch_b.pk}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    branches = [row[0] for row in list(workbook.worksheets[1].iter_rows(values_only=True))[1:]]
    assert branches == ["乙分公司"]  # no batch rows for one branch


def test_the_page_in_chinese(client, two):
    client.force_login(two.hq)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("campaign-losses", args=[two.campaign.pk])).content.decode()
    assert "失分分布" in body and "Where points are lost" not in body


def test_the_links_keep_the_filters(client, two):
    response = page(client, two.hq, two.campaign, batch=RolloutBatch.FIRST)
    data = response.context["data"]
    for query in (data.top[0].query, data.sections[0].query, data.requirements[0].query):
        assert parse_qs(query)["batch"] == ["first"]
    assert (
        "batch=first"
        in urlsplit(
            response.content.decode().split('data-testid="losses-xlsx"')[0].rsplit('href="', 1)[1]
        ).query
    )
