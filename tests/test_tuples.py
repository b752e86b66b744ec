"""The one "(a, b)" tuple reader."""

from __future__ import annotations

import pytest

from ovzoo.tuples import tuple_items


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("(124,117,104)", ["124", "117", "104"]),
        ("[3, 224, 224]", ["3", "224", "224"]),
        ("3,224,224", ["3", "224", "224"]),
        ("(3,)", ["3"]),
        ("()", []),
        (" 59.88 ", ["59.88"]),
        ("(1,,2)", ["1", "2"]),
    ],
)
def test_tuple_items(text: str, items: list[str]) -> None:
    assert tuple_items(text) == items
