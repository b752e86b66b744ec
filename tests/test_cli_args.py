"""The argument types every command shares: bad values are usage errors, good ones parse as documented."""

from __future__ import annotations

import argparse

import pytest

from ovzoo.cli.common import positive_float, positive_int, precision_list

PRECISIONS = precision_list(("FP32", "FP16"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("FP32", ("FP32",)), ("FP16, FP32", ("FP16", "FP32")), ("FP32,FP32,FP16", ("FP32", "FP16"))],
    ids=["one", "two", "dupes"],
)
def test_precisions_parse_in_order(text: str, expected: tuple[str, ...]) -> None:
    assert PRECISIONS(text) == expected


@pytest.mark.parametrize(
    "text", ["", ",", "FP8", "FP32,INT4"], ids=["empty", "comma", "unknown", "one-unknown"]
)
def test_bad_precisions_are_rejected(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="choose from FP32,FP16"):
        PRECISIONS(text)


@pytest.mark.parametrize("text", ["0", "-3", "2.5", "many"])
def test_positive_int_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        positive_int(text)


@pytest.mark.parametrize("text", ["0", "-1", "nan", "inf", "soon"])
def test_positive_float_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        positive_float(text)


def test_positive_values_parse() -> None:
    assert positive_int("4") == 4 and positive_float("0.5") == 0.5
