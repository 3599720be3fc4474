"""
A request body over the limit is refused before any of it is read.

The request goes to the WSGI application itself (what gunicorn calls), with a body that counts what
is read from it, so the test sees what a server would: a 60 MB upload used to be read to the end
(and written to a temporary file) before the form could say it was too large.
"""

import io

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.urls import reverse

from tests.reporting.template_helpers import QUARTER, client_for, upload_file


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes that are made only when read, counting how many were."""

    def __init__(self, size: int):
        self.size, self.read_so_far = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.size - self.read_so_far)
        buffer[:n] = b"x" * n
        self.read_so_far += n
        return n


def call_application(path: str, length: int, body: CountingBody, **extra) -> tuple[str, bytes]:
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": body, "wsgi.errors": io.StringIO(), "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "CONTENT_LENGTH": str(length), **extra,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    content = b"".join(WSGIHandler()(environ, start_response))
    return answer["status"], content


def upload_path(reference="A-1") -> str:
    return reverse("reporting:return-upload", args=[reference, QUARTER.financial_year, QUARTER.number])


def test_a_60_mb_upload_is_refused_without_reading_its_body(db):
    body = CountingBody(60 * 1024 * 1024)

    status, content = call_application(upload_path(), body.size, body)

    assert status.startswith("413")
    assert body.read_so_far == 0
    assert "The file is too large" in content.decode()
    assert "The largest file you can upload is\n5 MB" in content.decode()


def test_a_body_just_over_the_limit_is_refused_and_one_at_the_limit_is_not(db):
    limit = settings.REQUEST_MAX_BYTES
    over = CountingBody(limit + 1)
    assert call_application(upload_path(), limit + 1, over)[0].startswith("413")
    assert over.read_so_far == 0

    at_limit = CountingBody(limit)
    status, _ = call_application("/sign-in/", limit, at_limit)
    assert not status.startswith("413")


def test_the_largest_upload_allowed_is_inside_the_request_limit(actors, settings):
    """A file of exactly the upload limit reaches the form (and its own message), not the 413 page."""
    client = client_for(actors.user_a)
    response = client.post(upload_path(), {"file": upload_file(b"x" * settings.UPLOAD_MAX_BYTES)})

    assert response.status_code == 400
    assert "This file is not an Excel workbook" in response.content.decode()


@pytest.mark.parametrize("name", ["FILE_UPLOAD_MAX_MEMORY_SIZE", "REQUEST_MAX_BYTES"])
def test_uploads_are_kept_in_memory_up_to_the_request_limit(name):
    assert getattr(settings, name) >= settings.UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.REQUEST_MAX_BYTES
