from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = _("Inspections and organisation")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import history
        from .services.outcomes import refresh_missing_outcomes

        history.register()
        post_migrate.connect(refresh_missing_outcomes, sender=self)
