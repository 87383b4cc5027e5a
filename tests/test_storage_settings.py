import environ
import pytest
from django.core.files.storage import storages
from django.urls import Resolver404, resolve

from config.storage import storages_from_env


def test_media_on_local_disk_by_default(monkeypatch):
    monkeypatch.delenv("S3_BUCKET_NAME", raising=False)
    config = storages_from_env(environ.Env())
    assert config["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"


def test_s3_compatible_bucket_when_configured(monkeypatch, settings):
    monkeypatch.setenv("S3_BUCKET_NAME", "yiguitong-media")
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    config = storages_from_env(environ.Env())
    options = config["default"]["OPTIONS"]
    assert config["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["bucket_name"] == "yiguitong-media"
    assert options["default_acl"] == "private" and options["querystring_auth"]
    # The backend really loads with these options (no request is made).
    settings.STORAGES = config
    storages._storages = {}
    try:
        storage = storages["default"]
        assert storage.bucket_name == "yiguitong-media"
    finally:
        storages._storages = {}


def test_no_public_media_url_is_routed():
    with pytest.raises(Resolver404):
        resolve("/media/evidence/visit-1/x.jpg")
