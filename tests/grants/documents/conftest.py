"""Documents: each test keeps its files in a media directory of its own, so that "nothing was stored"
can be checked by listing it."""

import pytest


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    """Every file under the media directory."""
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
