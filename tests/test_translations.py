"""The interface speaks Simplified Chinese: every string the code marks for
translation has a Chinese translation, including Django's own blank choice."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
PROJECT_PACKAGES = ("config", "inspections", "reports", "scoring")
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
CJK = re.compile(r"[\u3400-\u9fff]")


def marked_strings():
    """(file, line, msgid) of every gettext-family call with a literal message,
    f-strings included: makemessages cannot see a call inside an f-string."""
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                    continue
                if node.func.id not in GETTEXT_NAMES or not node.args:
                    continue
                arg = node.args[-1] if node.func.id.startswith("pgettext") else node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    context = node.args[0].value if node.func.id.startswith("pgettext") else None
                    yield path.relative_to(ROOT), node.lineno, context, arg.value


def test_every_marked_string_of_the_code_has_a_chinese_translation():
    found = list(marked_strings())
    assert len(found) > 300
    untranslated = []
    with translation.override("zh-hans"):
        for path, line, context, msgid in found:
            if CJK.search(msgid) or not re.search("[a-z]", msgid):
                continue  # already Chinese (a rubric term), or a sign or acronym ("—", "SHA-256")
            text = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
            if text == msgid:
                untranslated.append(f"{path}:{line}: {msgid!r}")
    assert not untranslated, "\n".join(untranslated)


def test_the_catalog_has_no_fuzzy_entry():
    # msgmerge guesses a translation for a new string from a similar old one and
    # marks it fuzzy; compilemessages leaves fuzzy entries out.
    po = (ROOT / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po


def test_django_s_blank_choice_is_chinese():
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"


@pytest.mark.django_db
def test_the_sheet_page_shows_no_english_label(client, world, visit):
    from inspections import services
    from scoring.models import Sheet
    from tests import factories

    sheet = Sheet.objects.get(rubric=world.campaign.rubric, code="new_business")
    record = services.save_sheet(
        user=world.inspector_a,
        visit=visit,
        specialist=world.generalist,
        sheet=sheet,
        selection_method="followed_live",
        parts=factories.full_sheet_parts(sheet),
    )
    client.force_login(world.inspector_a)
    html = client.get(f"/visits/{visit.pk}/sheets/{record.pk}/").content.decode()
    for english in ("Subtotal", "(total", ">max ", "Select an option"):
        assert english not in html, english
    assert "小计" in html and "满分" in html
    visit_page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "Select an option" not in visit_page and "- 请选择 -" in visit_page
