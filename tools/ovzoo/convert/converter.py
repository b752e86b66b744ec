"""Descriptor -> OpenVINO IR per precision: read the checkpoint, translate, fold preprocessing, save.

One model is read and translated once; each precision is a save of the same ``ov.Model`` (FP16 only
compresses the weights). ``dry_run`` builds the plan from the descriptor (and the symbol, when present)
and touches nothing.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import openvino as ov

import ovzoo
from ovzoo.convert.preprocessing import describe_input_chain, fold_preprocessing, preprocessing_summary
from ovzoo.errors import ConversionError, ModelNotDownloaded, OvzooError, within
from ovzoo.ir import spill
from ovzoo.ir.fp16 import compress_weights_to_fp16
from ovzoo.ir.writer import write_ir
from ovzoo.outcome import Outcomes
from ovzoo.vocabulary.layout import ir_path
from ovzoo.vocabulary.precisions import CONVERTED_PRECISIONS, PRECISIONS, check_precisions
from ovzoo.vocabulary.spec import ConversionSpec, parse_mo_args

if TYPE_CHECKING:  # annotations only: ``ovzoo.convert_model`` never loads the catalog
    from ovzoo.catalog.model import Model

log = logging.getLogger(__name__)

DEFAULT_OUTPUT_NAME = "prob"  # the product's output contract when a descriptor has no output_info


@dataclass(frozen=True)
class ConversionResult:
    """One model's conversion (or its plan, on a dry run)."""

    model: str
    spec: ConversionSpec
    irs: dict[str, Path]  # precision -> .xml path (written, or planned on a dry run)
    plan: tuple[str, ...]  # human-readable lines (dry run only)
    dry_run: bool = False
    seconds: float = 0.0
    input_chain: str = ""  # e.g. "Parameter -> Subtract -> Convolution": what folding left on the input


@dataclass
class ConversionReport(Outcomes):
    results: list[ConversionResult] = field(default_factory=list)


def _check_precisions(precisions: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    # INT8 precisions come from ``ovzoo quantize``, not from here
    return check_precisions(precisions, CONVERTED_PRECISIONS, ConversionError)


def convert_model(
    model: Model,
    download_dir: Path,
    output_dir: Path,
    precisions: tuple[str, ...] = ("FP16", "FP32"),
    dry_run: bool = False,
    graph_rewrites: bool = True,
    spill_weights: bool = True,
) -> ConversionResult:
    """Convert one descriptor's checkpoint to IR files (or only plan it when ``dry_run``).

    ``graph_rewrites``: apply ovzoo.optimize's speed rewrites (measured per machine, cached).
    ``spill_weights``: keep the weights in a scratch file in ``output_dir`` rather than in memory
    (ovzoo.ir.spill: peak RSS the runtime plus ~0.2-0.3x the checkpoint, instead of ~1.1x; the same
    files either way).

    Raises:
        ConversionError: bad model_optimizer_args, an untranslatable graph, an output that breaks output_info.
        ModelNotDownloaded: the checkpoint files are missing (not raised on a dry run).
        FormatError: a malformed symbol or params file.
    """
    started = time.perf_counter()
    precisions = _check_precisions(precisions)
    spec = parse_mo_args(model, download_dir, output_dir)
    irs = {p: ir_path(output_dir, model, p) for p in precisions}
    with within(f"model {model.name!r}"):
        if dry_run:
            return ConversionResult(model.name, spec, irs, plan_lines(model, spec, irs), dry_run=True)
        missing = [p for p in (spec.input_symbol, spec.input_model) if not p.is_file()]
        if missing:
            raise ModelNotDownloaded(
                f"missing {', '.join(str(p) for p in missing)}; run 'ovzoo download "
                f"--name {model.name}' first (with the same download dir)"
            )
        # the weights wait in a scratch file beside the IRs, not in memory (ovzoo.ir.spill)
        with spill.spilling(output_dir) if spill_weights else nullcontext():
            ir_model = build_ir_model(model, spec, graph_rewrites)
            spill.release_all()  # the rewrite pass read some weights back in
            chain = describe_input_chain(ir_model, spec.input_name)
            # f32 IRs first, then the weights are compressed in place for the f16 ones: never two
            # copies of a weight at once (each f32 constant goes as its f16 twin arrives)
            for precision in sorted(irs, key=lambda p: PRECISIONS[p].compress_to_fp16):
                if PRECISIONS[precision].compress_to_fp16:
                    compress_weights_to_fp16(ir_model, in_place=True)
                ir_model.set_rt_info(precision, ["ovzoo", "precision"])
                write_ir(ir_model, irs[precision], compress_to_fp16=False)
                log.info("%s: wrote %s", model.name, irs[precision])
    return ConversionResult(
        model.name, spec, irs, (), seconds=time.perf_counter() - started, input_chain=chain
    )


def build_ir_model(model: Model, spec: ConversionSpec, graph_rewrites: bool = True) -> ov.Model:
    """Read the checkpoint and return the ``ov.Model`` to save: named tensors, folded preprocessing, rt_info."""
    from ovzoo.optimize import RewriteOptions, rewrite_graph  # imported here: --dry_run stays light

    ir_model = translate_checkpoint(spec)
    _name_tensors(ir_model, model, spec)
    ir_model = fold_preprocessing(ir_model, spec)
    rewrite_graph(ir_model, RewriteOptions(enabled=graph_rewrites))
    files = "; ".join(f"{f.name} {f.checksum.algorithm}:{f.checksum.value} {f.size}" for f in model.files)
    record_rt_info(ir_model, spec, model.name, model.framework, files or "none")
    return ir_model


def translate_checkpoint(spec: ConversionSpec) -> ov.Model:
    """The checkpoint's graph as an ``ov.Model`` (no preprocessing, tensors named after MXNet's nodes).

    Raises:
        FormatError: a malformed symbol or params file, shapes the params contradict.
        ConversionError, UnsupportedOpsError: what the front end can't translate.
    """
    # imported here so that planning (--dry_run) and argument checks stay light
    from ovzoo.mxnet.frontend import convert_graph
    from ovzoo.mxnet.params import ParamsFile
    from ovzoo.mxnet.symbol import load_symbol

    graph = load_symbol(spec.input_symbol)
    # read array by array as the translators ask, so a weight folded into another is freed at once
    params = ParamsFile.open(spec.input_model).without_prefixes()
    variables = [node.name for node in graph.variables]
    for name in spec.input_shapes:
        if name not in variables:
            inputs = [v for v in variables if v not in params and not v.endswith("_label")]
            raise ConversionError(
                f"--input: {name!r} is not a variable of the symbol (its inputs: {', '.join(inputs) or 'none'})",
                (str(spec.input_symbol),),
            )
    return convert_graph(
        graph, params, spec.input_shapes, outputs=spec.output or None, params_source=str(spec.input_model)
    )


def output_names(model: Model, spec: ConversionSpec, count: int) -> tuple[str, ...]:
    """Tensor names for the IR outputs: the descriptor's output_info, else ``prob`` for a single output."""
    if model.output_info:
        if len(model.output_info) != count:
            raise ConversionError(
                f"output_info lists {len(model.output_info)} outputs, the converted model has {count}"
            )
        return tuple(info.name for info in model.output_info)
    if count == 1:
        return (DEFAULT_OUTPUT_NAME,)
    return spec.output


def _name_tensors(ir_model: ov.Model, model: Model, spec: ConversionSpec) -> None:
    ir_model.input(spec.input_name).get_tensor().set_names({spec.input_name})
    names = output_names(model, spec, len(ir_model.outputs))
    for i, (output, name) in enumerate(zip(ir_model.outputs, names, strict=True)):
        output.get_tensor().set_names({name})
        # Result nodes otherwise carry a process-wide counter in their name (not deterministic)
        output.get_node().set_friendly_name(f"{name}/sink_port_0")
        if model.output_info and model.output_info[i].shape:
            expected, got = tuple(model.output_info[i].shape), tuple(output.get_partial_shape().to_shape())
            if expected != got:
                raise ConversionError(
                    f"output {name!r} has shape {list(got)}, output_info says {list(expected)}"
                )
    ir_model.set_friendly_name(model.name)


def record_rt_info(
    ir_model: ov.Model, spec: ConversionSpec, model_name: str, framework: str, files: str
) -> None:
    """Provenance in ``rt_info``: ovzoo and OpenVINO versions, source files (``files``: name, hash, size),
    the arguments and the folded preprocessing."""
    # No absolute paths and no timestamps: the IR must not depend on where or when it was converted.
    entries: list[tuple[list[str], str]] = [
        (["ovzoo", "version"], ovzoo.__version__),
        (["ovzoo", "model_name"], model_name),
        (["ovzoo", "source", "framework"], framework),
        (["ovzoo", "source", "files"], files),
        (["ovzoo", "source", "symbol"], spec.input_symbol.name),
        (["ovzoo", "source", "params"], spec.input_model.name),
        (["ovzoo", "conversion_parameters", "model_optimizer_args"], " ".join(spec.arguments)),
        (["ovzoo", "conversion_parameters", "output"], ",".join(spec.output) or "(graph heads)"),
        (["ovzoo", "openvino_version"], ov.get_version().split("-")[0]),
    ]
    entries += [
        (["ovzoo", "preprocessing", key], value) for key, value in preprocessing_summary(spec).items()
    ]
    for path, value in entries:
        ir_model.set_rt_info(value, path)


def plan_lines(model: Model, spec: ConversionSpec, irs: dict[str, Path]) -> tuple[str, ...]:
    """The dry-run plan: files read, interpreted input and preprocessing, output, target files."""
    summary = preprocessing_summary(spec)
    lines = [f"{model.name}:"]
    for label, path in (("symbol", spec.input_symbol), ("params", spec.input_model)):
        state = f"{path.stat().st_size} bytes" if path.is_file() else "MISSING (run ovzoo download first)"
        lines.append(f"  read {label}: {path} [{state}]")
    lines.append(f"  input: {summary['input']}")
    lines.append(
        f"  reverse_input_channels: {summary['reverse_input_channels']}; mean (original order): "
        f"{summary['mean_values']}; scale: {summary['scale_values']}"
    )
    lines.append(f"  folded: {summary['order']}")
    out_nodes = spec.output or ("(graph heads)",)
    shapes = _output_shapes(spec)
    names = output_names(model, spec, len(spec.output) or 1)
    for node, name in zip(out_nodes, names, strict=False):
        lines.append(f"  output: MXNet node {node} -> tensor {name!r} shape {shapes.get(node, 'unknown')}")
    for precision, xml in irs.items():
        weights = "weights compressed to FP16" if PRECISIONS[precision].compress_to_fp16 else "FP32 weights"
        lines.append(f"  {precision}: {xml} + {xml.with_suffix('.bin').name}; {weights}")
    return tuple(lines)


def _output_shapes(spec: ConversionSpec) -> dict[str, str]:
    """Output shapes from the symbol alone (no params needed), or a reason they are unknown."""
    if not spec.input_symbol.is_file():
        return {name: "unknown (no symbol file yet)" for name in spec.output or ("(graph heads)",)}
    try:
        from ovzoo.mxnet.shapes import infer_shapes
        from ovzoo.mxnet.symbol import load_symbol

        graph = load_symbol(spec.input_symbol)
        shapes = infer_shapes(graph, {spec.input_name: spec.input_shape})
        heads = spec.output or tuple(graph.nodes[h.node].name for h in graph.heads)
        result = {name: str(list(shapes[name][0])) for name in heads if name in shapes}
        if not spec.output and heads:
            result["(graph heads)"] = result.get(heads[0], "unknown")
        return result
    except OvzooError as e:
        return {name: f"unknown ({e})" for name in spec.output or ("(graph heads)",)}


def convert_models(
    models: list[Model],
    download_dir: Path,
    output_dir: Path,
    precisions: tuple[str, ...] = ("FP16", "FP32"),
    dry_run: bool = False,
    jobs: int = 1,
    graph_rewrites: bool = True,
    spill_weights: bool = True,
) -> ConversionReport:
    """Convert several models, ``jobs`` at a time (threads: reading, folding and saving release the GIL).

    A model that fails is recorded in ``report.failed`` and the others go on; results keep the input order.

    Raises:
        ConversionError: unknown precisions (checked before any model starts).
    """
    precisions = _check_precisions(precisions)

    def one(model: Model) -> ConversionResult | OvzooError:
        try:
            return convert_model(
                model, download_dir, output_dir, precisions, dry_run, graph_rewrites, spill_weights
            )
        except OvzooError as e:
            return e
        except Exception as e:  # a bug or an OpenVINO failure: report it against the model, keep going
            log.debug("converting %s failed", model.name, exc_info=True)
            return ConversionError(f"{type(e).__name__}: {e}", (f"model {model.name!r}",))

    if jobs > 1 and len(models) > 1:
        with ThreadPoolExecutor(max_workers=min(jobs, len(models))) as pool:
            outcomes = list(pool.map(one, models))
    else:
        outcomes = [one(m) for m in models]
    report = ConversionReport()
    for model, outcome in zip(models, outcomes, strict=True):
        if isinstance(outcome, OvzooError):
            report.fail(model.name, outcome)
        else:
            report.results.append(outcome)
    return report
