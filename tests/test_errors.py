"""The exception tree: one root, facts kept as attributes, notes in the one-line message."""

from __future__ import annotations

import hashlib
import importlib
import inspect
import io
import pkgutil
import tarfile
from pathlib import Path

import pytest

import ovzoo
from ovzoo.catalog.model import Checksum
from ovzoo.download.fetch import RetryPolicy, fetch_file
from ovzoo.download.postprocess import unpack_archive
from ovzoo.download.session import new_session
from ovzoo.errors import ChecksumMismatch, DownloadError, IncompleteDownload, OvzooError, UnsafeArchiveError


def test_every_public_error_class_derives_from_the_root() -> None:
    strays = []
    for info in pkgutil.walk_packages(ovzoo.__path__, "ovzoo."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and not issubclass(value, OvzooError)
            ):
                strays.append(f"{module.__name__}.{name}")
    assert not strays


def test_facts_are_attributes_and_notes_are_in_the_message() -> None:
    error = DownloadError("http://x/a.tar: HTTP 404", ('model "m"',), url="http://x/a.tar", status=404)
    assert (error.facts, error.status) == ({"url": "http://x/a.tar", "status": 404}, 404)
    error.add_note("gave up after 3 attempts")
    assert str(error) == 'model "m": http://x/a.tar: HTTP 404 (gave up after 3 attempts)'
    assert error.problem == "http://x/a.tar: HTTP 404"  # the problem itself is never rewritten


def _fetch(tmp_path: Path, data: bytes, size: int, digest: str, attempts: int = 1) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    fetch_file(
        [source.as_uri()],
        tmp_path / "out" / "target.bin",
        size,
        Checksum("sha384", digest),
        session=new_session(),
        policy=RetryPolicy(attempts=attempts, base_delay=0.01),
    )


def test_a_checksum_mismatch_keeps_both_digests(tmp_path: Path) -> None:
    data, wrong = b"weights" * 100, "ab" * 48
    with pytest.raises(ChecksumMismatch) as caught:
        _fetch(tmp_path, data, len(data), wrong, attempts=2)
    assert (caught.value.algorithm, caught.value.expected) == ("sha384", wrong)
    assert caught.value.actual == hashlib.sha384(data).hexdigest()
    assert str(caught.value).endswith(" (gave up after 2 attempts)")


def test_a_wrong_size_keeps_both_sizes(tmp_path: Path) -> None:
    data = b"weights" * 100
    with pytest.raises(IncompleteDownload) as caught:
        _fetch(tmp_path, data, len(data) + 1, hashlib.sha384(data).hexdigest())
    assert (caught.value.expected_size, caught.value.actual_size) == (len(data) + 1, len(data))


def test_an_unsafe_member_is_named(tmp_path: Path) -> None:
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        member = tarfile.TarInfo("../escape.txt")
        member.size = 2
        tar.addfile(member, io.BytesIO(b"hi"))
    with pytest.raises(UnsafeArchiveError) as caught:
        unpack_archive(archive, tmp_path / "out", "tar")
    assert (caught.value.archive, caught.value.member) == ("evil.tar", "../escape.txt")
