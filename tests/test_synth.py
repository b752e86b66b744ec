"""Synthetic checkpoints: determinism, MXNet loads and runs them, separated top-1 classes, overlays."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import tarfile
from pathlib import Path

import numpy as np
import pytest

from ovzoo.catalog.loader import default_models_root, load_model_file
from ovzoo.cli import synth as synth_cli
from ovzoo.demo import demo_mirror, find_catalog_model, prepare_synthetic_archive
from ovzoo.errors import ModelSelectionError
from ovzoo.images import image_like_batch
from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.mxnet.params import load_params
from ovzoo.zoo.octave import OCTAVE_FAMILY
from ovzoo.zoo.synth import SynthArchive, measure_separation, synthesize_archive, write_descriptor_overlay
from ovzoo.zoo.weights import logits, normalise, top1_margins

TINY = OCTAVE_FAMILY["octave-resnet-tiny-0.25"]


def unpack(archive: Path, dest: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")
    return dest / archive.name.removesuffix(".tar") / "checkpoint-0"


def mxnet_probabilities(prefix: Path, batch: np.ndarray) -> np.ndarray:
    mx = import_mxnet()
    symbol, arg_params, aux_params = mx.model.load_checkpoint(str(prefix), 0)
    executor = symbol.simple_bind(mx.cpu(), grad_req="null", data=batch.shape)
    for name, value in {**arg_params, **aux_params}.items():
        (executor.arg_dict if name in arg_params else executor.aux_dict)[name][:] = value
    executor.arg_dict["data"][:] = batch
    return executor.forward(is_train=False)[0].asnumpy()


@pytest.fixture(scope="module")
def tiny_archive(tmp_path_factory: pytest.TempPathFactory) -> SynthArchive:
    return synthesize_archive(TINY.name, tmp_path_factory.mktemp("tiny"), seed=0)


def test_same_seed_same_bytes(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    again = synthesize_archive(TINY.name, tmp_path, seed=0)
    assert again.sha384 == tiny_archive.sha384
    assert again.path.read_bytes() == tiny_archive.path.read_bytes()
    assert hashlib.sha384(again.path.read_bytes()).hexdigest() == again.sha384
    assert again.size == again.path.stat().st_size


def test_other_seed_other_weights(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    other = synthesize_archive(TINY.name, tmp_path, seed=1)
    assert other.sha384 != tiny_archive.sha384
    assert other.size == tiny_archive.size


def test_checkpoint_loads_and_runs_in_mxnet(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    prefix = unpack(tiny_archive.path, tmp_path)
    probs = mxnet_probabilities(prefix, normalise(image_like_batch(8, 0, TINY.input_size)))
    assert probs.shape == (8, TINY.num_classes)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert len(set(probs.argmax(axis=1))) >= 3


def test_batch_norm_statistics_are_calibrated(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    prefix = unpack(tiny_archive.path, tmp_path)
    arrays = load_params(Path(f"{prefix}-0000.params"))
    variances = [v for k, v in arrays.items() if k.endswith("_moving_var")]
    means = [v for k, v in arrays.items() if k.endswith("_moving_mean")]
    assert all(np.all(v > 0) and np.all(np.isfinite(v)) for v in variances)
    assert not all(np.allclose(v, 1.0) for v in variances)  # not the untouched initial value
    assert not all(np.allclose(m, 0.0) for m in means)


def test_tiny_top1_classes_are_separated(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    prefix = unpack(tiny_archive.path, tmp_path)
    arrays = load_params(Path(f"{prefix}-0000.params"))
    separation = measure_separation(TINY, arrays, images=32)
    assert separation.min_margin > 0
    assert separation.distinct_top1 >= 6  # of 10 classes


def test_unknown_model_name(tmp_path: Path) -> None:
    with pytest.raises(ModelSelectionError, match="no synthetic builder for 'resnet-9000'"):
        synthesize_archive("resnet-9000", tmp_path)


@pytest.mark.parametrize("name", ["octave-resnext-50-0.25", "octave-resnet-26-0.25"])
def test_descriptor_overlay_loads_with_catalog(tmp_path: Path, name: str) -> None:
    model = load_model_file(default_models_root() / name / "model.yml")
    spec = OCTAVE_FAMILY[name]
    fake = tmp_path / spec.archive
    fake.write_bytes(b"x" * 10)
    archive = SynthArchive(fake, 10, hashlib.sha384(b"x" * 10).hexdigest())
    out = tmp_path / "overlay" / "model.yml"
    write_descriptor_overlay(model, archive, "http://127.0.0.1:9/" + spec.archive, out)
    overlay = load_model_file(out, name=name)
    file = overlay.files[0]
    assert (str(file.name), file.size, file.checksum.algorithm, file.checksum.value, file.source) == (
        spec.archive,
        10,
        "sha384",
        archive.sha384,
        "http://127.0.0.1:9/" + spec.archive,
    )
    skip = {"files", "config_path", "config_dir"}
    for f in dataclasses.fields(model):
        if f.name not in skip:
            assert getattr(overlay, f.name) == getattr(model, f.name), f.name


def test_cli_prints_archive_and_margins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tiny_archive: SynthArchive
) -> None:
    assert synth_cli.main(["--name", TINY.name, "-o", str(tmp_path), "--check-images", "8"]) == 0
    out = capsys.readouterr().out
    assert f"sha384:  {tiny_archive.sha384}" in out
    assert f"size:    {tiny_archive.size}" in out
    assert re.search(r"top-1 margin over 8 image-like inputs: min \d+\.\d+", out)


def test_cli_overlay_needs_a_catalog_model(tmp_path: Path) -> None:
    with pytest.raises(ModelSelectionError, match="not in the catalog"):
        synth_cli.main(
            ["--name", TINY.name, "-o", str(tmp_path), "--descriptor-out", str(tmp_path / "m.yml")]
        )
    assert list(tmp_path.iterdir()) == []


def test_cli_source_without_descriptor_is_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as e:
        synth_cli.main(["--name", TINY.name, "-o", str(tmp_path), "--source", "http://x/"])
    assert e.value.code == 2


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "size"), [("octave-resnext-50-0.25", 100_700_160), ("octave-resnet-26-0.25", 64_256_000)]
)
def test_full_size_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], synthetic_mirrors: Path, name: str, size: int
) -> None:
    spec = OCTAVE_FAMILY[name]
    # built here, or by an earlier slow test of the run (the same builder code and seed: the same bytes)
    archive, _ = prepare_synthetic_archive(
        find_catalog_model(name), demo_mirror(synthetic_mirrors / name, name)
    )
    assert archive.size == size
    # the CLI synthesises afresh and gives the same bytes (determinism), and writes the overlay
    overlay = tmp_path / "overlay.yml"
    assert (
        synth_cli.main(
            [
                "--name",
                name,
                "-o",
                str(tmp_path / "cli"),
                "--check-images",
                "0",
                "--descriptor-out",
                str(overlay),
                "--source",
                "http://127.0.0.1:9/x.tar",
            ]
        )
        == 0
    )
    assert f"sha384:  {archive.sha384}" in capsys.readouterr().out
    assert load_model_file(overlay, name=name).files[0].checksum.value == archive.sha384

    prefix = unpack(archive.path, tmp_path / "unpacked")
    arrays = load_params(Path(f"{prefix}-0000.params"))
    separation = measure_separation(spec, arrays, images=32)
    assert separation.min_margin > 0
    assert separation.distinct_top1 >= 28
    probs = mxnet_probabilities(prefix, normalise(image_like_batch(2, 0)))
    assert probs.shape == (2, 1000) and np.all(np.isfinite(probs))

    # weights rounded to FP16 (what an FP16 IR stores) move the logits by a small fraction of their
    # spread, as in a trained model (~1 % before the residual-branch scaling and span-only whitening):
    # only near-ties may change their top-1 class
    batch = normalise(image_like_batch(32, 0, spec.input_size))
    exact = logits(spec, arrays, batch)
    rounded = logits(spec, {k: v.astype(np.float16).astype(np.float32) for k, v in arrays.items()}, batch)
    error = np.sqrt(np.mean((rounded - exact) ** 2)) / exact.std(axis=0).mean()
    assert error < 0.005, f"FP16 weights move the logits by {error:.2%} of their spread"
    flipped = exact.argmax(axis=1) != rounded.argmax(axis=1)
    assert np.all(top1_margins(exact)[flipped] < 0.05) and flipped.sum() <= 2
    cosine = (exact * rounded).sum(axis=1) / (np.linalg.norm(exact, axis=1) * np.linalg.norm(rounded, axis=1))
    assert cosine.min() >= 0.9995


def test_mxnet_resaves_the_same_bytes(tiny_archive: SynthArchive, tmp_path: Path) -> None:
    """load_checkpoint + save_checkpoint in MXNet reproduces both members byte for byte."""
    mx = import_mxnet()
    prefix = unpack(tiny_archive.path, tmp_path / "unpacked")
    symbol, arg_params, aux_params = mx.model.load_checkpoint(str(prefix), 0)
    resaved = tmp_path / "resaved" / "checkpoint-0"
    resaved.parent.mkdir()
    mx.model.save_checkpoint(str(resaved), 0, symbol, arg_params, aux_params)
    for suffix in ("-0000.params", "-symbol.json"):
        assert Path(f"{resaved}{suffix}").read_bytes() == Path(f"{prefix}{suffix}").read_bytes(), suffix
