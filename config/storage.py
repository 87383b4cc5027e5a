"""Where uploaded files and reports live: the local media folder by default,
or an S3-compatible bucket (through django-storages) when the environment
names one. Either way no file has a public URL: files are served by
access-checked views, and bucket objects are private."""


def storages_from_env(env) -> dict:
    # Production (STATIC_MANIFEST=1, after collectstatic) serves static files
    # with WhiteNoise under hashed, compressed names; development and tests
    # serve them as they are.
    staticfiles = {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    bucket = env.str("S3_BUCKET_NAME", default="")
    if not bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": staticfiles,
        }
    return {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("S3_REGION", default="") or None,
                "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
                "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
                "location": env.str("S3_PREFIX", default=""),
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": staticfiles,
    }
