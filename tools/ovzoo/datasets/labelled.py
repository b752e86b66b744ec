"""ImageNet-style labelled image folders: images plus an annotation file of ``<file> <label>`` lines."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ovzoo.datasets.preprocessing import apply_steps, read_image, to_chw
from ovzoo.datasets.steps import PreprocessingStep
from ovzoo.errors import OvzooError


class DatasetError(OvzooError, ValueError):
    """A missing image folder or annotation file, or a malformed annotation line."""


@dataclass(frozen=True)
class Sample:
    file: str  # as written in the annotation, relative to the image folder
    label: int


@dataclass(frozen=True)
class LabelledImages:
    """An image folder with its annotation, in annotation order (that order is what makes subsets reproducible)."""

    image_dir: Path
    annotation: Path
    samples: tuple[Sample, ...]

    def __len__(self) -> int:
        return len(self.samples)

    def subset(self, count: int | None) -> LabelledImages:
        """The first ``count`` samples in annotation order (all when ``count`` is None)."""
        return (
            self if count is None else LabelledImages(self.image_dir, self.annotation, self.samples[:count])
        )

    def preprocessed(
        self, steps: Sequence[PreprocessingStep], height: int, width: int
    ) -> Iterator[np.ndarray]:
        """Yield each image as float32 CxHxW after ``steps``, one at a time (the folder can be large)."""
        for sample in self.samples:
            path = self.image_dir / sample.file
            image = read_image(path)  # its error names the path
            try:
                yield to_chw(apply_steps(image, steps), height, width)
            except OvzooError as e:
                raise e.within(f"image {str(path)!r}") from None


def read_annotation(path: Path) -> tuple[Sample, ...]:
    """Parse ``<file> <label>`` lines (blank lines skipped).

    Raises:
        DatasetError: missing/unreadable file, a malformed line (file:line named), or no samples.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetError(f"annotation file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise DatasetError(f"can't read annotation file {str(path)!r} ({e})") from None
    samples = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.rsplit(maxsplit=1)
        if len(parts) != 2 or not parts[1].isdigit():
            raise DatasetError(
                f"{path}:{number}: expected '<file> <label>' with an integer label >= 0, got {line!r}"
            )
        file = parts[0].strip()
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise DatasetError(f"{path}:{number}: image path {file!r} must be relative to the image folder")
        samples.append(Sample(file, int(parts[1])))
    if not samples:
        raise DatasetError(f"annotation file {str(path)!r} lists no images")
    return tuple(samples)


def load_labelled_images(image_dir: Path, annotation: Path) -> LabelledImages:
    """Check the folder and read its annotation.

    Raises:
        DatasetError: the folder is missing, or the annotation is missing, malformed or empty.
    """
    image_dir = Path(image_dir)
    if not image_dir.is_dir():
        raise DatasetError(f"image folder {str(image_dir)!r} does not exist")
    return LabelledImages(image_dir, Path(annotation), read_annotation(annotation))
