import importlib
import pkgutil

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Imported once the app registry is ready (they define and read models):
        # every module of reports.exporters registers its exporters on import,
        # checks registers its system check.
        from inspections import hooks

        from . import checks, exporters, services, tasks  # noqa: F401

        for module in pkgutil.iter_modules(exporters.__path__):
            importlib.import_module(f"{exporters.__name__}.{module.name}")
        # Inspections announces approvals and corrections, and asks for built branch reports.
        hooks.visit_approved.connect(
            tasks.queue_visit_reports_on_approval, dispatch_uid="reports-queue-visit-reports"
        )
        hooks.visit_results_changed.connect(
            tasks.queue_visit_reports_on_change, dispatch_uid="reports-rebuild-visit-reports"
        )
        hooks.provide_branch_report(services.built_branch_report)
