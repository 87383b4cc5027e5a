import pytest

from tests import factories


@pytest.fixture
def branch_a(db):
    return factories.BranchFactory(code="a", name="甲分公司")


@pytest.fixture
def branch_b(db):
    return factories.BranchFactory(code="b", name="乙分公司")


@pytest.fixture
def manager_a(branch_a):
    return factories.BranchManagerFactory(username="manager-a", branch=branch_a)


@pytest.fixture
def manager_b(branch_b):
    return factories.BranchManagerFactory(username="manager-b", branch=branch_b)


@pytest.fixture
def head_office_user(db):
    return factories.HeadOfficeUserFactory(username="hq")
