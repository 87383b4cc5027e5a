"""Uploads and imports are bounded: a request's size and its number of files,
each file while it streams in, the evidence a visit or an action holds, and
what an Excel import may unpack (a zip bomb is refused unopened)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from inspections.models import ActionEvidence, Evidence, Specialist
from tests.inspections.action_data import JPEG, PDF, upload
from tests.inspections.roster_files import roster_xlsx

MB = 1024 * 1024


@pytest.fixture
def small_limits(settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1 * MB
    settings.UPLOAD_MAX_REQUEST_BYTES = 3 * MB
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 1 * MB
    return settings


def test_a_file_over_the_limit_is_refused_while_it_streams(
    client, world, visit, make_action, private_media, small_limits
):
    action = make_action(visit)
    client.force_login(world.owner)
    response = client.post(
        reverse("action-progress", args=[action.pk]),
        {"note": "整改", "files": [upload("大图.jpg", JPEG + b"\x00" * (2 * MB))]},
    )
    assert response.status_code == 413
    body = response.content.decode()
    assert 'data-testid="error-page"' in body and "大图.jpg" in body and "1 MB" in body
    assert 'class="navbar' in body  # the site's layout
    assert not ActionEvidence.objects.exists() and action.events.count() == 1


def test_a_request_over_the_limit_is_refused_before_it_is_read(
    client, world, visit, make_action, private_media, small_limits
):
    action = make_action(visit)
    client.force_login(world.owner)
    files = [upload(f"照片{n}.jpg", JPEG + b"\x00" * (MB - 100)) for n in range(4)]
    response = client.post(
        reverse("action-progress", args=[action.pk]), {"note": "整改", "files": files}
    )
    assert response.status_code == 413
    assert "3 MB" in response.content.decode()
    assert not ActionEvidence.objects.exists()


def test_too_many_files_in_one_request(client, world, visit, make_action, private_media, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    action = make_action(visit)
    client.force_login(world.owner)
    files = [upload(f"照片{n}.jpg", JPEG) for n in range(4)]
    response = client.post(
        reverse("action-progress", args=[action.pk]), {"note": "整改", "files": files}
    )
    assert response.status_code == 400
    assert 'data-testid="error-page"' in response.content.decode()
    assert not ActionEvidence.objects.exists()


def test_an_action_holds_at_most_so_many_files(
    client, world, visit, make_action, private_media, settings
):
    settings.EVIDENCE_MAX_PER_ACTION = 3
    action = make_action(visit)
    client.force_login(world.owner)
    url = reverse("action-progress", args=[action.pk])
    files = [upload(f"照片{n}.jpg", JPEG) for n in range(2)]
    assert client.post(url, {"note": "一", "files": files}).status_code == 302
    response = client.post(
        url, {"note": "二", "files": [upload(f"照片{n}.jpg", JPEG) for n in range(2)]}
    )
    assert response.status_code == 200
    assert "3" in str(response.context["progress_form"].errors)
    assert ActionEvidence.objects.count() == 2


def test_a_visit_holds_at_most_so_many_files(client, world, visit, private_media, settings):
    from inspections import services

    settings.EVIDENCE_MAX_PER_VISIT = 2
    for n in range(2):
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=SimpleUploadedFile(f"扫描{n}.pdf", PDF, "application/pdf"),
        )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.add_evidence(
            user=world.inspector_a,
            visit=visit,
            upload=SimpleUploadedFile("再一张.pdf", PDF, "application/pdf"),
        )
    assert caught.value.error_list[0].code == "too_many_files"
    assert Evidence.objects.count() == 2


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bomb(size: int) -> bytes:
    """A "workbook" whose one sheet is `size` bytes of spaces: kilobytes on disk."""
    real = zipfile.ZipFile(
        io.BytesIO(roster_xlsx([("E1", "王喆", "甲一支公司", "保全", None, "是")]))
    )
    members = {name: real.read(name) for name in real.namelist()}
    members["xl/worksheets/sheet1.xml"] = b" " * size
    return zip_of(members)


@pytest.mark.parametrize(
    ("limits", "size", "expected"),
    [
        ({"IMPORT_MAX_UNPACKED_BYTES": 2 * MB}, 3 * MB, "MB"),  # too large unpacked
        ({"IMPORT_MAX_COMPRESSION_RATIO": 100}, 1 * MB, "压缩"),  # a zip bomb
    ],
    ids=["unpacked-size", "compression-ratio"],
)
def test_an_excel_import_is_refused_before_openpyxl_opens_it(
    client, world, settings, monkeypatch, limits, size, expected
):
    for key, value in limits.items():
        setattr(settings, key, value)
    opened = []
    monkeypatch.setattr(
        "inspections.workbooks.load_workbook", lambda *a, **k: opened.append(a) or None
    )
    client.force_login(world.manager_a)
    content = bomb(size)
    assert len(content) < 100 * 1024
    response = client.post(
        reverse("roster-import"),
        {
            "branch": world.branch_a.pk,
            "file": SimpleUploadedFile("表六.xlsx", content, "application/octet-stream"),
        },
    )
    assert response.status_code == 200
    errors = str(response.context["form"].errors)
    assert expected in errors, errors
    assert not opened and not Specialist.objects.filter(employee_no="E1").exists()

    client.force_login(world.hq)
    response = client.post(
        reverse("campaign-kpis", args=[world.campaign.pk]),
        {"file": SimpleUploadedFile("指标.xlsx", content, "application/octet-stream")},
    )
    assert expected in str(response.context["upload_form"].errors)
    assert not opened


def test_a_real_roster_still_imports(client, world):
    client.force_login(world.manager_a)
    response = client.post(
        reverse("roster-import"),
        {
            "branch": world.branch_a.pk,
            "file": SimpleUploadedFile(
                "表六.xlsx", roster_xlsx([("E1", "王喆", "甲一支公司", "保全", None, "是")])
            ),
        },
    )
    assert response.status_code == 302
    assert Specialist.objects.get(employee_no="E1").name == "王喆"


def test_a_404_that_hides_an_existing_visit_is_logged_like_a_403(client, world, visit, caplog):
    client.force_login(world.manager_b)
    with caplog.at_level("WARNING", logger="yiguitong.security"):
        response = client.get(reverse("visit-detail", args=[visit.pk]), REMOTE_ADDR="10.3.3.3")
        missing = client.get(reverse("visit-detail", args=[visit.pk + 1000]))
    assert response.status_code == missing.status_code == 404
    body = response.content.decode()
    assert 'data-testid="error-page"' in body and "甲一支公司" not in body
    lines = [r.getMessage() for r in caplog.records if r.name == "yiguitong.security"]
    assert lines == [
        f"access denied (404): user=manager-b ip=10.3.3.3 method=GET "
        f"path={reverse('visit-detail', args=[visit.pk])}"
    ]
    assert all(record.created for record in caplog.records)  # the formatter adds the time
