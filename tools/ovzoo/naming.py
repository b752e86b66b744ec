"""Deterministic node names for IRs: OpenVINO's automatic names come from a process-wide counter."""

from __future__ import annotations


def claim_name(base: str, used: set[str]) -> str:
    """``base``, or ``base_1``, ``base_2``... whichever is not in ``used`` yet; the result is added to ``used``."""
    name, k = base, 1
    while name in used:
        name, k = f"{base}_{k}", k + 1
    used.add(name)
    return name
