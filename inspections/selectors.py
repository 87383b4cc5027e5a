"""Reads of the organisation, narrowed to what the user may see (`access`)."""

from django.db.models import Count, Prefetch, Q, QuerySet

from . import access
from .models import Branch, Campaign, Office, Specialist, User


def branch_overview(user: User) -> QuerySet[Branch]:
    """Visible branches with their offices and head counts, in a fixed number of queries."""
    offices = Office.objects.annotate(
        specialist_count=Count("specialists", filter=Q(specialists__active=True))
    ).order_by("code")
    return (
        access.visible_branches(user)
        .annotate(
            office_count=Count("offices", distinct=True),
            specialist_count=Count(
                "specialists", filter=Q(specialists__active=True), distinct=True
            ),
        )
        .prefetch_related(Prefetch("offices", queryset=offices))
        .order_by("code")
    )


def specialist_list(
    user: User, *, branch_id: int | None = None, office_id: int | None = None
) -> QuerySet[Specialist]:
    specialists = (
        access.visible_specialists(user)
        .select_related("branch", "office", "home_post")
        .prefetch_related("concurrent_posts")
        .order_by("branch__code", "office__code", "employee_no")
    )
    if branch_id:
        specialists = specialists.filter(branch_id=branch_id)
    if office_id:
        specialists = specialists.filter(office_id=office_id)
    return specialists


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.select_related("rubric").order_by("-period_start")
    if access.sees_all_branches(user):
        return campaigns
    return campaigns.filter(branches__in=access.visible_branches(user)).distinct()
