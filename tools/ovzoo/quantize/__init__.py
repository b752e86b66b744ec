"""INT8 IRs with NNCF (``ovzoo quantize``): the quantizer, and which layers it keeps in float (``scope``)."""

from ovzoo.quantize.quantizer import (
    ANNOTATION_NAME,
    DEFAULT_PRECISIONS,
    DEFAULT_SUBSET_SIZE,
    SYNTHETIC_CALIBRATION_SEED,
    Calibration,
    QuantizationReport,
    QuantizationResult,
    QuantizeOptions,
    calibration_images,
    quantize_ir,
    quantize_model,
    quantize_models,
    stabilise_names,
)
from ovzoo.quantize.scope import FloatLayer, narrow_group_convolutions

__all__ = [
    "ANNOTATION_NAME",
    "DEFAULT_PRECISIONS",
    "DEFAULT_SUBSET_SIZE",
    "SYNTHETIC_CALIBRATION_SEED",
    "Calibration",
    "FloatLayer",
    "QuantizationReport",
    "QuantizationResult",
    "QuantizeOptions",
    "calibration_images",
    "narrow_group_convolutions",
    "quantize_ir",
    "quantize_model",
    "quantize_models",
    "stabilise_names",
]
