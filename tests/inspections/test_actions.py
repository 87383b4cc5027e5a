"""Issue 5, rectification actions (services and selectors): an action's life
from open to closed with every step recorded, evidence judged by its content,
who may work and who may verify, deadline extensions, on-time statistics
against the deadline in force at closing, and the counts and statistics per
branch and office."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from inspections import access, selectors, services
from inspections.models import ActionEvent, ActionEvidence, DeadlineExtension, RectificationAction
from tests import factories
from tests.inspections.action_data import (
    DAY,
    DOCX,
    ELF,
    EXE,
    GIF,
    HTML,
    JPEG,
    LEGACY_OFFICE,
    PDF,
    PNG,
    PPTX,
    SVG,
    TODAY,
    WEBP,
    XLSX,
    at,
    build_board,
    frozen,
    ooxml,
    plain_zip,
    submit_and_close,
    upload,
)

pytestmark = pytest.mark.django_db

Status = RectificationAction.Status
Kind = ActionEvent.Kind
State = DeadlineExtension.State


@pytest.fixture
def clock():
    """A clock stopped on 2012-11-01 10:00 in Beijing; `clock.move_to(at(day))`."""
    with frozen(DAY(2012, 11, 1)) as traveller:
        yield traveller


@pytest.fixture
def action(world, visit, make_action, clock):
    """Branch A's action at a1, owned by `owner`, due 2012-12-15, made on 2012-11-01."""
    return make_action(visit)


def timeline(action):
    return [
        (event.kind, event.by.username, event.at, event.from_status, event.to_status, event.text)
        for event in ActionEvent.objects.filter(action=action).select_related("by")
    ]


# --- the life of an action --------------------------------------------------------


def test_an_action_goes_from_open_to_closed_and_every_step_is_recorded(
    world, action, clock, private_media
):
    clock.move_to(at(DAY(2012, 11, 5)))
    services.add_progress(user=world.owner, action=action, note="已组织柜员培训")
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS

    clock.move_to(at(DAY(2012, 11, 10)))
    services.add_progress(
        user=world.manager_a,
        action=action,
        note="  权限已回收  ",
        files=[upload("培训签到表.pdf", PDF, "application/pdf")],
    )
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS

    clock.move_to(at(DAY(2012, 11, 20)))
    services.submit_for_verification(
        user=world.manager_a,
        action=action,
        text="整改完成，附照片和制度",
        files=[upload("柜面照片.jpg", JPEG), upload("权限制度.docx", ooxml("word"))],
    )
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED

    clock.move_to(at(DAY(2012, 11, 22)))
    services.reopen_action(user=world.inspector_a, action=action, comment="缺少主管签字")
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS

    clock.move_to(at(DAY(2012, 11, 25)))
    services.submit_for_verification(user=world.owner, action=action, text="已补签字")

    clock.move_to(at(DAY(2012, 11, 28)))
    services.close_action(user=world.hq, action=action, comment="核实通过")
    action.refresh_from_db()

    assert action.status == Status.CLOSED
    assert action.closed_at == at(DAY(2012, 11, 28))
    assert action.deadline_at_close == DAY(2012, 12, 15)
    assert action.closed_on_time is True
    assert timeline(action) == [
        (Kind.CREATED, "inspector-a", at(DAY(2012, 11, 1)), "", "open", ""),
        (Kind.STARTED, "owner-a1", at(DAY(2012, 11, 5)), "open", "in_progress", ""),
        (Kind.PROGRESS, "owner-a1", at(DAY(2012, 11, 5)), "", "", "已组织柜员培训"),
        (Kind.PROGRESS, "manager-a", at(DAY(2012, 11, 10)), "", "", "权限已回收"),
        (
            Kind.SUBMITTED,
            "manager-a",
            at(DAY(2012, 11, 20)),
            "in_progress",
            "submitted",
            "整改完成，附照片和制度",
        ),
        (
            Kind.REOPENED,
            "inspector-a",
            at(DAY(2012, 11, 22)),
            "submitted",
            "in_progress",
            "缺少主管签字",
        ),
        (Kind.SUBMITTED, "owner-a1", at(DAY(2012, 11, 25)), "in_progress", "submitted", "已补签字"),
        (Kind.CLOSED, "hq", at(DAY(2012, 11, 28)), "submitted", "closed", "核实通过"),
    ]
    evidence = [
        (e.event.kind, e.original_name, e.content_type, e.size, e.uploaded_by.username)
        for e in ActionEvidence.objects.filter(action=action).select_related("event")
    ]
    assert evidence == [
        (Kind.PROGRESS, "培训签到表.pdf", "application/pdf", len(PDF), "manager-a"),
        (Kind.SUBMITTED, "柜面照片.jpg", "image/jpeg", len(JPEG), "manager-a"),
        (Kind.SUBMITTED, "权限制度.docx", DOCX, len(ooxml("word")), "manager-a"),
    ]
    stored = ActionEvidence.objects.get(original_name="柜面照片.jpg")
    assert stored.file.read() == JPEG
    # Stored under a random name, never the uploaded one.
    assert "柜面照片" not in stored.file.name and str(stored.uuid) in stored.file.name


def test_an_action_may_be_submitted_straight_from_open(world, action, clock):
    services.submit_for_verification(user=world.owner, action=action, text="当日已整改")
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED
    assert [k for k, *_ in timeline(action)] == [Kind.CREATED, Kind.SUBMITTED]


def test_a_closed_action_is_reopened_with_a_comment_and_no_longer_counts_as_closed(
    world, action, clock
):
    submit_and_close(world, action, DAY(2012, 12, 1), verifier=world.inspector_a)
    assert action.closed_on_time is True
    with frozen(DAY(2012, 12, 2)):
        with pytest.raises(ValidationError):
            services.reopen_action(user=world.inspector_a, action=action, comment="  ")
        services.reopen_action(user=world.inspector_a, action=action, comment="复查发现仍未整改")
    action.refresh_from_db()
    assert action.status == Status.IN_PROGRESS
    assert action.closed_at is None and action.deadline_at_close is None
    assert action.closed_on_time is None
    assert timeline(action)[-1][:2] == (Kind.REOPENED, "inspector-a")
    counts = selectors.action_counts(user=world.manager_a, today=DAY(2012, 12, 2))
    assert counts["closed"] == 0 and counts["open"] == 1


@pytest.mark.parametrize(
    ("status_steps", "step", "words"),
    [
        (["submit"], "progress", "can no longer be added"),
        (["submit"], "submit", "cannot be submitted"),
        (["submit", "close"], "progress", "can no longer be added"),
        (["submit", "close"], "submit", "cannot be submitted"),
        (["submit", "close"], "close", "Only an action submitted"),
        ([], "close", "Only an action submitted"),
        ([], "reopen", "Only a submitted or closed action"),
    ],
)
def test_each_step_only_from_its_states(world, action, clock, status_steps, step, words):
    steps = {
        "progress": lambda: services.add_progress(user=world.owner, action=action, note="x"),
        "submit": lambda: services.submit_for_verification(
            user=world.owner, action=action, text="x"
        ),
        "close": lambda: services.close_action(user=world.hq, action=action),
        "reopen": lambda: services.reopen_action(user=world.hq, action=action, comment="x"),
    }
    for name in status_steps:
        steps[name]()
    before = timeline(action)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        steps[step]()
    assert words in error.value.messages[0]
    assert timeline(action) == before


def test_a_progress_note_a_submission_and_a_reopening_need_words(world, action, clock):
    with translation.override("en"):
        with pytest.raises(ValidationError, match="Write what was done"):
            services.add_progress(user=world.owner, action=action, note="  \n ")
        with pytest.raises(ValidationError, match="Describe the evidence"):
            services.submit_for_verification(user=world.owner, action=action, text=" ")
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert len(timeline(action)) == 1


@pytest.mark.parametrize(
    "who", ["inspector_a", "inspector_a2", "inspector_hq", "hq", "manager_b", "inspector_b"]
)
def test_only_the_branchs_managers_and_the_owner_work_on_an_action(world, action, clock, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.add_progress(user=user, action=action, note="越权")
    with pytest.raises(PermissionDenied):
        services.submit_for_verification(user=user, action=action, text="越权")
    assert len(timeline(action)) == 1


@pytest.mark.parametrize(
    "who", ["manager_a", "owner", "inspector_a2", "inspector_hq", "manager_b", "inspector_b"]
)
def test_only_the_visits_inspectors_and_head_office_verify(world, action, clock, who):
    services.submit_for_verification(user=world.manager_a, action=action, text="已完成")
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        services.close_action(user=user, action=action)
    with pytest.raises(PermissionDenied):
        services.reopen_action(user=user, action=action, comment="越权")
    action.refresh_from_db()
    assert action.status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["inspector_a", "hq"])
def test_the_visits_inspector_or_head_office_closes(world, action, clock, who):
    services.submit_for_verification(user=world.manager_a, action=action, text="已完成")
    services.close_action(user=getattr(world, who), action=action)
    action.refresh_from_db()
    assert action.status == Status.CLOSED
    assert access.can_verify_action(getattr(world, who), action)
    assert not access.can_verify_action(world.manager_a, action)


# --- separation of duties ----------------------------------------------------------------


def test_the_visits_inspector_cannot_own_its_action(world, visit, make_action, clock):
    inspector = factories.InspectorFactory(username="inspector-a3", branch=world.branch_a)
    visit.inspectors.add(inspector)
    with pytest.raises(ValidationError) as caught:
        make_action(visit, owner=inspector)
    assert list(caught.value.error_dict) == ["owner"]
    assert not RectificationAction.objects.exists()
    # Another user of the branch may own it.
    assert make_action(visit, owner=world.owner).owner == world.owner


def test_the_owner_never_closes_their_own_action(world, visit, make_action, clock):
    action = make_action(visit)
    # The owner became one of the visit's inspectors after the action was made.
    visit.inspectors.add(world.owner)
    services.submit_for_verification(user=world.owner, action=action, text="已完成")
    assert not access.can_verify_action(world.owner, action)
    with pytest.raises(PermissionDenied):
        services.close_action(user=world.owner, action=action)
    services.close_action(user=world.inspector_a, action=action)
    assert RectificationAction.objects.get(pk=action.pk).status == Status.CLOSED


def test_whoever_submitted_it_never_closes_it(world, visit, make_action, clock):
    # A superuser who manages branch A both works and verifies actions.
    boss = factories.BranchManagerFactory(username="boss-a", branch=world.branch_a)
    boss.is_superuser = True
    boss.save()
    action = make_action(visit, owner=None)
    services.submit_for_verification(user=boss, action=action, text="已完成")
    action.refresh_from_db()
    assert action.submitted_by == boss
    with pytest.raises(PermissionDenied):
        services.close_action(user=boss, action=action)
    # Reopened by someone else, then submitted by another: now the boss may close it.
    services.reopen_action(user=world.hq, action=action, comment="照片不清晰")
    action.refresh_from_db()
    assert action.submitted_by is None
    services.submit_for_verification(user=world.manager_a, action=action, text="已补拍")
    services.close_action(user=boss, action=action)
    assert RectificationAction.objects.get(pk=action.pk).status == Status.CLOSED


# --- evidence: judged by content, never by name ---------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("照片.jpg", JPEG, "image/jpeg"),
        ("照片.png", PNG, "image/png"),
        ("动图.gif", GIF, "image/gif"),
        ("照片.webp", WEBP, "image/webp"),
        ("扫描件.pdf", PDF, "application/pdf"),
        ("制度.docx", ooxml("word"), DOCX),
        ("台账.xlsx", ooxml("xl"), XLSX),
        ("培训.pptx", ooxml("ppt"), PPTX),
        ("旧制度.doc", LEGACY_OFFICE, "application/msword"),
        ("扫描件.jpg", PDF, "application/pdf"),  # the content decides, not the name
        ("no-extension", PNG, "image/png"),
    ],
)
def test_images_pdf_and_office_documents_are_taken(
    world, action, clock, private_media, name, content, content_type
):
    services.add_progress(
        user=world.owner, action=action, note="附件", files=[upload(name, content)]
    )
    evidence = ActionEvidence.objects.get()
    assert (evidence.original_name, evidence.content_type) == (name, content_type)
    assert evidence.file.read() == content


REFUSED = [
    ("照片.jpg", HTML),
    ("照片.jpg", EXE),
    ("照片.png", ELF),
    ("图标.svg", SVG),
    ("制度.docx", plain_zip()),
    ("制度.docx", b"PK\x03\x04 not really a zip"),
    ("空文件.pdf", b""),
]


@pytest.mark.parametrize(("name", "content"), REFUSED)
@pytest.mark.parametrize("step", ["progress", "submit"])
def test_a_file_of_another_kind_is_refused_by_name_and_nothing_is_saved(
    world, action, clock, private_media, name, content, step
):
    files = [upload("合格照片.jpg", JPEG), upload(name, content)]
    with translation.override("en"), pytest.raises(ValidationError) as error:
        if step == "progress":
            services.add_progress(user=world.owner, action=action, note="附件", files=files)
        else:
            services.submit_for_verification(
                user=world.owner, action=action, text="附件", files=files
            )
    assert error.value.messages == [f"“{name}” is not an image, a PDF or an Office document."]
    action.refresh_from_db()
    assert action.status == Status.OPEN
    assert len(timeline(action)) == 1
    assert not ActionEvidence.objects.exists()
    assert not any(path.is_file() for path in private_media.rglob("*"))


def test_a_file_larger_than_the_limit_is_refused(world, action, clock, private_media, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1024 * 1024
    big = PDF + b"\x00" * (1024 * 1024 - len(PDF) + 1)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.add_progress(
            user=world.owner, action=action, note="附件", files=[upload("大文件.pdf", big)]
        )
    assert error.value.messages == ["“大文件.pdf” is larger than 1 MB."]
    assert not ActionEvidence.objects.exists()
    assert len(timeline(action)) == 1
    # Exactly at the limit is fine.
    services.add_progress(
        user=world.owner, action=action, note="附件", files=[upload("刚好.pdf", big[:-1])]
    )
    assert ActionEvidence.objects.get().size == 1024 * 1024


# --- deadline extensions -----------------------------------------------------------


def test_a_branch_manager_asks_for_a_later_deadline_with_a_reason(world, action, clock):
    extension = services.request_extension(
        user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 31), reason=" 系统改造排期 "
    )
    action.refresh_from_db()
    assert extension.state == State.PENDING
    assert (extension.previous_deadline, extension.requested_deadline) == (
        DAY(2012, 12, 15),
        DAY(2012, 12, 31),
    )
    assert extension.reason == "系统改造排期" and extension.requested_by == world.manager_a
    assert action.deadline == DAY(2012, 12, 15)  # unchanged until head office decides
    kind, by, when, *_rest, text = timeline(action)[-1]
    assert (kind, by, when) == (Kind.EXTENSION_REQUESTED, "manager-a", at(DAY(2012, 11, 1)))
    assert "2012-12-31" in text and "系统改造排期" in text


def test_an_extension_request_is_checked(world, action, clock):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_extension(
            user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 15), reason=" "
        )
    assert error.value.messages == [
        "The new deadline must come after the current one (2012-12-15).",
        "Give a reason for the extension.",
    ]
    services.request_extension(
        user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 20), reason="人手不足"
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_extension(
            user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 25), reason="再延"
        )
    assert error.value.messages == ["An extension request is already waiting for head office."]
    assert DeadlineExtension.objects.count() == 1


def test_a_closed_action_needs_no_extension(world, action, clock):
    submit_and_close(world, action, DAY(2012, 12, 1))
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.request_extension(
            user=world.manager_a, action=action, new_deadline=DAY(2013, 1, 31), reason="晚了"
        )
    assert error.value.messages == ["A closed action needs no extension."]


@pytest.mark.parametrize(
    "who", ["owner", "inspector_a", "inspector_a2", "hq", "manager_b", "inspector_b"]
)
def test_only_the_branchs_managers_ask_for_an_extension(world, action, clock, who):
    with pytest.raises(PermissionDenied):
        services.request_extension(
            user=getattr(world, who), action=action, new_deadline=DAY(2012, 12, 31), reason="理由"
        )
    assert not DeadlineExtension.objects.exists()


@pytest.fixture
def pending(world, action):
    return services.request_extension(
        user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 31), reason="系统改造排期"
    )


@pytest.mark.parametrize("who", ["manager_a", "owner", "inspector_a", "inspector_hq", "manager_b"])
def test_only_head_office_decides_an_extension(world, pending, who):
    for approve in (True, False):
        with pytest.raises(PermissionDenied):
            services.decide_extension(
                user=getattr(world, who), extension=pending, approve=approve, comment="同意"
            )
    pending.refresh_from_db()
    assert pending.state == State.PENDING


def test_head_office_approves_and_the_original_deadline_stays_visible(
    world, action, pending, clock
):
    clock.move_to(at(DAY(2012, 11, 3)))
    services.decide_extension(user=world.hq, extension=pending, approve=True)
    pending.refresh_from_db()
    action.refresh_from_db()
    assert pending.state == State.APPROVED
    assert (pending.decided_by, pending.decided_at) == (world.hq, at(DAY(2012, 11, 3)))
    assert action.deadline == DAY(2012, 12, 31)
    assert action.original_deadline == DAY(2012, 12, 15)
    assert timeline(action)[-1][:3] == (Kind.EXTENSION_APPROVED, "hq", at(DAY(2012, 11, 3)))
    with translation.override("en"), pytest.raises(ValidationError, match="already decided"):
        services.decide_extension(user=world.hq, extension=pending, approve=False, comment="改")


def test_head_office_refuses_only_with_a_comment(world, action, pending):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.decide_extension(user=world.hq, extension=pending, approve=False, comment=" ")
    assert error.value.messages == ["Say why the extension is refused."]
    pending.refresh_from_db()
    assert pending.state == State.PENDING
    services.decide_extension(user=world.hq, extension=pending, approve=False, comment="原期限足够")
    pending.refresh_from_db()
    action.refresh_from_db()
    assert (pending.state, pending.decision_comment) == (State.REFUSED, "原期限足够")
    assert action.deadline == action.original_deadline == DAY(2012, 12, 15)
    assert timeline(action)[-1][0::5] == (Kind.EXTENSION_REFUSED, "原期限足够")
    # Refused, a new request may be made.
    services.request_extension(
        user=world.manager_a, action=action, new_deadline=DAY(2012, 12, 20), reason="再申请"
    )


def test_closing_settles_a_pending_extension_and_records_it(world, action, pending):
    submit_and_close(world, action, DAY(2012, 12, 1), verifier=world.inspector_a)
    pending.refresh_from_db()
    assert pending.state == State.REFUSED
    assert (pending.decided_by, pending.decided_at) == (world.inspector_a, at(DAY(2012, 12, 1)))
    assert action.deadline == DAY(2012, 12, 15)
    assert [(kind, by) for kind, by, *_rest in timeline(action)][-2:] == [
        (Kind.EXTENSION_REFUSED, "inspector-a"),
        (Kind.CLOSED, "inspector-a"),
    ]


# --- on time: against the deadline in force at closing ---------------------------------


def test_closing_after_the_original_deadline_but_before_the_extended_one_is_on_time(
    world, visit, make_action, pending
):
    action = pending.action
    services.decide_extension(user=world.hq, extension=pending, approve=True)
    submit_and_close(world, action, DAY(2012, 12, 20))
    assert action.original_deadline == DAY(2012, 12, 15)
    assert action.deadline_at_close == DAY(2012, 12, 31)
    assert action.closed_on_time is True
    counts = selectors.action_counts(user=world.manager_a, today=DAY(2012, 12, 21))
    assert (counts["closed"], counts["closed_on_time"]) == (1, 1)
    [row] = selectors.action_stats(user=world.hq, today=DAY(2012, 12, 21))
    assert (row.closed, row.closed_on_time, row.on_time_rate) == (1, 1, 100.0)


def test_closing_after_the_deadline_without_an_extension_is_late(world, action):
    submit_and_close(world, action, DAY(2012, 12, 20))
    assert action.deadline_at_close == DAY(2012, 12, 15)
    assert action.closed_on_time is False
    counts = selectors.action_counts(user=world.manager_a, today=DAY(2012, 12, 21))
    assert (counts["closed"], counts["closed_on_time"]) == (1, 0)


def test_a_refused_extension_leaves_the_closing_late(world, action, pending):
    services.decide_extension(user=world.hq, extension=pending, approve=False, comment="不同意")
    submit_and_close(world, action, DAY(2012, 12, 20))
    assert action.closed_on_time is False


@pytest.mark.parametrize(
    ("hour", "minute", "day", "on_time"),
    [
        (23, 59, DAY(2012, 12, 15), True),  # 15:59 UTC
        (0, 1, DAY(2012, 12, 16), False),  # still 12-15 in UTC
        (7, 59, DAY(2012, 12, 16), False),
    ],
)
def test_the_closing_day_is_the_day_in_beijing(world, action, hour, minute, day, on_time):
    with frozen(day, 0, 0):
        services.submit_for_verification(user=world.manager_a, action=action, text="已完成")
    with frozen(day, hour, minute):
        services.close_action(user=world.hq, action=action)
    action.refresh_from_db()
    assert action.closed_on_time is on_time
    counts = selectors.action_counts(user=world.hq, today=DAY(2012, 12, 20))
    assert counts["closed_on_time"] == int(on_time)


# --- counts and statistics ---------------------------------------------------------------


@pytest.fixture
def board(world, make_action, visit, visit_b):
    return build_board(world, make_action, visit, visit_b)


def test_the_counts_of_a_branch_manager_cover_their_branch_only(world, board):
    assert selectors.action_counts(user=world.manager_a, today=TODAY) == {
        "open": 4,  # overdue, soon, submitted, next_year
        "due_soon": 1,  # soon (12-12)
        "overdue": 1,  # overdue (12-01)
        "closed": 2,
        "closed_on_time": 1,  # on_time; late was closed after its deadline
    }
    assert selectors.action_counts(user=world.manager_b, today=TODAY) == {
        "open": 1,
        "due_soon": 0,
        "overdue": 1,
        "closed": 0,
        "closed_on_time": 0,
    }
    assert selectors.action_counts(user=world.hq, today=TODAY)["overdue"] == 2


def test_days_overdue_counts_from_the_deadline_in_force(world, board):
    assert board.overdue.days_overdue(TODAY) == 9
    assert board.overdue.days_overdue(DAY(2012, 12, 1)) == 0  # due today is not late
    assert board.soon.days_overdue(TODAY) == 0
    assert board.late.days_overdue(TODAY) == 0  # closed


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("manager_a", {"overdue", "soon", "submitted", "on_time", "late", "next_year"}),
        ("owner", {"overdue", "soon", "submitted", "on_time", "late", "next_year"}),
        ("inspector_a", {"overdue", "soon", "submitted", "on_time", "late", "next_year"}),
        ("manager_b", {"of_b"}),
        ("inspector_b", {"of_b"}),
        ("inspector_hq", set()),
    ],
)
def test_who_sees_which_actions(world, board, who, visible):
    names = {
        action.pk: name
        for name, action in vars(board).items()
        if isinstance(action, RectificationAction)
    }
    seen = {names[a.pk] for a in access.visible_actions(getattr(world, who))}
    assert seen == visible


def test_statistics_per_branch_and_unit(world, board):
    rows = selectors.action_stats(user=world.hq, today=TODAY)
    table = [
        (r.branch, r.unit, r.open, r.overdue, r.closed, r.closed_on_time, r.on_time_rate)
        for r in rows
    ]
    assert table == [
        ("甲分公司", "甲分公司", 1, 0, 0, 0, None),
        ("甲分公司", "甲一支公司", 2, 1, 2, 1, 50.0),
        ("甲分公司", "甲二支公司", 1, 0, 0, 0, None),
        ("乙分公司", "乙一支公司", 1, 1, 0, 0, None),
    ]
    only_2013 = selectors.action_stats(
        user=world.hq, today=TODAY, campaign_id=board.campaign_2013.pk
    )
    assert [(r.unit, r.open) for r in only_2013] == [("甲一支公司", 1)]


def test_three_overdue_actions_of_an_office_are_repeated(world, make_action, visit):
    with frozen(DAY(2012, 11, 1)):
        for n in range(3):
            make_action(visit, deadline=DAY(2012, 12, 1 + n), description=f"逾期{n}")
    [row] = selectors.action_stats(user=world.hq, today=DAY(2012, 12, 3))
    assert (row.overdue, row.repeated_overdue) == (2, False)
    [row] = selectors.action_stats(user=world.hq, today=DAY(2012, 12, 4))
    assert (row.overdue, row.repeated_overdue) == (3, True)
