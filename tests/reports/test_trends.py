"""A unit's results across campaigns (issue 15, point 4): columns per campaign
with a counting visit, the consolidated numbers, sections matched by code
across rubric versions, what could not be matched listed apart, access, the
workbook, and queries that do not grow with campaigns and visits."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from inspections.selectors import campaign_standings
from reports.exporters.trends import TrendXlsxExporter
from reports.selectors.trends import lost_band, unit_trend
from tests.inspections import campaign_series as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(world):
    """2012 (rubric 2012): a1 and b1. 2013 (a copy, one item replaced): a1,
    failing `kept`, and a2. The 2013 campaign is created first: columns follow
    the period start, not the id."""
    keys = cs.codes(world)
    c2013 = cs.campaign(world, 2013, cs.next_rubric(world))
    cs.approved(world, world.campaign, world.a1)
    cs.approved(world, world.campaign, world.b1)
    cs.approved(world, c2013, world.a1, fail=[(keys.kept, "未核对签名")])
    cs.approved(world, c2013, world.a2)
    return keys, c2013


def section_row(trend, keys):
    block = next(b for b in trend.sections if b.label.startswith("表二"))
    return next(r for r in block.rows if r.label == keys.section.name)


def test_an_office_s_columns_and_numbers_are_the_consolidated_ones(world, series):
    keys, c2013 = series
    trend = unit_trend(branch_id=world.branch_a.pk, office_id=world.a1.pk)
    assert [c.campaign for c in trend.columns] == [world.campaign, c2013]
    assert [c.visits for c in trend.columns] == [1, 1]
    for column, value in zip(trend.columns, trend.overall.values, strict=True):
        standing = campaign_standings(campaign=column.campaign).units[
            (world.branch_a.pk, world.a1.pk)
        ]
        assert value == standing.result.percent
    assert trend.overall.values[0] == 100 and trend.overall.values[1] < 100
    new_business = next(r for r in trend.sheets if r.sheet_code == cs.SHEET)
    assert new_business.values[0] == 100 and new_business.values[1] < 100
    etiquette = next(r for r in trend.sheets if r.sheet_code == "etiquette")
    assert etiquette.requirement and etiquette.values == [100, 100]
    row = section_row(trend, keys)
    assert row.values[0] == 0 and row.values[1] > 0
    assert [band for _v, band in row.cells] == ["loss-band-0", lost_band(row.values[1])]
    assert not row.matched  # one of its items was replaced in 2013
    assert all(r.matched for b in trend.sections for r in b.rows if r is not row)


def test_a_branch_counts_its_units_counting_visits(world, series):
    _keys, _c2013 = series
    trend = unit_trend(branch_id=world.branch_a.pk, whole_branch=True)
    assert [c.visits for c in trend.columns] == [1, 2]
    for column, value in zip(trend.columns, trend.overall.values, strict=True):
        standing = campaign_standings(campaign=column.campaign).branches[world.branch_a.pk]
        assert value == standing.result.percent
    # Branch B: only 2012.
    trend_b = unit_trend(branch_id=world.branch_b.pk, whole_branch=True)
    assert [c.campaign for c in trend_b.columns] == [world.campaign]
    assert not trend_b.versions_differ and trend_b.unmatched == []


def test_what_one_rubric_version_only_has_is_listed_apart(world, series):
    keys, c2013 = series
    trend = unit_trend(branch_id=world.branch_a.pk, office_id=world.a1.pk)
    assert trend.versions_differ
    assert [v for v, _names in trend.versions] == [str(world.rubric), str(c2013.rubric)]
    removed = keys.section.items.get(code=keys.removed)
    items = {(u.kind, u.item): (u.versions, u.missing) for u in trend.unmatched}
    assert items[("item", removed.text)] == ((str(world.rubric),), (str(c2013.rubric),))
    assert items[("item", "新增：核对客户身份证件有效期")] == (
        (str(c2013.rubric),),
        (str(world.rubric),),
    )
    kept = keys.section.items.get(code=keys.kept)
    assert ("item", kept.text) not in items  # matched by its code
    assert len(trend.unmatched) == 2


def test_the_page_says_which_visits_count_and_what_is_not_matched(client, world, series):
    _keys, c2013 = series
    client.force_login(world.hq)
    response = client.get(reverse("office-trend", args=[world.a1.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="which-visits"' in body and 'data-testid="versions-differ"' in body
    assert body.index(world.campaign.name) < body.index(c2013.name)
    assert body.count('data-testid="unmatched-row"') == 2
    assert "新增：核对客户身份证件有效期" in body
    assert 'data-chart="line"' in body and 'data-chart-for="trend-chart"' in body
    trend = unit_trend(branch_id=world.branch_a.pk, office_id=world.a1.pk)
    assert f'data-value="{trend.overall.values[1]}"' in body
    assert body.count('data-testid="unmatched-mark"') == 1  # the section whose item changed
    assert reverse("office-trend-xlsx", args=[world.a1.pk]) in body
    # The board links to it.
    board = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
    assert reverse("office-trend", args=[world.a1.pk]) in board
    assert reverse("branch-trend", args=[world.branch_a.pk]) in board


def test_a_unit_without_approved_visits_says_so(client, world):
    client.force_login(world.hq)
    body = client.get(reverse("office-trend", args=[world.a3.pk])).content.decode()
    assert 'data-testid="no-campaign"' in body


def test_access(client, world, series):
    office = reverse("office-trend", args=[world.a1.pk])
    branch = reverse("branch-trend", args=[world.branch_a.pk])
    xlsx = reverse("office-trend-xlsx", args=[world.a1.pk])
    cases = [
        (world.hq, 200),
        (world.manager_a, 200),
        (world.manager_b, 404),  # another branch's
        (world.inspector_a, 403),  # sees no unit's results
        (world.inspector_hq, 403),
    ]
    for user, status in cases:
        client.force_login(user)
        for url in (office, branch, xlsx):
            assert client.get(url).status_code == status, (user, url)
    client.force_login(world.manager_b)
    assert client.get(reverse("branch-trend", args=[world.branch_b.pk])).status_code == 200
    client.logout()
    assert client.get(office).status_code == 302


@pytest.mark.parametrize("name", ["office-trend", "branch-trend", "office-trend-xlsx"])
def test_an_unknown_id_is_a_404(client, world, name):
    client.force_login(world.hq)
    assert client.get(reverse(name, args=[999999])).status_code == 404
    assert client.get(reverse(name, args=[0])).status_code == 404


def test_the_workbook_reads_back(client, world, series):
    keys, c2013 = series
    client.force_login(world.manager_a)
    response = client.get(reverse("office-trend-xlsx", args=[world.a1.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == (None, world.campaign.name, c2013.name)
    trend = unit_trend(branch_id=world.branch_a.pk, office_id=world.a1.pk)
    overall = next(r for r in rows if r[0] in ("Overall score (%)", "总分（%）"))
    assert list(overall[1:]) == [float(v) for v in trend.overall.values]
    section = next(r for r in rows if r[0] and r[0].startswith(keys.section.name))
    assert list(section[1:]) == [float(v) for v in section_row(trend, keys).values]
    unmatched = list(workbook.worksheets[1].iter_rows(values_only=True))
    assert len(unmatched) == 3  # its header and the two items
    assert TrendXlsxExporter(branch_id=world.branch_a.pk).filename().endswith(".xlsx")


def test_queries_do_not_grow_with_campaigns_and_visits(
    client, world, series, django_assert_max_num_queries
):
    keys, c2013 = series
    client.force_login(world.hq)
    urls = [
        reverse("office-trend", args=[world.a1.pk]),
        reverse("branch-trend", args=[world.branch_a.pk]),
        reverse("branch-trend-xlsx", args=[world.branch_a.pk]),
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as before:
            assert client.get(url).status_code == 200
        counts.append(len(before.captured_queries))
    c2014 = cs.campaign(world, 2014, c2013.rubric)
    cs.approved(world, c2014, world.a1, fail=[(keys.other, "未告知犹豫期")])
    cs.approved(world, c2014, world.a2)
    cs.approved(world, c2014, None, branch=world.branch_a)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            body = client.get(url)
        assert body.status_code == 200
    assert len(unit_trend(branch_id=world.branch_a.pk, whole_branch=True).columns) == 3
