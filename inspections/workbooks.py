"""Opening an uploaded Excel workbook (roster, KPI figures) safely.

An .xlsx is a zip archive. Before openpyxl sees one, its table of contents is
read: a file that is not a zip, that would unpack to more than
IMPORT_MAX_UNPACKED_BYTES, or that is compressed more than
IMPORT_MAX_COMPRESSION_RATIO times (a zip bomb: a few kilobytes that unpack
to gigabytes) is refused with a message, without unpacking anything.
"""

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

NOT_A_WORKBOOK = "not_a_workbook"

# The columns of head office's KPI figures workbook (import and template).
KPI_COLUMNS = ("分公司", "三级机构", "混合受理率", "均衡受理率")


def _not_a_workbook() -> ValidationError:
    return ValidationError(
        _(
            "The file is not an Excel workbook (Excel 2007 or later). Download the template and fill it in."
        ),
        code=NOT_A_WORKBOOK,
    )


def check_archive(content: bytes) -> None:
    """ValidationError unless `content` is a zip within the unpacking limits."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_workbook() from None
    unpacked = sum(member.file_size for member in members)
    packed = sum(member.compress_size for member in members) or 1
    if unpacked > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "The workbook would unpack to %(mb)s MB, more than the %(limit)s MB allowed. "
                "Remove unused sheets, images or formatting, or split it."
            )
            % {
                "mb": unpacked // (1024 * 1024),
                "limit": settings.IMPORT_MAX_UNPACKED_BYTES // (1024 * 1024),
            },
            code="too_large",
        )
    if unpacked / packed > settings.IMPORT_MAX_COMPRESSION_RATIO:
        raise ValidationError(
            _(
                "The workbook is compressed %(ratio)s times, more than a real workbook ever "
                "is: it was refused unopened. Save it again from Excel and upload that."
            )
            % {"ratio": int(unpacked / packed)},
            code="zip_bomb",
        )


def open_workbook(content: bytes):
    """A read-only openpyxl workbook of an upload, after `check_archive`."""
    check_archive(content)
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a non-workbook
        raise _not_a_workbook() from None
