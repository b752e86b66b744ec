"""The trained test model: built by the family builder, and training reaches the accuracy it claims."""

from __future__ import annotations

import hashlib
import tarfile

import numpy as np
import pytest

from ovzoo.mxnet.params import load_params
from ovzoo.zoo.digits import SPEC_NAME, export_split, load_digits_split
from ovzoo.zoo.octave import OCTAVE_FAMILY, build_symbol_json, param_shapes
from support.digits_pipeline import DIGITS_DIR, digits_model

ARCHIVE = DIGITS_DIR / "octave-digits-tiny.tar"


def _members() -> dict[str, bytes]:
    with tarfile.open(ARCHIVE) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_committed_archive_matches_its_descriptor():
    (entry,) = digits_model().files
    data = ARCHIVE.read_bytes()
    assert len(data) == entry.size
    assert hashlib.new(entry.checksum.algorithm, data).hexdigest() == entry.checksum.value
    assert len(data) < 4 * 1024 * 1024


def test_committed_checkpoint_is_the_family_builders_network(tmp_path):
    spec = OCTAVE_FAMILY[SPEC_NAME]
    members = _members()
    assert sorted(members) == [
        "octave-digits-tiny/checkpoint-0-0000.params",
        "octave-digits-tiny/checkpoint-0-symbol.json",
    ]
    assert members["octave-digits-tiny/checkpoint-0-symbol.json"].decode() == build_symbol_json(spec)
    params = tmp_path / "checkpoint-0-0000.params"
    params.write_bytes(members["octave-digits-tiny/checkpoint-0-0000.params"])
    arrays = load_params(params)
    assert {k: tuple(v.shape) for k, v in arrays.items()} == param_shapes(spec)
    assert all(np.isfinite(v).all() for v in arrays.values())


def test_split_is_fixed_and_stratified():
    first, second = load_digits_split(), load_digits_split()
    np.testing.assert_array_equal(first.test_labels, second.test_labels)
    assert (len(first.train_labels), len(first.test_labels)) == (1437, 360)
    assert np.bincount(first.test_labels).min() >= 35  # every digit is in the held-out part
    assert first.train_images.dtype == np.uint8 and first.train_images.max() == 255


def test_exported_split_is_an_imagenet_style_folder(tmp_path):
    import cv2

    folder = export_split(tmp_path, "test", count=5)
    lines = (folder / "val.txt").read_text().splitlines()
    split = load_digits_split()
    assert lines == [f"{i:05d}.png {split.test_labels[i]}" for i in range(5)]
    np.testing.assert_array_equal(
        cv2.imread(str(folder / "00003.png"), cv2.IMREAD_GRAYSCALE), split.test_images[3]
    )


@pytest.mark.slow
def test_training_reaches_97_percent_held_out(tmp_path):
    from ovzoo.zoo.train_digits import train_digits

    result = train_digits(tmp_path, epochs=12, seed=0)
    assert result.test_top1 >= 0.97  # moving-average BN statistics gave 0.91-0.98 here
    with tarfile.open(result.archive) as tar:
        symbol = tar.extractfile("octave-digits-tiny/checkpoint-0-symbol.json").read().decode()
    assert symbol == build_symbol_json(OCTAVE_FAMILY[SPEC_NAME])
    assert result.archive.stat().st_size < 4 * 1024 * 1024
