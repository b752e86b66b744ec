"""KServe V2 tensors: request bodies (JSON, or JSON followed by raw bytes: the binary tensor data
extension) -> NumPy arrays, and arrays -> response bodies.

Every problem with a request is an :class:`~ovzoo.errors.InferenceRequestError` whose message names
the input and the field, so a client sees why it got its 4xx.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ovzoo.errors import InferenceRequestError

# the binary tensor data extension: the JSON part's length, in a request or a response header
HEADER_LENGTH = "inference-header-content-length"

# V2 datatype -> NumPy dtype (little-endian, as the binary extension sends them); BYTES is not a
# tensor type an IR of this zoo takes, so it is refused like any other mismatch
DATATYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype("bool"),
    "UINT8": np.dtype("<u1"),
    "UINT16": np.dtype("<u2"),
    "UINT32": np.dtype("<u4"),
    "UINT64": np.dtype("<u8"),
    "INT8": np.dtype("<i1"),
    "INT16": np.dtype("<i2"),
    "INT32": np.dtype("<i4"),
    "INT64": np.dtype("<i8"),
    "FP16": np.dtype("<f2"),
    "FP32": np.dtype("<f4"),
    "FP64": np.dtype("<f8"),
}
# OpenVINO element type name -> V2 datatype
OV_DATATYPES: dict[str, str] = {
    "boolean": "BOOL",
    "u8": "UINT8",
    "u16": "UINT16",
    "u32": "UINT32",
    "u64": "UINT64",
    "i8": "INT8",
    "i16": "INT16",
    "i32": "INT32",
    "i64": "INT64",
    "f16": "FP16",
    "f32": "FP32",
    "f64": "FP64",
}


@dataclass(frozen=True)
class TensorSpec:
    """A model input or output as the metadata endpoint describes it (-1 for a dynamic dimension)."""

    name: str
    datatype: str
    shape: tuple[int, ...]

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "datatype": self.datatype, "shape": list(self.shape)}


@dataclass(frozen=True)
class InferRequest:
    """A parsed ``/infer`` body: the input arrays and what the answer should hold."""

    id: str | None
    inputs: dict[str, np.ndarray]
    outputs: tuple[str, ...] | None  # None: every output
    binary_outputs: frozenset[str]  # outputs to send as raw bytes (binary extension)


def parse_infer_request(
    body: bytes, header_length: str | None, inputs: Sequence[TensorSpec], outputs: Sequence[TensorSpec]
) -> InferRequest:
    """Decode and check a request against the model's inputs and outputs.

    Raises:
        InferenceRequestError: malformed JSON, a missing or unknown input, a wrong shape or
            datatype, data that doesn't fill the shape, an unknown output (all 400).
    """
    header, binary = _split_body(body, header_length)
    try:
        document = json.loads(header)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InferenceRequestError(f"the request body is not valid JSON: {e}") from e
    if not isinstance(document, dict):
        raise InferenceRequestError("the request body must be a JSON object with an 'inputs' list")
    request_id = document.get("id")
    if request_id is not None and not isinstance(request_id, str):
        raise InferenceRequestError("'id' must be a string")
    raw_inputs = document.get("inputs")
    if not isinstance(raw_inputs, list) or not raw_inputs:
        raise InferenceRequestError("'inputs' must be a non-empty list of tensors")
    expected = {spec.name: spec for spec in inputs}
    arrays: dict[str, np.ndarray] = {}
    offset = 0
    for i, raw in enumerate(raw_inputs):
        name, array, used = _decode_input(raw, i, expected, binary[offset:])
        if name in arrays:
            raise InferenceRequestError(f"input {name!r} is given twice")
        arrays[name] = array
        offset += used
    if offset != len(binary):
        raise InferenceRequestError(f"{len(binary) - offset} bytes of binary data follow the tensors' data")
    missing = sorted(set(expected) - set(arrays))
    if missing:
        raise InferenceRequestError(f"missing input(s): {', '.join(missing)}")
    wanted, binary_outputs = _requested_outputs(document, [spec.name for spec in outputs])
    return InferRequest(request_id, arrays, wanted, binary_outputs)


def _split_body(body: bytes, header_length: str | None) -> tuple[bytes, bytes]:
    if header_length is None:
        return body, b""
    try:
        length = int(header_length)
    except ValueError:
        length = -1
    if not 0 <= length <= len(body):
        raise InferenceRequestError(
            f"Inference-Header-Content-Length {header_length!r} is not a length within the {len(body)}-byte body"
        )
    return body[:length], body[length:]


def _decode_input(
    raw: object, index: int, expected: Mapping[str, TensorSpec], binary: bytes
) -> tuple[str, np.ndarray, int]:
    """One input tensor: its name, its array, and how many bytes of binary data it used."""
    where = f"inputs[{index}]"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise InferenceRequestError(f"{where}: expected an object with a 'name'")
    name = raw["name"]
    where = f"input {name!r}"
    if name not in expected:
        raise InferenceRequestError(f"{where}: the model has no such input (inputs: {', '.join(expected)})")
    spec = expected[name]
    shape = raw.get("shape")
    if not (
        isinstance(shape, list)
        and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
    ):
        raise InferenceRequestError(f"{where}: 'shape' must be a list of non-negative integers")
    if len(shape) != len(spec.shape) or any(
        e not in (-1, d) for e, d in zip(spec.shape, shape, strict=False)
    ):
        raise InferenceRequestError(f"{where}: shape {shape} does not match the model's {list(spec.shape)}")
    datatype = raw.get("datatype")
    if datatype != spec.datatype:
        raise InferenceRequestError(
            f"{where}: datatype {datatype!r} does not match the model's {spec.datatype!r}"
        )
    dtype = DATATYPES[spec.datatype]
    count = math.prod(shape)
    parameters = raw.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise InferenceRequestError(f"{where}: 'parameters' must be an object")
    size = parameters.get("binary_data_size")
    if size is not None:
        if "data" in raw:
            raise InferenceRequestError(
                f"{where}: give either 'data' or parameters.binary_data_size, not both"
            )
        if size != count * dtype.itemsize or size > len(binary):
            raise InferenceRequestError(
                f"{where}: binary_data_size {size} does not match shape {shape} of {datatype} "
                f"({count * dtype.itemsize} bytes; {len(binary)} bytes of binary data left)"
            )
        return name, np.frombuffer(binary, dtype, count).reshape(shape), size
    if "data" not in raw:
        raise InferenceRequestError(f"{where}: no 'data' (nor parameters.binary_data_size)")
    try:
        array = np.asarray(raw["data"], dtype=dtype)
    except (TypeError, ValueError, OverflowError) as e:
        raise InferenceRequestError(f"{where}: 'data' is not a list of {datatype} numbers: {e}") from e
    if array.size != count:
        raise InferenceRequestError(f"{where}: 'data' holds {array.size} values, shape {shape} needs {count}")
    return name, array.reshape(shape), 0


def _requested_outputs(document: dict, names: Sequence[str]) -> tuple[tuple[str, ...] | None, frozenset[str]]:
    parameters = document.get("parameters") or {}
    all_binary = isinstance(parameters, dict) and parameters.get("binary_data_output") is True
    raw_outputs = document.get("outputs")
    if raw_outputs is None:
        return None, frozenset(names if all_binary else ())
    if not isinstance(raw_outputs, list):
        raise InferenceRequestError("'outputs' must be a list of {'name': ...} objects")
    wanted, binary = [], set()
    for i, raw in enumerate(raw_outputs):
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
            raise InferenceRequestError(f"outputs[{i}]: expected an object with a 'name'")
        if raw["name"] not in names:
            raise InferenceRequestError(
                f"output {raw['name']!r}: the model has no such output (outputs: {', '.join(names)})"
            )
        wanted.append(raw["name"])
        output_parameters = raw.get("parameters") or {}
        if all_binary or (
            isinstance(output_parameters, dict) and output_parameters.get("binary_data") is True
        ):
            binary.add(raw["name"])
    return tuple(wanted), frozenset(binary)


def encode_infer_response(
    model_name: str,
    version: int,
    request: InferRequest,
    results: Mapping[str, np.ndarray],
    outputs: Sequence[TensorSpec],
) -> tuple[bytes, int | None]:
    """The response body, and the JSON part's length when binary data follows it (else None)."""
    names = request.outputs if request.outputs is not None else tuple(spec.name for spec in outputs)
    datatypes = {spec.name: spec.datatype for spec in outputs}
    tensors, blobs = [], []
    for name in names:
        array = results[name]
        tensor: dict[str, Any] = {"name": name, "datatype": datatypes[name], "shape": list(array.shape)}
        if name in request.binary_outputs:
            blob = np.ascontiguousarray(array, DATATYPES[datatypes[name]]).tobytes()
            tensor["parameters"] = {"binary_data_size": len(blob)}
            blobs.append(blob)
        else:
            tensor["data"] = array.ravel().tolist()
        tensors.append(tensor)
    document: dict[str, Any] = {"model_name": model_name, "model_version": str(version)}
    if request.id is not None:
        document["id"] = request.id
    document["outputs"] = tensors
    header = json.dumps(document, separators=(",", ":")).encode()
    if not blobs:
        return header, None
    return header + b"".join(blobs), len(header)
