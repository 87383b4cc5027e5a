"""What an evidence upload may be, judged by its content, never by its name."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from scoring.text import strip_control_characters

from .downloads import private_file

OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(head: bytes, upload) -> str | None:
    """The content type the bytes show, or None when not an accepted kind."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"  # legacy Office (doc, xls, ppt) compound file
    if head.startswith(b"PK\x03\x04"):
        try:
            upload.seek(0)
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            for prefix, content_type in OOXML_TYPES.items():
                if any(name.startswith(prefix) for name in names):
                    return content_type
    return None


def stored_name(upload) -> str:
    """The name to keep and show for an upload: without control characters."""
    return strip_control_characters(upload.name)[:200]


def check_room(*, held: int, adding: int, limit: int, where: str) -> None:
    """Refuse more files than a visit or an action may hold."""
    if held + adding > limit:
        raise ValidationError(
            _(
                "%(where)s already holds %(held)s files; %(limit)s is the most it may. "
                "Remove some, or put several pages in one PDF."
            )
            % {"where": where, "held": held, "limit": limit},
            code="too_many_files",
        )


def check_upload(upload) -> str:
    """Refuse files too large or of a kind we do not take; return the content type."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": limit // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff(head, upload)
    if content_type is None:
        raise ValidationError(
            _("“%(name)s” is not an image, a PDF or an Office document.") % {"name": upload.name}
        )
    return content_type


def evidence_key(section, item=None) -> str:
    """What a piece of evidence on a score sheet is about: a section of the
    rubric ("<section>") or one of its items ("<section>:<item>")."""
    return f"{section.key}:{item.key}" if item is not None else section.key


def thumbnail_response(evidence):
    """A photo's thumbnail (inspections.thumbnails) after the caller checked access."""
    return private_file(
        evidence.thumbnail,
        filename=f"{evidence.uuid}.jpg",
        content_type="image/jpeg",
        inline=True,
        missing=_("The file is missing from storage."),
    )


def file_response(evidence):
    """An evidence file (visit or action) after the caller checked access:
    images inline, everything else as an attachment."""
    return private_file(
        evidence.file,
        filename=evidence.original_name,
        content_type=evidence.content_type,
        inline=evidence.content_type.startswith("image/"),
        missing=_("The file is missing from storage."),
    )
