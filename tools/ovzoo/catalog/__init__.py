"""The model catalog: descriptor records and the loader that validates ``model.yml`` files."""

from ovzoo.catalog.model import (
    Checksum,
    Model,
    ModelCard,
    ModelFile,
    RegexReplace,
    TensorInfo,
    UnpackArchive,
)

__all__ = ["Checksum", "Model", "ModelCard", "ModelFile", "RegexReplace", "TensorInfo", "UnpackArchive"]
