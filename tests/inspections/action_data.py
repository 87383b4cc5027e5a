"""Shared data of the rectification action tests (issue 5): evidence files with
real magic numbers and impostors, a frozen clock, and a board of actions in
every state."""

import datetime
import io
import zipfile
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import services
from inspections.models import Visit

DAY = datetime.date
TZ = ZoneInfo("Asia/Shanghai")
#: "today" of the board below
TODAY = DAY(2012, 12, 10)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """That day at that hour in Beijing time."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def frozen(day: datetime.date, hour: int = 10, minute: int = 0):
    """A clock stopped on that day: `with frozen(day): ...` or `.start()`."""
    return time_machine.travel(at(day, hour, minute), tick=False)


# --- evidence files ---------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
LEGACY_OFFICE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64  # .doc / .xls / .ppt
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def ooxml(folder: str) -> bytes:
    """A minimal Office Open XML package (word/, xl/ or ppt/)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.exe", EXE)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """An upload whose browser-claimed type says nothing about its content."""
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- the board ------------------------------------------------------------------------


def submit_and_close(world, action, day, *, verifier=None, hour=10):
    """The branch manager submits on `day` at 9:00, the verifier closes at `hour`."""
    with frozen(day, 9):
        services.submit_for_verification(user=world.manager_a, action=action, text="整改完成")
    with frozen(day, hour):
        services.close_action(user=verifier or world.hq, action=action)
    action.refresh_from_db()
    return action


def build_board(world, make_action, visit, visit_b) -> SimpleNamespace:
    """Actions of branch A (visit of a1, and a 2013 campaign's visit of a1) and
    of branch B, in every state, seen on TODAY (2012-12-10):

    | name | unit | area | campaign | deadline | state on TODAY |
    | overdue | a1 | process | 2012 | 12-01 | open, 9 days overdue |
    | soon | a2 | kpi | 2012 | 12-12 | in progress, due in 2 days |
    | submitted | branch A | promotion | 2012 | 12-31 | submitted |
    | on_time | a1 | etiquette | 2012 | 12-05 | closed 12-04 |
    | late | a1 | process | 2012 | 11-30 | closed 12-03 |
    | next_year | a1 | process | 2013 | 2013-06-30 | open |
    | of_b | b1 | process | 2012 | 12-01 | open, 9 days overdue |
    """
    areas = {area.code: area for area in world.rubric.content_areas.all()}
    with frozen(DAY(2012, 11, 1)):
        made = {
            "overdue": make_action(visit, deadline=DAY(2012, 12, 1), description="逾期事项"),
            "soon": make_action(
                visit,
                deadline=DAY(2012, 12, 12),
                responsible_office=world.a2,
                content_area=areas["kpi"],
                description="即将到期事项",
            ),
            "submitted": make_action(
                visit,
                deadline=DAY(2012, 12, 31),
                responsible_office=None,
                content_area=areas["promotion"],
                description="待验证事项",
            ),
            "on_time": make_action(
                visit,
                deadline=DAY(2012, 12, 5),
                content_area=areas["etiquette"],
                description="按期关闭事项",
            ),
            "late": make_action(visit, deadline=DAY(2012, 11, 30), description="逾期关闭事项"),
            "of_b": make_action(visit_b, deadline=DAY(2012, 12, 1), description="乙方逾期事项"),
        }
    campaign_2013 = services.create_campaign(
        user=world.hq,
        name="2013年度一柜通验收",
        rubric=world.rubric,
        period_start=DAY(2013, 3, 1),
        period_end=DAY(2013, 4, 30),
        report_due=DAY(2013, 4, 30),
        branches=[world.branch_a, world.branch_b],
    )
    visit_2013 = services.plan_visit(
        user=world.manager_a,
        campaign=campaign_2013,
        branch=world.branch_a,
        office=world.a1,
        kind=Visit.Kind.SELF_INSPECTION,
        start_date=DAY(2013, 3, 5),
        end_date=DAY(2013, 3, 6),
        inspectors=[world.inspector_a],
    )
    made["next_year"] = make_action(visit_2013, deadline=DAY(2013, 6, 30), description="下年度事项")
    with frozen(DAY(2012, 11, 20)):
        services.add_progress(user=world.owner, action=made["soon"], note="已开始")
        services.submit_for_verification(
            user=world.manager_a, action=made["submitted"], text="已完成"
        )
    submit_and_close(world, made["on_time"], DAY(2012, 12, 4))
    submit_and_close(world, made["late"], DAY(2012, 12, 3))
    for action in made.values():
        action.refresh_from_db()
    return SimpleNamespace(campaign_2013=campaign_2013, visit_2013=visit_2013, **made)
