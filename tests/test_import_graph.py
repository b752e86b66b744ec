"""The package's shape: no import circle, no stage importing another stage, no module over 400 lines.

Read from the source with ``ast`` (nothing is imported): every ``import``/``from ... import`` at module
level, ``if TYPE_CHECKING:`` blocks included (a circle there is still a circle to a reader); imports
inside functions are deliberate lazy imports and are left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ovzoo

PACKAGE = Path(ovzoo.__file__).parent
# one command each; shared code lives outside them (catalog, vocabulary, ir, mxnet, zoo, errors, ...),
# and only the orchestrators (cli, demo) may use several
STAGES = ("download", "convert", "quantize", "validate", "benchmark", "accuracy", "export", "serve")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level(body: list[ast.stmt], annotations: bool) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            found += _module_level(node.body, annotations) if annotations else []
        elif isinstance(node, ast.If | ast.Try):  # optional imports
            for block in (node.body, node.orelse, *(h.body for h in getattr(node, "handlers", []))):
                found += _module_level(block, annotations)
    return found


def import_graph(annotations: bool = True) -> dict[str, set[str]]:
    """Module -> the modules it imports at module level; ``annotations``: ``if TYPE_CHECKING:`` ones too."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _module_level(ast.parse(path.read_text(), str(path)).body, annotations):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    base = ".".join(
                        [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                    ).strip(".")
                # "from pkg import mod" names a module; "from mod import thing" names the module
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
            # a module's own parent packages are initialised before it runs (``import ovzoo`` for the
            # version), so an edge to one of them closes no circle
            graph[name] |= {t for t in targets if t in known and t != name and not name.startswith(t + ".")}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def test_the_graph_is_read_from_every_module() -> None:
    graph = import_graph()
    assert "ovzoo.cli.__main__" in graph and "ovzoo.vocabulary.precisions" in graph
    assert "ovzoo.vocabulary.precisions" in graph["ovzoo.convert.converter"]


def test_no_import_circle() -> None:
    cycle = find_cycle(import_graph(annotations=False))
    assert cycle is None, " -> ".join(cycle or [])


# Annotation-only (TYPE_CHECKING) edges that close a circle, each a type named back by a helper module:
# the front end's op record names its translator context; the OctConv body builders name the family's
# spec. Breaking them means moving those types into modules of their own; a new one fails this test.
ALLOWED_ANNOTATION_EDGES = {
    ("ovzoo.mxnet.record", "ovzoo.mxnet.context"),
    ("ovzoo.zoo.densenet", "ovzoo.zoo.octave"),
    ("ovzoo.zoo.resnet", "ovzoo.zoo.octave"),
}


def test_no_import_circle_through_annotations() -> None:
    graph = import_graph(annotations=True)
    for module, target in ALLOWED_ANNOTATION_EDGES:
        graph.get(module, set()).discard(target)
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_a_circle_is_found() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_stage_imports_another_stage() -> None:
    crossings = sorted(
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if stage_of(module) and stage_of(target) and stage_of(module) != stage_of(target)
    )
    assert not crossings, "\n".join(crossings)


def test_no_module_over_400_lines() -> None:
    """Small modules with one job: a module that grows past 400 lines wants splitting by job."""
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > 400}
    assert not long
