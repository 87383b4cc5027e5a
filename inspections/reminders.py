"""Reminders by mail: daily ones of rectification actions and of problem
register entries that are due soon or overdue, the branch's reminder the working day before its objection window
closes, and head office's reminder to a late branch of the report due date.

Each person gets at most one mail a day listing all their actions, however
often the job runs: a `ReminderLog` row per person and day is written in the
same transaction that sends the mail.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import access
from .calendars import previous_working_day
from .models import (
    Branch,
    Campaign,
    RaisedProblem,
    RectificationAction,
    ReminderLog,
    ResultsPublication,
    User,
)
from .selectors import REPEATED_OVERDUE_THRESHOLD, campaign_board

logger = logging.getLogger(__name__)


def due_actions(*, today: datetime.date):
    """Open actions due within the reminder window, or overdue."""
    horizon = today + datetime.timedelta(days=settings.ACTION_REMINDER_DAYS_BEFORE)
    return (
        RectificationAction.objects.open()
        .filter(deadline__lte=horizon)
        .select_related("visit__branch", "visit__office", "responsible_office", "owner")
        .order_by("deadline", "pk")
    )


def reminder_digests(*, today: datetime.date) -> dict[User, dict]:
    """Who gets which actions: the owner and the branch's managers for every
    due or overdue action; head office too once it is overdue by more than
    ACTION_ESCALATION_DAYS. Offices with three or more overdue actions are
    called out, and their overdue actions escalate to head office however
    late they are (seed 001: three or more repeated findings escalate)."""
    actions = list(due_actions(today=today))
    managers = defaultdict(list)
    for manager in User.objects.filter(role=User.Role.BRANCH_MANAGER, is_active=True).exclude(
        email=""
    ):
        managers[manager.branch_id].append(manager)
    head_office = list(
        User.objects.filter(role=User.Role.HEAD_OFFICE, is_active=True).exclude(email="")
    )
    overdue_per_unit = defaultdict(int)
    for action in actions:
        if action.is_overdue(today):
            overdue_per_unit[(action.visit.branch_id, action.responsible_office_id)] += 1

    digests: dict[User, dict] = {}

    def add(user, action):
        entry = digests.setdefault(user, {"actions": [], "repeated": set()})
        if action not in entry["actions"]:
            entry["actions"].append(action)
        unit = (action.visit.branch_id, action.responsible_office_id)
        if overdue_per_unit[unit] >= REPEATED_OVERDUE_THRESHOLD:
            entry["repeated"].add(action.responsible_unit)

    for action in actions:
        action.days_late = action.days_overdue(today)
        if action.owner and action.owner.is_active and action.owner.email:
            add(action.owner, action)
        for manager in managers[action.visit.branch_id]:
            add(manager, action)
        repeated = (
            overdue_per_unit[(action.visit.branch_id, action.responsible_office_id)]
            >= REPEATED_OVERDUE_THRESHOLD
        )
        if action.days_late > settings.ACTION_ESCALATION_DAYS or (action.days_late and repeated):
            for user in head_office:
                add(user, action)
    return digests


def send_action_reminders(*, today: datetime.date | None = None) -> int:
    """Send today's reminder mails; returns how many were sent. A mail that
    cannot be sent is logged and left unrecorded, so the next run tries that
    person again; the others get theirs."""
    today = today or timezone.localdate()
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for user, digest in reminder_digests(today=today).items():
            try:
                with transaction.atomic():
                    ReminderLog.objects.create(
                        recipient=user, day=today, action_count=len(digest["actions"])
                    )
                    send_mail(
                        _("Rectification actions due or overdue: %(count)s")
                        % {"count": len(digest["actions"])},
                        render_to_string(
                            "inspections/email/action_reminder.txt",
                            {
                                "user": user,
                                "today": today,
                                "actions": digest["actions"],
                                "repeated": sorted(digest["repeated"]),
                                "threshold": REPEATED_OVERDUE_THRESHOLD,
                                "base_url": settings.SITE_URL,
                            },
                        ),
                        None,
                        [user.email],
                    )
            except IntegrityError:
                continue  # already reminded today
            except Exception:
                logger.exception("Action reminder to user %s not sent", user.pk)
                continue
            sent += 1
    return sent


def problems_to_remind(*, today: datetime.date):
    """Entries still waiting for their owner's response, due within the
    reminder window or overdue, not yet reminded today."""
    horizon = today + datetime.timedelta(days=settings.PROBLEM_REMINDER_DAYS_BEFORE)
    return (
        RaisedProblem.objects.filter(
            status=RaisedProblem.Status.OPEN,
            deadline__lte=horizon,
            owner__is_active=True,
        )
        .exclude(owner__email="")
        .exclude(reminded_on=today)
    )


def send_problem_reminders(*, today: datetime.date | None = None) -> int:
    """Mail each owner their entries due soon or overdue, one mail listing
    them all; returns how many mails were sent. Each entry is mailed about
    once a day at most, however often the job runs and with two workers at
    once: an owner's entries are claimed (`reminded_on`) in the transaction
    that sends the mail, so a mail that fails leaves them for the next run."""
    today = today or timezone.localdate()
    owners = User.objects.filter(
        pk__in=problems_to_remind(today=today).values("owner_id")
    ).order_by("pk")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for owner in owners:
            try:
                with transaction.atomic():
                    # Locked, then read again: another worker's claim is seen.
                    problems = list(
                        problems_to_remind(today=today)
                        .filter(owner=owner)
                        .select_for_update(of=("self",))
                        .select_related("visit__branch", "visit__office")
                        .order_by("deadline", "pk")
                    )
                    if not problems:
                        continue
                    RaisedProblem.objects.filter(pk__in=[p.pk for p in problems]).update(
                        reminded_on=today
                    )
                    for problem in problems:
                        problem.days_late = problem.days_overdue(today)
                    send_mail(
                        _("Problem register entries waiting for your response: %(count)s")
                        % {"count": len(problems)},
                        render_to_string(
                            "inspections/email/problem_reminder.txt",
                            {
                                "user": owner,
                                "problems": problems,
                                "base_url": settings.SITE_URL,
                            },
                        ),
                        None,
                        [owner.email],
                    )
            except Exception:
                logger.exception("Problem reminder to user %s not sent", owner.pk)
                continue
            sent += 1
    return sent


def send_objection_window_reminders(*, today: datetime.date | None = None) -> int:
    """The working day before a branch's objection window closes, its managers
    are told when it closes and what they have objected to so far. Once per
    publication, however often the job runs; a mail that cannot be sent is
    tried again on the next run that day. Returns how many were sent."""
    today = today or timezone.localdate()
    publications = ResultsPublication.objects.filter(
        reminded_on__isnull=True, window_closes_on__gte=today
    ).select_related("campaign", "branch")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for publication in publications:
            if previous_working_day(publication.window_closes_on) != today:
                continue
            recipients = list(
                User.objects.filter(
                    role=User.Role.BRANCH_MANAGER, branch=publication.branch, is_active=True
                )
                .exclude(email="")
                .order_by("pk")
                .values_list("email", flat=True)
            )
            try:
                with transaction.atomic():
                    # Only one run marks it: two workers at once send one mail.
                    marked = ResultsPublication.objects.filter(
                        pk=publication.pk, reminded_on__isnull=True
                    ).update(reminded_on=today)
                    if not marked:
                        continue
                    if not recipients:
                        logger.warning(
                            "No branch manager of %s has an e-mail address: objection "
                            "window reminder %s not sent",
                            publication.branch_id,
                            publication.pk,
                        )
                        continue
                    send_mail(
                        _("Objections to %(campaign)s close on %(date)s")
                        % {
                            "campaign": publication.campaign,
                            "date": publication.window_closes_on.isoformat(),
                        },
                        render_to_string(
                            "inspections/email/objection_window_reminder.txt",
                            {
                                "publication": publication,
                                "objections": publication.objections.order_by("raised_at"),
                                "base_url": settings.SITE_URL,
                            },
                        ),
                        None,
                        recipients,
                    )
            except Exception:
                logger.exception("Objection window reminder %s not sent", publication.pk)
                continue
            sent += 1
    return sent


def send_report_reminder(
    *, user: User, campaign: Campaign, branch: Branch, today: datetime.date | None = None
) -> int:
    """Head office reminds a late branch's managers of the report due date,
    naming what is still open: units whose self-inspection is not approved
    (the branch's own counters as well as its offices), and the branch's
    acceptance report if it has not been submitted. In the app's language,
    like every mail. Returns the number of recipients."""
    if not access.can_run_campaigns(user):
        raise PermissionDenied(_("Only head office may do this."))
    if not campaign.branches.filter(pk=branch.pk).exists():
        raise ValidationError(
            _("%(branch)s is not in the scope of %(campaign)s.")
            % {"branch": branch, "campaign": campaign}
        )
    recipients = list(
        User.objects.filter(role=User.Role.BRANCH_MANAGER, branch=branch, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not recipients:
        raise ValidationError(
            _("No branch manager of %(branch)s has an e-mail address.") % {"branch": branch}
        )
    today = today or timezone.localdate()
    row = next(
        r
        for r in campaign_board(campaign=campaign, user=user, today=today)
        if r.branch.pk == branch.pk
    )
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            _("Reminder: %(campaign)s is due on %(date)s")
            % {"campaign": campaign, "date": campaign.report_due.isoformat()},
            render_to_string(
                "inspections/email/report_reminder.txt",
                {
                    "campaign": campaign,
                    "branch": branch,
                    "open_units": row.unapproved_units,
                    "report": row.report,
                    "today": today,
                    "base_url": settings.SITE_URL,
                },
            ),
            None,
            recipients,
        )
    logger.info(
        "report reminder: campaign=%s branch=%s by user=%s to %s manager(s)",
        campaign.pk,
        branch.pk,
        user.pk,
        len(recipients),
    )
    return len(recipients)
