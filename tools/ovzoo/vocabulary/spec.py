"""Interpret legacy Model Optimizer arguments (never execute them) into a :class:`ConversionSpec`.

Two callers, one parser: a descriptor's ``model_optimizer_args`` (:func:`parse_mo_args`) and an
``ovzoo convert --input_model ...`` command line written for ``mo`` (:func:`parse_mo_command_line`).
ovzoo honours the subset that describes an MXNet image classifier (model files, input names/shapes/
layout, preprocessing, outputs; on the command line also where to write the IR) and refuses
everything else by name, so a model never converts with an argument silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ovzoo.catalog.model import Model, TensorInfo
from ovzoo.errors import ConversionError
from ovzoo.vocabulary.layout import model_dir

# MXNet checkpoints are <prefix>-<epoch>.params beside <prefix>-symbol.json (mx.model.load_checkpoint).
_CHECKPOINT_PARAMS = re.compile(r"^(?P<prefix>.+)-(?P<epoch>\d+)\.params$")
# "data[124,117,104]", "[124,117,104]", "data(1,3,224,224)" ...
_NAMED_VALUES = re.compile(r"^(?P<name>[^\[\]()]*)[\[(](?P<values>[^\[\]()]*)[\])]$")
_LAYOUT = re.compile(r"^(?:(?P<name>[^()]+)\((?P<inner>[^()]*)\)|(?P<bare>[A-Za-z?.]+(?:->[A-Za-z?.]+)?))$")
# Flags whose value is fixed by ovzoo itself; accepted only when they agree with it.
_FIXED_FLAGS = {"--framework": "mxnet"}
_SUPPORTED_LAYOUTS = ("NCHW",)
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


Fail = Callable[[str], ConversionError]


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
    input_model, input_symbol = _model_files(values, dirs, fail)
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
    input_model, input_symbol = _model_files(values, {}, fail)
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
    inputs = _inputs(values, input_info, fail)
    input_name, input_shape = inputs[0]
    names = [name for name, _ in inputs]
    mean = _named_numbers("--mean_values", values.get("--mean_values"), names, input_shape, fail)
    scale = _named_numbers("--scale_values", values.get("--scale_values"), names, input_shape, fail)
    if values.get("--scale") is not None:
        if scale is not None:
            raise fail("--scale and --scale_values: give one of them")
        scale = _numbers(str(values["--scale"]), "--scale", fail)
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
        layout=_layout(values.get("--layout"), names, input_info, fail),
        mean=mean,
        scale=scale,
        reverse_input_channels="--reverse_input_channels" in values,
        output=_parse_output(values.get("--output"), fail),
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


def _substitute(text: str, dirs: Mapping[str, Path], flag: str, fail: Fail) -> Path:
    if not dirs:  # a command line: the shell already expanded what it meant to
        return Path(text)

    def replace(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2)
        if key not in dirs:
            raise fail(f"{flag}: unknown placeholder ${key} (known: {', '.join('$' + k for k in dirs)})")
        return str(dirs[key])

    return Path(re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, text))


def _model_files(values: Mapping[str, str | None], dirs: Mapping[str, Path], fail: Fail) -> tuple[Path, Path]:
    if values.get("--input_model") is None:
        raise fail("--input_model is required (the checkpoint's .params file)")
    params = _substitute(str(values["--input_model"]), dirs, "--input_model", fail)
    if values.get("--input_symbol") is not None:
        return params, _substitute(str(values["--input_symbol"]), dirs, "--input_symbol", fail)
    match = _CHECKPOINT_PARAMS.match(params.name)
    if match is None:
        raise fail(
            f"--input_model: {params.name!r} is not named <prefix>-<epoch>.params, "
            "so the symbol file can't be derived; add --input_symbol"
        )
    return params, params.with_name(f"{match['prefix']}-symbol.json")


def _split_top(text: str) -> list[str]:
    """Split on the commas outside brackets: ``a[1,2],b(3,4)`` -> ``['a[1,2]', 'b(3,4)']``."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += char in "[("
        depth -= char in "])"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def _numbers(text: str, flag: str, fail: Fail, kind: type = float) -> tuple:
    parts = [p.strip() for p in re.split(r"[,\s]+", text) if p.strip()]
    if not parts:
        raise fail(f"{flag}: no values in {text!r}")
    if kind is int and any(p in ("?", "-1") or ".." in p for p in parts):
        raise fail(f"{flag}: dynamic dimensions ({text}) are not supported; give a static shape")
    try:
        return tuple(kind(p) for p in parts)
    except ValueError:
        raise fail(f"{flag}: expected comma-separated {kind.__name__}s, got {text!r}") from None


def _inputs(
    values: Mapping[str, str | None], input_info: tuple[TensorInfo, ...], fail: Fail
) -> list[tuple[str, tuple[int, ...]]]:
    """(name, static shape) for every data input from --input, --input_shape, --batch and input_info."""
    named = _parse_input(values.get("--input"), fail)
    shapes = _parse_shapes(values.get("--input_shape"), fail)
    if shapes and len(shapes) != len(named):
        if values.get("--input") is None and len(shapes) > 1:
            raise fail(
                f"--input_shape={values['--input_shape']}: several shapes need --input naming each input"
            )
        raise fail(
            f"--input_shape={values['--input_shape']}: {len(shapes)} shapes for {len(named)} input(s) "
            f"in --input={values.get('--input')}"
        )
    inputs: list[tuple[str, tuple[int, ...]]] = []
    for i, (name, from_input) in enumerate(named):
        shape = shapes[i] if shapes else None
        if from_input is not None:
            if shape is not None and shape != from_input:
                raise fail(
                    f"--input_shape {list(shape)} disagrees with --input {list(from_input)} for {name!r}"
                )
            shape = from_input
        if shape is None:
            info = next((t for t in input_info if t.name == name), None)
            if info is None:
                flag = f"--input={values['--input']}: " if len(named) > 1 else ""
                raise fail(f"{flag}no input shape for {name!r}: give --input_shape (or input_info)")
            shape = tuple(info.shape)
        if values.get("--batch") is not None:
            shape = (_batch(str(values["--batch"]), fail), *shape[1:])
        if any(d <= 0 for d in shape) or (i == 0 and len(shape) != 4):
            raise fail(f"input shape {list(shape)} of {name!r}: expected 4 positive dimensions (NCHW)")
        inputs.append((name, shape))
    if len({name for name, _ in inputs}) != len(inputs):
        raise fail(f"--input={values['--input']}: an input is named twice")
    return inputs


def _batch(text: str, fail: Fail) -> int:
    if not text.isdigit() or int(text) < 1:
        raise fail(f"--batch={text}: expected a positive integer")
    return int(text)


def _parse_input(text: str | None, fail: Fail) -> list[tuple[str, tuple[int, ...] | None]]:
    if text is None:
        return [("data", None)]  # MXNet classifiers' input variable
    if "{" in text or "->" in text:
        raise fail(f"--input={text}: input type or value overrides are not supported")
    inputs: list[tuple[str, tuple[int, ...] | None]] = []
    for item in _split_top(text):
        match = _NAMED_VALUES.match(item)
        name = (match["name"] if match else item).strip()
        if not name:
            raise fail(f"--input={text}: no input name")
        if ":" in name:
            raise fail(f"--input={text}: input ports ({name!r}) are not supported; name the variable")
        inputs.append((name, _numbers(match["values"], "--input", fail, int) if match else None))
    return inputs


def _parse_shapes(text: str | None, fail: Fail) -> list[tuple[int, ...]]:
    if text is None:
        return []
    shapes = []
    for item in _split_top(text.strip()):
        match = _NAMED_VALUES.match(item)
        if match is None or match["name"].strip():
            raise fail(
                f"--input_shape={text}: expected shapes like [1,3,224,224] (comma-separated for several inputs)"
            )
        shapes.append(_numbers(match["values"], "--input_shape", fail, int))
    return shapes


def _named_numbers(
    flag: str, text: str | None, names: Sequence[str], input_shape: tuple[int, ...], fail: Fail
) -> tuple[float, ...] | None:
    """Values for the first input; ``name[v,...]`` groups for several inputs (only the first may carry any)."""
    if text is None:
        return None
    items = _split_top(text.strip()) if re.search(r"[\])]\s*,", text) else [text.strip()]
    found: tuple[float, ...] | None = None
    for item in items:
        match = _NAMED_VALUES.match(item)
        if match is None:
            raise fail(f"{flag}={text}: expected {names[0]}[v1,v2,v3] or [v1,v2,v3]")
        name = match["name"].strip() or names[0]
        if name not in names:
            raise fail(f"{flag}={text}: names input {name!r}, but the input is {names[0]!r}")
        if name != names[0]:
            raise fail(f"{flag}={text}: preprocessing of a second input ({name!r}) is not supported")
        found = _numbers(match["values"], flag, fail)
        if len(found) not in (1, input_shape[1]):
            raise fail(f"{flag}={text}: {len(found)} values for {input_shape[1]} channels of {name!r}")
    return found


def _layout(text: str | None, names: Sequence[str], input_info: tuple[TensorInfo, ...], fail: Fail) -> str:
    """The first input's layout; a layout named for another input is accepted and left as it is."""
    layout: str | None = None
    if text is None:
        info = next((i for i in input_info if i.name == names[0]), None)
        layout = (info.layout if info and info.layout else "NCHW").upper()
    else:
        for item in _split_top(text.strip()):
            match = _LAYOUT.match(item)
            if match is None:
                raise fail(f"--layout={text}: expected NCHW or {names[0]}(NCHW)")
            name = match["name"].strip() if match["name"] is not None else names[0]
            if name not in names:
                raise fail(f"--layout={text}: names input {name!r}, but the input is {names[0]!r}")
            value = (match["inner"] if match["name"] is not None else match["bare"]).strip().upper()
            if "->" in value:
                raise fail(f"--layout={text}: layout changes are not supported")
            if name == names[0]:
                layout = value
        layout = layout or "NCHW"
    if layout not in _SUPPORTED_LAYOUTS:
        raise fail(
            f"layout {layout!r} is not supported (MXNet classifiers are {', '.join(_SUPPORTED_LAYOUTS)})"
        )
    return layout


def _parse_output(text: str | None, fail: Fail) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise fail(f"--output={text}: empty output name")
    for name in names:
        if ":" in name:
            raise fail(f"--output={text}: output ports ({name!r}) are not supported; name the node")
    return names
