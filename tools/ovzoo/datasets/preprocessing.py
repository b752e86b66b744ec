"""Image preprocessing with the accuracy checker's semantics (opencv_imread, bgr_to_rgb, resize, crop, normalization).

The exact arithmetic matters for comparing numbers with published ones, so it follows the
accuracy checker: ``aspect_ratio_scale: greater`` makes the *shorter* side ``size`` and the other
``int(size * long / short)`` (truncated, not rounded); OpenCV resizes the uint8 image and the
result becomes float32; the centre crop starts at ``(side - size) // 2``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from ovzoo.datasets.steps import BgrToRgb, Crop, Normalization, PreprocessingStep, Resize
from ovzoo.errors import OvzooError

INTERPOLATION_FLAGS: dict[str, int] = {
    "NEAREST": cv2.INTER_NEAREST,
    "LINEAR": cv2.INTER_LINEAR,
    "BILINEAR": cv2.INTER_LINEAR,
    "CUBIC": cv2.INTER_CUBIC,
    "BICUBIC": cv2.INTER_CUBIC,
    "AREA": cv2.INTER_AREA,
    "LANCZOS4": cv2.INTER_LANCZOS4,
}

# ImageNet habit: resize to 256 then crop 224; other input sizes keep that ratio
RESIZE_TO_CROP_RATIO = 256 / 224


class ImageReadError(OvzooError, ValueError):
    """An image file that OpenCV can't decode."""


def read_image(path: Path) -> np.ndarray:
    """Decode an image the way ``reader: opencv_imread`` does: HxWx3 uint8, BGR (grey images get 3 channels).

    Raises:
        ImageReadError: missing or undecodable file.
    """
    if not Path(path).is_file():  # checked first: OpenCV would also log a warning of its own
        raise ImageReadError(f"image {str(path)!r} does not exist")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        raise ImageReadError(f"can't read image {str(path)!r} (missing or not an image OpenCV can decode)")
    return image


def resized_size(height: int, width: int, size: int, aspect_ratio_scale: str | None) -> tuple[int, int]:
    """Target (height, width) of a resize step."""
    if aspect_ratio_scale is None:
        return size, size
    # 'greater': the accuracy checker's scale_greater (shorter side -> size, the other truncated)
    if height > width:
        return int(size * height / width), size
    return size, int(size * width / height)


def resize(image: np.ndarray, step: Resize) -> np.ndarray:
    height, width = resized_size(image.shape[0], image.shape[1], step.size, step.aspect_ratio_scale)
    resized = cv2.resize(image, (width, height), interpolation=INTERPOLATION_FLAGS[step.interpolation])
    return resized.astype(np.float32)


def centre_crop(image: np.ndarray, size: int) -> np.ndarray:
    """Centre ``size`` x ``size`` window; a side shorter than ``size`` is kept whole (as the checker does)."""
    height, width = min(size, image.shape[0]), min(size, image.shape[1])
    top, left = (image.shape[0] - height) // 2, (image.shape[1] - width) // 2
    return image[top : top + height, left : left + width]


def normalize(image: np.ndarray, step: Normalization) -> np.ndarray:
    mean = np.asarray(step.mean, dtype=np.float32)
    std = np.asarray(step.std, dtype=np.float32)
    return (image.astype(np.float32) - mean) / std


def apply_steps(image: np.ndarray, steps: Sequence[PreprocessingStep]) -> np.ndarray:
    """Run the steps on one HxWxC image; returns float32 HxWxC."""
    for step in steps:
        if isinstance(step, BgrToRgb):
            image = np.ascontiguousarray(image[:, :, ::-1])
        elif isinstance(step, Resize):
            image = resize(image, step)
        elif isinstance(step, Crop):
            image = centre_crop(image, step.size)
        elif isinstance(step, Normalization):
            image = normalize(image, step)
        else:  # pragma: no cover - the config parser admits only the four types above
            raise TypeError(f"unknown preprocessing step {step!r}")
    return image.astype(np.float32, copy=False)


def to_chw(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """HxWxC -> CxHxW, checking the size the model expects.

    Raises:
        OvzooError: the preprocessed image does not have the model's input size.
    """
    if image.shape[:2] != (height, width):
        raise OvzooError(
            f"preprocessed image is {image.shape[0]}x{image.shape[1]}, the model takes "
            f"{height}x{width}; check the resize/crop sizes in the config"
        )
    return np.ascontiguousarray(image.transpose(2, 0, 1))


def evaluation_steps(input_size: int) -> tuple[PreprocessingStep, ...]:
    """The family's evaluation preprocessing for a square input of ``input_size``, as the IR takes it.

    The IR holds the channel flip and the mean/scale, so only resize (shorter side to
    ``input_size * 256 / 224``, bicubic) and the centre crop remain: 224 -> 256, 32 -> 37.
    """
    return (Resize(round(input_size * RESIZE_TO_CROP_RATIO), "greater", "CUBIC"), Crop(input_size))
