"""State changes of the organisation and its people. Each runs in one
transaction: it saves everything or nothing."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Branch, Post, Specialist
from ..roster import RowError, parse_roster


class RosterImportError(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(e.message for e in errors))


@dataclass(frozen=True)
class RosterImportSummary:
    created: int
    updated: int


def import_roster(*, branch: Branch, content: bytes) -> RosterImportSummary:
    """Create or update the branch's specialists from a roster workbook.

    Every row must be valid, or nothing is saved. People are matched by
    employee number; one who belongs to another branch is refused.
    """
    offices = {}
    for office in branch.offices.all():
        offices[office.name] = office.pk
        offices[office.code] = office.pk
    posts = {}
    for post in Post.objects.all():
        posts[post.name] = post.pk
        posts[post.code] = post.pk
    parsed = parse_roster(
        content, branch_names={branch.name, branch.code}, offices=offices, posts=posts
    )
    errors = list(parsed.errors)
    existing = {
        s.employee_no: s
        for s in Specialist.objects.select_related("branch").filter(
            employee_no__in=[row.employee_no for row in parsed.rows]
        )
    }
    for row in parsed.rows:
        person = existing.get(row.employee_no)
        if person is not None and person.branch_id != branch.pk:
            errors.append(
                RowError(
                    row.row_number,
                    # Never who or where: the importer may not see other branches.
                    _(
                        "employee number %(no)s is already used by another branch's "
                        "specialist; check the number, or ask head office to move them"
                    )
                    % {"no": row.employee_no},
                )
            )
    if errors:
        raise RosterImportError(sorted(errors, key=lambda e: e.row_number or 0))

    created = updated = 0
    with transaction.atomic():
        for row in parsed.rows:
            person, was_created = Specialist.objects.update_or_create(
                employee_no=row.employee_no,
                defaults={
                    "name": row.name,
                    "branch": branch,
                    "office_id": row.office_id,
                    "home_post_id": row.home_post_id,
                    "active": row.active,
                },
            )
            person.concurrent_posts.set(row.concurrent_post_ids)
            created += was_created
            updated += not was_created
    return RosterImportSummary(created=created, updated=updated)
