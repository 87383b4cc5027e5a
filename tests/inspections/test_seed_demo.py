import io

import pytest
from django.core.management import call_command
from PIL import Image

from inspections.access import visible_visits
from inspections.models import Branch, Office, SheetRecord, Specialist, User, Visit
from inspections.selectors import visit_missing_items
from scoring.models import RolloutBatch

pytestmark = pytest.mark.django_db


def _counts():
    return (
        Branch.objects.count(),
        Office.objects.count(),
        Specialist.objects.count(),
        User.objects.count(),
        Visit.objects.count(),
        SheetRecord.objects.count(),
    )


def test_seed_demo_is_idempotent_and_prints_the_log_ins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    text = out.getvalue()
    for username in ("admin", "hq", "inspector", "bj_manager", "bj_inspector"):
        assert username in text
    assert User.objects.get(username="bj_manager").check_password("yiguitong2012")

    # Three branches, one per rollout batch, two or three offices each, about
    # eight specialists per office with varied home posts.
    assert sorted(Branch.objects.values_list("rollout_batch", flat=True)) == sorted(
        RolloutBatch.values
    )
    for branch in Branch.objects.all():
        assert 2 <= branch.offices.count() <= 3
    for office in Office.objects.all():
        people = Specialist.objects.filter(office=office)
        assert people.count() == 8
        assert people.values("home_post").distinct().count() >= 5
    assert {u.role for u in User.objects.all()} == set(User.Role.values) - {User.Role.NONE}

    approved = Visit.objects.get(state=Visit.State.APPROVED)
    assert approved.sheet_records.filter(complete=True).count() == 3
    # Complete: every part of the visit has something to show.
    assert approved.log_entries.count() >= 3
    assert approved.interviews.count() >= 1
    tags = set(approved.interviews.values_list("answers__tag", flat=True).exclude(answers__tag=""))
    assert {"problem", "support"} <= tags
    assert approved.findings.exists() and approved.actions.exists()
    # A photo of the counter on an item of a sheet, with its upright thumbnail.
    (photo,) = approved.evidence.filter(sheet_record__isnull=False).exclude(item_key="")
    with Image.open(photo.thumbnail.open("rb")) as thumbnail:
        assert thumbnail.height > thumbnail.width  # turned upright, from a landscape file
    # And one under way, so a newcomer sees both at once: sheets started,
    # something still missing before it can be submitted.
    under_way = Visit.objects.get(state=Visit.State.IN_PROGRESS)
    assert under_way.inspectors.exists() and under_way.sheet_records.exists()
    assert visit_missing_items(visit=under_way)
    assert not Visit.objects.filter(state=Visit.State.SUBMITTED).exists()
    # An unannounced head-office check of 重庆, not started: 重庆's manager does not see it.
    flying = Visit.objects.get(unannounced=True)
    assert flying.state == Visit.State.PLANNED and flying.branch.code == "cq"
    cq_manager = User.objects.get(username="cq_manager")
    assert not visible_visits(cq_manager).filter(pk=flying.pk).exists()
    assert visible_visits(User.objects.get(username="hq")).filter(pk=flying.pk).exists()
    # Names outside GB2312 are part of the demo: the reports must show them.
    names = "".join(Specialist.objects.values_list("name", flat=True))
    assert "䶮" in names and "喆" in names
