import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from inspections.models import Specialist
from inspections.services import RosterImportError, import_roster
from tests import factories
from tests.inspections.roster_files import HEADER, roster_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(branch_a):
    return factories.OfficeFactory(branch=branch_a, code="a-1", name="甲一支公司")


def test_import_creates_specialists_with_posts(branch_a, office):
    content = roster_xlsx(
        [
            ("E1", "王喆", "甲一支公司", "保全", "理赔、综合", "是"),
            ("E2", "李䶮", "甲分公司", "契约", None, None),
            ("E3", "赵堃", "a-1", "理赔", None, "否"),
        ]
    )
    summary = import_roster(branch=branch_a, content=content)
    assert (summary.created, summary.updated) == (3, 0)
    wang = Specialist.objects.get(employee_no="E1")
    assert wang.office == office and wang.home_post.name == "保全"
    assert sorted(p.name for p in wang.concurrent_posts.all()) == ["理赔", "综合"]
    li = Specialist.objects.get(employee_no="E2")
    assert li.office is None and li.branch == branch_a and li.active
    assert not Specialist.objects.get(employee_no="E3").active


def test_reimport_updates_by_employee_number(branch_a, office):
    import_roster(
        branch=branch_a, content=roster_xlsx([("E1", "王喆", "甲一支公司", "保全", "理赔", "是")])
    )
    summary = import_roster(
        branch=branch_a, content=roster_xlsx([("E1", "王大喆", "甲分公司", "单证", None, "是")])
    )
    assert (summary.created, summary.updated) == (0, 1)
    person = Specialist.objects.get(employee_no="E1")
    assert person.name == "王大喆" and person.office is None and person.home_post.name == "单证"
    assert not person.concurrent_posts.exists()


def test_every_bad_row_is_reported_with_its_number_and_nothing_is_saved(branch_a, office):
    content = roster_xlsx(
        [
            ("E1", "王喆", "甲一支公司", "保全", None, "是"),  # row 2: good
            ("E2", "", "甲一支公司", "保全", None, "是"),  # row 3: empty name
            ("E1", "重复", "甲一支公司", "保全", None, "是"),  # row 4: duplicate number
            ("E4", "钱多", "不存在支公司", "保全", None, "是"),  # row 5: unknown office
            ("E5", "孙少", "甲一支公司", "柜员", "飞行员", "是"),  # row 6: unknown posts
        ]
    )
    with pytest.raises(RosterImportError) as caught:
        import_roster(branch=branch_a, content=content)
    by_row = {(e.row_number, e.message) for e in caught.value.errors}
    rows = sorted({row for row, _ in by_row})
    assert rows == [3, 4, 5, 6]
    messages = " ".join(message for _, message in by_row)
    assert "姓名为空" in messages or "name is empty" in messages
    assert not Specialist.objects.exists()


def test_messages_are_in_chinese(branch_a, office):
    content = roster_xlsx([("E2", "", "不存在支公司", "保全", None, "是")])
    with pytest.raises(RosterImportError) as caught:
        import_roster(branch=branch_a, content=content)
    text = " ".join(e.message for e in caught.value.errors)
    assert "姓名为空" in text
    assert "未知机构" in text


def test_a_person_of_another_branch_is_refused_without_naming_branch_or_person(
    branch_a, branch_b, office
):
    other_office = factories.OfficeFactory(branch=branch_b, name="乙九支公司")
    other = factories.SpecialistFactory(employee_no="E9", name="乙方赵", office=other_office)
    with pytest.raises(RosterImportError) as caught:
        import_roster(
            branch=branch_a, content=roster_xlsx([("E9", "王喆", "甲一支公司", "保全", None, "是")])
        )
    [error] = caught.value.errors
    assert error.row_number == 2
    assert "E9" in error.message
    for secret in (branch_b.name, other.name, other_office.name):
        assert secret not in error.message
    assert Specialist.objects.get(employee_no="E9").branch == branch_b


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_in_a_roster_are_refused_by_row_and_column(branch_a, office, character):
    # Excel keeps what its XML cannot hold as "_x0007_" (C0 controls); DEL and C1 as is.
    typed = f"_x{ord(character):04X}_" if ord(character) < 0x20 else character
    content = roster_xlsx([("E1", f"王{typed}喆", "甲一支公司", "保全", None, "是")])
    with pytest.raises(RosterImportError) as caught:
        import_roster(branch=branch_a, content=content)
    [error] = caught.value.errors
    assert error.row_number == 2
    assert "姓名" in error.message and f"U+{ord(character):04X}" in error.message
    assert not Specialist.objects.exists()


def test_a_soft_line_break_in_a_roster_name_is_a_line_break(branch_a, office):
    import_roster(
        branch=branch_a,
        content=roster_xlsx([("E1", "王_x000B_喆", "甲一支公司", "保全", None, "是")]),
    )
    assert Specialist.objects.get().name == "王\n喆"


def test_missing_column_and_not_a_workbook(branch_a):
    with pytest.raises(RosterImportError) as caught:
        import_roster(branch=branch_a, content=roster_xlsx([("E1",)], header=HEADER[:1]))
    assert caught.value.errors[0].row_number == 1
    with pytest.raises(RosterImportError):
        import_roster(branch=branch_a, content=b"not a workbook at all")


def test_upload_page_for_branch_manager(client, manager_a, office):
    client.force_login(manager_a)
    upload = SimpleUploadedFile(
        "roster.xlsx", roster_xlsx([("E1", "王喆", "甲一支公司", "保全", None, "是")])
    )
    response = client.post(
        reverse("roster-import"), {"branch": manager_a.branch_id, "file": upload}, follow=True
    )
    assert response.status_code == 200
    assert Specialist.objects.filter(employee_no="E1", branch=manager_a.branch).exists()


def test_upload_page_lists_errors_with_row_numbers(client, manager_a, office):
    client.force_login(manager_a)
    upload = SimpleUploadedFile(
        "roster.xlsx",
        roster_xlsx([("E1", "王喆", "甲一支公司", "保全", None, "是"), ("E2", "", "x", "保全")]),
    )
    response = client.post(
        reverse("roster-import"), {"branch": manager_a.branch_id, "file": upload}
    )
    assert response.status_code == 200
    errors = response.context["errors"]
    assert {e.row_number for e in errors} == {3}
    assert "没有导入任何人员" in response.content.decode()
    assert not Specialist.objects.exists()


def test_upload_refuses_a_file_that_is_not_xlsx_whatever_its_name(client, manager_a):
    client.force_login(manager_a)
    upload = SimpleUploadedFile("roster.xlsx", b"%PDF-1.4 fake")
    response = client.post(
        reverse("roster-import"), {"branch": manager_a.branch_id, "file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_branch_manager_cannot_import_into_another_branch(client, manager_a, branch_b):
    factories.OfficeFactory(branch=branch_b, name="乙一支公司")
    client.force_login(manager_a)
    upload = SimpleUploadedFile(
        "roster.xlsx", roster_xlsx([("E1", "王喆", "乙一支公司", "保全", None, "是")])
    )
    response = client.post(reverse("roster-import"), {"branch": branch_b.pk, "file": upload})
    assert response.status_code == 200
    assert "branch" in response.context["form"].errors
    assert not Specialist.objects.exists()


def test_template_download(client, head_office_user):
    client.force_login(head_office_user)
    response = client.get(reverse("roster-template"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADER


def test_inspectors_cannot_import(client, db):
    inspector = factories.UserFactory(username="insp")
    client.force_login(inspector)
    assert client.get(reverse("roster-import")).status_code == 403
    assert client.get(reverse("roster-template")).status_code == 403
