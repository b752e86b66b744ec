"""Bad input for the family members, through the CLI as a user meets it: a descriptor whose file has
the wrong checksum or size or is missing, a checkpoint whose params don't match the symbol (a missing
array, a wrong shape), an op attribute the translator doesn't honour. Each is one line on stderr
naming the model, the file and the node or field, exit 1, no traceback, and nothing half-written."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from ovzoo.catalog.loader import load_models
from ovzoo.cli.__main__ import main as ovzoo_main
from ovzoo.mxnet.params import save_params
from ovzoo.zoo.octave import OCTAVE_FAMILY, build_symbol_json, param_shapes
from support.http_faults import FaultServer, running_fault_server

MEMBERS = [m.name for m in load_models() if m.name in OCTAVE_FAMILY and m.name != "octave-digits-tiny"]


def _smallest_per_architecture() -> list[str]:
    """One member per architecture (ResNet, ResNeXt, SE-ResNet, DenseNet): the smallest checkpoint."""
    chosen: dict[tuple[str, bool], tuple[int, str]] = {}
    for model in load_models():
        if model.name in MEMBERS:
            spec = OCTAVE_FAMILY[model.name]
            kind = (spec.architecture, spec.num_group > 1)
            chosen[kind] = min(
                chosen.get(kind, (model.files[0].size, model.name)), (model.files[0].size, model.name)
            )
    return sorted(name for _, name in chosen.values())


# converting needs the whole (zero-valued) checkpoint on disk: one member per architecture is enough
CONVERT_MEMBERS = _smallest_per_architecture()
PAYLOAD = bytes(range(256)) * 64  # what the test server hands out for a member's archive


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with running_fault_server() as running:
        yield running


def _one_error_line(capsys: pytest.CaptureFixture[str], verb: str) -> str:
    """The error line on stderr; fails if there is a traceback or more than one error line."""
    err = capsys.readouterr().err
    # the test server's threads may print their own tracebacks (a client hanging up); ovzoo's must not
    assert not re.search(r'File "[^"]*/ovzoo/', err), err
    errors = [
        line for line in err.splitlines() if line.startswith(f"ovzoo {verb}: error:") or '": file "' in line
    ]
    assert len(errors) == 1, err
    return errors[0]


def _catalog_with(tmp_path: Path, name: str, size: int, checksum: str, source: str) -> Path:
    """A catalog holding the member's own model.yml with its archive entry changed."""
    (original,) = [m for m in load_models() if m.name == name]
    text = original.config_path.read_text()
    archive = original.files[0].name.as_posix()
    text = re.sub(r"size: \d+", f"size: {size}", text, count=1)
    text = re.sub(r"checksum: [0-9a-f]{96}", f"checksum: {checksum}", text, count=1)
    text = re.sub(r"source: \S+" + re.escape(archive), f"source: {source}", text, count=1)
    folder = tmp_path / "models" / name
    folder.mkdir(parents=True)
    (folder / "model.yml").write_text(text)
    return tmp_path / "models"


def _files_left(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _sha384(data: bytes) -> str:
    return hashlib.sha384(data).hexdigest()


DOWNLOAD_DEFECTS = {
    # defect -> (size, checksum, served?, words the error must contain besides model and file)
    "wrong-checksum": (len(PAYLOAD), "ab" * 48, True, ["sha384 is", "expected " + "ab" * 48]),
    "wrong-size": (len(PAYLOAD) + 1, _sha384(PAYLOAD), True, [f"the descriptor says {len(PAYLOAD) + 1}"]),
    "missing-file": (len(PAYLOAD), _sha384(PAYLOAD), False, ["404"]),
}


@pytest.mark.parametrize("defect", sorted(DOWNLOAD_DEFECTS))
@pytest.mark.parametrize("name", MEMBERS)
def test_download_of_a_bad_descriptor(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, defect: str
) -> None:
    size, checksum, served, words = DOWNLOAD_DEFECTS[defect]
    archive = next(m for m in load_models() if m.name == name).files[0].name.as_posix()
    if served:
        server.add(f"zoo/{archive}", PAYLOAD)
    models = _catalog_with(tmp_path, name, size, checksum, server.url(f"zoo/{archive}"))
    out = tmp_path / "out"
    argv = ["download", "--models_dir", str(models), "--name", name, "-o", str(out), "--num_attempts", "1"]
    assert ovzoo_main([*argv, "--cache_dir", str(tmp_path / "cache")]) == 1
    line = _one_error_line(capsys, "download")
    assert f'model "{name}"' in line and f'file "{archive}"' in line, line
    assert all(word in line for word in words), line
    assert _files_left(out) == []  # no archive, no .part of the wrong bytes


def test_a_mirror_with_wrong_bytes_is_named_even_when_the_upstream_is_down(
    server: FaultServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The mirror's checksum failure is the telling one; the unreachable upstream tried after it must not hide it."""
    name = MEMBERS[0]
    archive = next(m for m in load_models() if m.name == name).files[0].name.as_posix()
    server.add(f"mirror/{archive}", PAYLOAD[::-1])
    models = _catalog_with(tmp_path, name, len(PAYLOAD), _sha384(PAYLOAD), server.url(f"gone/{archive}"))
    argv = ["download", "--models_dir", str(models), "--name", name, "-o", str(tmp_path / "out")]
    argv += ["--num_attempts", "1", "--mirror", server.url("mirror/"), "--cache_dir", str(tmp_path / "cache")]
    assert ovzoo_main(argv) == 1
    line = _one_error_line(capsys, "download")
    assert "every source failed" in line and f"mirror/{archive}: sha384 is" in line and "404" in line, line


# -- checkpoints that don't match their symbol ----------------------------------------------------


def _checkpoint(root: Path, name: str, edit_params: Callable[[dict], None] | None = None) -> Path:
    """``root`` as a download dir holding the member's upstream symbol and zero-valued params."""
    spec = OCTAVE_FAMILY[name]
    folder = root / "public" / name / spec.stem
    folder.mkdir(parents=True)
    (folder / "checkpoint-0-symbol.json").write_text(build_symbol_json(spec))
    arrays = {key: np.zeros(shape, np.float32) for key, shape in param_shapes(spec).items()}
    if edit_params:
        edit_params(arrays)
    save_params(folder / "checkpoint-0-0000.params", arrays)
    return folder


def _first_param(name: str, prefix: str) -> str:
    return next(k for k in param_shapes(OCTAVE_FAMILY[name]) if k.startswith(prefix) and "-l2l" in k)


def _drop(name: str) -> Callable[[dict], None]:
    def edit(arrays: dict) -> None:
        del arrays[_first_param(name, "arg:L3_")]

    return edit


def _shorten(name: str) -> Callable[[dict], None]:
    def edit(arrays: dict) -> None:
        key = _first_param(name, "arg:L3_")
        arrays[key] = arrays[key][:-1]

    return edit


def _convert(root: Path, name: str, capsys: pytest.CaptureFixture[str]) -> str:
    code = ovzoo_main(["convert", "--name", name, "-d", str(root), "-o", str(root / "ir")])
    line = _one_error_line(capsys, "convert")
    assert code == 1, line
    assert f"model '{name}'" in line, line
    assert _files_left(root / "ir") == []  # no IR, no temporary folder
    return line


@pytest.mark.parametrize("name", CONVERT_MEMBERS)
def test_convert_a_checkpoint_lacking_an_array(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    missing = _first_param(name, "arg:L3_").removeprefix("arg:")
    _checkpoint(tmp_path, name, _drop(name))
    line = _convert(tmp_path, name, capsys)
    assert "checkpoint-0-0000.params" in line and f"param {missing!r}" in line and "no array" in line, line


@pytest.mark.parametrize("name", CONVERT_MEMBERS)
def test_convert_a_param_of_the_wrong_shape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    key = _first_param(name, "arg:L3_")
    shape = param_shapes(OCTAVE_FAMILY[name])[key]
    _checkpoint(tmp_path, name, _shorten(name))
    line = _convert(tmp_path, name, capsys)
    wrong = (shape[0] - 1, *shape[1:])
    assert (
        "checkpoint-0-0000.params" in line
        and f"node {key.removeprefix('arg:').removesuffix('_weight')!r}" in line
    )
    assert f"has shape {wrong}, the graph needs {shape}" in line, line


ATTRIBUTE_EDITS = {
    # (op, attribute, value, words of the error)
    "pooling-same": ("Pooling", "pooling_convention", "same", "pooling_convention 'same' is not supported"),
    "conv-nhwc": ("Convolution", "layout", "NHWC", "layout 'NHWC' is not supported"),
    "upsampling-bilinear": (
        "UpSampling",
        "sample_type",
        "bilinear",
        "sample_type 'bilinear' is not supported",
    ),
}


@pytest.mark.parametrize("edit", sorted(ATTRIBUTE_EDITS))
@pytest.mark.parametrize("name", CONVERT_MEMBERS)
def test_convert_an_attribute_outside_what_is_honoured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, edit: str
) -> None:
    op, attribute, value, words = ATTRIBUTE_EDITS[edit]
    folder = _checkpoint(tmp_path, name)
    symbol = json.loads((folder / "checkpoint-0-symbol.json").read_text())
    node = next(n for n in symbol["nodes"] if n["op"] == op)
    node["attrs"][attribute] = value
    (folder / "checkpoint-0-symbol.json").write_text(json.dumps(symbol))
    line = _convert(tmp_path, name, capsys)
    assert "checkpoint-0-symbol.json" in line and f"node {node['name']!r} ({op})" in line and words in line, (
        line
    )
