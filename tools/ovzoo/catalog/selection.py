"""Choosing models by name: ``--name`` fnmatch patterns, a ``--list`` file of patterns, or ``--all``.

Same rules as the public model-zoo tools (case-sensitive fnmatch, pattern order kept, duplicates
dropped), but stricter: a pattern that matches nothing is an error naming the pattern (and, for a
list file, its line), and a list line with more than one word is refused instead of half-ignored.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ovzoo.catalog.model import Model
from ovzoo.catalog.validation import suggest
from ovzoo.errors import ModelSelectionError, UsageError


@dataclass(frozen=True)
class Pattern:
    text: str
    origin: str  # where it was written: "--name" or "<file>:<line>"


def select_models(
    models: Sequence[Model], names: str | None = None, list_file: Path | None = None, all_models: bool = False
) -> list[Model]:
    """The models chosen by exactly one of ``names`` (comma-separated patterns), ``list_file`` or ``all_models``.

    Raises:
        UsageError: none or more than one way of choosing given, an empty pattern, an unreadable list file.
        ModelSelectionError: a pattern that matches no model.
    """
    given = sum((names is not None, list_file is not None, all_models))
    if given == 0:
        raise UsageError("one of --name, --list, --all or --print_all is required")
    if given > 1:
        raise UsageError("give only one of --name, --list and --all")
    if all_models:
        return list(models)
    patterns = parse_name_patterns(names) if names is not None else read_list_file(Path(list_file))  # type: ignore[arg-type]
    return match_patterns(models, patterns)


def parse_name_patterns(names: str) -> list[Pattern]:
    texts = [t.strip() for t in names.split(",")]
    if any(not t for t in texts):
        raise UsageError(f"--name: empty pattern in {names!r}")
    return [Pattern(t, "--name") for t in texts]


def read_list_file(path: Path) -> list[Pattern]:
    """One pattern per line; '#' starts a comment; blank lines are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise UsageError(f"--list: cannot read {path}: {reason}") from None
    patterns: list[Pattern] = []
    for number, line in enumerate(lines, start=1):
        words = line.split("#", 1)[0].split()
        if len(words) > 1:
            raise ModelSelectionError(
                f"expected one pattern per line, got {len(words)}: {' '.join(words)!r}", (f"{path}:{number}",)
            )
        if words:
            patterns.append(Pattern(words[0], f"{path}:{number}"))
    if not patterns:
        raise ModelSelectionError("no model patterns in the file", (str(path),))
    return patterns


def match_patterns(models: Sequence[Model], patterns: Sequence[Pattern]) -> list[Model]:
    chosen: dict[str, Model] = {}
    for pattern in patterns:
        matches = [m for m in models if fnmatch.fnmatchcase(m.name, pattern.text)]
        if not matches:
            hint = suggest(pattern.text, [m.name for m in models])
            raise ModelSelectionError(f'no model matches "{pattern.text}"{hint}', (pattern.origin,))
        for model in matches:
            chosen.setdefault(model.name, model)
    return list(chosen.values())
