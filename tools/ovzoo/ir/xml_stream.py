"""Write an ``ov.Model`` as IR v11 files, layer by layer, exactly as ``ov.serialize`` writes them.

``ov.serialize`` builds the whole XML document in memory (a pugixml tree, about six times the size of
the file) while every weight is still held; this writer streams the ``.xml`` text and each constant's
bytes straight to buffered files, so the peak is the model itself. It follows OpenVINO's layout rules
(src/core/src/pass/serialize.cpp): layers numbered in writing order (Parameters, the other ops in ``get_ordered_ops()`` order, Results), constants stored in
visiting order with identical bytes stored once, ports numbered inputs first, edges sorted by source
layer with the very ``std::sort`` OpenVINO uses, pugixml's escaping and number formats.

What it has not been checked against ``ov.serialize`` for (an op type outside :data:`VERIFIED_OPS`, an
attribute value or runtime-info entry of a kind it doesn't know) raises :class:`NotStreamable` before
anything wrong is written, and the caller serialises that model with OpenVINO instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import openvino as ov

from ovzoo.errors import OvzooError
from ovzoo.ir.bin_store import ConstantStore
from ovzoo.ir.libstdcxx_sort import libstdcxx_sort

IR_VERSION = 11

# ops whose <data> attributes come out of get_attributes() in the order and form ov.serialize writes
# them, checked byte for byte by tests/test_ir_writer.py (name, opset); any other op falls back
VERIFIED_OPS: frozenset[tuple[str, str]] = frozenset(
    (name, "opset1")
    for name in (
        "Abs", "Add", "AvgPool", "Ceiling", "Clamp", "Concat", "Constant", "Convert", "Convolution",
        "ConvolutionBackpropData", "Divide", "Elu", "Erf", "Exp", "FakeQuantize", "Floor",
        "GroupConvolution", "GroupConvolutionBackpropData", "HardSigmoid", "LRN", "Log", "MatMul",
        "Maximum", "Minimum", "Multiply", "Negative", "NotEqual", "PRelu", "Parameter", "ReduceMean",
        "Relu", "Reshape", "Result", "Select", "Selu", "Sigmoid", "Sign", "Split", "Sqrt", "Squeeze",
        "Subtract", "Tanh", "Transpose", "Unsqueeze",
    )
) | {
    ("Broadcast", "opset3"), ("ShapeOf", "opset3"), ("Interpolate", "opset11"), ("MaxPool", "opset8"),
    ("Softmax", "opset8"), ("LogSoftmax", "opset5"), ("Gelu", "opset7"), ("MVN", "opset6"),
    ("NormalizeL2", "opset1"), ("Pad", "opset1"), ("Slice", "opset8"), ("SoftPlus", "opset4"),
    ("AdaptiveAvgPool", "opset8"),
}  # fmt: skip

TYPE_NAMES = {"Constant": "Const", "PRelu": "PReLU", "Relu": "ReLU", "Softmax": "SoftMax"}

PRECISIONS = {
    "dynamic": "UNSPECIFIED", "f16": "FP16", "f32": "FP32", "bf16": "BF16", "f64": "FP64", "i4": "I4",
    "i8": "I8", "i16": "I16", "i32": "I32", "i64": "I64", "u4": "U4", "u8": "U8", "u16": "U16",
    "u32": "U32", "u64": "U64", "u1": "BIN", "boolean": "BOOL", "nf4": "NF4", "f8e4m3": "F8E4M3",
    "f8e5m2": "F8E5M2", "string": "STRING", "f4e2m1": "F4E2M1", "f8e8m0": "F8E8M0",
}  # fmt: skip

# constant element types whose get_data() is the stored bytes (no unpacking of sub-byte types)
BYTE_EXACT_TYPES = frozenset(
    ("f16", "f32", "f64", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "boolean")
)

# ops whose paddings OpenVINO writes as zeros when auto_pad makes them irrelevant
PADDED_OPS = frozenset(
    (
        "Convolution",
        "GroupConvolution",
        "ConvolutionBackpropData",
        "GroupConvolutionBackpropData",
        "AvgPool",
        "MaxPool",
    )
)
PAD_AGNOSTIC = frozenset(("same_lower", "same_upper", "valid"))

# runtime attributes by rt_info key: what ov.serialize writes for them (None: nothing)
NODE_ATTRIBUTES: dict[str, str | None] = {
    "decompression_0": '<attribute name="decompression" version="0" />',
    "WeightlessCacheAttribute_0": None,  # read_model's note of where a weight came from: not written
    "DisableConstantFolding_0": None,  # on INT8 weights' Converts: not written
}
TENSOR_KEYS_NOT_WRITTEN = frozenset(("layout_0",))  # kept on the Parameter's output port, below
INPUT_KEYS_NOT_WRITTEN = frozenset(("precision_sensitive_0",))  # FP16 compression's shape-input mark
MODEL_RT_SKIPPED = frozenset(("version", "__weights_path"))

XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord('"'): "&quot;"}
XML_ESCAPES.update({c: f"&#{c // 10}{c % 10};" for c in range(32)})


class NotStreamable(OvzooError):
    """The model holds something this writer can't reproduce exactly; the message says what.

    Never reaches a user: :func:`ovzoo.ir.writer.write_ir` catches it and writes with ``ov.serialize``.
    """


def write_streamed(model: ov.Model, xml_path: Path, bin_path: Path) -> None:
    """Write ``model`` as ``xml_path`` + ``bin_path`` (byte for byte ``ov.serialize``'s files).

    A Result's ``output_names`` are what ``get_names()`` shows, which Python can't tell apart from
    names it only inherits from its input (OpenVINO writes only its own): run
    :func:`ovzoo.ir.writer.prepare_for_serialize` first, which makes them its own.

    Raises:
        NotStreamable: before or while writing; the files are then incomplete and must be discarded.
        OSError: the files could not be written.
    """
    model.validate_nodes_and_infer_types()  # as ov.serialize does: shapes after a late edit are final
    if model.get_sinks():
        raise NotStreamable("the model has sinks")
    if model.has_rt_info("version") and model.get_rt_info("version").astype(int) != IR_VERSION:
        raise NotStreamable("the model asks for another IR version")  # read from an IR v10
    layers = list(_layer_order(model))
    with (
        open(xml_path, "w", encoding="utf-8", newline="\n", buffering=1 << 16) as xml,
        open(bin_path, "wb", buffering=1 << 16) as bin_file,
    ):
        layer_texts = _Layers(ConstantStore(bin_file))
        xml.write(
            f'<?xml version="1.0"?>\n<net name="{_escape(model.get_friendly_name())}" version="{IR_VERSION}">\n'
        )
        xml.write("\t<layers>\n")
        for layer_id, op in enumerate(layers):
            xml.write(layer_texts.text(op, layer_id))
        xml.write("\t</layers>\n")
        xml.write(_edges(layer_texts.edges))
        xml.write("".join(_model_rt_info(model)))
        xml.write("</net>\n")


def _layer_order(model: ov.Model) -> Iterator[ov.Node]:
    # Parameters and Results in the model's own order, the rest topologically (as OpenVINO does)
    yield from model.get_parameters()
    for op in model.get_ordered_ops():
        if op.get_type_name() not in ("Parameter", "Result"):
            yield op
    yield from model.get_results()


class _Layers:
    """Writes each layer's text; an output's precision and dims are kept for the ports that read it."""

    def __init__(self, constants: ConstantStore) -> None:
        self._constants = constants
        # (op id, output) -> its layer, its port number there, precision, dims
        self._ports: dict[tuple[int, int], tuple[int, int, str, str]] = {}
        self.edges: list[tuple[int, int, int, int]] = []  # from layer, from port, to layer, to port

    def text(self, op: ov.Node, layer_id: int) -> str:
        type_name = op.get_type_name()
        version = op.get_type_info().version_id or "experimental"
        if (type_name, version) not in VERIFIED_OPS:
            raise NotStreamable(f"op {type_name}-{version} ({op.get_friendly_name()!r}) is not verified")
        head = (
            f'\t\t<layer id="{layer_id}" name="{_escape(op.get_friendly_name())}" '
            f'type="{TYPE_NAMES.get(type_name, type_name)}" version="{version}"'
        )
        if type_name == "Result":
            names = op.output(0).get_names()
            if names:
                head += f' output_names="{_names(names)}"'
        parts = [head, ">\n"]
        data = _data_attributes(op, type_name, self._constants)
        if data:
            parts.append(f"\t\t\t<data {data} />\n")
        if len(op.get_rt_info()):
            parts.append(_rt_block(_node_rt_info(op), "\t\t\t"))
        port_id = 0
        inputs = op.inputs()
        if inputs:
            parts.append("\t\t\t<input>\n")
            for port in inputs:
                if len(port.get_rt_info()) and not INPUT_KEYS_NOT_WRITTEN.issuperset(
                    port.get_rt_info().keys()
                ):
                    raise NotStreamable(f"input rt_info on {op.get_friendly_name()!r}")
                source = port.get_source_output()
                from_layer, from_port, precision, dims = self._ports[
                    source.get_node().get_instance_id(), source.get_index()
                ]
                self.edges.append((from_layer, from_port, layer_id, port_id))
                parts.append(_port(port_id, precision, None, dims, ""))
                port_id += 1
            parts.append("\t\t\t</input>\n")
        if type_name != "Result":
            outputs = op.outputs()
            if outputs:
                parts.append("\t\t\t<output>\n")
                op_id = op.get_instance_id()
                for index, port in enumerate(outputs):
                    precision, dims = _precision_and_dims(port)
                    self._ports[op_id, index] = (layer_id, port_id, precision, dims)
                    rt = (
                        _rt_block(_output_rt_info(op, type_name, port), "\t\t\t\t\t")
                        if len(port.get_rt_info())
                        else ""
                    )
                    parts.append(_port(port_id, precision, port.get_names(), dims, rt))
                    port_id += 1
                parts.append("\t\t\t</output>\n")
        parts.append("\t\t</layer>\n")
        return "".join(parts)


def _precision_and_dims(port: ov.Output) -> tuple[str, str]:
    tensor_rt = port.get_tensor().get_rt_info()
    if len(tensor_rt) and not TENSOR_KEYS_NOT_WRITTEN.issuperset(tensor_rt.keys()):
        # e.g. a postponed FP16 compression, which changes the precision written
        raise NotStreamable(f"tensor rt_info {list(tensor_rt.keys())}")
    element_type = port.get_element_type().get_type_name()
    precision = PRECISIONS.get(element_type)
    if precision is None:
        raise NotStreamable(f"element type {element_type}")
    # str() of a PartialShape is "[1,?,3..8]" (and "[...]" for a dynamic rank): parsed, not iterated
    # (a tenth of the time, per port)
    shape = str(port.get_partial_shape())[1:-1]
    if not shape or shape == "...":
        return precision, ""
    dims = ("-1" if ("?" in d or "." in d) else d for d in shape.split(","))
    return precision, "".join(f"\t\t\t\t\t<dim>{d}</dim>\n" for d in dims)


def _port(port_id: int, precision: str, names: set[str] | None, dims: str, rt: str) -> str:
    head = f'\t\t\t\t<port id="{port_id}" precision="{precision}"'
    if names:
        head += f' names="{_names(names)}"'
    if not dims and not rt:
        return head + " />\n"
    return f"{head}>\n{dims}{rt}\t\t\t\t</port>\n"


def _rt_block(lines: list[str], indent: str) -> str:
    if not lines:
        return ""
    return f"{indent}<rt_info>\n" + "".join(f"{indent}\t{line}\n" for line in lines) + f"{indent}</rt_info>\n"


def _node_rt_info(op: ov.Node) -> list[str]:
    lines = []
    for key in sorted(op.get_rt_info().keys()):
        if key not in NODE_ATTRIBUTES:
            raise NotStreamable(f"rt_info {key!r} on {op.get_friendly_name()!r}")
        line = NODE_ATTRIBUTES[key]
        if line is not None:
            lines.append(line)
    return lines


def _output_rt_info(op: ov.Node, type_name: str, port: ov.Output) -> list[str]:
    keys = list(port.get_rt_info().keys())
    if keys == ["layout_0"] and type_name == "Parameter":
        return [f'<attribute name="layout" version="0" layout="{_escape(op.get_layout().to_string())}" />']
    raise NotStreamable(f"output rt_info {keys} on {op.get_friendly_name()!r}")


def _data_attributes(op: ov.Node, type_name: str, constants: ConstantStore) -> str:
    if type_name == "Constant":
        return _constant_attributes(op, constants)
    if type_name == "Parameter":
        shape = str(op.get_partial_shape())
        if shape.startswith("[") and shape.endswith("]"):
            shape = shape[1:-1]
        return f'shape="{_escape(shape)}" element_type="{op.get_element_type().get_type_name()}"'
    attributes = op.get_attributes()
    if type_name in PADDED_OPS and attributes.get("auto_pad") in PAD_AGNOSTIC:
        for key in ("pads_begin", "pads_end"):
            attributes[key] = [0] * len(attributes[key])
    return " ".join(f'{name}="{_value(name, value)}"' for name, value in attributes.items())


def _constant_attributes(op: ov.Node, constants: ConstantStore) -> str:
    element_type = op.get_element_type().get_type_name()
    if element_type not in BYTE_EXACT_TYPES:
        raise NotStreamable(f"constant of {element_type}")
    values = op.get_data()
    if values.nbytes != op.get_byte_size():
        raise NotStreamable(f"constant {op.get_friendly_name()!r} data is not its stored bytes")
    values = np.ascontiguousarray(values)  # (a view: no copy of the weight)
    offset = constants.store(values)
    shape = ", ".join(str(d) for d in op.get_shape())
    return f'element_type="{element_type}" shape="{shape}" offset="{offset}" size="{values.nbytes}"'


def _value(name: str, value: object) -> str:
    # the formats pugixml and OpenVINO's join() give each C++ attribute type
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.17g}"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, ov.Type):
        return value.get_type_name()
    if isinstance(value, list):
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return ", ".join(str(v) for v in value)
        if all(isinstance(v, float) for v in value):
            return ", ".join(f"{v:g}" for v in value)  # std::ostream's default: 6 significant digits
        if all(isinstance(v, str) for v in value):
            return _escape(", ".join(value))
    raise NotStreamable(f"attribute {name}={value!r} ({type(value).__name__})")


def _edges(edges: list[tuple[int, int, int, int]]) -> str:
    # gathered in layer order, then sorted by source layer as OpenVINO sorts them
    edges = libstdcxx_sort(edges, key=lambda edge: edge[0])
    if not edges:
        return "\t<edges />\n"
    lines = "".join(
        f'\t\t<edge from-layer="{a}" from-port="{b}" to-layer="{c}" to-port="{d}" />\n'
        for a, b, c, d in edges
    )
    return f"\t<edges>\n{lines}\t</edges>\n"


def _model_rt_info(model: ov.Model) -> Iterator[str]:
    rt = model.get_rt_info()
    entries = {key: rt[key] for key in rt.keys() if key not in MODEL_RT_SKIPPED}
    if not entries:
        yield "\t<rt_info />\n"
        return
    yield "\t<rt_info>\n"
    yield from _rt_entries(entries, depth=2)
    yield "\t</rt_info>\n"


def _rt_entries(entries: dict, depth: int) -> Iterator[str]:
    indent = "\t" * depth
    for key in sorted(entries, key=lambda k: k.encode()):
        value = entries[key]
        if _is_tag_name(key):
            open_tag, close_tag = f"{indent}<{key}", f"{indent}</{key}>\n"
        else:
            open_tag, close_tag = f'{indent}<info name="{_escape(key)}"', f"{indent}</info>\n"
        if isinstance(value, dict):
            if value:
                yield open_tag + ">\n"
                yield from _rt_entries(value, depth + 1)
                yield close_tag
            else:
                yield open_tag + " />\n"
            continue
        text = value.value if isinstance(value, ov.OVAny) else value
        if not isinstance(text, str):
            raise NotStreamable(f"model rt_info {key!r} holds a {type(text).__name__}")
        yield f'{open_tag} value="{_escape(text)}" />\n'


def _is_tag_name(name: str) -> bool:
    # OpenVINO's is_correct_tag_name: other keys go into <info name="...">
    if not name or not (name[0].isascii() and (name[0].isalpha() or name[0] == "_")):
        return False
    if not all(c.isascii() and (c.isalnum() or c in "_-.") for c in name):
        return False
    return name[:3].lower() != "xml"


def _names(names: Iterable[str]) -> str:
    return _escape(",".join(name.replace(",", "\\,") for name in sorted(names, key=lambda n: n.encode())))


def _escape(text: str) -> str:
    return text.translate(XML_ESCAPES)
