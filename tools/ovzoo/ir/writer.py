"""Write an OpenVINO IR pair atomically: an ``.xml`` on disk means its ``.bin`` is complete."""

from __future__ import annotations

import os
from pathlib import Path

import openvino as ov

from ovzoo.atomic import atomic_directory_sibling
from ovzoo.errors import ConversionError
from ovzoo.ir.fp16 import compress_weights_to_fp16


def write_ir(model: ov.Model, xml_path: Path, compress_to_fp16: bool) -> None:
    """Save ``model`` as ``xml_path`` + ``.bin``; on any failure an existing IR there is left untouched.

    Both files are written into a temporary folder beside the target (same filesystem), fsynced, then
    the ``.bin`` is renamed into place first and the ``.xml`` last. The old ``.xml`` (if any) is removed
    just before, so a reader never pairs an old ``.xml`` with a new ``.bin``.

    Raises:
        ConversionError: OpenVINO could not serialise the model, or the files could not be written.
    """
    xml_path = Path(xml_path)
    bin_path = xml_path.with_suffix(".bin")
    try:
        with atomic_directory_sibling(xml_path) as tmp:
            tmp_xml = tmp / xml_path.name
            to_save = compress_weights_to_fp16(model) if compress_to_fp16 else model
            ov.save_model(to_save, str(tmp_xml), compress_to_fp16=False)
            tmp_bin = tmp_xml.with_suffix(".bin")
            for produced in (tmp_bin, tmp_xml):
                _fsync(produced)
            xml_path.unlink(missing_ok=True)
            os.replace(tmp_bin, bin_path)
            os.replace(tmp_xml, xml_path)
            _fsync_directory(xml_path.parent)
    except (OSError, RuntimeError) as e:
        raise ConversionError(f"could not write the IR: {e}", (str(xml_path),)) from e


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(path: Path) -> None:
    # makes the renames durable; not every filesystem allows fsync on a directory
    try:
        _fsync(path)
    except OSError:
        pass
