"""Interpret legacy Model Optimizer arguments (never execute them) into a :class:`ConversionSpec`.

Two callers, one parser: a descriptor's ``model_optimizer_args`` (:func:`parse_mo_args`) and an
``ovzoo convert --input_model ...`` command line written for ``mo`` (:func:`parse_mo_command_line`).
ovzoo honours the subset that describes an MXNet image classifier (model files, input names/shapes/
layout, preprocessing, outputs; on the command line also where to write the IR) and refuses
everything else by name, so a model never converts with an argument silently ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ovzoo.errors import ConversionError
from ovzoo.vocabulary.layout import model_dir
from ovzoo.vocabulary.mo_values import (
    Fail,
    read_inputs,
    read_layout,
    read_model_files,
    read_named_numbers,
    read_numbers,
    read_outputs,
)

if TYPE_CHECKING:  # annotations only: the convert path never loads the catalog
    from ovzoo.catalog.model import Model, TensorInfo

# Flags whose value is fixed by ovzoo itself; accepted only when they agree with it.
_FIXED_FLAGS = {"--framework": "mxnet"}
# The flags ovzoo honours: switches take no value, the others exactly one.
_SWITCHES = {"--reverse_input_channels"}
_VALUED = {
    "--input_model",
    "--input_symbol",
    "--input",
    "--input_shape",
    "--batch",
    "--layout",
    "--mean_values",
    "--scale_values",
    "--scale",
    "--output",
    *_FIXED_FLAGS,
}
# Only on a command line: where and how to write the IR (omz_converter decides these for a descriptor).
_TARGET_VALUED = {"--output_dir", "--model_name", "--data_type"}
_OPTIONAL_VALUE = {"--compress_to_fp16"}  # mo: a bare switch or =True/False
# mo flags that change nothing in the IR ovzoo writes (logging, progress; ovzoo's IRs are static anyway).
_NO_EFFECT_SWITCHES = {"--silent", "--progress", "--stream_output", "--static_shape"}
_NO_EFFECT_VALUED = {"--log_level"}
# mo's short options
SHORT_FLAGS = {"-m": "--input_model", "-o": "--output_dir", "-b": "--batch", "-s": "--scale"}
# MXNet-only mo flags, each refused with its own reason.
MXNET_ONLY_FLAGS = {
    "--enable_ssd_gluoncv": "the GluonCV SSD detection rewrite is not supported (ovzoo converts image classifiers)",
    "--legacy_mxnet_model": "checkpoints saved by MXNet < 1.0 are not supported; load and re-save them with MXNet 1.x",
    "--nd_prefix_name": "weights in separate .nd files are not supported; save them into one .params file "
    "(mx.nd.save) and pass it as --input_model",
    "--pretrained_model_name": "weights in separate .nd files are not supported; save them into one .params file "
    "(mx.nd.save) and pass it as --input_model",
    "--save_params_from_nd": "weights in separate .nd files are not supported; save them into one .params file "
    "(mx.nd.save) and pass it as --input_model",
}
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
_DATA_TYPES = {"FP16": True, "half": True, "FP32": False, "float": False}  # --data_type -> compress to FP16


@dataclass(frozen=True)
class ConversionSpec:
    """What the descriptor asks the converter to do, with every path resolved."""

    model_name: str
    input_model: Path  # the .params file
    input_symbol: Path  # the -symbol.json file
    input_name: str
    input_shape: tuple[int, ...]
    layout: str
    mean: tuple[float, ...] | None  # as written, i.e. in the ORIGINAL (RGB) channel order
    scale: tuple[float, ...] | None  # as written; one value or one per channel
    reverse_input_channels: bool
    output: tuple[str, ...]  # MXNet node names to expose; () = the graph's heads
    arguments: tuple[str, ...] = field(default=(), compare=False)  # the raw args, for rt_info and --dry_run
    # further data inputs (name, shape) after the first; preprocessing applies to the first only
    extra_inputs: tuple[tuple[str, tuple[int, ...]], ...] = ()

    @property
    def channels(self) -> int:
        return self.input_shape[1]

    @property
    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every data input's static shape, the preprocessed one first."""
        return {self.input_name: self.input_shape, **dict(self.extra_inputs)}

    def mean_array(self) -> np.ndarray | None:
        """Mean broadcast to one value per channel (original order), or None."""
        return None if self.mean is None else _per_channel(self.mean, self.channels)

    def scale_array(self) -> np.ndarray | None:
        """Scale broadcast to one value per channel (original order), or None."""
        return None if self.scale is None else _per_channel(self.scale, self.channels)

    def original_input(self, bgr_batch_0_255: np.ndarray) -> np.ndarray:
        """Turn what the IR takes (NCHW, BGR, raw 0..255) into what the MXNet original takes.

        Model Optimizer order: reverse the channels first, then subtract the mean as written
        (original RGB order), then divide by the scale.
        """
        x = np.asarray(bgr_batch_0_255, dtype=np.float32)
        if x.ndim != 4 or x.shape[1] != self.channels:
            raise ConversionError(
                f"expected an NCHW batch with {self.channels} channels, got shape {x.shape}",
                (f"model {self.model_name!r}",),
            )
        if self.reverse_input_channels:
            x = x[:, ::-1]
        mean, scale = self.mean_array(), self.scale_array()
        if mean is not None:
            x = x - mean.reshape(1, -1, 1, 1)
        if scale is not None:
            x = x / scale.reshape(1, -1, 1, 1)
        return np.ascontiguousarray(x, dtype=np.float32)


def _per_channel(values: tuple[float, ...], channels: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float32)
    return np.full(channels, array[0], np.float32) if array.size == 1 else array


def substitution_dirs(model: Model, download_dir: Path, output_dir: Path) -> dict[str, Path]:
    """The omz_converter placeholders: $dl_dir, $conv_dir (per model) and $config_dir (the descriptor's folder)."""
    return {
        "dl_dir": model_dir(download_dir, model),
        "conv_dir": model_dir(output_dir, model),
        "config_dir": Path(model.config_dir),
    }


@dataclass(frozen=True)
class IrTarget:
    """Where ``ovzoo convert --input_model`` writes its one IR, as ``mo`` did: ``<output_dir>/<model_name>.xml``."""

    output_dir: Path
    model_name: str
    compress_to_fp16: bool

    @property
    def xml(self) -> Path:
        return self.output_dir / f"{self.model_name}.xml"


def split_arguments(arguments: Sequence[str], fail: Fail) -> list[tuple[str, str | None]]:
    """``--flag=value`` and ``--flag value`` into (flag, value) pairs; value None for a bare switch."""
    switches = _SWITCHES | _NO_EFFECT_SWITCHES
    pairs: list[tuple[str, str | None]] = []
    i = 0
    while i < len(arguments):
        arg = SHORT_FLAGS.get(arguments[i], arguments[i])
        if not arg.startswith("--"):
            raise fail(f"unexpected argument {arg!r} (expected --flag or --flag=value)")
        flag, eq, value = arg.partition("=")
        if eq:
            pairs.append((flag, value))
        elif flag in switches:
            pairs.append((flag, None))
        elif i + 1 < len(arguments) and not arguments[i + 1].startswith("--"):
            pairs.append((flag, arguments[i + 1]))
            i += 1
        else:
            pairs.append((flag, None))
        i += 1
    return pairs


def _collect(arguments: Sequence[str], fail: Fail, command_line: bool) -> dict[str, str | None]:
    """Flag -> value, after refusing unknown, repeated and malformed flags."""
    valued = _VALUED | (_TARGET_VALUED | _NO_EFFECT_VALUED if command_line else set())
    switches = _SWITCHES | (_NO_EFFECT_SWITCHES if command_line else set())
    optional = _OPTIONAL_VALUE if command_line else set()
    values: dict[str, str | None] = {}
    for flag, value in split_arguments(arguments, fail):
        if flag in MXNET_ONLY_FLAGS:
            raise fail(f"{flag}: {MXNET_ONLY_FLAGS[flag]}")
        if flag not in valued | switches | optional:
            known = ", ".join(sorted(valued | switches | optional))
            raise fail(f"{flag}: not supported by ovzoo's converter (it honours {known})")
        if flag in values:
            raise fail(f"{flag}: given twice")
        if flag in switches and value is not None:
            raise fail(f"{flag}: takes no value, got {value!r}")
        if flag in valued and value is None:
            raise fail(f"{flag}: needs a value")
        values[flag] = value
    for flag, expected in _FIXED_FLAGS.items():
        if flag in values and values[flag] != expected:
            raise fail(f"{flag}={values[flag]}: ovzoo only converts {expected}")
    return values


def parse_mo_args(model: Model, download_dir: Path, output_dir: Path) -> ConversionSpec:
    """Interpret ``model.model_optimizer_args`` for ``model``.

    Raises:
        ConversionError: an argument ovzoo can't honour, a malformed value, a missing required one.
    """
    where = (f"model {model.name!r}", "model_optimizer_args")

    def fail(problem: str) -> ConversionError:
        return ConversionError(problem, where)

    if model.framework != "mxnet":
        raise ConversionError(
            f"framework {model.framework!r} is not supported (ovzoo converts mxnet only)",
            (f"model {model.name!r}",),
        )
    values = _collect(model.model_optimizer_args, fail, command_line=False)
    dirs = substitution_dirs(model, download_dir, output_dir)
    input_model, input_symbol = read_model_files(values, dirs, fail)
    return _interpret(
        values, model.name, input_model, input_symbol, model.input_info, model.model_optimizer_args, fail
    )


def parse_mo_command_line(
    arguments: Sequence[str], cwd: Path | None = None
) -> tuple[ConversionSpec, IrTarget]:
    """Interpret an ``mo`` command line for an MXNet checkpoint (without the ``mo`` itself).

    Relative paths are taken from ``cwd`` (default: the current directory), as ``mo`` did; the IR goes
    to ``--output_dir`` (default ``cwd``) as ``--model_name`` (default: the params file's stem).

    Raises:
        ConversionError: a flag ovzoo can't honour, a malformed value, a missing required one; the
            message names the params file and the flag.
    """
    base = Path.cwd() if cwd is None else Path(cwd)
    named = _raw_input_model(arguments)
    where: list[str] = [str(base / named) if named else "command line"]

    def fail(problem: str) -> ConversionError:
        return ConversionError(problem, tuple(where))

    arguments = tuple(arguments)
    values = _collect(arguments, fail, command_line=True)
    input_model, input_symbol = read_model_files(values, {}, fail)
    input_model, input_symbol = base / input_model, base / input_symbol
    where[:] = [str(input_model)]
    compress = _compress_to_fp16(values, fail)
    model_name = values.get("--model_name") or input_model.stem
    if "/" in model_name or model_name in (".", ".."):
        raise fail(f"--model_name={model_name}: expected a file name, not a path")
    target = IrTarget(base / (values.get("--output_dir") or "."), model_name, compress)
    spec = _interpret(values, model_name, input_model, input_symbol, (), arguments, fail)
    return spec, target


def _raw_input_model(arguments: Sequence[str]) -> str | None:
    """The --input_model value as typed, to name the file in errors found before it is parsed."""
    for i, arg in enumerate(arguments):
        flag, eq, value = SHORT_FLAGS.get(arg, arg).partition("=")
        if flag == "--input_model":
            return value if eq else (arguments[i + 1] if i + 1 < len(arguments) else None)
    return None


def _interpret(
    values: Mapping[str, str | None],
    model_name: str,
    input_model: Path,
    input_symbol: Path,
    input_info: tuple[TensorInfo, ...],
    arguments: Sequence[str],
    fail: Fail,
) -> ConversionSpec:
    inputs = read_inputs(values, input_info, fail)
    input_name, input_shape = inputs[0]
    names = [name for name, _ in inputs]
    mean = read_named_numbers("--mean_values", values.get("--mean_values"), names, input_shape, fail)
    scale = read_named_numbers("--scale_values", values.get("--scale_values"), names, input_shape, fail)
    if values.get("--scale") is not None:
        if scale is not None:
            raise fail("--scale and --scale_values: give one of them")
        scale = read_numbers(str(values["--scale"]), "--scale", fail)
        if len(scale) != 1:
            raise fail(
                f"--scale={values['--scale']}: expected one number (use --scale_values for one per channel)"
            )
    if scale is not None and any(s == 0 for s in scale):
        raise fail(f"--scale_values: a scale of 0 divides by zero: {','.join(map(str, scale))}")
    return ConversionSpec(
        model_name=model_name,
        input_model=input_model,
        input_symbol=input_symbol,
        input_name=input_name,
        input_shape=input_shape,
        layout=read_layout(values.get("--layout"), names, input_info, fail),
        mean=mean,
        scale=scale,
        reverse_input_channels="--reverse_input_channels" in values,
        output=read_outputs(values.get("--output"), fail),
        arguments=tuple(arguments),
        extra_inputs=tuple(inputs[1:]),
    )


def _compress_to_fp16(values: Mapping[str, str | None], fail: Fail) -> bool:
    """mo's default is FP16 weights; ``--compress_to_fp16=False`` or ``--data_type FP32`` keeps FP32."""
    choices: dict[str, bool] = {}
    if "--compress_to_fp16" in values:
        text = values["--compress_to_fp16"]
        if text is None or text.lower() in _TRUE:
            choices["--compress_to_fp16"] = True
        elif text.lower() in _FALSE:
            choices["--compress_to_fp16"] = False
        else:
            raise fail(f"--compress_to_fp16={text}: expected True or False")
    if values.get("--data_type") is not None:
        text = str(values["--data_type"])
        if text not in _DATA_TYPES:
            raise fail(f"--data_type={text}: expected one of {', '.join(_DATA_TYPES)}")
        choices["--data_type"] = _DATA_TYPES[text]
    if len(set(choices.values())) > 1:
        raise fail("--compress_to_fp16 and --data_type disagree")
    return next(iter(choices.values()), True)
