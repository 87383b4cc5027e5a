"""Every change of a score, answer, finding or action is recorded with who and
when, and shown on the visit's change history page."""

import datetime

import pytest
from django.urls import reverse

from inspections import services
from inspections.models import Finding, RectificationAction, SheetRecord, VisitChange
from scoring.models import ContentArea, Sheet
from scoring.selectors import sheet_definition
from tests import factories

pytestmark = pytest.mark.django_db


def history_page(client, visit):
    response = client.get(reverse("visit-history", args=[visit.pk]))
    assert response.status_code == 200
    return response


def test_sheet_saves_through_the_form_are_recorded_with_who_and_the_item_changed(
    client, world, visit
):
    sheet = Sheet.objects.get(rubric=world.rubric, code="policy_change")
    parts = factories.full_sheet_parts(sheet)
    client.force_login(world.inspector_a)
    data = {"sheet": sheet.pk, "specialist": world.generalist.pk}
    data |= factories.sheet_post_data(parts)
    assert client.post(reverse("visit-sheet-new", args=[visit.pk]), data).status_code == 302
    record = SheetRecord.objects.get()

    # The inspector lowers one item's score on a second save.
    section = sheet_definition(sheet=sheet).parts[0].sections[0]
    field = f"policy_change_process-{section.key}-score"
    data = factories.sheet_post_data(parts) | {"version": record.version, field: "0"}
    response = client.post(reverse("visit-sheet", args=[visit.pk, record.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

    change = VisitChange.objects.filter(visit=visit, changes__has_key="answers").latest("id")
    assert change.actor == world.inspector_a
    entries = history_page(client, visit).context["entries"]
    answer_change = next(e for e in entries if any(section.name in line.label for line in e.lines))
    line = next(line for line in answer_change.lines if section.name in line.label)
    assert (line.old, line.new) == (str(section.max_points), "0")
    assert answer_change.actor == str(world.inspector_a)
    # The sheet's total moved with it, recorded on the sheet itself.
    sheet_change = VisitChange.objects.filter(
        visit=visit, object_id=record.pk, content_type__model="sheetrecord"
    ).latest("id")
    old, new = sheet_change.changes["score"]
    assert float(old) - float(new) == float(section.max_points)


def test_findings_actions_and_deletions_are_recorded(client, world, visit):
    area = ContentArea.objects.filter(rubric=world.rubric).first()
    finding = services.add_finding(
        user=world.inspector_a, visit=visit, content_area=area, kind="shortcoming", text="未双录"
    )
    action = services.add_action(
        user=world.inspector_a,
        visit=visit,
        content_area=area,
        description="补齐双录",
        responsible_office=world.a1,
        responsible_person="李经理",
        deadline=datetime.date(2012, 12, 20),
    )
    services.delete_finding(user=world.inspector_a, finding=finding)
    services.add_progress(user=world.manager_a, action=action, note="已安排培训")

    client.force_login(world.manager_a)
    page = history_page(client, visit)
    html = page.content.decode()
    kinds = {(e.action, e.subject) for e in page.context["entries"]}
    assert any(str(Finding._meta.verbose_name) in subject for _action, subject in kinds)
    assert any(str(RectificationAction._meta.verbose_name) in s for _a, s in kinds)
    assert "未双录" in html and "补齐双录" in html and "甲一支公司" in html
    # The deleted finding stays in the history.
    assert VisitChange.objects.filter(visit=visit, action=VisitChange.Action.DELETE).exists()


def test_the_history_names_the_system_when_no_one_is_logged_in(client, world, visit):
    area = ContentArea.objects.filter(rubric=world.rubric).first()
    services.add_finding(
        user=world.inspector_a, visit=visit, content_area=area, kind="strength", text="流程规范"
    )
    client.force_login(world.hq)
    entries = history_page(client, visit).context["entries"]
    assert entries and all(e.actor for e in entries)


def test_only_those_who_see_the_visit_see_its_history(client, world, visit):
    url = reverse("visit-history", args=[visit.pk])
    assert client.get(url).status_code == 302  # to the log-in page
    for user in (world.manager_b, world.inspector_b, world.inspector_a2):
        client.force_login(user)
        assert client.get(url).status_code == 404
    for user in (world.manager_a, world.inspector_a, world.hq):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_the_history_page_runs_a_constant_number_of_queries(
    client, world, visit, django_assert_max_num_queries
):
    area = ContentArea.objects.filter(rubric=world.rubric).first()
    sheet = Sheet.objects.get(rubric=world.rubric, code="etiquette")
    client.force_login(world.hq)

    def add_changes(n):
        for i in range(n):
            services.add_finding(
                user=world.inspector_a, visit=visit, content_area=area, kind="strength", text=f"{i}"
            )
            services.save_checklist(
                user=world.inspector_a,
                visit=visit,
                sheet=sheet,
                specialist=world.generalist,
                answers=factories.checklist_answers(sheet, compliant=bool(i % 2), remark="x"),
            )
            services.add_action(
                user=world.inspector_a,
                visit=visit,
                content_area=area,
                description=f"整改{i}",
                responsible_office=world.a1 if i % 2 else world.a2,
                responsible_person="李",
                deadline=datetime.date(2012, 12, 20),
            )

    add_changes(1)
    with django_assert_max_num_queries(14) as one:
        history_page(client, visit)
    add_changes(20)
    with django_assert_max_num_queries(len(one.captured_queries)):
        history_page(client, visit)
