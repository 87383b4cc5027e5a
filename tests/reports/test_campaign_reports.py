"""The campaign's report page: who may build which report."""

import pytest
from django.urls import reverse

from reports.models import ReportJob
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(branch_a, branch_b):
    campaign = factories.CampaignFactory()
    campaign.branches.set([branch_a, branch_b])
    return campaign


def _generate(client, campaign, exporter, branch=None):
    data = {"exporter": exporter}
    if branch is not None:
        data["branch"] = branch.pk
    return client.post(reverse("campaign-reports-generate", args=[campaign.pk]), data)


def test_head_office_builds_the_consolidated_report(client, head_office_user, campaign):
    client.force_login(head_office_user)
    page = client.get(reverse("campaign-reports", args=[campaign.pk]))
    assert page.context["consolidated"] is not None
    assert len(page.context["branches"]) == 2
    response = _generate(client, campaign, "consolidated-xlsx")
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "report-job", args=[job.pk]
    )
    assert job.exporter == "consolidated-xlsx" and job.campaign == campaign and job.branch is None


def test_a_branch_manager_builds_only_their_branch_report(client, manager_a, campaign, branch_b):
    client.force_login(manager_a)
    page = client.get(reverse("campaign-reports", args=[campaign.pk]))
    assert page.context["consolidated"] is None
    assert [b for b, _rows in page.context["branches"]] == [manager_a.branch]
    assert _generate(client, campaign, "branch-pdf", manager_a.branch).status_code == 302
    assert _generate(client, campaign, "branch-pdf", branch_b).status_code == 403
    assert _generate(client, campaign, "consolidated-pdf").status_code == 403
    assert list(ReportJob.objects.values_list("branch", flat=True)) == [manager_a.branch_id]


def test_inspectors_get_the_blank_forms_only(client, campaign):
    inspector = factories.UserFactory(username="hq-inspector")
    client.force_login(inspector)
    assert _generate(client, campaign, "consolidated-pdf").status_code == 403
    assert _generate(client, campaign, "blank-forms-pdf").status_code == 302
    job = ReportJob.objects.get()
    assert client.get(reverse("report-job", args=[job.pk])).status_code == 200


def test_unknown_exporter_and_anonymous(client, campaign):
    assert client.get(reverse("campaign-reports", args=[campaign.pk])).status_code == 302
    client.force_login(factories.HeadOfficeUserFactory(username="hq2"))
    assert _generate(client, campaign, "no-such-report").status_code == 404
