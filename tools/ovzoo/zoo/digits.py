"""scikit-learn's handwritten digits as a small, real, labelled image set for the trained test model.

The 8x8 greyscale images (values 0..16) become 0..255 uint8 images; a fixed, seeded, stratified
split keeps 20 % aside. The held-out part can be written out as an ImageNet-style folder (PNG files
plus ``val.txt``) so that ``ovzoo quantize --dataset_dir`` and ``ovzoo accuracy`` read it like any
other data set, through the same decoder and the same preprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import cv2
import numpy as np

from ovzoo.atomic import atomic_write, atomic_write_text

MODEL_NAME = "octave-digits-tiny"
SPEC_NAME = "octave-resnet-tiny-0.25"  # the family member (ovzoo.zoo.octave) it is built from
SPLIT_SEED = 0
TEST_FRACTION = 0.2
DIGITS_MAX = 16  # sklearn's digits hold counts 0..16 per 4x4 block


@dataclass(frozen=True)
class DigitsSplit:
    train_images: np.ndarray  # (N, 8, 8) uint8 0..255
    train_labels: np.ndarray  # (N,) int64
    test_images: np.ndarray
    test_labels: np.ndarray


def load_digits_split() -> DigitsSplit:
    """The digits as uint8 images, split 80/20 (stratified, seed ``SPLIT_SEED``)."""
    from sklearn.datasets import load_digits  # noqa: PLC0415 (only the test model needs scikit-learn)
    from sklearn.model_selection import train_test_split  # noqa: PLC0415

    digits = load_digits()
    images = np.round(digits.images * (255 / DIGITS_MAX)).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    train_x, test_x, train_y, test_y = train_test_split(
        images, labels, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=labels
    )
    return DigitsSplit(train_x, train_y, test_x, test_y)


def export_split(root: Path, part: Literal["train", "test"] = "test", count: int | None = None) -> Path:
    """Write one part of the split as ``root/digits_<part>/{00000.png..., val.txt}``; returns that folder.

    ``val.txt`` lists ``<file> <label>`` in split order; ``count`` keeps only the first images. The
    training part is what INT8 calibration should use, so that the held-out part stays unseen.
    """
    split = load_digits_split()
    images, labels = (
        (split.test_images, split.test_labels) if part == "test" else (split.train_images, split.train_labels)
    )
    folder = Path(root) / f"digits_{part}"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for index, (image, label) in enumerate(zip(images[:count], labels[:count], strict=True)):
        name = f"{index:05d}.png"
        ok, encoded = cv2.imencode(".png", image)
        if not ok:  # pragma: no cover - OpenCV always encodes a small uint8 image
            raise RuntimeError("cv2.imencode failed on a digits image")
        with atomic_write(folder / name) as f:
            f.write(encoded.tobytes())
        lines.append(f"{name} {int(label)}\n")
    atomic_write_text(folder / "val.txt", "".join(lines))
    return folder


def export_test_split(root: Path, count: int | None = None) -> Path:
    """The held-out part as ``root/digits_test`` (the ``digits_test`` dataset definition's data_source)."""
    return export_split(root, "test", count)
