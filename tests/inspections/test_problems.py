"""Issue 15, point 5: the problem register's services and access rules.

An approved visit's interview answers tagged as a problem or a support request
become entries (once each); the owner responds, head office closes or reopens
and reassigns; every change checks the version the page showed."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext

from inspections import access, services
from inspections.models import RaisedProblem
from inspections.services import STALE, has_code
from tests import factories
from tests.inspections.action_data import frozen
from tests.inspections.problem_data import (
    APPROVED_ON,
    PROBLEM_TEXT,
    SUPPORT_TEXT,
    raise_and_approve,
)

pytestmark = pytest.mark.django_db

Status = RaisedProblem.Status


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def entries(world, visit):
    return raise_and_approve(world, visit)


def _fresh(problem):
    problem.refresh_from_db()
    return problem


def respond(user, problem, text="已增开窗口"):
    return services.respond_to_problem(
        user=user, problem=problem, response=text, version=_fresh(problem).version
    )


# --- made on approval ---------------------------------------------------------------------


def test_approval_puts_each_tagged_answer_on_the_register(world, visit, entries, settings):
    assert set(entries) == {"problem", "support"}  # the empty tagged answer raised nothing
    problem, support = entries["problem"], entries["support"]
    assert (problem.text, support.text) == (PROBLEM_TEXT, SUPPORT_TEXT)
    assert problem.answer.text == PROBLEM_TEXT and problem.visit == visit
    assert problem.owner == world.manager_a  # the branch's manager by default
    assert problem.status == Status.OPEN and problem.version == 1
    assert problem.deadline == APPROVED_ON + datetime.timedelta(days=settings.PROBLEM_RESPONSE_DAYS)


def test_nothing_is_registered_before_approval(world, visit):
    factories.fill_visit(world, visit, world.inspector_a)
    audience = world.rubric.interview_audiences.order_by("order", "pk").first()
    question = audience.questions.order_by("order", "pk").first()
    services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="柜员",
        post="综合岗",
        notes="",
        answers={question.pk: {"text": "问题", "tag": "problem"}},
    )
    services.submit_visit(user=world.inspector_a, visit=visit)
    services.return_visit(user=world.hq, visit=visit, comment="补充")
    assert not RaisedProblem.objects.exists()


def test_registering_again_adds_nothing_and_an_answer_has_one_entry(visit, entries):
    assert services.register_problems(visit=visit) == []
    assert RaisedProblem.objects.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        RaisedProblem.objects.create(
            answer=entries["problem"].answer,
            visit=visit,
            kind="problem",
            text="再来一次",
            deadline=APPROVED_ON,
        )


def test_the_migration_registers_visits_approved_before_the_register(world, visit, entries):
    """The data migration's backfill, run with today's models on an approved
    visit whose entries are missing: it makes them as approval does."""
    RaisedProblem.objects.all().delete()
    migration = importlib.import_module("inspections.migrations.0019_problem_register")
    migration.register_approved_visits(apps, None)
    migration.register_approved_visits(apps, None)  # and only once
    made = {p.kind: p for p in RaisedProblem.objects.all()}
    assert set(made) == {"problem", "support"}
    assert made["problem"].owner == world.manager_a
    assert made["problem"].deadline == entries["problem"].deadline


def test_without_a_branch_manager_an_entry_waits_for_head_office_to_give_it_an_owner(world, visit):
    world.manager_a.is_active = False
    world.manager_a.save()
    entries = raise_and_approve(world, visit)
    assert entries["problem"].owner is None


# --- the owner responds, head office closes or reopens ------------------------------------


def test_the_life_of_an_entry(world, entries):
    problem = entries["problem"]
    respond(world.manager_a, problem, "第一稿")
    respond(world.manager_a, problem, "已增开窗口")  # rewritten until head office decides
    problem = _fresh(problem)
    assert (problem.status, problem.response, problem.responded_by) == (
        Status.RESPONDED,
        "已增开窗口",
        world.manager_a,
    )
    with frozen(datetime.date(2012, 11, 20)):
        services.close_problem(user=world.hq, problem=problem, comment="可以", version=3)
    problem = _fresh(problem)
    assert problem.status == Status.CLOSED and problem.closed_by == world.hq
    assert problem.closed_at.date() == datetime.date(2012, 11, 20)
    with pytest.raises(ValidationError):
        respond(world.manager_a, problem)  # closed: head office reopens it first
    services.reopen_problem(user=world.hq, problem=problem, comment="措施不具体", version=4)
    problem = _fresh(problem)
    assert problem.status == Status.OPEN and problem.closed_at is None
    assert problem.review_comment == "措施不具体"


def test_refusals_say_why(world, entries):
    problem = entries["problem"]
    with pytest.raises(ValidationError) as refused:
        services.close_problem(user=world.hq, problem=problem, comment="", version=1)
    assert zh("Only an entry with a response can be closed.") in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        services.respond_to_problem(user=world.manager_a, problem=problem, response=" ", version=1)
    assert "response" in refused.value.error_dict
    respond(world.manager_a, problem)
    with pytest.raises(ValidationError) as refused:
        services.reopen_problem(user=world.hq, problem=problem, comment="", version=2)
    assert "comment" in refused.value.error_dict


def test_who_may_do_what(world, entries, action_people):
    problem = entries["problem"]
    for outsider in (world.manager_b, world.inspector_a, world.hq):
        with pytest.raises(PermissionDenied):
            services.respond_to_problem(user=outsider, problem=problem, response="x", version=1)
    respond(world.manager_a, problem)
    for not_head_office in (world.manager_a, world.inspector_a):
        with pytest.raises(PermissionDenied):
            services.close_problem(user=not_head_office, problem=problem, comment="", version=2)
        with pytest.raises(PermissionDenied):
            services.reassign_problem(
                user=not_head_office,
                problem=problem,
                owner=world.manager_a,
                deadline=datetime.date(2099, 1, 1),
                version=2,
            )


def test_head_office_does_not_close_its_own_response(world, entries):
    """A support request handed to head office: whoever answered it does not close it."""
    support = entries["support"]
    services.reassign_problem(
        user=world.hq, problem=support, owner=world.hq, deadline=support.deadline, version=1
    )
    respond(world.hq, support, "总部已开通权限")
    with pytest.raises(ValidationError) as refused:
        services.close_problem(user=world.hq, problem=support, comment="", version=3)
    assert zh("You wrote the response: someone else in head office closes the entry.") in str(
        refused.value
    )
    other = factories.HeadOfficeUserFactory(username="hq2")
    services.close_problem(user=other, problem=support, comment="", version=3)
    assert _fresh(support).status == Status.CLOSED


def test_head_office_reassigns_within_the_branch_or_to_itself(world, entries):
    problem = entries["problem"]
    with pytest.raises(ValidationError) as refused:
        services.reassign_problem(
            user=world.hq,
            problem=problem,
            owner=world.manager_b,
            deadline=datetime.date(2099, 1, 1),
            version=1,
        )
    assert "owner" in refused.value.error_dict
    services.reassign_problem(
        user=world.hq,
        problem=problem,
        owner=world.inspector_a2,
        deadline=datetime.date(2099, 1, 1),
        version=1,
    )
    problem = _fresh(problem)
    assert problem.owner == world.inspector_a2 and problem.deadline == datetime.date(2099, 1, 1)
    # The new owner responds, though not a branch manager.
    respond(world.inspector_a2, problem)
    assert _fresh(problem).status == Status.RESPONDED


def test_a_second_click_or_a_colleague_s_change_is_refused_not_overwritten(world, entries):
    problem = entries["problem"]
    services.respond_to_problem(
        user=world.manager_a, problem=problem, response="经理的答复", version=1
    )
    # The same page posted again (a double click), or another manager's page
    # opened before the first response: both showed version 1.
    with pytest.raises(ValidationError) as refused:
        services.respond_to_problem(
            user=world.manager_a, problem=problem, response="另一份答复", version=1
        )
    assert has_code(refused.value, STALE)
    assert _fresh(problem).response == "经理的答复"
    with pytest.raises(ValidationError) as refused:
        services.close_problem(user=world.hq, problem=problem, comment="", version=1)
    assert has_code(refused.value, STALE)
    assert _fresh(problem).status == Status.RESPONDED


# --- access ------------------------------------------------------------------------------------


def test_who_sees_the_entries(world, visit, entries, action_people):
    def sees(user):
        return set(access.visible_problems(user).values_list("kind", flat=True))

    both = {"problem", "support"}
    assert sees(world.hq) == both
    assert sees(world.manager_a) == both
    assert sees(world.inspector_a) == both  # the visit's inspector: read only
    for outsider in (world.manager_b, world.inspector_b, world.inspector_a2, world.inspector_hq):
        assert sees(outsider) == set()
    assert not access.can_respond_problem(world.inspector_a, entries["problem"])
    # An owner sees what they own, wherever it is.
    services.reassign_problem(
        user=world.hq,
        problem=entries["support"],
        owner=world.inspector_a2,
        deadline=entries["support"].deadline,
        version=1,
    )
    assert sees(world.inspector_a2) == {"support"}
