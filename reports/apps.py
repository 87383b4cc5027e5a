import importlib
import pkgutil

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Every module of reports.exporters registers its exporters on import.
        from . import checks, exporters  # noqa: F401 (checks registers itself)

        for module in pkgutil.iter_modules(exporters.__path__):
            importlib.import_module(f"{exporters.__name__}.{module.name}")
