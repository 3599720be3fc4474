"""
Where the files the application keeps are stored (Django's STORAGES), from the environment.

The file system under MEDIA_ROOT by default. With DOCUMENT_STORAGE=s3, or a bucket named in
AWS_STORAGE_BUCKET_NAME, any S3-compatible object store through django-storages: Amazon S3, or another
store at AWS_S3_ENDPOINT_URL (MinIO, Ceph, a cloud provider's own). The credentials are boto3's usual
ones (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or the machine's role), read by django-storages and
boto3 themselves, so they never sit in the settings.

Either way files are served only through the application, to those who may see them: objects are written
without a public ACL (the bucket's own, private, unless AWS_DEFAULT_ACL says otherwise), any URL the
storage could make is signed and short-lived, and a name already there is never overwritten.
"""

from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


def _get(env: Mapping, name: str) -> str:
    return (env.get(name) or "").strip()


def default_storage_from_env(env: Mapping) -> dict:
    """STORAGES["default"] as the environment `env` asks for."""
    choice = _get(env, "DOCUMENT_STORAGE").lower()
    bucket = _get(env, "AWS_STORAGE_BUCKET_NAME")
    if choice not in ("", "filesystem", "s3"):
        raise ImproperlyConfigured(f"DOCUMENT_STORAGE must be 'filesystem' or 's3', not {choice!r}.")
    if choice == "filesystem" or (choice == "" and not bucket):
        return {"BACKEND": FILE_SYSTEM}
    if not bucket:
        raise ImproperlyConfigured("DOCUMENT_STORAGE=s3 needs the bucket's name in AWS_STORAGE_BUCKET_NAME.")
    options = {
        "bucket_name": bucket,
        # Never public: no ACL is sent (the bucket's private default applies) unless one is named.
        "default_acl": _get(env, "AWS_DEFAULT_ACL") or None,
        # Any URL the storage makes is signed and expires; the application never hands one out.
        "querystring_auth": True,
        "querystring_expire": 300,
        # A new document never replaces a stored one (their names are random, and this says so twice).
        "file_overwrite": False,
    }
    for option, name in (("endpoint_url", "AWS_S3_ENDPOINT_URL"), ("region_name", "AWS_S3_REGION_NAME"),
                         ("location", "AWS_LOCATION"), ("addressing_style", "AWS_S3_ADDRESSING_STYLE")):
        if _get(env, name):
            options[option] = _get(env, name)
    if not options.get("region_name") and _get(env, "AWS_DEFAULT_REGION"):
        options["region_name"] = _get(env, "AWS_DEFAULT_REGION")
    return {"BACKEND": S3, "OPTIONS": options}


def storages_from_env(env: Mapping, *, debug: bool) -> dict:
    """Django's STORAGES: the default storage from `env`, and the static files (plain files while
    developing, hashed and compressed by WhiteNoise in production)."""
    return {
        "default": default_storage_from_env(env),
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            if debug
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
