from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Rubrics and scoring")

    def ready(self):
        from . import selectors
        from .models import Item, RubricVersion, Section, Sheet, SheetPart

        # Rubric versions in use are read-only, but a draft's rows, a test's
        # or a shell's edits must never meet a definition kept from before.
        for model in (RubricVersion, Sheet, SheetPart, Section, Item):
            for signal in (post_save, post_delete):
                signal.connect(
                    selectors.forget_definitions,
                    sender=model,
                    dispatch_uid=f"scoring-forget-definitions-{model.__name__}-{signal is post_save}",
                )
