"""Read an OpenVINO IR from a file a user named, with a one-line reason when it can't be read.

``ov.Core().read_model`` hands a ``.xml`` that its IR front end rejects (not XML, or XML whose root is
not ``<net>``) to every other front end in turn; the TensorFlow one then prints protobuf parse errors
on stderr before OpenVINO's own exception, which names no reason. The root element is checked here
first, so such a file gets its real reason and nothing else is printed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import openvino as ov

from ovzoo.errors import OvzooError

IR_ROOT = "net"


class IrReadError(OvzooError):
    """The file is not an IR OpenVINO can read; ``str()`` is the reason, one line."""


def ir_root(xml: Path) -> str:
    """The name of the file's root element (only the start of the file is parsed).

    Raises:
        IrReadError: the file is missing, unreadable or doesn't start as XML.
    """
    try:
        with open(xml, "rb") as stream:
            for _, element in ET.iterparse(stream, events=("start",)):
                return element.tag
    except ET.ParseError as e:
        raise IrReadError(f"not an OpenVINO IR: not XML ({e})") from None
    except OSError as e:
        raise IrReadError(f"can't read it: {e.strerror or e}") from None
    raise IrReadError("not an OpenVINO IR: no XML element")  # pragma: no cover (iterparse raises first)


def read_ir(core: ov.Core, xml: Path) -> ov.Model:
    """``core.read_model(xml)`` for a file that should be an IR.

    Raises:
        IrReadError: the file is not an IR, or OpenVINO can't read it (a truncated .bin, an unknown
            opset...): the message is OpenVINO's last line, without the source locations before it.
    """
    xml = Path(xml)
    if not xml.is_file():
        raise IrReadError("no such IR file")
    root = ir_root(xml)
    if root != IR_ROOT:
        raise IrReadError(f"not an OpenVINO IR: its root element is <{root}>, not <{IR_ROOT}>")
    try:
        return core.read_model(str(xml))
    except RuntimeError as e:
        lines = [line.strip() for line in str(e).splitlines() if line.strip()]
        reasons = [line for line in lines if not line.startswith("Exception from")]
        raise IrReadError(f"OpenVINO can't read it: {(reasons or lines or ['unknown error'])[-1]}") from None
