"""Convert an MXNet checkpoint that has no catalog entry, as ``mo --input_model`` did.

The same front end, preprocessing folding and atomic writer as catalog models; only the naming
differs: tensors keep the MXNet names (``data`` in, the head node's name out), the model is named
after ``--model_name``, and the provenance records the files' SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from pathlib import Path

import openvino as ov

from ovzoo.convert.converter import record_rt_info, translate_checkpoint
from ovzoo.convert.preprocessing import fold_preprocessing
from ovzoo.errors import ModelNotDownloaded
from ovzoo.ir import spill
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.ir.writer import write_ir
from ovzoo.optimize import RewriteOptions, rewrite_graph
from ovzoo.vocabulary.spec import ConversionSpec, IrTarget

log = logging.getLogger(__name__)


def build_checkpoint_model(spec: ConversionSpec, graph_rewrites: bool = True) -> ov.Model:
    """The ``ov.Model`` for ``spec``: folded preprocessing, deterministic names, rt_info provenance.

    ``graph_rewrites``: apply ovzoo.optimize's measured speed rewrites.

    Raises:
        ModelNotDownloaded: the symbol or params file is missing.
        FormatError, ConversionError, UnsupportedOpsError: what the reader or the front end refuse.
    """
    for path in (spec.input_symbol, spec.input_model):
        if not path.is_file():
            raise ModelNotDownloaded("no such file", (str(path),))
    sources = (spec.input_symbol, spec.input_model)
    # hashing a large params file takes a while; hashlib releases the GIL, so it runs beside the translation
    with ThreadPoolExecutor(max_workers=1) as pool:
        digests = pool.map(_sha256, sources)
        ir_model = translate_checkpoint(spec)
        ir_model.set_friendly_name(spec.model_name)
        ir_model = fold_preprocessing(ir_model, spec)
        rewrite_graph(ir_model, RewriteOptions(enabled=graph_rewrites))
        files = "; ".join(
            f"{p.name} sha256:{d} {p.stat().st_size}" for p, d in zip(sources, digests, strict=True)
        )
    record_rt_info(ir_model, spec, spec.model_name, "mxnet", files)
    return ir_model


def convert_checkpoint(
    spec: ConversionSpec, target: IrTarget, graph_rewrites: bool = True, spill_weights: bool = False
) -> Path:
    """Write the IR for ``spec`` to ``target.xml`` (+ ``.bin``) atomically; returns the ``.xml`` path.

    ``spill_weights``: keep the weights in a scratch file beside the IR rather than in memory
    (ovzoo.ir.spill; the same files either way).
    """
    with spill.spilling(target.xml.parent) if spill_weights else nullcontext():
        ir_model = build_checkpoint_model(spec, graph_rewrites)
        spill.release_all()  # the rewrite pass read some weights back in
        if target.compress_to_fp16:
            compress_weights_to_fp16(ir_model, in_place=True)
        ir_model.set_rt_info("FP16" if target.compress_to_fp16 else "FP32", ["ovzoo", "precision"])
        write_ir(ir_model, target.xml, compress_to_fp16=False)
    log.debug("%s: wrote %s", spec.input_model, target.xml)
    return target.xml


def _sha256(path: Path) -> str:
    with path.open("rb") as f:  # file_digest reads into one reused buffer: no new memory per block
        return hashlib.file_digest(f, "sha256").hexdigest()
