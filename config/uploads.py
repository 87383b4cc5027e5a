"""Upload limits, enforced while the request streams in (FILE_UPLOAD_HANDLERS):
a request larger than UPLOAD_MAX_REQUEST_BYTES is refused before it is read,
and a file is refused as soon as it passes UPLOAD_MAX_FILE_BYTES, so nothing
large is written to disk first. The refusal is a 413 page that says the limit
(config/errors.py). How many files a request may carry is Django's
DATA_UPLOAD_MAX_NUMBER_FILES; how much evidence a visit or an action may hold
is the services' (EVIDENCE_MAX_PER_VISIT, EVIDENCE_MAX_PER_ACTION); what an
Excel import may unpack is `inspections.excel_limits`."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext as _


class UploadTooLarge(RequestDataTooBig):
    """Django's own kind (the request's POST data is then not read again)."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


class LimitedUploadHandler(FileUploadHandler):
    """First of the upload handlers: counts, and passes every chunk on."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > settings.UPLOAD_MAX_REQUEST_BYTES:
            raise UploadTooLarge(
                _("The upload is larger than %(mb)s MB in all. Send fewer or smaller files.")
                % {"mb": _mb(settings.UPLOAD_MAX_REQUEST_BYTES)}
            )

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_FILE_BYTES:
            raise UploadTooLarge(
                _("“%(name)s” is larger than %(mb)s MB, the limit for one file.")
                % {"name": self.file_name, "mb": _mb(settings.UPLOAD_MAX_FILE_BYTES)}
            )
        return raw_data

    def file_complete(self, file_size):
        return None
