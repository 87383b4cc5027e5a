"""Shared data of the problem register tests: a visit of branch A whose
interview raised a problem and a support request (and left a tagged answer
empty), submitted and approved by head office on APPROVED_ON."""

import datetime

from inspections import services
from inspections.models import RaisedProblem
from tests import factories
from tests.inspections.action_data import frozen

APPROVED_ON = datetime.date(2012, 11, 5)
PROBLEM_TEXT = "高峰时段排队过长"
SUPPORT_TEXT = "希望总部开通理赔系统权限"


def raise_and_approve(world, visit, *, problem=PROBLEM_TEXT, support=SUPPORT_TEXT):
    """Fill `visit`, record the interview, submit and approve it: returns its
    entries {"problem": …, "support": …}."""
    factories.fill_visit(world, visit, world.inspector_a)
    audience = world.rubric.interview_audiences.order_by("order", "pk").first()
    first, second, third = audience.questions.order_by("order", "pk")[:3]
    services.save_interview(
        user=world.inspector_a,
        visit=visit,
        audience=audience,
        interviewee="柜员孙",
        post="综合岗",
        notes="",
        answers={
            first.pk: {"text": problem, "tag": "problem"},
            second.pk: {"text": support, "tag": "support"},
            third.pk: {"text": "", "tag": "problem"},  # tagged, nothing said: no entry
        },
    )
    services.submit_visit(user=world.inspector_a, visit=visit)
    with frozen(APPROVED_ON):
        services.approve_visit(user=world.hq, visit=visit, comment="同意")
    return {p.kind: p for p in RaisedProblem.objects.filter(visit=visit)}
