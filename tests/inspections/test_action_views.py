"""Issue 5, rectification action pages: the branch manager's list (filters,
order, overdue days, counts, a constant number of queries), an action's page
and its timeline, each step through its form, evidence served only through the
access-checked view, head office's statistics and their Excel, and the role ×
object matrix of every action URL."""

import datetime
import io
import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime
from django.utils.translation import gettext
from openpyxl import load_workbook

from inspections import services
from inspections.models import ActionEvent, ActionEvidence, DeadlineExtension, RectificationAction
from tests import factories
from tests.inspections.action_data import (
    DAY,
    EXE,
    HTML,
    JPEG,
    PDF,
    TODAY,
    build_board,
    frozen,
    ooxml,
    upload,
)

pytestmark = pytest.mark.django_db

Status = RectificationAction.Status
Kind = ActionEvent.Kind
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zh(message: str, **params) -> str:
    """A message as the Chinese-by-default pages show it."""
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


def messages_of(response) -> list[str]:
    """The messages the action's page shows after a step (a POST with follow=True)."""
    assert response.redirect_chain, "follow the redirect to the action's page"
    return [str(message) for message in response.context["messages"]]


def refused(response, form: str) -> list[str]:
    """A refused step: the action's page again (200), the form as typed, each of
    its problems once, shown beside its field."""
    assert response.status_code == 200, response.headers.get("Location")
    bound = response.context[form]
    if isinstance(bound, tuple):  # failed_decision: (extension pk, form)
        bound = bound[1]
    assert bound.is_bound
    return list(dict.fromkeys(str(m) for errors in bound.errors.values() for m in errors))


@pytest.fixture
def today():
    """The pages' today: 2012-12-10 in Beijing."""
    with frozen(TODAY):
        yield TODAY


@pytest.fixture
def board(world, make_action, visit, visit_b):
    return build_board(world, make_action, visit, visit_b)


def names(board, actions) -> list[str]:
    by_pk = {
        action.pk: name
        for name, action in vars(board).items()
        if isinstance(action, RectificationAction)
    }
    return [by_pk[action.pk] for action in actions]


# --- the list ----------------------------------------------------------------------------


def test_a_branch_manager_lists_their_branchs_actions_by_deadline_with_counts(
    client, world, board, today
):
    client.force_login(world.manager_a)
    response = client.get(reverse("action-list"))
    assert response.status_code == 200
    actions = response.context["actions"]
    assert names(board, actions) == ["late", "overdue", "on_time", "soon", "submitted", "next_year"]
    assert [a.deadline for a in actions] == sorted(a.deadline for a in actions)
    assert response.context["counts"] == {
        "open": 4,
        "due_soon": 1,
        "overdue": 1,
        "closed": 2,
        "closed_on_time": 1,
    }
    body = response.content.decode()
    assert "乙方逾期事项" not in body and "乙一支公司" not in body


def test_overdue_actions_are_highlighted_with_their_days_overdue(client, world, board, today):
    client.force_login(world.manager_a)
    response = client.get(reverse("action-list"))
    days = {
        name: action.days_late
        for name, action in zip(
            names(board, response.context["actions"]), response.context["actions"], strict=True
        )
    }
    assert days == {
        "late": 0,
        "overdue": 9,
        "on_time": 0,
        "soon": 0,
        "submitted": 0,
        "next_year": 0,
    }
    body = response.content.decode()
    rows = re.findall(r"<tr class=\"([^\"]*)\">(.*?)</tr>", body, re.S)
    highlighted = [row for css, row in rows if "table-danger" in css]
    assert len(highlighted) == 1
    assert "逾期事项" in highlighted[0]
    badge = re.search(r'data-testid="overdue">([^<]*)<', highlighted[0])
    assert badge and re.search(r"\b9\b", badge.group(1))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "open"}, ["overdue", "soon", "submitted", "next_year"]),
        ({"status": "in_progress"}, ["soon"]),
        ({"status": "submitted"}, ["submitted"]),
        ({"status": "closed"}, ["late", "on_time"]),
        ({"office": "a2"}, ["soon"]),
        ({"campaign": "2013"}, ["next_year"]),
        ({"area": "kpi"}, ["soon"]),
        ({"area": "process"}, ["late", "overdue", "next_year"]),
        ({"due": "overdue"}, ["overdue"]),
        ({"due": "7"}, ["soon"]),
        ({"due": "30"}, ["soon", "submitted"]),
        ({"status": "open", "office": "a1", "area": "process"}, ["overdue", "next_year"]),
        ({"status": "open", "campaign": "2012", "due": "overdue"}, ["overdue"]),
    ],
)
def test_the_list_filters(client, world, board, today, query, expected):
    values = {"a1": world.a1.pk, "a2": world.a2.pk}
    values |= {"2012": world.campaign.pk, "2013": board.campaign_2013.pk}
    query = {key: values.get(value, value) for key, value in query.items()}
    client.force_login(world.manager_a)
    response = client.get(reverse("action-list"), query)
    assert response.context["form"].is_valid(), response.context["form"].errors
    assert names(board, response.context["actions"]) == expected


def test_a_branch_manager_cannot_filter_their_way_into_another_branch(client, world, board, today):
    client.force_login(world.manager_a)
    response = client.get(reverse("action-list"), {"office": world.b1.pk})
    assert "office" in response.context["form"].errors
    assert "of_b" not in names(board, response.context["actions"])
    assert "乙方逾期事项" not in response.content.decode()


def test_a_branch_b_manager_sees_branch_b_only(client, world, board, today):
    client.force_login(world.manager_b)
    response = client.get(reverse("action-list"))
    assert names(board, response.context["actions"]) == ["of_b"]
    assert response.context["counts"]["overdue"] == 1
    assert "甲一支公司" not in response.content.decode()


def test_head_office_sees_every_action_and_the_extensions_waiting(client, world, board, today):
    extension = services.request_extension(
        user=world.manager_a, action=board.soon, new_deadline=DAY(2012, 12, 31), reason="人手不足"
    )
    client.force_login(world.hq)
    response = client.get(reverse("action-list"))
    assert len(response.context["actions"]) == 7
    assert list(response.context["pending_extensions"]) == [extension]
    assert reverse("action-detail", args=[board.soon.pk]) in response.content.decode()
    client.force_login(world.manager_a)
    response = client.get(reverse("action-list"))
    assert list(response.context["pending_extensions"]) == []
    assert next(a for a in response.context["actions"] if a.pk == board.soon.pk).pending_extension


@pytest.mark.parametrize("who", ["manager_a", "hq"])
def test_the_list_runs_a_constant_number_of_queries(
    client, world, visit, make_action, django_assert_max_num_queries, today, who
):
    """The same bound for 1 and for 200 actions (issue 5, point 8)."""
    bound = 11
    first = make_action(visit, deadline=DAY(2012, 12, 1))
    services.request_extension(
        user=world.manager_a, action=first, new_deadline=DAY(2012, 12, 31), reason="排期"
    )
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("action-list"), {"status": "open"})
    assert len(response.context["actions"]) == 1
    areas = list(world.rubric.content_areas.all())
    offices = [world.a1, world.a2, world.a3, None]
    others = [
        factories.RectificationActionFactory(
            visit=visit,
            owner=world.owner,
            content_area=areas[n % 4],
            responsible_office=offices[n % 4],
            deadline=DAY(2012, 11, 1) + datetime.timedelta(days=n % 90),
        )
        for n in range(199)
    ]
    for action in others[::10]:
        services.request_extension(
            user=world.manager_a, action=action, new_deadline=DAY(2013, 3, 1), reason="排期"
        )
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("action-list"), {"status": "open"})
    assert len(response.context["actions"]) == 200
    if who == "hq":
        assert len(response.context["pending_extensions"]) == 21


# --- an action's page and its steps ---------------------------------------------------------


def test_the_action_page_shows_the_timeline_with_who_and_when(
    client, world, visit, make_action, private_media
):
    with frozen(DAY(2012, 11, 1)):
        action = make_action(visit)
    with frozen(DAY(2012, 11, 5), 9, 30):
        services.add_progress(
            user=world.owner, action=action, note="已组织培训", files=[upload("签到.pdf", PDF)]
        )
    with frozen(DAY(2012, 11, 6), 14, 5):
        services.submit_for_verification(user=world.manager_a, action=action, text="整改完毕")
    client.force_login(world.manager_a)
    with frozen(DAY(2012, 11, 7)):
        response = client.get(reverse("action-detail", args=[action.pk]))
    assert response.status_code == 200
    events = list(response.context["action"].events.all())
    assert [(e.kind, e.by) for e in events] == [
        (Kind.CREATED, world.inspector_a),
        (Kind.STARTED, world.owner),
        (Kind.PROGRESS, world.owner),
        (Kind.SUBMITTED, world.manager_a),
    ]
    timeline = re.search(r'data-testid="timeline">(.*?)</ol>', response.content.decode(), re.S)
    items = re.findall(r"<li.*?</li>", timeline.group(1), re.S)
    assert len(items) == 4
    assert "owner-a1" in items[2] and "2012-11-05 09:30" in items[2] and "已组织培训" in items[2]
    evidence = ActionEvidence.objects.get()
    assert reverse("action-evidence", args=[evidence.uuid]) in items[2]
    assert "manager-a" in items[3] and "2012-11-06 14:05" in items[3] and "整改完毕" in items[3]
    assert not response.context["can_work"]  # submitted: waiting for verification
    assert not response.context["can_verify"]  # the branch manager never verifies


@pytest.mark.parametrize(
    ("who", "can_work", "can_verify", "can_request_extension", "can_decide"),
    [
        ("manager_a", True, False, True, False),
        ("owner", True, False, False, False),
        ("inspector_a", False, False, False, False),  # nothing to verify while open
        ("hq", False, False, False, True),
    ],
)
def test_the_action_page_offers_each_user_their_steps(
    client, world, visit, make_action, who, can_work, can_verify, can_request_extension, can_decide
):
    action = make_action(visit)
    client.force_login(getattr(world, who))
    context = client.get(reverse("action-detail", args=[action.pk])).context
    assert (
        context["can_work"],
        context["can_verify"],
        context["can_request_extension"],
        context["can_decide"],
    ) == (can_work, can_verify, can_request_extension, can_decide)


@pytest.mark.parametrize("who", ["inspector_a", "hq"])
def test_a_submitted_action_offers_verification_to_its_verifiers(
    client, world, visit, make_action, who
):
    action = make_action(visit)
    services.submit_for_verification(user=world.manager_a, action=action, text="已完成")
    client.force_login(getattr(world, who))
    response = client.get(reverse("action-detail", args=[action.pk]))
    assert response.context["can_verify"]
    assert reverse("action-verify", args=[action.pk]) in response.content.decode()


def test_progress_and_submission_with_files_through_the_forms(
    client, world, visit, make_action, private_media
):
    action = make_action(visit)
    client.force_login(world.owner)
    response = client.post(
        reverse("action-progress", args=[action.pk]),
        {
            "note": "已整改一半",
            "files": [upload("照片.jpg", JPEG), upload("台账.xlsx", ooxml("xl"))],
        },
        follow=True,
    )
    assert response.redirect_chain == [(reverse("action-detail", args=[action.pk]), 302)]
    assert messages_of(response) == [zh("Progress recorded.")]
    client.force_login(world.manager_a)
    response = client.post(
        reverse("action-submit", args=[action.pk]),
        {"text": "全部整改完毕", "files": [upload("制度.pdf", PDF)]},
        follow=True,
    )
    assert messages_of(response) == [zh("Submitted for verification.")]
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED
    assert sorted(ActionEvidence.objects.values_list("original_name", "event__kind")) == [
        ("制度.pdf", Kind.SUBMITTED),
        ("台账.xlsx", Kind.PROGRESS),
        ("照片.jpg", Kind.PROGRESS),
    ]


@pytest.mark.parametrize("content", [HTML, EXE], ids=["html", "executable"])
@pytest.mark.parametrize("url_name", ["action-progress", "action-submit"])
def test_a_jpg_that_is_not_an_image_is_refused_with_a_clear_message(
    client, world, visit, make_action, private_media, content, url_name
):
    action = make_action(visit)
    client.force_login(world.owner)
    field = "note" if url_name == "action-progress" else "text"
    response = client.post(
        reverse(url_name, args=[action.pk]),
        {field: "现场照片", "files": [upload("现场.jpg", JPEG), upload("整改照片.jpg", content)]},
    )
    form = "progress_form" if url_name == "action-progress" else "submit_form"
    assert refused(response, form) == [
        zh("“%(name)s” is not an image, a PDF or an Office document.", name="整改照片.jpg")
    ]
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert list(action.events.values_list("kind", flat=True)) == [Kind.CREATED]
    assert not ActionEvidence.objects.exists()
    assert not any(path.is_file() for path in private_media.rglob("*"))
    # The page then shows the message.
    page = response.content.decode()
    assert "整改照片.jpg" in page


def test_a_file_too_big_is_refused_with_a_clear_message(
    client, world, visit, make_action, private_media, settings
):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    action = make_action(visit)
    client.force_login(world.manager_a)
    big = PDF + b"\x00" * (1024 * 1024)
    response = client.post(
        reverse("action-submit", args=[action.pk]),
        {"text": "整改完毕", "files": [upload("扫描件.pdf", big)]},
    )
    assert refused(response, "submit_form") == [
        zh("“%(name)s” is larger than %(mb)s MB.", name="扫描件.pdf", mb=1)
    ]
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert not ActionEvidence.objects.exists()


def test_an_empty_file_is_refused_as_such(client, world, visit, make_action, private_media):
    action = make_action(visit)
    client.force_login(world.owner)
    response = client.post(
        reverse("action-progress", args=[action.pk]),
        {"note": "已整改", "files": [upload("空白.jpg", b"")]},
    )
    assert refused(response, "progress_form") == [zh("The submitted file is empty.")]
    assert action.events.count() == 1 and not ActionEvidence.objects.exists()


def test_a_step_without_words_is_refused(client, world, visit, make_action):
    action = make_action(visit)
    client.force_login(world.manager_a)
    response = client.post(reverse("action-progress", args=[action.pk]), {"note": ""})
    assert refused(response, "progress_form") == [zh("Write what was done.")]
    response = client.post(reverse("action-submit", args=[action.pk]), {"text": ""})
    assert refused(response, "submit_form") == [
        zh("Describe the evidence that the shortcoming is fixed.")
    ]
    assert action.events.count() == 1


def test_reopening_needs_a_comment_and_closing_does_not(client, world, visit, make_action):
    action = make_action(visit)
    services.submit_for_verification(user=world.manager_a, action=action, text="已完成")
    client.force_login(world.inspector_a)
    url = reverse("action-verify", args=[action.pk])
    response = client.post(url, {"decision": "reopen", "comment": "  "})
    assert refused(response, "verify_form") == [zh("Say why the action is reopened.")]
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED
    response = client.post(url, {"decision": "reopen", "comment": "照片不清晰"}, follow=True)
    assert messages_of(response) == [zh("Action reopened.")]
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    services.submit_for_verification(user=world.owner, action=action, text="已补拍")
    response = client.post(url, {"decision": "close"}, follow=True)
    assert messages_of(response) == [zh("Action closed.")]
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert [(e.kind, e.by, e.text) for e in action.events.all()][-3:] == [
        (Kind.REOPENED, world.inspector_a, "照片不清晰"),
        (Kind.SUBMITTED, world.owner, "已补拍"),
        (Kind.CLOSED, world.inspector_a, ""),
    ]


def test_an_extension_through_the_pages(client, world, visit, make_action):
    action = make_action(visit)
    client.force_login(world.manager_a)
    url = reverse("action-extension-request", args=[action.pk])
    response = client.post(url, {"new_deadline": "2012-12-01", "reason": "排期"})
    assert refused(response, "extension_form") == [
        zh("The new deadline must come after the current one (%(date)s).", date=DAY(2012, 12, 15))
    ]
    response = client.post(url, {"new_deadline": "2012-12-31", "reason": ""})
    assert refused(response, "extension_form") == [zh("Give a new deadline and a reason.")]
    response = client.post(url, {})
    assert refused(response, "extension_form") == [zh("Give a new deadline and a reason.")]
    response = client.post(url, {"new_deadline": "明年", "reason": "排期"})
    assert refused(response, "extension_form") == [zh("Enter a valid date.")]
    assert "明年" in response.content.decode()  # as typed
    response = client.post(
        url, {"new_deadline": "2012-12-31", "reason": "系统改造排期"}, follow=True
    )
    assert messages_of(response) == [zh("Extension requested: head office will decide.")]
    extension = DeadlineExtension.objects.get()

    client.force_login(world.hq)
    decide = reverse("action-extension-decide", args=[extension.pk])
    page = client.get(reverse("action-detail", args=[action.pk])).content.decode()
    assert decide in page
    response = client.post(decide, {"decision": "refuse", "comment": ""})
    assert refused(response, "failed_decision") == [zh("Say why the extension is refused.")]
    response = client.post(decide, {"decision": "approve"}, follow=True)
    assert response.redirect_chain == [(reverse("action-detail", args=[action.pk]), 302)]
    assert messages_of(response) == [zh("Decision recorded.")]
    action.refresh_from_db()
    assert (action.deadline, action.original_deadline) == (DAY(2012, 12, 31), DAY(2012, 12, 15))

    client.force_login(world.manager_a)
    page = client.get(reverse("action-detail", args=[action.pk])).content.decode()
    assert "2012-12-31" in page and "2012-12-15" in page  # the original stays visible
    extension.refresh_from_db()
    decided = (
        f'{world.hq} · <span class="text-muted">{localtime(extension.decided_at):%Y-%m-%d %H:%M}'
    )
    assert decided in page  # who decided, and when
    with frozen(TODAY):
        listing = client.get(reverse("action-list")).content.decode()
    assert "2012-12-31" in listing and "2012-12-15" in listing


def test_an_invalid_decision_says_so(client, world, visit, make_action):
    action = make_action(visit)
    extension = services.request_extension(
        user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 31), reason="排期"
    )
    client.force_login(world.hq)
    response = client.post(
        reverse("action-extension-decide", args=[extension.pk]), {"decision": "maybe"}
    )
    assert refused(response, "failed_decision") == [zh("Choose to approve or to refuse.")]
    extension.refresh_from_db()
    assert extension.state == DeadlineExtension.State.PENDING


# --- evidence served only through the access-checked view ----------------------------------


@pytest.fixture
def evidence(world, visit, make_action, private_media):
    action = make_action(visit)
    services.submit_for_verification(
        user=world.owner,
        action=action,
        text="附件",
        files=[upload("整改照片.jpg", JPEG), upload("整改报告.pdf", PDF)],
    )
    return {e.original_name: e for e in ActionEvidence.objects.all()}


@pytest.mark.parametrize("who", ["owner", "hq", "manager_a", "inspector_a"])
def test_who_may_see_the_action_gets_the_file(client, world, evidence, who):
    client.force_login(getattr(world, who))
    for name, content, content_type, disposition in [
        ("整改照片.jpg", JPEG, "image/jpeg", "inline"),
        ("整改报告.pdf", PDF, "application/pdf", "attachment"),
    ]:
        response = client.get(reverse("action-evidence", args=[evidence[name].uuid]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith(disposition)
        assert "filename*=utf-8''" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["manager_b", "inspector_b", "inspector_hq"])
def test_a_guessed_evidence_url_is_not_found_for_another_branch(client, world, evidence, who):
    client.force_login(getattr(world, who))
    for item in evidence.values():
        response = client.get(f"/actions/evidence/{item.uuid}/")
        assert response.status_code == 404
        assert b"\xff\xd8\xff" not in response.content


def test_an_unknown_evidence_url_is_not_found_and_no_media_url_exists(
    client, world, evidence, settings
):
    client.force_login(world.hq)
    assert client.get(reverse("action-evidence", args=[uuid.uuid4()])).status_code == 404
    stored = evidence["整改照片.jpg"].file.name
    for prefix in ("/media/", "/", f"/{settings.MEDIA_URL.strip('/')}/"):
        assert client.get(prefix + stored).status_code == 404


def test_anonymous_is_sent_to_log_in_for_evidence(client, evidence):
    response = client.get(reverse("action-evidence", args=[evidence["整改照片.jpg"].uuid]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- statistics and their Excel --------------------------------------------------------------


def test_head_office_statistics_page(client, world, board, today):
    client.force_login(world.hq)
    response = client.get(reverse("action-stats"))
    assert response.status_code == 200
    rows = [
        (r.branch, r.unit, r.open, r.overdue, r.closed_on_time, r.on_time_rate)
        for r in response.context["rows"]
    ]
    assert rows == [
        ("甲分公司", "甲分公司", 1, 0, 0, None),
        ("甲分公司", "甲一支公司", 2, 1, 1, 50.0),
        ("甲分公司", "甲二支公司", 1, 0, 0, None),
        ("乙分公司", "乙一支公司", 1, 1, 0, None),
    ]
    body = response.content.decode()
    assert "50.0%" in body
    response = client.get(reverse("action-stats"), {"campaign": board.campaign_2013.pk})
    assert [(r.unit, r.open) for r in response.context["rows"]] == [("甲一支公司", 1)]
    assert client.get(reverse("action-stats"), {"campaign": "x"}).status_code == 400


def test_the_statistics_download_as_excel(client, world, board, today):
    client.force_login(world.hq)
    response = client.get(reverse("action-stats-xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:7] == [
        "分公司",
        "机构",
        "未关闭",
        "逾期",
        "已关闭",
        "按期关闭",
        "按期关闭率(%)",
    ]
    assert rows[1:] == [
        ["甲分公司", "甲分公司", 1, 0, 0, 0, None, None],
        ["甲分公司", "甲一支公司", 2, 1, 2, 1, 50, None],
        ["甲分公司", "甲二支公司", 1, 0, 0, 0, None, None],
        ["乙分公司", "乙一支公司", 1, 1, 0, 0, None, None],
    ]


def test_the_excel_never_holds_a_formula(client, world, make_action, visit_b, today):
    world.branch_b.name = '=HYPERLINK("http://evil.example","点击")'
    world.branch_b.save()
    world.b1.name = "+cmd|' /C calc'!A0"
    world.b1.save()
    with frozen(DAY(2012, 11, 1)):
        make_action(visit_b, description='=HYPERLINK("http://evil.example","x")')
    client.force_login(world.hq)
    response = client.get(reverse("action-stats-xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = [cell.value for cell in cells]
    assert "'" + world.branch_b.name in values
    assert "'" + world.b1.name in values


def test_the_statistics_are_head_office_only(client, world, board):
    for who in ("manager_a", "owner", "inspector_a", "inspector_hq"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("action-stats")).status_code == 403
        assert client.get(reverse("action-stats-xlsx")).status_code == 403


# --- the role × object matrix ---------------------------------------------------------------

ROLES = [
    "anonymous",
    "manager_a",  # the action's branch
    "manager_b",  # another branch
    "inspector_a",  # the visit's inspector
    "inspector_a2",  # another inspector of the same branch, not on the visit
    "inspector_b",  # an inspector of another branch
    "inspector_hq",  # a head-office inspector, not on the visit
    "hq",
    "owner",
]
OK, DENIED, NOT_FOUND, LOGIN, NOT_ALLOWED = 200, 403, 404, "login", 405
DONE = 302  # a step done: back to the action's page


def expect(default, **roles):
    return {"anonymous": LOGIN} | dict.fromkeys(ROLES[1:], default) | roles


@pytest.fixture
def objects(world, visit, make_action, private_media):
    """An open action, a submitted one with evidence, one with an extension waiting."""
    open_action = make_action(visit, description="未开始事项")
    submitted = make_action(visit, description="待验证事项")
    services.submit_for_verification(
        user=world.manager_a, action=submitted, text="已完成", files=[upload("照片.jpg", JPEG)]
    )
    waiting = make_action(visit, description="待延期事项")
    extension = services.request_extension(
        user=world.manager_a, action=waiting, new_deadline=DAY(2012, 12, 31), reason="排期"
    )
    return {
        "open": open_action,
        "submitted": submitted,
        "extension": extension,
        "evidence": ActionEvidence.objects.get(),
    }


SEES = {"manager_a": OK, "inspector_a": OK, "hq": OK, "owner": OK}
WORKS = {"manager_a": DONE, "owner": DONE, "inspector_a": DENIED, "hq": DENIED}

# url name: (method, object, url args, POST data, expected per role, what a success changes)
MATRIX = {
    "action-list": ("get", None, None, expect(OK), None),
    "action-stats": ("get", None, None, expect(DENIED, hq=OK), None),
    "action-stats-xlsx": ("get", None, None, expect(DENIED, hq=OK), None),
    "action-detail": ("get", "open", None, expect(NOT_FOUND, **SEES), None),
    "action-evidence": ("get", "evidence", None, expect(NOT_FOUND, **SEES), None),
    "action-progress": (
        "post",
        "open",
        {"note": "进展"},
        expect(NOT_FOUND, **WORKS),
        lambda o: o["open"].events.filter(kind=Kind.PROGRESS).exists(),
    ),
    "action-submit": (
        "post",
        "open",
        {"text": "已完成"},
        expect(NOT_FOUND, **WORKS),
        lambda o: o["open"].events.filter(kind=Kind.SUBMITTED).exists(),
    ),
    "action-verify": (
        "post",
        "submitted",
        {"decision": "close"},
        expect(NOT_FOUND, manager_a=DENIED, owner=DENIED, inspector_a=DONE, hq=DONE),
        lambda o: o["submitted"].events.filter(kind=Kind.CLOSED).exists(),
    ),
    "action-extension-request": (
        "post",
        "open",
        {"new_deadline": "2012-12-31", "reason": "排期"},
        expect(NOT_FOUND, manager_a=DONE, owner=DENIED, inspector_a=DENIED, hq=DENIED),
        lambda o: o["open"].extensions.exists(),
    ),
    "action-extension-decide": (
        "post",
        "extension",
        {"decision": "approve"},
        expect(DENIED, hq=DONE),
        lambda o: DeadlineExtension.objects.filter(state="approved").exists(),
    ),
}


def _url(name, target):
    if target is None:
        return reverse(name)
    if name == "action-evidence":
        return reverse(name, args=[target.uuid])
    return reverse(name, args=[target.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", list(MATRIX))
def test_role_object_matrix(client, world, objects, url_name, role):
    method, target, data, expected, changed = MATRIX[url_name]
    expected = expected[role]
    url = _url(url_name, objects[target] if target else None)
    if role != "anonymous":
        client.force_login(getattr(world, role))
    response = getattr(client, method)(url, data or {})
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, (url_name, role)
    if changed is not None:
        assert changed(objects) is (expected == DONE), (url_name, role)
    if expected == DONE:
        assert response["Location"].startswith("/actions/")
        assert not [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if method == "post" and role != "anonymous":
        # A step is never taken by GET.
        assert client.get(url).status_code in (NOT_ALLOWED,)


def test_the_visits_inspectors_are_not_offered_as_owners(client, world, visit):
    candidate = factories.UserFactory(username="owner-ok", branch=world.branch_a)
    client.force_login(world.inspector_a)
    page = client.get(reverse("visit-actions", args=[visit.pk]))
    owners = list(page.context["form"].fields["owner"].queryset)
    assert candidate in owners and world.inspector_a not in owners
    response = client.post(
        reverse("visit-actions", args=[visit.pk]),
        {
            "content_area": world.rubric.content_areas.first().pk,
            "description": "整改",
            "responsible_person": "钱",
            "deadline": "2012-12-31",
            "owner": world.inspector_a.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert not RectificationAction.objects.exists()


def test_the_owner_sees_no_verify_form_and_cannot_post_one(client, world, visit, make_action):
    action = make_action(visit)
    visit.inspectors.add(world.owner)
    services.submit_for_verification(user=world.owner, action=action, text="已完成")
    client.force_login(world.owner)
    page = client.get(reverse("action-detail", args=[action.pk])).content.decode()
    assert reverse("action-verify", args=[action.pk]) not in page
    response = client.post(reverse("action-verify", args=[action.pk]), {"decision": "close"})
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED
