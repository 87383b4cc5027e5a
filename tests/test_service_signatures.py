"""Services and selectors take keyword-only, typed arguments (the HackSoft
styleguide): a call names what it passes, so two ids of the same type cannot be
swapped unseen, and a signature says what it takes."""

import importlib
import inspect

import pytest

# The modules whose public functions are services (they change state) or
# selectors (they read). Their building blocks live elsewhere: refusals in
# inspections.services.errors, report view-models and lines in
# reports.selectors.types and reports.selectors.sheets.
MODULES = [
    "inspections.selectors",
    "inspections.reminders",
    "inspections.services.actions",
    "inspections.services.branch_reports",
    "inspections.services.campaigns",
    "inspections.services.roster",
    "inspections.services.visits",
    "reports.selectors.blank_forms",
    "reports.selectors.branch",
    "reports.selectors.campaign",
    "reports.selectors.jobs",
    "reports.selectors.results_table",
    "reports.selectors.visit",
    "reports.services",
    "scoring.selectors",
    "scoring.services",
]


def public_functions(name):
    module = importlib.import_module(name)
    for function_name, function in vars(module).items():
        if (
            not function_name.startswith("_")
            and inspect.isfunction(function)
            and function.__module__ == name
        ):
            yield function_name, function


@pytest.mark.parametrize("name", MODULES)
def test_arguments_are_keyword_only_and_typed(name):
    wrong = []
    for function_name, function in public_functions(name):
        for parameter in inspect.signature(function).parameters.values():
            if parameter.kind == parameter.VAR_KEYWORD:  # a signal receiver's **kwargs
                continue
            if parameter.kind != parameter.KEYWORD_ONLY:
                wrong.append(f"{function_name}({parameter.name}): not keyword-only")
            elif parameter.annotation is parameter.empty:
                wrong.append(f"{function_name}({parameter.name}): no type")
    assert not wrong, "\n".join(wrong)


def test_the_modules_have_functions():
    assert all(any(public_functions(name)) for name in MODULES)
