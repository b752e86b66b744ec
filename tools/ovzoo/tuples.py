"""The one reader of the ``"(a, b)"`` tuple text that configs, descriptors and rt_info write numbers in."""

from __future__ import annotations


def tuple_items(text: str) -> list[str]:
    """The items of ``"(a, b)"``, ``"[a,b]"``, ``"a,b"`` or ``"a"``: brackets off, split at commas, blanks dropped.

    Callers convert the items (int, float) and raise their own error naming the field.
    """
    body = text.strip()
    if body[:1] in "([" and body[-1:] in ")]":
        body = body[1:-1]
    return [item.strip() for item in body.split(",") if item.strip()]
