"""Repeat findings (issue 15, point 4): an item failing at the same unit, for
the same item key, in its counting visit of the previous campaign (the latest
earlier campaign in which the unit has one), flagged on the visit page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspections.selectors import previous_counting_visits, repeat_findings, repeat_findings_of
from tests.inspections import campaign_series as cs

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(world):
    """2012 (rubric 2012) and 2013 (its copy): a1 fails `kept` both years and
    `other` in 2013 only; a2 fails `kept` in 2013 only."""
    keys = cs.codes(world)
    c2013 = cs.campaign(world, 2013, cs.next_rubric(world))
    first = cs.approved(world, world.campaign, world.a1, fail=[(keys.kept, "未核对签名")])
    second = cs.approved(
        world,
        c2013,
        world.a1,
        fail=[(keys.kept, "仍未核对签名"), (keys.other, "未告知犹豫期")],
    )
    a2 = cs.approved(world, c2013, world.a2, fail=[(keys.kept, "甲二未核对")])
    return keys, c2013, first, second, a2


def test_the_same_item_failing_in_the_previous_campaign_is_a_repeat(world, series):
    keys, _c2013, first, second, _a2 = series
    found = repeat_findings(visit=second)
    assert [f.item_code for f in found] == [keys.kept]  # not `other`: it did not fail in 2012
    finding = found[0]
    assert finding.earlier_campaign == world.campaign.name
    assert finding.earlier_visit_id == first.pk
    assert (finding.remark_then, finding.remark_now) == ("未核对签名", "仍未核对签名")
    assert finding.table_label == "表二" and finding.item_text
    assert finding.section_code == keys.section.code and not finding.requirement
    # The 2012 visit has no previous campaign.
    assert repeat_findings(visit=first) == []


def test_another_office_s_failure_is_not_a_repeat(series):
    _keys, _c2013, _first, _second, a2 = series
    assert repeat_findings(visit=a2) == []


def test_only_the_previous_campaign_counts(world, series):
    """2014: a1 fails `other`, which failed in 2013, and `kept`, which failed
    in 2012 and 2013; then 2015 fails `kept` again after a clean 2014 at a2."""
    keys, c2013, _first, _second, a2 = series
    c2014 = cs.campaign(world, 2014, c2013.rubric)
    third = cs.approved(world, c2014, world.a1, fail=[(keys.other, "又未告知")])
    assert [f.item_code for f in repeat_findings(visit=third)] == [keys.other]
    assert previous_counting_visits(visit_ids=[third.pk])[third.pk].campaign_id == c2013.pk
    # a2: failed in 2013, nothing in 2014, fails again in 2015: not consecutive.
    cs.approved(world, c2014, world.a2)
    c2015 = cs.campaign(world, 2015, c2013.rubric)
    fifth = cs.approved(world, c2015, world.a2, fail=[(keys.kept, "再次")])
    assert repeat_findings(visit=fifth) == []
    assert previous_counting_visits(visit_ids=[a2.pk]) == {}


def test_a_repeat_is_matched_by_code_across_rubric_versions(world, series):
    """The 2013 item is another row of another version than 2012's: its code matches."""
    keys, _c2013, first, second, _a2 = series
    then = first.item_outcomes.get(item_code=keys.kept, failed=True)
    now = second.item_outcomes.get(item_code=keys.kept, failed=True)
    assert then.item_id != now.item_id


def test_queries_do_not_grow_with_visits(world, series):
    keys, c2013, _first, second, a2 = series
    with CaptureQueriesContext(connection) as one:
        repeat_findings_of(visit_ids=[second.pk])
    c2014 = cs.campaign(world, 2014, c2013.rubric)
    more = [
        cs.approved(world, c2014, world.a1, fail=[(keys.other, "又未告知")]),
        cs.approved(world, c2014, world.a2, fail=[(keys.kept, "又未核对")]),
    ]
    with CaptureQueriesContext(connection) as four:
        found = repeat_findings_of(visit_ids=[second.pk, a2.pk, *(v.pk for v in more)])
    assert set(found) == {second.pk, *(v.pk for v in more)}
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_visit_page_flags_them_as_the_visit_report_does(client, world, series):
    _keys, _c2013, _first, second, _a2 = series
    url = reverse("visit-detail", args=[second.pk])
    client.force_login(world.manager_a)
    body = client.get(url).content.decode()
    assert 'data-testid="repeat-finding"' in body and "仍未核对签名" in body
    assert "未核对签名" in body and world.campaign.name in body
    assert reverse("office-trend", args=[world.a1.pk]) in body
    # The visit's inspector reads them in the visit's report, so on its page
    # too; the unit's scores across campaigns stay hidden from them.
    client.force_login(world.inspector_a)
    body = client.get(url).content.decode()
    assert 'data-testid="repeat-finding"' in body and "仍未核对签名" in body
    assert reverse("office-trend", args=[world.a1.pk]) not in body
