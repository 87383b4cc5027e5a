"""Stored files (evidence, reports, submitted branch reports) are served only
through access-checked views, by this one function."""

from django.http import FileResponse, Http404


def private_file(
    file, *, filename: str, content_type: str, inline: bool = False, missing: str = ""
) -> FileResponse:
    """A stored file as a private response (the caller checked access): an
    attachment unless `inline` (images), never cached by others, never sniffed
    or run; Http404 with `missing` when the file is gone from storage."""
    try:
        stream = file.open("rb")
    except FileNotFoundError:
        raise Http404(missing) from None
    response = FileResponse(
        stream, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
