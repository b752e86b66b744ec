"""The values of the Model Optimizer flags ovzoo honours: model files and their placeholders, input
names and shapes, mean/scale numbers, layouts, output names. Each reader names the flag it refuses."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ovzoo.errors import ConversionError

if TYPE_CHECKING:  # annotations only: the convert path never loads the catalog
    from ovzoo.catalog.model import TensorInfo

Fail = Callable[[str], ConversionError]
# MXNet checkpoints are <prefix>-<epoch>.params beside <prefix>-symbol.json (mx.model.load_checkpoint).
_CHECKPOINT_PARAMS = re.compile(r"^(?P<prefix>.+)-(?P<epoch>\d+)\.params$")
# "data[124,117,104]", "[124,117,104]", "data(1,3,224,224)" ...
_NAMED_VALUES = re.compile(r"^(?P<name>[^\[\]()]*)[\[(](?P<values>[^\[\]()]*)[\])]$")
_LAYOUT = re.compile(r"^(?:(?P<name>[^()]+)\((?P<inner>[^()]*)\)|(?P<bare>[A-Za-z?.]+(?:->[A-Za-z?.]+)?))$")
_SUPPORTED_LAYOUTS = ("NCHW",)


def substitute_placeholders(text: str, dirs: Mapping[str, Path], flag: str, fail: Fail) -> Path:
    if not dirs:  # a command line: the shell already expanded what it meant to
        return Path(text)

    def replace(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2)
        if key not in dirs:
            raise fail(f"{flag}: unknown placeholder ${key} (known: {', '.join('$' + k for k in dirs)})")
        return str(dirs[key])

    return Path(re.sub(r"\$\{(\w+)\}|\$(\w+)", replace, text))


def read_model_files(
    values: Mapping[str, str | None], dirs: Mapping[str, Path], fail: Fail
) -> tuple[Path, Path]:
    if values.get("--input_model") is None:
        raise fail("--input_model is required (the checkpoint's .params file)")
    params = substitute_placeholders(str(values["--input_model"]), dirs, "--input_model", fail)
    if values.get("--input_symbol") is not None:
        return params, substitute_placeholders(str(values["--input_symbol"]), dirs, "--input_symbol", fail)
    match = _CHECKPOINT_PARAMS.match(params.name)
    if match is None:
        raise fail(
            f"--input_model: {params.name!r} is not named <prefix>-<epoch>.params, "
            "so the symbol file can't be derived; add --input_symbol"
        )
    return params, params.with_name(f"{match['prefix']}-symbol.json")


def split_top_level(text: str) -> list[str]:
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


def read_numbers(text: str, flag: str, fail: Fail, kind: type = float) -> tuple:
    parts = [p.strip() for p in re.split(r"[,\s]+", text) if p.strip()]
    if not parts:
        raise fail(f"{flag}: no values in {text!r}")
    if kind is int and any(p in ("?", "-1") or ".." in p for p in parts):
        raise fail(f"{flag}: dynamic dimensions ({text}) are not supported; give a static shape")
    try:
        return tuple(kind(p) for p in parts)
    except ValueError:
        raise fail(f"{flag}: expected comma-separated {kind.__name__}s, got {text!r}") from None


def read_inputs(
    values: Mapping[str, str | None], input_info: tuple[TensorInfo, ...], fail: Fail
) -> list[tuple[str, tuple[int, ...]]]:
    """(name, static shape) for every data input from --input, --input_shape, --batch and input_info."""
    named = read_input_flag(values.get("--input"), fail)
    shapes = read_input_shapes(values.get("--input_shape"), fail)
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
            shape = (read_batch(str(values["--batch"]), fail), *shape[1:])
        if any(d <= 0 for d in shape) or (i == 0 and len(shape) != 4):
            raise fail(f"input shape {list(shape)} of {name!r}: expected 4 positive dimensions (NCHW)")
        inputs.append((name, shape))
    if len({name for name, _ in inputs}) != len(inputs):
        raise fail(f"--input={values['--input']}: an input is named twice")
    return inputs


def read_batch(text: str, fail: Fail) -> int:
    if not text.isdigit() or int(text) < 1:
        raise fail(f"--batch={text}: expected a positive integer")
    return int(text)


def read_input_flag(text: str | None, fail: Fail) -> list[tuple[str, tuple[int, ...] | None]]:
    if text is None:
        return [("data", None)]  # MXNet classifiers' input variable
    if "{" in text or "->" in text:
        raise fail(f"--input={text}: input type or value overrides are not supported")
    inputs: list[tuple[str, tuple[int, ...] | None]] = []
    for item in split_top_level(text):
        match = _NAMED_VALUES.match(item)
        name = (match["name"] if match else item).strip()
        if not name:
            raise fail(f"--input={text}: no input name")
        if ":" in name:
            raise fail(f"--input={text}: input ports ({name!r}) are not supported; name the variable")
        inputs.append((name, read_numbers(match["values"], "--input", fail, int) if match else None))
    return inputs


def read_input_shapes(text: str | None, fail: Fail) -> list[tuple[int, ...]]:
    if text is None:
        return []
    shapes = []
    for item in split_top_level(text.strip()):
        match = _NAMED_VALUES.match(item)
        if match is None or match["name"].strip():
            raise fail(
                f"--input_shape={text}: expected shapes like [1,3,224,224] (comma-separated for several inputs)"
            )
        shapes.append(read_numbers(match["values"], "--input_shape", fail, int))
    return shapes


def read_named_numbers(
    flag: str, text: str | None, names: Sequence[str], input_shape: tuple[int, ...], fail: Fail
) -> tuple[float, ...] | None:
    """Values for the first input; ``name[v,...]`` groups for several inputs (only the first may carry any)."""
    if text is None:
        return None
    items = split_top_level(text.strip()) if re.search(r"[\])]\s*,", text) else [text.strip()]
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
        found = read_numbers(match["values"], flag, fail)
        if len(found) not in (1, input_shape[1]):
            raise fail(f"{flag}={text}: {len(found)} values for {input_shape[1]} channels of {name!r}")
    return found


def read_layout(
    text: str | None, names: Sequence[str], input_info: tuple[TensorInfo, ...], fail: Fail
) -> str:
    """The first input's layout; a layout named for another input is accepted and left as it is."""
    layout: str | None = None
    if text is None:
        info = next((i for i in input_info if i.name == names[0]), None)
        layout = (info.layout if info and info.layout else "NCHW").upper()
    else:
        for item in split_top_level(text.strip()):
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


def read_outputs(text: str | None, fail: Fail) -> tuple[str, ...]:
    if text is None:
        return ()
    names = tuple(n.strip() for n in text.split(","))
    if not all(names):
        raise fail(f"--output={text}: empty output name")
    for name in names:
        if ":" in name:
            raise fail(f"--output={text}: output ports ({name!r}) are not supported; name the node")
    return names
