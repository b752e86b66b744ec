"""ovzoo.ir.reading: a file that should be an IR is read, or refused with one line and nothing on stderr."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openvino as ov
import pytest
from openvino import opset8

from ovzoo.cli.__main__ import run_command
from ovzoo.ir.reading import IrReadError, read_ir


def small_ir(tmp_path: Path) -> Path:
    x = opset8.parameter([1, 4], np.float32, name="data")
    weights = opset8.constant(np.arange(16, dtype=np.float32).reshape(4, 4))
    model = ov.Model([opset8.relu(opset8.matmul(x, weights, False, False)).output(0)], [x], "small")
    xml = tmp_path / "small.xml"
    ov.save_model(model, xml, compress_to_fp16=False)
    return xml


def test_an_ir_reads_as_openvino_reads_it(tmp_path):
    xml = small_ir(tmp_path)
    model = read_ir(ov.Core(), xml)
    assert [o.get_type_name() for o in model.get_ordered_ops()] == [
        o.get_type_name() for o in ov.Core().read_model(xml).get_ordered_ops()
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"garbage\n", "not an OpenVINO IR: not XML"),
        (b"\x00\x01binary", "not an OpenVINO IR: not XML"),
        (b"", "not an OpenVINO IR: not XML"),
        (b"<html><body>404</body></html>", "not an OpenVINO IR: its root element is <html>, not <net>"),
    ],
)
def test_a_file_that_is_no_ir_gets_its_reason_and_no_other_front_end_speaks(tmp_path, capfd, content, reason):
    xml = tmp_path / "model.xml"
    xml.write_bytes(content)
    with pytest.raises(IrReadError) as raised:
        read_ir(ov.Core(), xml)
    assert str(raised.value).startswith(reason)
    assert "\n" not in str(raised.value)
    captured = capfd.readouterr()  # file descriptors: the TensorFlow front end writes from C++
    assert "tensorflow" not in captured.err.lower() and captured.err == ""


def test_a_damaged_ir_gets_openvinos_last_line(tmp_path, capfd):
    xml = small_ir(tmp_path)
    text = xml.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: len(text) // 2])
    with pytest.raises(IrReadError, match=r"^OpenVINO can't read it: .*\S$"):
        read_ir(ov.Core(), cut)
    xml.with_suffix(".bin").write_bytes(b"\0" * 8)  # weights cut short
    with pytest.raises(IrReadError, match=r"^OpenVINO can't read it: ") as raised:
        read_ir(ov.Core(), xml)
    assert "\n" not in str(raised.value) and "Exception from" not in str(raised.value)
    with pytest.raises(IrReadError, match="^no such IR file$"):
        read_ir(ov.Core(), tmp_path / "missing.xml")
    assert capfd.readouterr().err == ""


def test_commands_print_one_line_for_a_file_that_is_no_ir(tmp_path, capfd):
    xml = tmp_path / "page.xml"
    xml.write_text("<html>not found</html>")
    assert run_command("tune", [str(xml)]) == 1
    err = capfd.readouterr().err
    assert err == f"ovzoo tune: error: {xml}: not an OpenVINO IR: its root element is <html>, not <net>\n"
