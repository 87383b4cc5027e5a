"""The query of a campaign's results page: filters and sort, from GET parameters.

A parameter that is not valid (a branch the user may not see, a sort key that
does not exist) is ignored and the page says so; the others still apply, so a
tampered or stale link never fails."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors.results_table import SORT_KEYS, ResultsQuery, batch_choices

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class ResultsQueryForm(forms.Form):
    batch = forms.ChoiceField(label=_("Rollout batch"), required=False, widget=SELECT)
    branch = forms.TypedChoiceField(
        label=_("Branch"), required=False, coerce=int, empty_value=None, widget=SELECT
    )
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("", "")] + [(v, v) for key in SORT_KEYS for v in (key, f"-{key}")],
    )

    def __init__(self, data, *, branches):
        """`branches`: (id, name, batch) of the branches the user may see."""
        super().__init__(data)
        self.fields["batch"].choices = [("", _("Every batch")), *batch_choices()]
        self.fields["branch"].choices = [("", _("Every branch"))] + [
            (pk, name) for pk, name, _batch in branches
        ]

    def query(self) -> ResultsQuery:
        """The valid parameters; an invalid one counts as not given."""
        self.is_valid()
        cleaned = self.cleaned_data
        sort = cleaned.get("sort") or ""
        return ResultsQuery(
            batch=cleaned.get("batch") or "",
            branch_id=cleaned.get("branch"),
            sort=sort.removeprefix("-") or "order",
            descending=sort.startswith("-"),
        )

    def ignored(self) -> list[str]:
        """What the page ignored, in words: "Branch: Select a valid choice…"."""
        return [
            f"{self.fields[name].label}: {' '.join(errors)}"
            for name, errors in self.errors.items()
            if name in self.fields
        ]
