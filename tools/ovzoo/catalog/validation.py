"""Typed accessors for parsed YAML: every value is checked, every failure is a one-line DescriptorError.

A :class:`Section` wraps one mapping of a descriptor together with its dotted path
(``files[0].checksum``), so an error names the exact field. The config file and the model are added
around it by :func:`ovzoo.errors.within` in the loader, which gives messages like
``models/x/model.yml: model "x": files[0].size: expected an integer, got a string ('12')``.

Booleans are never accepted where numbers are expected (YAML ``true`` is an ``int`` subclass in Python).
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping
from typing import NoReturn, overload

from ovzoo.errors import DescriptorError

_REPR_LIMIT = 60


def describe(value: object) -> str:
    """Say what a YAML value is, for 'expected X, got Y' messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"an integer ({value})"
    if isinstance(value, float):
        return f"a number ({value})"
    if isinstance(value, str):
        text = value if len(value) <= _REPR_LIMIT else value[: _REPR_LIMIT - 3] + "..."
        return f"a string ({text!r})"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def similarity(a: str, b: str) -> float:
    """The better of difflib's ratio and an edit-distance score, both 0..1.

    difflib alone misses swapped letters ('lisence' scores 0.57 against 'license').
    """
    a, b = a.lower(), b.lower()
    by_edits = 1 - edit_distance(a, b) / max(len(a), len(b), 1)
    return max(difflib.SequenceMatcher(None, a, b).ratio(), by_edits)


def suggest(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' for the closest choice, or '' when nothing is close."""
    scored = sorted(((similarity(word, c), c) for c in choices), key=lambda sc: -sc[0])
    if scored and scored[0][0] >= 0.6:
        return f' (did you mean "{scored[0][1]}"?)'
    return ""


def fail(path: str, problem: str) -> NoReturn:
    """Raise a DescriptorError for the field at ``path`` (empty path = the whole document)."""
    raise DescriptorError(problem, (path,) if path else ())


def join_path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


# --- plain values (items of lists, or values already taken out of a mapping) ---------------------


def expect_str(value: object, path: str, *, non_empty: bool = True) -> str:
    if not isinstance(value, str):
        fail(path, f"expected a string, got {describe(value)}")
    if non_empty and not value.strip():
        fail(path, "must not be empty")
    return value


def expect_int(value: object, path: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(path, f"expected an integer, got {describe(value)}")
    if minimum is not None and value < minimum:
        fail(path, f"must be >= {minimum}, got {value}")
    return value


def expect_number(
    value: object,
    path: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    positive: bool = False,
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        fail(path, f"expected a number, got {describe(value)}")
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        fail(path, f"expected a finite number, got {value}")
    if positive and number <= 0:
        fail(path, f"must be > 0, got {value}")
    if minimum is not None and number < minimum:
        fail(path, f"must be >= {minimum:g}, got {value}")
    if maximum is not None and number > maximum:
        fail(path, f"must be <= {maximum:g}, got {value}")
    return number


def expect_bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        fail(path, f"expected a boolean (true/false), got {describe(value)}")
    return value


def expect_list(value: object, path: str, *, non_empty: bool = False) -> list[object]:
    if not isinstance(value, list):
        fail(path, f"expected a list, got {describe(value)}")
    if non_empty and not value:
        fail(path, "must not be an empty list")
    return value


def expect_choice(value: object, path: str, choices: Collection[str]) -> str:
    text = expect_str(value, path)
    if text not in choices:
        # long lists (task types) would drown the message; the suggestion is what helps there
        listed = f"; expected one of: {', '.join(sorted(choices))}" if len(choices) <= 10 else ""
        fail(path, f"unknown value {text!r}{suggest(text, choices)}{listed}")
    return text


def expect_section(value: object, path: str) -> Section:
    if not isinstance(value, Mapping):
        fail(path, f"expected a mapping, got {describe(value)}")
    return Section(value, path)


# --- mappings ----------------------------------------------------------------------------------


class Section:
    """One mapping of a descriptor and its path; typed ``require_*``/``optional_*`` getters.

    Call :meth:`check_keys` first so that a typo is reported as an unknown key (with a suggestion)
    rather than as the missing key it was meant to be.
    """

    def __init__(self, data: Mapping[object, object], path: str = "") -> None:
        self.data = data
        self.path = path

    def at(self, key: str | int) -> str:
        """The dotted path of a child field."""
        return join_path(self.path, key)

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def check_keys(self, required: Collection[str], optional: Collection[str] = ()) -> None:
        """Reject unknown keys (suggesting the closest known one), then missing required keys."""
        known = [*required, *optional]
        for key in self.data:
            if not isinstance(key, str):
                fail(self.path, f"keys must be strings, got {describe(key)}")
            if key not in known:
                fail(self.at(key), f"unknown key{suggest(key, known)}")
        for key in required:
            if key not in self.data:
                fail(self.at(key), "missing required key")

    def raw(self, key: str) -> object:
        if key not in self.data:
            fail(self.at(key), "missing required key")
        return self.data[key]

    def require_str(self, key: str) -> str:
        return expect_str(self.raw(key), self.at(key))

    def optional_str(self, key: str, default: str | None = None) -> str | None:
        return expect_str(self.data[key], self.at(key)) if key in self.data else default

    def require_int(self, key: str, *, minimum: int | None = None) -> int:
        return expect_int(self.raw(key), self.at(key), minimum=minimum)

    def optional_int(self, key: str, default: int, *, minimum: int | None = None) -> int:
        return expect_int(self.data[key], self.at(key), minimum=minimum) if key in self.data else default

    def require_number(self, key: str, **limits: float | bool) -> float:
        return expect_number(self.raw(key), self.at(key), **limits)  # type: ignore[arg-type]

    @overload
    def optional_number(self, key: str, default: float, **limits: float | bool) -> float: ...

    @overload
    def optional_number(self, key: str, default: None = None, **limits: float | bool) -> float | None: ...

    def optional_number(self, key: str, default: float | None = None, **limits: float | bool) -> float | None:
        if key not in self.data:
            return default
        return expect_number(self.data[key], self.at(key), **limits)  # type: ignore[arg-type]

    def optional_bool(self, key: str, default: bool = False) -> bool:
        return expect_bool(self.data[key], self.at(key)) if key in self.data else default

    def require_choice(self, key: str, choices: Collection[str]) -> str:
        return expect_choice(self.raw(key), self.at(key), choices)

    def require_list(self, key: str, *, non_empty: bool = False) -> list[object]:
        return expect_list(self.raw(key), self.at(key), non_empty=non_empty)

    def optional_list(self, key: str) -> list[object]:
        return expect_list(self.data[key], self.at(key)) if key in self.data else []

    def require_section(self, key: str) -> Section:
        return expect_section(self.raw(key), self.at(key))

    def optional_section(self, key: str) -> Section | None:
        return expect_section(self.data[key], self.at(key)) if key in self.data else None

    def require_str_list(self, key: str) -> tuple[str, ...]:
        items = self.require_list(key)
        return tuple(expect_str(item, self.at(key) + f"[{i}]") for i, item in enumerate(items))

    def optional_str_list(self, key: str) -> tuple[str, ...]:
        return self.require_str_list(key) if key in self.data else ()
