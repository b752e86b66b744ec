"""Write an OpenVINO IR pair atomically: an ``.xml`` on disk means its ``.bin`` is complete."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import openvino as ov
from openvino._offline_transformations import apply_fused_names_cleanup

from ovzoo.atomic import atomic_directory_sibling
from ovzoo.errors import ConversionError
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.ir.xml_stream import NotStreamable, write_streamed

log = logging.getLogger(__name__)

# what ov.save_model records in the IR's rt_info (and ov.serialize does not)
RUNTIME_VERSION_KEY = "OpenVINO Runtime"


def write_ir(model: ov.Model, xml_path: Path, compress_to_fp16: bool) -> None:
    """Save ``model`` as ``xml_path`` + ``.bin``; on any failure an existing IR there is left untouched.

    Both files are written into a temporary folder beside the target (same filesystem), fsynced, then
    the ``.bin`` is renamed into place first and the ``.xml`` last. The old ``.xml`` (if any) is removed
    just before, so a reader never pairs an old ``.xml`` with a new ``.bin``.

    The files are byte for byte what ``ov.save_model(..., compress_to_fp16=False)`` writes, without
    its copy of the whole graph (see :func:`prepare_for_serialize`); ``model`` is changed as that says.
    They are streamed by :mod:`ovzoo.ir.xml_stream` (no XML document in memory beside the weights);
    a model it can't reproduce exactly is serialised by OpenVINO instead.

    Raises:
        ConversionError: OpenVINO could not serialise the model, or the files could not be written.
    """
    xml_path = Path(xml_path)
    bin_path = xml_path.with_suffix(".bin")
    try:
        with atomic_directory_sibling(xml_path) as tmp:
            tmp_xml = tmp / xml_path.name
            to_save = compress_weights_to_fp16(model) if compress_to_fp16 else model
            tmp_bin = tmp_xml.with_suffix(".bin")
            prepare_for_serialize(to_save)
            serialize(to_save, tmp_xml, tmp_bin)
            del to_save  # a compressed copy goes before the files are synced
            for produced in (tmp_bin, tmp_xml):
                _fsync(produced)
            xml_path.unlink(missing_ok=True)
            os.replace(tmp_bin, bin_path)
            os.replace(tmp_xml, xml_path)
            _fsync_directory(xml_path.parent)
    except (OSError, RuntimeError) as e:
        raise ConversionError(f"could not write the IR: {e}", (str(xml_path),)) from e


def serialize(model: ov.Model, xml_path: Path, bin_path: Path) -> None:
    """What ``ov.serialize(model, xml_path)`` writes, streamed where :mod:`ovzoo.ir.xml_stream` can."""
    try:
        write_streamed(model, xml_path, bin_path)
    except (NotStreamable, UnicodeError) as e:  # UnicodeError: a name Python can't read as UTF-8
        log.debug("%s: serialised by OpenVINO: %s", xml_path.name, e)
        xml_path.unlink(missing_ok=True)
        bin_path.unlink(missing_ok=True)
        ov.serialize(model, str(xml_path), str(bin_path))


def prepare_for_serialize(model: ov.Model) -> None:
    """Make ``model`` serialise as ``ov.save_model`` would save it, in place.

    ``ov.save_model`` clones the whole graph before it serialises; for a converted model the clone
    costs as much memory as the graph itself (about 2 KB per operation), at the moment the weights,
    the graph and the XML document are all held. What the clone and save_model's own passes change
    in the files is done here instead:

    * fused-names rt_info is removed (save_model's FusedNamesCleanup pass);
    * the runtime version goes into the model's rt_info;
    * each Result gets its names as its own, and the tensor feeding it gets them too (the first
      Result wins where one tensor feeds several): the clone keeps only a Result's names on its
      input, while serialising the original also lists the producer's own names there.
    """
    apply_fused_names_cleanup(model)
    model.set_rt_info(ov.get_version(), RUNTIME_VERSION_KEY)
    for output in reversed(model.outputs):
        names = output.get_names()
        if names:
            output.get_tensor().set_names(names)
            output.get_node().input_value(0).get_tensor().set_names(names)


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
