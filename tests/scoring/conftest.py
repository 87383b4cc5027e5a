"""Fixtures for the rubric tests: the 2012 rubric loaded the way production
loads it (`manage.py load_rubric`), its YAML, and an admin client."""

import copy
import datetime
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

from scoring.models import RubricVersion

FIXTURE_FILE = Path(settings.BASE_DIR) / "fixtures" / "rubric-2012.yaml"
# The reference transcription of seed 000, copied into the repository.
REFERENCE_FILE = Path(settings.BASE_DIR) / "tests" / "data" / "rubrics-2012.yaml"


@pytest.fixture(scope="session")
def rubric_2012_yaml() -> dict:
    """The fixture file as plain data (a fresh deep copy per use is up to the test)."""
    with FIXTURE_FILE.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@pytest.fixture
def rubric_2012_data(rubric_2012_yaml) -> dict:
    """A deep copy of the fixture file's data that a test may change."""
    return copy.deepcopy(rubric_2012_yaml)


@pytest.fixture
def rubric_2012(db) -> RubricVersion:
    call_command("load_rubric", verbosity=0)
    return RubricVersion.objects.get(version="2012")


@pytest.fixture
def campaign_using(db):
    """Make a campaign use a rubric version (which locks a published one)."""
    from inspections.models import Campaign

    def make(rubric: RubricVersion, name="2012年度一柜通验收"):
        return Campaign.objects.create(
            name=name,
            rubric=rubric,
            period_start=datetime.date(2012, 10, 22),
            period_end=datetime.date(2012, 11, 30),
            report_due=datetime.date(2012, 11, 30),
        )

    return make


@pytest.fixture
def superuser(db):
    from inspections.models import User

    return User.objects.create_superuser("root", "root@example.com", "pw-for-tests-1")


@pytest.fixture
def su_client(client, superuser):
    """A client logged in as a superuser, asking for English pages."""
    client.force_login(superuser)
    # The UI ignores Accept-Language (Chinese by default); the switch sets this cookie.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def zh_client(client, superuser):
    """A client logged in as a superuser, with the default (Chinese) interface."""
    client.force_login(superuser)
    return client


@pytest.fixture
def rubric_staff(db):
    """A staff administrator who is not a superuser and holds no rubric permission."""
    from inspections.models import User

    return User.objects.create_user(
        "rubric-staff", password="pw-for-tests-1", is_staff=True, role=User.Role.ADMIN
    )
