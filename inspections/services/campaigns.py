"""Head office's campaign work: opening a campaign, its grade bands, the random
draw of offices, and the KPI figures of its monitoring."""

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from scoring.models import KpiThreshold, RubricVersion
from scoring.text import from_excel, strip_control_characters

from .. import access, draws
from ..models import Branch, Campaign, CampaignGradeBand, KpiFigure, Office, RandomDraw, User
from ..workbooks import KPI_COLUMNS, open_workbook
from .errors import Refusals

OFFICES_DRAWN_PER_BRANCH = 2
GRADE_MAX_LENGTH = CampaignGradeBand._meta.get_field("grade").max_length


def _require_head_office(user: User):
    if not access.can_run_campaigns(user):
        raise PermissionDenied(_("Only head office may do this."))


@transaction.atomic
def create_campaign(
    *,
    user: User,
    name: str,
    rubric: RubricVersion,
    period_start: datetime.date,
    period_end: datetime.date,
    report_due: datetime.date,
    branches: Iterable[Branch],
) -> Campaign:
    _require_head_office(user)
    campaign = Campaign(
        name=name,
        rubric=rubric,
        period_start=period_start,
        period_end=period_end,
        report_due=report_due,
        created_by=user,
    )
    campaign.full_clean()
    campaign.save()
    campaign.branches.set(branches)
    CampaignGradeBand.objects.bulk_create(
        CampaignGradeBand(campaign=campaign, grade=band.grade, minimum_percent=band.minimum_percent)
        for band in rubric.grade_bands.all()
    )
    return campaign


@transaction.atomic
def update_grade_bands(*, user: User, campaign: Campaign, bands: list[tuple[str, Decimal]]):
    """Replace the campaign's grade bands; refused once a visit exists."""
    _require_head_office(user)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.has_visits():
        raise ValidationError(_("Grade bands cannot change once the campaign has a visit."))
    bands = [(str(grade).strip(), Decimal(minimum)) for grade, minimum in bands]
    for grade, minimum in bands:
        if not grade or len(grade) > GRADE_MAX_LENGTH:
            raise ValidationError(
                _("A grade is 1 to %(max)s characters long.") % {"max": GRADE_MAX_LENGTH}
            )
        if not 0 <= minimum <= 100:
            raise ValidationError(
                _("%(grade)s: a minimum lies between 0 and 100 %%.") % {"grade": grade}
            )
    grades = [grade for grade, _minimum in bands]
    if len(set(grades)) != len(grades):
        raise ValidationError(_("Each grade may appear only once."))
    if not any(minimum == 0 for _grade, minimum in bands):
        raise ValidationError(_("The lowest band must start at zero so every result has a grade."))
    campaign.grade_bands.all().delete()
    CampaignGradeBand.objects.bulk_create(
        CampaignGradeBand(campaign=campaign, grade=grade, minimum_percent=minimum)
        for grade, minimum in bands
    )


@transaction.atomic
def draw_offices(
    *, user: User, campaign: Campaign, branch: Branch, reason: str = "", seed: str | None = None
) -> RandomDraw:
    """Draw two offices of the branch at random (总部随机抽取分公司二家三级机构).

    A redraw needs a reason; the earlier draw stays on record, superseded.
    """
    _require_head_office(user)
    if not campaign.branches.filter(pk=branch.pk).exists():
        raise ValidationError(_("%(branch)s is not in the campaign's scope.") % {"branch": branch})
    # Lock the branch row so two head-office users cannot draw at once.
    Branch.objects.select_for_update().get(pk=branch.pk)
    current = RandomDraw.objects.filter(
        kind=RandomDraw.Kind.OFFICES, campaign=campaign, branch=branch, superseded_by__isnull=True
    ).first()
    reason = reason.strip()
    if current is not None and not reason:
        raise ValidationError(_("A redraw needs a reason."))
    offices = {o.pk: o.name for o in branch.offices.filter(active=True)}
    if not offices:
        raise ValidationError(_("%(branch)s has no active office to draw.") % {"branch": branch})
    seed = seed or draws.new_seed()
    result = draws.draw(list(offices), OFFICES_DRAWN_PER_BRANCH, seed)
    new = RandomDraw.objects.create(
        kind=RandomDraw.Kind.OFFICES,
        campaign=campaign,
        branch=branch,
        seed=seed,
        sample_size=OFFICES_DRAWN_PER_BRANCH,
        candidate_ids=sorted(offices),
        result_ids=result,
        result_labels=[offices[pk] for pk in result],
        reason=reason,
        drawn_by=user,
    )
    if current is not None:
        current.superseded_by = new
        current.save(update_fields=["superseded_by"])
    return new


def _percent(value, label) -> Decimal:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(label)s: “%(value)s” is not a number.") % {"label": label, "value": value}
        ) from None
    if not number.is_finite() or number < 0 or number > 100:
        raise ValidationError(_("%(label)s: a rate lies between 0 and 100.") % {"label": label})
    return number.quantize(Decimal("0.01"))


def _kpi_scope(kpi: str, branch: Branch, office: Office | None):
    if office is not None and office.branch_id != branch.pk:
        raise ValidationError(
            _("%(office)s is not an office of %(branch)s.") % {"office": office, "branch": branch}
        )
    if kpi == KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE and office is None:
        raise ValidationError(_("The mixed acceptance rate is entered per office."))
    if kpi == KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE and office is not None:
        raise ValidationError(_("The balanced acceptance rate is entered per branch."))


def figure_field(*, kpi: str, branch_id: int, office_id: int | None) -> str:
    """The field a KPI figure's refusal names: "<kpi>:<branch id>:<office id or ''>"."""
    return f"{kpi}:{branch_id}:{office_id or ''}"


@transaction.atomic
def save_kpi_figures(
    *,
    user: User,
    campaign: Campaign,
    figures: Iterable[tuple[str, Branch, Office | None, object]],
) -> int:
    """Save (kpi, branch, office, value) figures: every one is checked, and all
    or none are saved. Refusals are by figure (`figure_field`), so a form shows
    each beside its input."""
    _require_head_office(user)
    checked, errors = [], Refusals()
    scope = set(campaign.branches.values_list("pk", flat=True))
    for kpi, branch, office, value in figures:
        label = f"{KpiThreshold.Kpi(kpi).label} · {office or branch}"
        try:
            if branch.pk not in scope:
                raise ValidationError(
                    _("%(branch)s is not in the campaign's scope.") % {"branch": branch}
                )
            _kpi_scope(kpi, branch, office)
            checked.append((kpi, branch, office, _percent(value, label)))
        except ValidationError as error:
            for message in error.messages:
                errors.add(
                    message,
                    field=figure_field(
                        kpi=kpi, branch_id=branch.pk, office_id=office.pk if office else None
                    ),
                    code="invalid_figure",
                )
    errors.raise_any()
    for kpi, branch, office, value in checked:
        KpiFigure.objects.update_or_create(
            campaign=campaign,
            kpi=kpi,
            branch=branch,
            office=office,
            defaults={"value_percent": value, "entered_by": user},
        )
    return len(checked)


def import_kpi_figures(*, user: User, campaign: Campaign, content: bytes) -> int:
    """Load figures from an Excel sheet with the columns 分公司, 三级机构,
    混合受理率, 均衡受理率 (one row per office; a row without office gives the
    branch's balanced rate). Every row is checked; all or nothing is saved."""
    _require_head_office(user)
    workbook = open_workbook(content)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [str(v).strip() if v is not None else "" for v in next(rows, [])]
    missing = [c for c in KPI_COLUMNS if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s") % {"columns": "、".join(missing)})
    index = {c: header.index(c) for c in KPI_COLUMNS}
    branches = {}
    for branch in campaign.branches.all():
        branches[branch.name] = branches[branch.code] = branch
    offices = {}
    for office in Office.objects.filter(branch__in=campaign.branches.all()):
        offices[(office.branch_id, office.name)] = offices[(office.branch_id, office.code)] = office

    figures, errors = [], []
    for number, values in enumerate(rows, start=2):

        def cell(column, values=values):
            position = index[column]
            value = values[position] if position < len(values) else None
            # Names are matched and figures read; nothing here is stored as text.
            return strip_control_characters(from_excel(value)).strip()

        if not any(cell(c) for c in KPI_COLUMNS):
            continue
        branch = branches.get(cell("分公司"))
        if branch is None:
            errors.append(
                _("Row %(row)s: unknown branch “%(name)s”.")
                % {"row": number, "name": cell("分公司")}
            )
            continue
        office = None
        if cell("三级机构"):
            office = offices.get((branch.pk, cell("三级机构")))
            if office is None:
                errors.append(
                    _("Row %(row)s: unknown office “%(name)s”.")
                    % {"row": number, "name": cell("三级机构")}
                )
                continue
        for column, kpi, wanted in (
            ("混合受理率", KpiThreshold.Kpi.MIXED_ACCEPTANCE_RATE, office is not None),
            ("均衡受理率", KpiThreshold.Kpi.BALANCED_ACCEPTANCE_RATE, office is None),
        ):
            if not cell(column):
                continue
            if not wanted:
                errors.append(
                    _("Row %(row)s: %(column)s belongs on a row %(where)s.")
                    % {
                        "row": number,
                        "column": column,
                        "where": _("with an office") if office is None else _("without an office"),
                    }
                )
                continue
            try:
                figures.append((kpi, branch, office, _percent(cell(column), column)))
            except ValidationError as error:
                errors.append(
                    _("Row %(row)s: %(error)s") % {"row": number, "error": error.messages[0]}
                )
    workbook.close()
    if errors:
        raise ValidationError(errors)
    return save_kpi_figures(user=user, campaign=campaign, figures=figures)
