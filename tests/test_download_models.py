"""download_models end to end against a real HTTP server: resume across runs, the cache, mirrors,
proxies from the environment, progress events, postprocessing, and failures that don't stop others."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from ovzoo.catalog.model import Model, RegexReplace, UnpackArchive
from ovzoo.download import BlobCache, DownloadOptions, download_models
from ovzoo.download.fetch import part_path
from ovzoo.download.progress import JsonProgress, ProgressReporter, TextProgress
from support.downloads import checksum_of, leftovers, make_model, model_file, payload
from support.http_faults import FaultServer, make_certificate, running_fault_server

SIZE = 2 * (1 << 20) + 777
DATA = payload(SIZE, seed=7)
HALF = SIZE // 2


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with running_fault_server() as running:
        yield running


def options(tmp_path: Path, **overrides: object) -> DownloadOptions:
    settings: dict[str, object] = {
        "output_dir": tmp_path / "out",
        "cache_dir": tmp_path / "cache",
        "retry_delay": 0.01,
        "timeout": 2.0,
    }
    settings.update(overrides)
    return DownloadOptions(**settings)  # type: ignore[arg-type]


def quiet() -> ProgressReporter:
    return ProgressReporter()


def one_file_model(server: FaultServer, *behaviours: str, name: str = "m", data: bytes = DATA) -> Model:
    url = server.add(f"{name}/weights.bin", data, *behaviours)
    return make_model(name, (model_file("weights.bin", data, url),))


def target(tmp_path: Path, name: str = "m", out: str = "out") -> Path:
    return tmp_path / out / "public" / name / "weights.bin"


def test_a_run_cut_off_halfway_is_finished_by_the_next_run_with_only_the_missing_bytes(
    server: FaultServer, tmp_path: Path
) -> None:
    model = one_file_model(server, f"drop_at:{HALF}")
    first = download_models([model], options(tmp_path, num_attempts=1), quiet())
    assert list(first.failed) == ["m"] and "connection closed" in str(first.results[0].error or "")
    assert not target(tmp_path).exists()
    assert part_path(target(tmp_path)).stat().st_size == HALF
    server.reset_counts()
    second = download_models([model], options(tmp_path), quiet())
    assert second.ok
    assert target(tmp_path).read_bytes() == DATA
    assert server.bytes_sent == SIZE - HALF
    assert [r.range for r in server.requests] == [f"bytes={HALF}-"]


def test_files_already_there_or_cached_are_not_fetched_again(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    server.reset_counts()
    assert download_models([model], options(tmp_path), quiet()).ok  # verified file in place
    target(tmp_path).unlink()
    assert download_models([model], options(tmp_path), quiet()).ok  # from the cache
    assert download_models([model], options(tmp_path, output_dir=tmp_path / "other"), quiet()).ok
    assert server.requests == []
    assert target(tmp_path).read_bytes() == DATA
    assert target(tmp_path, out="other").read_bytes() == DATA


def test_a_file_changed_in_place_is_replaced(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    target(tmp_path).write_bytes(b"edited")
    assert download_models([model], options(tmp_path), quiet()).ok
    assert target(tmp_path).read_bytes() == DATA


def test_the_cache_is_content_addressed_and_versioned(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    digest = checksum_of(DATA).value
    blob = tmp_path / "cache" / "v1" / "sha384" / digest[:2] / digest[2:]
    assert blob.read_bytes() == DATA
    assert [p for p in leftovers(tmp_path / "cache") if not p.endswith(".lock")] == [
        f"v1/sha384/{digest[:2]}/{digest[2:]}"
    ]


def test_a_corrupt_cache_entry_is_detected_dropped_and_fetched_again(
    server: FaultServer, tmp_path: Path
) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    blob = BlobCache(tmp_path / "cache").blob_path(checksum_of(DATA))
    corrupted = bytearray(blob.read_bytes())
    corrupted[SIZE // 3] ^= 0x01
    blob.write_bytes(bytes(corrupted))
    server.reset_counts()
    assert download_models([model], options(tmp_path, output_dir=tmp_path / "other"), quiet()).ok
    assert target(tmp_path, out="other").read_bytes() == DATA
    assert len(server.requests) == 1
    assert blob.read_bytes() == DATA  # repaired


def test_reading_the_cache_writes_nothing(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    cache = BlobCache(tmp_path / "cache")

    def snapshot() -> list[tuple[str, int, int]]:
        return sorted(
            (str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in (tmp_path / "cache").rglob("*")
        )

    before = snapshot()
    assert cache.copy_out(checksum_of(DATA), SIZE, tmp_path / "copy.bin") == "hit"
    assert cache.copy_out(checksum_of(b"other"), 5, tmp_path / "nothing.bin") == "miss"
    assert snapshot() == before
    assert (tmp_path / "copy.bin").read_bytes() == DATA and not (tmp_path / "nothing.bin").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_cache_still_serves_hits(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    assert download_models([model], options(tmp_path), quiet()).ok
    folders = [tmp_path / "cache", *(p for p in (tmp_path / "cache").rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        server.reset_counts()
        assert download_models([model], options(tmp_path, output_dir=tmp_path / "other"), quiet()).ok
        assert server.requests == []
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_mirrors_are_tried_first_with_the_file_name_appended(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    server.add("mirror-a/weights.bin", b"", "status:404")
    server.add("mirror-b/weights.bin", DATA)
    mirrors = (server.url("mirror-a"), server.url("mirror-b/"))
    assert download_models([model], options(tmp_path, mirrors=mirrors), quiet()).ok
    assert [r.path for r in server.requests] == ["/mirror-a/weights.bin", "/mirror-b/weights.bin"]
    assert target(tmp_path).read_bytes() == DATA


def test_a_file_mirror_needs_no_network(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server)
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "weights.bin").write_bytes(DATA)
    assert download_models([model], options(tmp_path, mirrors=((tmp_path / "mirror").as_uri(),)), quiet()).ok
    assert server.requests == []
    assert target(tmp_path).read_bytes() == DATA


def test_proxies_come_from_the_environment(
    server: FaultServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.base_url)
    server.add("proxied.bin", DATA)
    model = make_model("m", (model_file("weights.bin", DATA, "http://models.invalid/proxied.bin"),))
    assert download_models([model], options(tmp_path, cache_dir=None), quiet()).ok
    assert [r.path for r in server.requests] == ["http://models.invalid/proxied.bin"]


def test_a_failing_model_does_not_stop_the_others(server: FaultServer, tmp_path: Path) -> None:
    good = one_file_model(server, name="good")
    bad = one_file_model(server, "status:404", name="bad", data=payload(1000, seed=99))  # not in the cache
    report = download_models([bad, good], options(tmp_path, jobs=2), quiet())
    assert list(report.failed) == ["bad"]
    assert "HTTP 404" in str(report.results[0].error or "") and 'model "bad"' in str(
        report.results[0].error or ""
    )
    assert target(tmp_path, "good").read_bytes() == DATA
    assert leftovers(tmp_path / "out" / "public" / "bad") == []


def archive_model(server: FaultServer, tmp_path: Path) -> Model:
    source = tmp_path / "src"
    source.mkdir()
    (source / "model.json").write_text('{"shape": "3x3"}', encoding="utf-8")
    with tarfile.open(tmp_path / "m.tar", "w") as tar:
        tar.add(source / "model.json", arcname="ckpt/model.json")
    data = (tmp_path / "m.tar").read_bytes()
    url = server.add("m.tar", data)
    steps = (
        UnpackArchive(PurePosixPath("m.tar"), "tar"),
        RegexReplace(PurePosixPath("ckpt/model.json"), r"(\d)x(\d)", r"\1*\2"),
    )
    return make_model("m", (model_file("m.tar", data, url),), steps)


def test_postprocessing_runs_after_download_and_again_on_the_next_run(
    server: FaultServer, tmp_path: Path
) -> None:
    model = archive_model(server, tmp_path)
    for _ in range(2):  # the second run takes the archive from the cache and unpacks it over the first
        assert download_models([model], options(tmp_path), quiet()).ok
        assert leftovers(tmp_path / "out") == ["public/m/ckpt/model.json"]
        assert (tmp_path / "out/public/m/ckpt/model.json").read_text(encoding="utf-8") == '{"shape": "3*3"}'
    assert len(server.requests) == 1


def test_json_progress_events_come_in_order_with_their_context(server: FaultServer, tmp_path: Path) -> None:
    model = archive_model(server, tmp_path)
    stream = io.StringIO()
    assert download_models([model], options(tmp_path), JsonProgress(stream)).ok
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    kinds = [e["$type"] for e in events]
    assert kinds[:2] == ["model_download_begin", "model_file_download_begin"]
    assert kinds[-4:] == [
        "model_file_download_end",
        "model_postprocessing_begin",
        "model_postprocessing_end",
        "model_download_end",
    ]
    assert set(kinds[2:-4]) == {"model_file_download_progress"}
    assert all(e["model"] == "m" for e in events)
    assert events[1]["model_file"] == "m.tar" and events[-4]["successful"] is True


def test_parallel_text_progress_keeps_each_model_together(server: FaultServer, tmp_path: Path) -> None:
    models = [one_file_model(server, "throttle:262144:0.01", name=f"m{i}") for i in range(3)]
    stream = io.StringIO()
    assert download_models(models, options(tmp_path, jobs=3), TextProgress(stream, grouped=True)).ok
    owners = [
        next(m.name for m in models if f" {m.name}" in line or f"{m.name}/" in line)
        for line in stream.getvalue().splitlines()
    ]
    blocks = [name for i, name in enumerate(owners) if i == 0 or owners[i - 1] != name]
    assert sorted(blocks) == ["m0", "m1", "m2"]  # each model's lines form one block


def test_an_empty_file_needs_no_request(server: FaultServer, tmp_path: Path) -> None:
    model = one_file_model(server, data=b"")
    assert download_models([model], options(tmp_path), quiet()).ok
    assert target(tmp_path).read_bytes() == b""
    assert server.requests == []


def test_an_output_folder_that_cant_be_made_fails_the_model_cleanly(
    server: FaultServer, tmp_path: Path
) -> None:
    (tmp_path / "blocker").write_text("a file where a folder should be")
    report = download_models(
        [one_file_model(server)], options(tmp_path, output_dir=tmp_path / "blocker"), quiet()
    )
    assert list(report.failed) == ["m"]
    assert str(report.results[0].error or "").startswith('model "m": ')
    assert "Not a directory" in str(report.results[0].error or "")


CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")
@pytest.mark.parametrize("variable", [*CA_VARIABLES, None], ids=[*CA_VARIABLES, "no-bundle"])
def test_ca_bundles_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    for name in CA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    cert, key = make_certificate(tmp_path)
    if variable:
        monkeypatch.setenv(variable, str(cert))
    with running_fault_server(tls=(cert, key)) as https_server:
        model = one_file_model(https_server)
        report = download_models([model], options(tmp_path, cache_dir=None), quiet())
        if variable:
            assert report.ok and target(tmp_path).read_bytes() == DATA
        else:
            assert list(report.failed) == ["m"]
            assert "TLS error" in str(report.results[0].error or "")
            attempts = [r for r in caplog.records if r.getMessage().startswith("attempt ")]
            assert [r.getMessage()[:12] for r in attempts] == [
                "attempt 1 of"
            ]  # a certificate won't fix itself
