"""Issue 15, point 5: the problem register's pages: head office's list with
its filters, pages and a fixed number of queries, an entry's page and its
steps, the visit page's link, and the list as an Excel download."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from inspections import services
from inspections.models import Interview, InterviewAnswer, RaisedProblem
from tests.inspections.action_data import frozen
from tests.inspections.problem_data import PROBLEM_TEXT, SUPPORT_TEXT, raise_and_approve

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2012, 12, 20)  # after the entries' due date (2012-12-05)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


@pytest.fixture
def entries(world, visit):
    return raise_and_approve(world, visit)


@pytest.fixture
def entry_b(world, visit_b):
    """A problem raised at branch B, approved the same day."""
    audience = world.rubric.interview_audiences.order_by("order", "pk").first()
    question = audience.questions.order_by("order", "pk").first()
    interview = Interview.objects.create(
        visit=visit_b, audience=audience, interviewee="乙", post="综合岗"
    )
    answer = InterviewAnswer.objects.create(
        interview=interview, question=question, text="乙方的问题", tag="problem"
    )
    return RaisedProblem.objects.create(
        answer=answer,
        visit=visit_b,
        kind="problem",
        text="乙方的问题",
        owner=world.manager_b,
        deadline=datetime.date(2013, 1, 31),
    )


def many_entries(visit, count):
    """`count` more open problems at `visit`, each of its own interview."""
    audience = visit.campaign.rubric.interview_audiences.order_by("order", "pk").first()
    question = audience.questions.order_by("order", "pk").first()
    made = []
    for n in range(count):
        interview = Interview.objects.create(
            visit=visit, audience=audience, interviewee=f"受访{n}", post="综合岗"
        )
        answer = InterviewAnswer.objects.create(
            interview=interview, question=question, text=f"问题{n}", tag="problem"
        )
        made.append(
            RaisedProblem(
                answer=answer,
                visit=visit,
                kind="problem",
                text=f"问题{n}",
                owner=None,
                deadline=datetime.date(2012, 12, 1) + datetime.timedelta(days=n % 60),
            )
        )
    RaisedProblem.objects.bulk_create(made)


def listed(response) -> set[str]:
    return {p.text for p in response.context["page"].object_list}


# --- the list ---------------------------------------------------------------------------------


def test_head_office_filters_the_list(client, world, entries, entry_b):
    client.force_login(world.hq)
    url = reverse("problem-list")
    with frozen(TODAY):
        assert listed(client.get(url)) == {PROBLEM_TEXT, SUPPORT_TEXT, "乙方的问题"}
        assert listed(client.get(url, {"branch": world.branch_b.pk})) == {"乙方的问题"}
        assert listed(client.get(url, {"kind": "support"})) == {SUPPORT_TEXT}
        assert listed(client.get(url, {"campaign": world.campaign.pk, "overdue": "on"})) == {
            PROBLEM_TEXT,
            SUPPORT_TEXT,
        }
        services.respond_to_problem(
            user=world.manager_a, problem=entries["problem"], response="已处理", version=1
        )
        assert listed(client.get(url, {"status": "responded"})) == {PROBLEM_TEXT}
        assert listed(client.get(url, {"status": "open"})) == {SUPPORT_TEXT, "乙方的问题"}
        assert len(listed(client.get(url, {"status": "not_closed"}))) == 3
        response = client.get(url)
    assert 'data-testid="overdue"' in response.content.decode()
    assert response.context["counts"] == {"open": 2, "responded": 1, "overdue": 2, "closed": 0}


def test_a_branch_manager_sees_only_their_branch(client, world, entries, entry_b):
    client.force_login(world.manager_b)
    response = client.get(reverse("problem-list"))
    assert listed(response) == {"乙方的问题"}
    assert PROBLEM_TEXT not in response.content.decode()
    # A filter naming the other branch is refused as an invalid choice, and shows nothing of it.
    response = client.get(reverse("problem-list"), {"branch": world.branch_a.pk})
    assert PROBLEM_TEXT not in response.content.decode()


@pytest.mark.parametrize("who", ["manager_a", "hq"])
def test_the_list_runs_a_constant_number_of_queries(
    client, world, visit, entries, django_assert_max_num_queries, who
):
    """The same bound for 2 entries and for a full page of 50 among 120."""
    bound = 10
    client.force_login(getattr(world, who))
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("problem-list"), {"status": "open"})
    assert len(response.context["page"].object_list) == 2
    many_entries(visit, 118)
    with django_assert_max_num_queries(bound):
        response = client.get(reverse("problem-list"), {"status": "open", "page": 2})
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.paginator.count == 120
    assert "status=open&amp;page=3" in response.content.decode()


# --- an entry's page --------------------------------------------------------------------------


def test_the_owner_responds_and_head_office_closes_on_the_page(client, world, entries):
    problem = entries["problem"]
    url = reverse("problem-detail", args=[problem.pk])
    client.force_login(world.manager_a)
    page = client.get(url).content.decode()
    assert PROBLEM_TEXT in page and reverse("problem-respond", args=[problem.pk]) in page
    response = client.post(
        reverse("problem-respond", args=[problem.pk]), {"response": "已增开窗口", "version": 1}
    )
    assert response.status_code == 302
    # The same form posted again (a double click): refused, said in Chinese, nothing changed.
    response = client.post(
        reverse("problem-respond", args=[problem.pk]), {"response": "另一份", "version": 1}
    )
    assert response.status_code == 200
    assert (
        zh(
            "Someone changed this entry after you opened it (or your first click was already "
            "saved). Nothing was saved: look at the entry as it is now."
        )
        in response.content.decode()
    )
    problem.refresh_from_db()
    assert problem.response == "已增开窗口" and problem.version == 2
    # The refusal shows the entry as it is now, with what was typed and the
    # current version: posting again, having read it, is a deliberate change.
    assert response.context["response_form"]["version"].value() == 2
    assert response.context["response_form"]["response"].value() == "另一份"

    client.force_login(world.hq)
    page = client.get(url).content.decode()
    assert reverse("problem-review", args=[problem.pk]) in page
    response = client.post(
        reverse("problem-review", args=[problem.pk]), {"decision": "reopen", "version": 2}
    )
    assert response.status_code == 200  # a reopening needs its reason
    assert RaisedProblem.objects.get(pk=problem.pk).status == "responded"
    response = client.post(
        reverse("problem-review", args=[problem.pk]),
        {"decision": "close", "comment": "同意", "version": 2},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.closed_by == world.hq


def test_the_visit_s_inspector_reads_but_does_not_respond(client, world, entries):
    problem = entries["problem"]
    client.force_login(world.inspector_a)
    page = client.get(reverse("problem-detail", args=[problem.pk])).content.decode()
    assert PROBLEM_TEXT in page
    assert reverse("problem-respond", args=[problem.pk]) not in page
    response = client.post(
        reverse("problem-respond", args=[problem.pk]), {"response": "x", "version": 1}
    )
    assert response.status_code == 403


def test_head_office_reassigns_on_the_page(client, world, entries):
    problem = entries["support"]
    client.force_login(world.hq)
    response = client.post(
        reverse("problem-reassign", args=[problem.pk]),
        {"owner": world.manager_b.pk, "deadline": "2099-01-31", "version": 1},
    )
    assert response.status_code == 200  # not a user of branch A nor of head office
    response = client.post(
        reverse("problem-reassign", args=[problem.pk]),
        {"owner": world.hq.pk, "deadline": "2099-01-31", "version": 1},
    )
    assert response.status_code == 302
    problem.refresh_from_db()
    assert problem.owner == world.hq and problem.deadline == datetime.date(2099, 1, 31)


def test_the_visit_page_and_the_nav_link_to_the_register(client, world, visit, entries):
    client.force_login(world.manager_a)
    page = client.get(reverse("visit-detail", args=[visit.pk])).content.decode()
    assert 'data-testid="visit-problems"' in page
    assert reverse("problem-detail", args=[entries["problem"].pk]) in page
    assert reverse("problem-list") in page


# --- the Excel download ------------------------------------------------------------------------


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_excel_download_follows_the_filters_and_access(client, world, entries, entry_b):
    services.respond_to_problem(
        user=world.manager_a, problem=entries["problem"], response="已增开窗口", version=1
    )
    url = reverse("problem-register-xlsx")
    client.force_login(world.hq)
    with frozen(TODAY):
        rows = _rows(client.get(url))
        header, body = rows[0], rows[1:]
        assert len(body) == 3
        line = dict(zip(header, next(r for r in body if PROBLEM_TEXT in r), strict=True))
        assert line[zh("Response")] == "已增开窗口"
        assert line[zh("Status")] == zh("Responded")
        assert line[zh("Owner")] == str(world.manager_a)
        assert line[zh("Respond by")] == entries["problem"].deadline.isoformat()
        assert line[zh("Overdue")] == zh("Yes")
        assert [r[5] for r in _rows(client.get(url, {"kind": "support"}))[1:]] == [SUPPORT_TEXT]
        assert client.get(url, {"branch": "x"}).status_code == 400
    client.force_login(world.manager_b)
    assert [r[5] for r in _rows(client.get(url))[1:]] == ["乙方的问题"]
