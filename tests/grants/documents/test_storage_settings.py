"""
Where documents are stored (config/storage.py): the file system by default, any S3-compatible store
through django-storages when told, never public, never overwriting; and the settings module choosing
it from the environment.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.storage import FILE_SYSTEM, S3, default_storage_from_env, storages_from_env
from tests.grants.test_settings import values


def test_the_file_system_by_default():
    assert default_storage_from_env({}) == {"BACKEND": FILE_SYSTEM}
    assert default_storage_from_env({"DOCUMENT_STORAGE": "filesystem", "AWS_STORAGE_BUCKET_NAME": "kept"}) == {
        "BACKEND": FILE_SYSTEM}


@pytest.mark.parametrize("env", [{"DOCUMENT_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "grants-documents"},
                                 {"AWS_STORAGE_BUCKET_NAME": "grants-documents"},
                                 {"DOCUMENT_STORAGE": " S3 ", "AWS_STORAGE_BUCKET_NAME": "grants-documents"}])
def test_s3_when_told_or_given_a_bucket_private_signed_and_never_overwriting(env):
    storage = default_storage_from_env(env)
    assert storage == {"BACKEND": S3, "OPTIONS": {
        "bucket_name": "grants-documents", "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
        "file_overwrite": False}}


def test_an_s3_compatible_store_at_its_own_address():
    storage = default_storage_from_env({
        "DOCUMENT_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "grants", "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "AWS_S3_REGION_NAME": "eu-west-2", "AWS_LOCATION": "documents-live", "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_DEFAULT_ACL": "private", "AWS_ACCESS_KEY_ID": "AKIA-not-in-settings", "AWS_SECRET_ACCESS_KEY": "secret"})
    options = storage["OPTIONS"]
    assert (options["endpoint_url"], options["region_name"], options["location"], options["addressing_style"],
            options["default_acl"]) == ("https://minio.internal:9000", "eu-west-2", "documents-live", "path", "private")
    # The credentials stay in the environment, where django-storages and boto3 read them.
    assert "AKIA-not-in-settings" not in str(storage) and "secret" not in str(storage)


def test_the_region_from_the_standard_aws_variable():
    assert default_storage_from_env({"AWS_STORAGE_BUCKET_NAME": "b", "AWS_DEFAULT_REGION": "eu-west-1"})[
        "OPTIONS"]["region_name"] == "eu-west-1"


@pytest.mark.parametrize("env, message", [
    ({"DOCUMENT_STORAGE": "s3"}, "DOCUMENT_STORAGE=s3 needs the bucket's name in AWS_STORAGE_BUCKET_NAME."),
    ({"DOCUMENT_STORAGE": "ftp"}, "DOCUMENT_STORAGE must be 'filesystem' or 's3', not 'ftp'."),
])
def test_a_storage_that_cannot_work_is_refused_at_start(env, message):
    with pytest.raises(ImproperlyConfigured) as refused:
        default_storage_from_env(env)
    assert str(refused.value) == message


def test_static_files_are_hashed_in_production_and_plain_while_developing():
    assert storages_from_env({}, debug=True)["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    assert storages_from_env({}, debug=False)["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage")


def test_the_settings_choose_s3_from_the_environment():
    storages = values("STORAGES", DOCUMENT_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="grants-documents",
                      AWS_S3_ENDPOINT_URL="https://objects.example.org")["STORAGES"]
    assert storages["default"]["BACKEND"] == S3
    assert storages["default"]["OPTIONS"]["endpoint_url"] == "https://objects.example.org"
    assert values("STORAGES")["STORAGES"]["default"] == {"BACKEND": FILE_SYSTEM}


def test_the_s3_backend_is_installed_and_takes_the_options():
    from django.utils.module_loading import import_string

    options = default_storage_from_env({"AWS_STORAGE_BUCKET_NAME": "grants", "AWS_S3_REGION_NAME": "eu-west-2"})
    storage = import_string(S3)(**options["OPTIONS"])
    assert (storage.bucket_name, storage.file_overwrite, storage.default_acl, storage.querystring_auth) == (
        "grants", False, None, True)


def test_the_document_limits_come_from_the_environment():
    got = values("DOCUMENT_MAX_BYTES", "DOCUMENT_MAX_UNPACKED_BYTES", "REQUEST_MAX_BYTES", "FILE_UPLOAD_MAX_MEMORY_SIZE",
                 DOCUMENT_MAX_BYTES="20971520")
    assert got["DOCUMENT_MAX_BYTES"] == 20 * 1024 * 1024
    assert got["DOCUMENT_MAX_UNPACKED_BYTES"] == 100 * 1024 * 1024
    assert got["REQUEST_MAX_BYTES"] == got["FILE_UPLOAD_MAX_MEMORY_SIZE"] == 20 * 1024 * 1024 + 64 * 1024
    assert values("DOCUMENT_MAX_BYTES")["DOCUMENT_MAX_BYTES"] == 10 * 1024 * 1024
