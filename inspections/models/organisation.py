"""The organisation (head office → branches → offices), its people and the users
of the app with their roles."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from scoring.models import BusinessLine, RolloutBatch
from scoring.text import PlainCharField

from .ordering import branch_order, bytewise, office_order, unit_order


class Branch(models.Model):
    """A branch (分公司). Its rollout batch alone sets its KPI thresholds."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = PlainCharField(_("name"), max_length=100, unique=True)
    rollout_batch = models.CharField(
        _("rollout batch"), max_length=20, choices=RolloutBatch.choices
    )
    rollout_date = models.DateField(_("rollout date"), null=True, blank=True)
    order = models.PositiveIntegerField(
        _("display order"),
        default=0,
        help_text=_("Within its rollout batch, lists show branches by this number, then code."),
    )

    class Meta:
        ordering = branch_order()
        verbose_name = _("branch")
        verbose_name_plural = _("branches")

    def __str__(self):
        return self.name


class Office(models.Model):
    """A third-level office (三级机构) under a branch."""

    class CityTier(models.TextChoices):
        A = "A", _("Tier A city")
        B = "B", _("Tier B city")
        C = "C", _("Tier C city")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="offices", verbose_name=_("branch")
    )
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = PlainCharField(_("name"), max_length=100)
    city_tier = models.CharField(_("city tier"), max_length=1, choices=CityTier.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(
        _("display order"),
        default=0,
        help_text=_("Within its branch, lists show offices by this number, then code."),
    )

    class Meta:
        ordering = office_order()
        constraints = [
            models.UniqueConstraint(fields=["branch", "name"], name="unique_office_name_per_branch")
        ]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return self.name


class Counter(models.Model):
    """A service counter (柜面) of an office or of the branch itself (seed 003)."""

    class CounterType(models.TextChoices):
        FLAGSHIP = "flagship", _("Flagship")
        STANDARD_LARGE = "standard_large", _("Standard, large")
        STANDARD_MEDIUM = "standard_medium", _("Standard, medium")
        STANDARD_SMALL = "standard_small", _("Standard, small")
        INTERNAL = "internal", _("Internal counter")

    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="counters", verbose_name=_("branch")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="counters",
        null=True,
        blank=True,
        verbose_name=_("office"),
        help_text=_("Leave empty for a counter of the branch itself."),
    )
    name = PlainCharField(_("name"), max_length=100)
    counter_type = models.CharField(_("counter type"), max_length=20, choices=CounterType.choices)

    class Meta:
        ordering = [*unit_order(), "id"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    def __str__(self):
        return self.name

    def clean(self):
        if self.office_id and self.branch_id and self.office.branch_id != self.branch_id:
            raise ValidationError({"office": _("The office belongs to another branch.")})


class Post(models.Model):
    """A counter post (岗位) and the business lines it covers. A specialist is
    never scored on a line that their home or concurrent posts cover."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = PlainCharField(_("name"), max_length=50, unique=True)
    covers_new_business = models.BooleanField(_("covers new business"), default=False)
    covers_policy_change = models.BooleanField(_("covers policy change"), default=False)
    covers_claims = models.BooleanField(_("covers claims"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")

    def __str__(self):
        return self.name

    @property
    def business_lines(self) -> frozenset[str]:
        covered = {
            BusinessLine.NEW_BUSINESS: self.covers_new_business,
            BusinessLine.POLICY_CHANGE: self.covers_policy_change,
            BusinessLine.CLAIMS: self.covers_claims,
        }
        return frozenset(line.value for line, yes in covered.items() if yes)


class Specialist(models.Model):
    """A customer-service specialist (客服专员)."""

    employee_no = PlainCharField(_("employee number"), max_length=30, unique=True)
    name = PlainCharField(_("name"), max_length=50)
    branch = models.ForeignKey(
        Branch, on_delete=models.PROTECT, related_name="specialists", verbose_name=_("branch")
    )
    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="specialists",
        null=True,
        blank=True,
        verbose_name=_("office"),
        help_text=_("Leave empty for a specialist working at the branch itself."),
    )
    home_post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="home_specialists", verbose_name=_("home post")
    )
    concurrent_posts = models.ManyToManyField(
        Post, blank=True, related_name="concurrent_specialists", verbose_name=_("concurrent posts")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = [*unit_order(), bytewise("employee_no").asc()]
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")

    def __str__(self):
        return f"{self.name}（{self.employee_no}）"

    def clean(self):
        if self.office_id and self.branch_id and self.office.branch_id != self.branch_id:
            raise ValidationError({"office": _("The office belongs to another branch.")})

    @property
    def workplace(self):
        return self.office or self.branch

    def own_business_lines(self) -> frozenset[str]:
        """The lines of the home post and every concurrent post."""
        lines = set(self.home_post.business_lines)
        for post in self.concurrent_posts.all():
            lines |= post.business_lines
        return frozenset(lines)

    def ineligibility_reason(self, business_line: str) -> str | None:
        """Why this specialist may not be scored on a line, or None when they may."""
        if business_line not in self.own_business_lines():
            return None
        posts = [self.home_post, *self.concurrent_posts.all()]
        own = [p.name for p in posts if business_line in p.business_lines]
        return _(
            "%(name)s may not be scored on %(line)s: it is their own line (post: %(posts)s). "
            "一柜通 checks specialists on lines other than their own."
        ) % {
            "name": self.name,
            "line": BusinessLine(business_line).label,
            "posts": "、".join(own),
        }


class User(AbstractUser):
    class Role(models.TextChoices):
        # A new account sees nothing until an admin gives it a role (least privilege).
        NONE = "", _("No role yet")
        INSPECTOR = "inspector", _("Inspector")
        BRANCH_MANAGER = "branch_manager", _("Branch manager")
        HEAD_OFFICE = "head_office", _("Head office")
        ADMIN = "admin", _("Administrator")

    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.NONE, blank=True
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("branch"),
        help_text=_("Required for branch managers; for inspectors, empty means head office."),
    )
    # AbstractUser's, with the plain-text rule of every field people type into.
    first_name = PlainCharField(_("first name"), max_length=150, blank=True)
    last_name = PlainCharField(_("last name"), max_length=150, blank=True)
    display_name = PlainCharField(_("display name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username

    def clean(self):
        super().clean()
        if self.role == self.Role.BRANCH_MANAGER and not self.branch_id:
            raise ValidationError({"branch": _("A branch manager must belong to a branch.")})
        if self.role in (self.Role.HEAD_OFFICE, self.Role.ADMIN) and self.branch_id:
            raise ValidationError({"branch": _("Head office and admin users belong to no branch.")})

    @property
    def has_role(self) -> bool:
        """A role given by an admin (a superuser needs none)."""
        return bool(self.role) or self.is_superuser

    @property
    def is_head_office(self) -> bool:
        return self.role in (self.Role.HEAD_OFFICE, self.Role.ADMIN) or self.is_superuser

    @property
    def is_branch_manager(self) -> bool:
        return self.role == self.Role.BRANCH_MANAGER

    @property
    def is_inspector(self) -> bool:
        return self.role == self.Role.INSPECTOR


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task (beat sends it every minute)."""

    hostname = models.CharField(_("host"), max_length=200, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
