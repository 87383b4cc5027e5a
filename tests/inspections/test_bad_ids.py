"""A malformed id in a query string or a form is a 400 with a message (a form
field's is marked beside it); an unknown or hidden one a 404; never a 500."""

from django.urls import reverse


def test_a_malformed_id_in_a_query_string_says_what_is_wrong(client, world):
    client.force_login(world.inspector_a)
    for url in (
        reverse("visit-list") + "?campaign=abc",
        reverse("specialist-list") + "?office=99999999999999999999",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        body = response.content.decode()
        assert 'data-testid="error-page"' in body and "请返回后从列表中选择" in body


def test_an_unknown_or_hidden_id_is_a_404(client, world):
    client.force_login(world.manager_b)
    assert (
        client.get(reverse("specialist-list") + f"?branch={world.branch_a.pk}").status_code == 404
    )
    assert client.get(reverse("visit-list") + "?campaign=987654").status_code == 404


def test_a_malformed_id_in_a_form_is_marked_beside_its_field(client, world, visit):
    client.force_login(world.inspector_a)
    response = client.post(
        reverse("visit-log", args=[visit.pk]),
        {"policy_no": "P-2", "business_item": "退保", "operator": "99999999999999999999"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["operator"]


def test_evidence_aimed_at_nothing_is_refused(client, world, visit, private_media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.inspector_a)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
    for target in ("abc", "sheet:abc", "sheet:-1"):
        response = client.post(
            reverse("visit-evidence-upload", args=[visit.pk]),
            {"file": SimpleUploadedFile("p.png", png, "image/png"), "target": target},
        )
        assert response.status_code in (400, 404), target
    from inspections.models import Evidence

    assert not Evidence.objects.exists()
