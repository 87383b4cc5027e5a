"""Photos in place: taken from an item's row before or after the sheet's first
save, kept without losing what was typed, shown as thumbnails made on the
server (upright, without metadata)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from inspections import services, thumbnails
from inspections.models import Evidence, SheetRecord
from scoring.models import Sheet
from tests import factories

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo_bytes(size=(1200, 800), *, orientation=None, gps=False, mode="RGB", fmt="JPEG"):
    """A camera-like photo: landscape pixels, optionally marked to be shown
    rotated (EXIF orientation 6: a tablet held upright) and with a GPS position."""
    image = Image.new(mode, size, "red" if mode != "RGBA" else (255, 0, 0, 128))
    for x in range(size[0] // 2):  # the left half blue, to see the rotation
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (0, 0, 255) if mode == "RGB" else (0, 0, 255, 255))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "Camera maker"
        exif.get_ifd(GPS_IFD)[2] = (29.0, 33.0, 0.0)  # latitude: Chongqing
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if (orientation or gps) and fmt == "JPEG" else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(content, name="柜面.jpg"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_thumbnail_is_upright_small_and_without_metadata():
    original = photo_bytes(orientation=6, gps=True)
    with Image.open(io.BytesIO(original)) as image:
        assert image.getexif()[ORIENTATION] == 6 and image.getexif().get_ifd(GPS_IFD)
    thumbnail = thumbnails.make_thumbnail(upload(original))
    with Image.open(io.BytesIO(thumbnail.read())) as image:
        assert image.format == "JPEG"
        assert image.size == (320, 480)  # turned upright: portrait, within 480 px
        assert not image.getexif() and "exif" not in image.info and "icc_profile" not in image.info


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "WEBP"])
def test_other_image_kinds_get_a_jpeg_thumbnail(fmt):
    content = photo_bytes(size=(300, 200), mode="RGBA" if fmt != "GIF" else "RGB", fmt=fmt)
    thumbnail = thumbnails.make_thumbnail(upload(content, f"x.{fmt.lower()}"))
    with Image.open(io.BytesIO(thumbnail.read())) as image:
        assert image.format == "JPEG" and image.size == (300, 200) and image.mode == "RGB"


def test_a_broken_or_enormous_image_keeps_its_file_without_a_thumbnail(
    world, visit, private_media, monkeypatch
):
    assert thumbnails.make_thumbnail(upload(b"\xff\xd8\xff\xe0" + b"\x00" * 64)) is None
    monkeypatch.setattr(thumbnails, "MAX_PIXELS", 1000)  # a decompression bomb, in small
    evidence = services.add_evidence(
        user=world.inspector_a, visit=visit, upload=upload(photo_bytes(size=(100, 100)))
    )
    assert evidence.content_type == "image/jpeg" and not evidence.thumbnail


def sheet_of(world, code="new_business"):
    return Sheet.objects.get(rubric=world.campaign.rubric, code=code)


def first_item_key(sheet):
    from scoring.selectors import sheet_definition

    definition = sheet_definition(sheet=sheet)
    for part in definition.parts:
        for section in part.sections:
            for item in section.items:
                return f"{section.key}:{item.key}"
    raise AssertionError("no item")


def send_photo(client, visit, sheet, specialist, key, content=None):
    return client.post(
        reverse("visit-sheet-evidence", args=[visit.pk, sheet.code]),
        {
            "file": upload(content or photo_bytes(orientation=6, gps=True)),
            "specialist": specialist.pk,
            "item_key": key,
        },
        headers={"x-requested-with": "fetch"},
    )


def test_a_photo_taken_before_the_first_save_joins_the_sheet_when_it_is_saved(
    client, world, visit, private_media
):
    sheet = sheet_of(world)
    key = first_item_key(sheet)
    client.force_login(world.inspector_a)
    response = send_photo(client, visit, sheet, world.generalist, key)
    assert response.status_code == 200
    evidence = Evidence.objects.get()
    assert (evidence.sheet_record, evidence.pending_sheet) == (None, sheet)
    assert evidence.pending_specialist == world.generalist and evidence.thumbnail
    html = json.loads(response.content)["html"]
    assert reverse("evidence-thumbnail", args=[evidence.uuid]) in html
    # The page of the sheet not saved yet shows it beside its item.
    page = client.get(
        reverse("visit-sheet-new", args=[visit.pk]),
        {"sheet": sheet.pk, "specialist": world.generalist.pk},
    ).content.decode()
    assert reverse("evidence-thumbnail", args=[evidence.uuid]) in page
    assert f'data-evidence-key="{key}"' in page and 'capture="environment"' in page

    data = {"sheet": sheet.pk, "specialist": world.generalist.pk}
    data |= factories.sheet_post_data(factories.full_sheet_parts(sheet))
    client.post(reverse("visit-sheet-new", args=[visit.pk]), data)
    record = SheetRecord.objects.get()
    evidence.refresh_from_db()
    assert (evidence.sheet_record, evidence.pending_sheet, evidence.item_key) == (record, None, key)
    page = client.get(reverse("visit-sheet", args=[visit.pk, record.pk])).content.decode()
    assert reverse("evidence-thumbnail", args=[evidence.uuid]) in page

    # After the save, a photo joins the record at once.
    assert send_photo(client, visit, sheet, world.generalist, key).status_code == 200
    assert Evidence.objects.filter(sheet_record=record, item_key=key).count() == 2


def test_a_refused_photo_says_why_and_stores_nothing(client, world, visit, private_media):
    sheet = sheet_of(world)
    client.force_login(world.inspector_a)
    cases = [
        (first_item_key(sheet), b"MZ\x90\x00 not an image"),
        ("no_such_section:x", None),
    ]
    for key, content in cases:
        response = send_photo(client, visit, sheet, world.generalist, key, content)
        assert response.status_code == 400 and json.loads(response.content)["error"]
    response = send_photo(client, visit, sheet, world.at_b1, first_item_key(sheet))
    assert response.status_code == 400  # not of this office
    assert not Evidence.objects.exists()


def test_the_thumbnail_is_served_only_to_who_may_see_the_visit(client, world, visit, private_media):
    evidence = services.add_evidence(
        user=world.inspector_a, visit=visit, upload=upload(photo_bytes(size=(200, 100)))
    )
    url = reverse("evidence-thumbnail", args=[evidence.uuid])
    client.force_login(world.manager_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(world.manager_b)
    assert client.get(url).status_code == 404
