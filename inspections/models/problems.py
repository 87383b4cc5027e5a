"""The problem register (问题与支持需求台账): every interview answer tagged as
a problem or a request for head office's support, once its visit is approved,
becomes an entry that someone owns, answers and head office closes.

The life of an entry:

- open: the owner (the branch's manager by default; head office may hand it
  to someone else and move its due date) is to respond;
- responded: the owner has written what was done or what is needed; they may
  rewrite the response until head office decides;
- closed: head office accepted the response (closing date and who closed it
  are kept). Head office may reopen a responded or closed entry, saying why:
  it is open again, for a better response.

Like a rectification action, an entry lives outside the frozen visit, and
"open", "overdue" and "due soon" mean what `deadlines` says.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.text import PlainTextField

from .deadlines import DeadlineQuerySet, HasDeadline
from .visits import InterviewAnswer, Visit


class RaisedProblem(HasDeadline, models.Model):
    class Kind(models.TextChoices):
        PROBLEM = InterviewAnswer.Tag.PROBLEM.value, _("Problem")
        SUPPORT = InterviewAnswer.Tag.SUPPORT.value, _("Support request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

    answer = models.OneToOneField(
        InterviewAnswer,
        on_delete=models.PROTECT,
        related_name="raised_problem",
        verbose_name=_("interview answer"),
    )
    # The answer's visit, kept here so that lists and access rules need no
    # walk through the interview.
    visit = models.ForeignKey(
        Visit, on_delete=models.PROTECT, related_name="raised_problems", verbose_name=_("visit")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # The answer's text when the visit was approved: the answer is frozen with
    # its visit, but the register says what was raised in its own words.
    text = PlainTextField(_("as raised"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_problems",
        verbose_name=_("owner"),
    )
    deadline = models.DateField(_("respond by"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    response = PlainTextField(_("response"), blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responded by"),
    )
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    # Head office's word when it last closed or reopened the entry.
    review_comment = PlainTextField(_("head office's comment"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    # Every change adds one: a page posts the version it showed, and a change
    # made since by someone else refuses the post instead of being overwritten.
    version = models.PositiveIntegerField(_("version"), default=1)
    # The day the owner was last reminded: one mail per entry per day.
    reminded_on = models.DateField(_("owner reminded on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("problem register entry")
        verbose_name_plural = _("problem register entries")

    def __str__(self):
        return self.text[:50]
