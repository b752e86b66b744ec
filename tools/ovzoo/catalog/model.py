"""The validated, immutable form of a ``model.yml`` descriptor.

These records are the contract between the catalog loader and every other stage (download, convert,
validate, quantize, accuracy). The loader (``ovzoo.catalog.loader``) builds them; nobody else parses YAML.
Fields beyond the public model-zoo format (``output_info``, ``card``, ``validation``) are optional so
that the public descriptors load unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal, get_args

from ovzoo.vocabulary.precisions import CONVERTED_PRECISIONS, QUANTIZED_PRECISIONS

HashAlgorithm = Literal["sha256", "sha384"]
ArchiveFormat = Literal[
    "tar", "gztar", "bztar", "xztar", "zip"
]  # shutil's names, as the public tools use them
ARCHIVE_FORMATS: tuple[ArchiveFormat, ...] = get_args(ArchiveFormat)
# where a file's bytes may come from (descriptor sources and --mirror base URLs)
URL_SCHEMES = ("http", "https", "file")

# hex digits per algorithm; used by the loader to check checksums and by the downloader to hash
HASH_HEX_LENGTH: dict[str, int] = {"sha256": 64, "sha384": 96}


@dataclass(frozen=True)
class Checksum:
    algorithm: HashAlgorithm
    value: str  # lowercase hex


@dataclass(frozen=True)
class ModelFile:
    name: PurePosixPath  # relative, no '..', no anchor
    size: int
    checksum: Checksum
    source: str  # http(s):// or file:// URL (a bundled file is the file:// URL of its absolute path)
    original_source: str | None = None


@dataclass(frozen=True)
class UnpackArchive:
    file: PurePosixPath
    format: ArchiveFormat


@dataclass(frozen=True)
class RegexReplace:
    file: PurePosixPath
    pattern: str
    replacement: str
    count: int = 0  # 0 = replace all, as re.sub


Postprocessing = UnpackArchive | RegexReplace


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    layout: str | None = None


@dataclass(frozen=True)
class AccuracyReference:
    top1: float  # percent, e.g. 78.772
    top5: float


@dataclass(frozen=True)
class ModelCard:
    """The figures a model card states, checked by the validator on the IR."""

    gflops: float | None = None
    mparams: float | None = None
    accuracy: AccuracyReference | None = None


@dataclass(frozen=True)
class PrecisionLimits:
    """How close a reduced-precision IR must stay to the original model."""

    min_top1_agreement: float  # fraction of images whose top-1 matches the reference, 0..1
    min_logit_cosine: float  # cosine similarity of logits against the reference, 0..1


@dataclass(frozen=True)
class ValidationLimits:
    fp32_logit_atol: float = 1e-3
    fp32_prob_atol: float = 1e-4
    fp16: PrecisionLimits = PrecisionLimits(min_top1_agreement=0.9, min_logit_cosine=0.999)
    int8: PrecisionLimits = PrecisionLimits(min_top1_agreement=0.75, min_logit_cosine=0.98)


@dataclass(frozen=True)
class Model:
    name: str
    subdirectory: PurePosixPath  # where its files go under an output dir: public/<name>
    description: str
    task_type: str
    framework: str
    license_url: str
    files: tuple[ModelFile, ...]
    postprocessing: tuple[Postprocessing, ...] = ()
    input_info: tuple[TensorInfo, ...] = ()
    output_info: tuple[TensorInfo, ...] = ()
    model_optimizer_args: tuple[str, ...] = ()
    quantizable: bool = False
    card: ModelCard = field(default_factory=ModelCard)
    validation: ValidationLimits = field(default_factory=ValidationLimits)
    config_path: Path = Path()  # the model.yml it came from
    config_dir: Path = Path()  # its folder ($config_dir in model_optimizer_args)

    @property
    def precisions(self) -> tuple[str, ...]:
        """IR precisions the converter produces for this model (omz_info_dumper's ``precisions``)."""
        return tuple(sorted(CONVERTED_PRECISIONS))

    @property
    def quantization_output_precisions(self) -> tuple[str, ...]:
        return tuple(sorted(QUANTIZED_PRECISIONS)) if self.quantizable else ()
