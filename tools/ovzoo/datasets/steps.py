"""Image preprocessing steps as the accuracy checker names them; read from configs, run by ``preprocessing``."""

from __future__ import annotations

from dataclasses import dataclass

INTERPOLATIONS = ("NEAREST", "LINEAR", "BILINEAR", "CUBIC", "BICUBIC", "AREA", "LANCZOS4")
ASPECT_RATIO_SCALES = ("greater",)


@dataclass(frozen=True)
class BgrToRgb:
    pass


@dataclass(frozen=True)
class Resize:
    size: int
    aspect_ratio_scale: str | None  # "greater": the shorter side becomes ``size``
    interpolation: str  # upper-case OpenCV name


@dataclass(frozen=True)
class Crop:
    size: int  # centre crop size x size


@dataclass(frozen=True)
class Normalization:
    mean: tuple[float, ...]  # per channel, in the order the image has at this step
    std: tuple[float, ...]


PreprocessingStep = BgrToRgb | Resize | Crop | Normalization
