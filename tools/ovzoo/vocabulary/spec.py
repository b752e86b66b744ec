"""Interpret a descriptor's ``model_optimizer_args`` (never execute them) into a :class:`ConversionSpec`.

The public model zoo drove the legacy Model Optimizer with these arguments. ovzoo honours the subset
that describes an MXNet image classifier (model files, input name/shape/layout, preprocessing, output)
and refuses everything else by name, so a descriptor never converts with an argument silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ovzoo.catalog.model import Model
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
    "--layout",
    "--mean_values",
    "--scale_values",
    "--output",
    *_FIXED_FLAGS,
}


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

    @property
    def channels(self) -> int:
        return self.input_shape[1]

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


def split_arguments(
    arguments: tuple[str, ...], fail: Callable[[str], ConversionError]
) -> list[tuple[str, str | None]]:
    """``--flag=value`` and ``--flag value`` into (flag, value) pairs; value None for a bare switch."""
    pairs: list[tuple[str, str | None]] = []
    i = 0
    while i < len(arguments):
        arg = arguments[i]
        if not arg.startswith("--"):
            raise fail(f"unexpected argument {arg!r} (expected --flag or --flag=value)")
        flag, eq, value = arg.partition("=")
        if eq:
            pairs.append((flag, value))
        elif flag in _SWITCHES:
            pairs.append((flag, None))
        elif i + 1 < len(arguments) and not arguments[i + 1].startswith("--"):
            pairs.append((flag, arguments[i + 1]))
            i += 1
        else:
            pairs.append((flag, None))
        i += 1
    return pairs


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
    dirs = substitution_dirs(model, download_dir, output_dir)
    values: dict[str, str | None] = {}
    for flag, value in split_arguments(model.model_optimizer_args, fail):
        if flag not in _VALUED and flag not in _SWITCHES:
            raise fail(
                f"{flag}: not supported by ovzoo's converter (it honours "
                f"{', '.join(sorted(_VALUED | _SWITCHES))})"
            )
        if flag in values:
            raise fail(f"{flag}: given twice")
        if flag in _SWITCHES and value is not None:
            raise fail(f"{flag}: takes no value, got {value!r}")
        if flag in _VALUED and value is None:
            raise fail(f"{flag}: needs a value")
        values[flag] = value
    for flag, expected in _FIXED_FLAGS.items():
        if flag in values and values[flag] != expected:
            raise fail(f"{flag}={values[flag]}: ovzoo only converts {expected}")

    input_model, input_symbol = _model_files(values, dirs, fail)
    input_name, shape_from_input = _parse_input(values.get("--input"), fail)
    input_shape = _input_shape(model, values.get("--input_shape"), shape_from_input, input_name, fail)
    mean = _named_numbers("--mean_values", values.get("--mean_values"), input_name, input_shape, fail)
    scale = _named_numbers("--scale_values", values.get("--scale_values"), input_name, input_shape, fail)
    if scale is not None and any(s == 0 for s in scale):
        raise fail(f"--scale_values: a scale of 0 divides by zero: {values['--scale_values']}")
    output = _parse_output(values.get("--output"), fail)
    return ConversionSpec(
        model_name=model.name,
        input_model=input_model,
        input_symbol=input_symbol,
        input_name=input_name,
        input_shape=input_shape,
        layout=_layout(model, values.get("--layout"), input_name, fail),
        mean=mean,
        scale=scale,
        reverse_input_channels="--reverse_input_channels" in values,
        output=output,
        arguments=tuple(model.model_optimizer_args),
    )


def _substitute(text: str, dirs: dict[str, Path], flag: str, fail: Callable[[str], ConversionError]) -> Path:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2)
        if key not in dirs:
            raise fail(f"{flag}: unknown placeholder ${key} (known: {', '.join('$' + k for k in dirs)})")
        return str(dirs[key])

    return Path(re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, text))


def _model_files(
    values: dict[str, str | None], dirs: dict[str, Path], fail: Callable[[str], ConversionError]
) -> tuple[Path, Path]:
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


def _numbers(text: str, flag: str, fail: Callable[[str], ConversionError], kind: type = float) -> tuple:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise fail(f"{flag}: no values in {text!r}")
    try:
        return tuple(kind(p) for p in parts)
    except ValueError:
        raise fail(f"{flag}: expected comma-separated {kind.__name__}s, got {text!r}") from None


def _parse_input(
    text: str | None, fail: Callable[[str], ConversionError]
) -> tuple[str, tuple[int, ...] | None]:
    if text is None:
        return "data", None  # MXNet classifiers' input variable
    if "," in text.split("[")[0]:
        raise fail(f"--input={text}: several inputs are not supported (ovzoo converts single-input models)")
    if "{" in text or "->" in text:
        raise fail(f"--input={text}: input type or value overrides are not supported")
    match = _NAMED_VALUES.match(text)
    if match is None:
        return text.strip(), None
    name = match["name"].strip()
    if not name:
        raise fail(f"--input={text}: no input name")
    return name, _numbers(match["values"], "--input", fail, int)


def _input_shape(
    model: Model,
    text: str | None,
    from_input: tuple[int, ...] | None,
    input_name: str,
    fail: Callable[[str], ConversionError],
) -> tuple[int, ...]:
    shape: tuple[int, ...] | None = None
    if text is not None:
        match = _NAMED_VALUES.match(text.strip())
        if match is None or match["name"].strip():
            raise fail(f"--input_shape={text}: expected one shape like [1,3,224,224]")
        shape = _numbers(match["values"], "--input_shape", fail, int)
    if from_input is not None:
        if shape is not None and shape != from_input:
            raise fail(f"--input_shape {list(shape)} disagrees with --input {list(from_input)}")
        shape = from_input
    if shape is None:
        info = next((i for i in model.input_info if i.name == input_name), None)
        if info is None:
            raise fail(f"no input shape: give --input_shape or input_info for {input_name!r}")
        shape = tuple(info.shape)
    if len(shape) != 4 or any(d <= 0 for d in shape):
        raise fail(f"input shape {list(shape)}: expected 4 positive dimensions (NCHW)")
    return shape


def _named_numbers(
    flag: str,
    text: str | None,
    input_name: str,
    input_shape: tuple[int, ...],
    fail: Callable[[str], ConversionError],
) -> tuple[float, ...] | None:
    if text is None:
        return None
    match = _NAMED_VALUES.match(text.strip())
    if match is None:
        raise fail(f"{flag}={text}: expected {input_name}[v1,v2,v3] or [v1,v2,v3]")
    name = match["name"].strip()
    if name and name != input_name:
        raise fail(f"{flag}={text}: names input {name!r}, but the input is {input_name!r}")
    numbers = _numbers(match["values"], flag, fail)
    if len(numbers) not in (1, input_shape[1]):
        raise fail(f"{flag}={text}: {len(numbers)} values for {input_shape[1]} channels")
    return numbers


def _layout(model: Model, text: str | None, input_name: str, fail: Callable[[str], ConversionError]) -> str:
    if text is None:
        info = next((i for i in model.input_info if i.name == input_name), None)
        layout = (info.layout if info and info.layout else "NCHW").upper()
    else:
        match = _LAYOUT.match(text.strip())
        if match is None:
            raise fail(f"--layout={text}: expected NCHW or {input_name}(NCHW)")
        if match["name"] is not None and match["name"].strip() != input_name:
            raise fail(f"--layout={text}: names input {match['name']!r}, but the input is {input_name!r}")
        layout = (match["inner"] if match["name"] is not None else match["bare"]).strip().upper()
        if "->" in layout:
            raise fail(f"--layout={text}: layout changes are not supported")
    if layout not in _SUPPORTED_LAYOUTS:
        raise fail(
            f"layout {layout!r} is not supported (MXNet classifiers are {', '.join(_SUPPORTED_LAYOUTS)})"
        )
    return layout


def _parse_output(text: str | None, fail: Callable[[str], ConversionError]) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise fail(f"--output={text}: empty output name")
    for name in names:
        if ":" in name:
            raise fail(f"--output={text}: output ports ({name!r}) are not supported; name the node")
    return names
