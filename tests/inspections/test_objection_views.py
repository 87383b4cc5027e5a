"""The objection pages (issue 14, point 1): publishing from the board, the
branch's objection form with its evidence, head office's review, and the
status on the visit page and the board."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections import selectors
from inspections.models import Objection, SheetRecord
from inspections.objection_targets import parse_key
from inspections.services import objections
from tests.inspections.action_data import PDF, frozen
from tests.inspections.test_objections import check, item_target, published  # noqa: F401

DAY = datetime.date


def test_head_office_publishes_from_the_board(client, world, check):  # noqa: F811
    client.force_login(world.hq)
    board = reverse("campaign-detail", args=[world.campaign.pk])
    page = client.get(board).content.decode()
    assert 'data-testid="publish-results"' in page
    assert 'data-state="not_published"' in page
    with frozen(DAY(2012, 9, 28)):
        response = client.post(
            reverse("campaign-publish", args=[world.campaign.pk, world.branch_a.pk]), follow=True
        )
    page = response.content.decode()
    assert "2012-10-09" in page  # the message names the window's last day
    # A double click: told, nothing more.
    with frozen(DAY(2012, 9, 28)):
        again = client.post(
            reverse("campaign-publish", args=[world.campaign.pk, world.branch_a.pk]), follow=True
        )
    assert "2012-09-28" in again.content.decode()


def test_the_board_shows_each_branchs_status_in_a_fixed_number_of_queries(
    client,
    world,
    published,  # noqa: F811
    django_assert_max_num_queries,
):
    client.force_login(world.manager_a)
    with frozen(DAY(2012, 12, 3)), django_assert_max_num_queries(40):
        page = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
    assert 'data-state="provisional"' in page
    assert "2012-12-05" in page
    assert 'data-testid="publish-results"' not in page  # not head office
    with frozen(DAY(2012, 12, 6)):
        client.force_login(world.manager_a)
        page = client.get(reverse("campaign-detail", args=[world.campaign.pk])).content.decode()
    assert 'data-state="final"' in page


def test_the_branch_objects_through_its_page_and_head_office_decides(
    client,
    world,
    check,  # noqa: F811
    published,  # noqa: F811
):
    target = item_target(check)
    client.force_login(world.manager_a)
    with frozen(DAY(2012, 12, 3)):
        page = client.get(reverse("visit-detail", args=[check.pk])).content.decode()
        assert 'data-testid="raise-objection"' in page
        form = client.get(reverse("visit-objection-new", args=[check.pk]))
        assert target.key in form.content.decode()
        # Text pasted from Word, with a control character, and no file: refused, kept.
        refused = client.post(
            reverse("visit-objection-new", args=[check.pk]),
            {"target": target.key, "grounds": "资料\x0b齐全"},
        )
        assert refused.status_code == 400
        assert "资料" in refused.content.decode()  # what was typed comes back
        assert "请附上支持异议的证明材料" in refused.content.decode()
        assert not Objection.objects.exists()
        response = client.post(
            reverse("visit-objection-new", args=[check.pk]),
            {
                "target": target.key,
                "grounds": "资料\x0b齐全，见附件。",
                "files": [SimpleUploadedFile("扫描件.pdf", PDF)],
            },
        )
    objection = Objection.objects.get()
    assert response.status_code == 302
    assert objection.grounds == "资料\n齐全，见附件。"  # Word's line break, kept as one
    evidence = objection.evidence.get()
    client.force_login(world.manager_a)  # the session of 2012 is long expired
    assert client.get(reverse("objection-evidence", args=[evidence.uuid])).status_code == 200
    # The manager cannot decide it.
    assert (
        client.post(
            reverse("objection-detail", args=[objection.pk]),
            {"decision": "reject", "reason": "x"},
        ).status_code
        == 403
    )
    client.force_login(world.hq)
    page = client.get(reverse("objection-detail", args=[objection.pk])).content.decode()
    assert 'data-testid="decide-objection"' in page
    bad = client.post(
        reverse("objection-detail", args=[objection.pk]),
        {"decision": "uphold", "corrected_value": "99", "reason": "复核"},
    )
    assert bad.status_code == 400
    ok = client.post(
        reverse("objection-detail", args=[objection.pk]),
        {"decision": "uphold", "corrected_value": str(target.maximum - 1), "reason": "复核扣分"},
    )
    assert ok.status_code == 302
    objection.refresh_from_db()
    assert objection.state == Objection.State.UPHELD
    record = SheetRecord.objects.get(pk=parse_key(target.key).record_id)
    assert item_target(check).value == objection.corrected_value
    page = client.get(reverse("visit-detail", args=[check.pk])).content.decode()
    assert 'data-testid="objection"' in page
    assert "复核扣分" in page
    assert record.score is not None


def test_another_branch_sees_no_objection(client, world, check, published):  # noqa: F811
    target = item_target(check)
    with frozen(DAY(2012, 12, 3)):
        objection = objections.raise_objection(
            user=world.manager_a,
            visit=check,
            target=target.key,
            grounds="理由",
            files=[SimpleUploadedFile("a.pdf", PDF)],
        )
    client.force_login(world.manager_b)
    assert client.get(reverse("objection-detail", args=[objection.pk])).status_code == 404
    evidence = objection.evidence.get()
    assert client.get(reverse("objection-evidence", args=[evidence.uuid])).status_code == 404
    assert client.get(reverse("visit-objection-new", args=[check.pk])).status_code == 404


def test_the_form_is_closed_after_the_window(client, world, check, published):  # noqa: F811
    client.force_login(world.manager_a)
    with frozen(DAY(2012, 12, 6)):
        page = client.get(reverse("visit-detail", args=[check.pk])).content.decode()
        assert 'data-testid="raise-objection"' not in page
        response = client.post(
            reverse("visit-objection-new", args=[check.pk]),
            {
                "target": item_target(check).key,
                "grounds": "迟到的异议",
                "files": [SimpleUploadedFile("a.pdf", PDF)],
            },
        )
    assert response.status_code == 400
    assert "2012-12-05" in response.content.decode()
    assert selectors.visit_objections(visit=check).count() == 0


pytestmark = pytest.mark.django_db


def test_head_office_finds_the_objections_awaiting_review_in_a_fixed_number_of_queries(
    client,
    world,
    check,  # noqa: F811
    published,  # noqa: F811
    django_assert_max_num_queries,
):
    targets = [t for t in selectors.objection_targets(visit=check)]
    for target in targets[:2]:
        with frozen(DAY(2012, 12, 3)):
            objections.raise_objection(
                user=world.manager_a,
                visit=check,
                target=target.key,
                grounds="理由",
                files=[SimpleUploadedFile("a.pdf", PDF)],
            )
    client.force_login(world.hq)
    with django_assert_max_num_queries(30) as two:
        page = client.get(reverse("review-list")).content.decode()
    assert page.count('data-objection="') == 2
    for target in targets[2:8]:
        with frozen(DAY(2012, 12, 3)):
            objections.raise_objection(
                user=world.manager_a,
                visit=check,
                target=target.key,
                grounds="理由",
                files=[SimpleUploadedFile("a.pdf", PDF)],
            )
    client.force_login(world.hq)
    with django_assert_max_num_queries(len(two.captured_queries)):
        page = client.get(reverse("review-list")).content.decode()
    assert page.count('data-objection="') == 8
    # The check's own inspector, though of head office, is not offered them.
    world.inspector_hq.role = world.hq.role
    world.inspector_hq.save(update_fields=["role"])
    assert not selectors.objections_to_review(user=world.inspector_hq).exists()
    client.force_login(world.manager_a)
    assert (
        'data-testid="objection-review-list"'
        not in client.get(reverse("review-list")).content.decode()
    )
