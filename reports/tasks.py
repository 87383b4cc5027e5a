"""Report tasks (being built: report jobs)."""


def queue_visit_reports(*, visit_id: int, requested_by_id: int | None = None) -> list:
    """Queue the PDF and Excel reports of an approved visit (report jobs come next)."""
    return []
