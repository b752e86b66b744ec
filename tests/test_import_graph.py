"""The package's shape: no import circle, no stage importing another stage, no module over 400 lines;
and what a conversion process really loads (a subprocess and its ``sys.modules``).

The graph is read from the source with ``ast`` (nothing is imported): every ``import``/``from ... import`` at module
level, ``if TYPE_CHECKING:`` blocks included (a circle there is still a circle to a reader); imports
inside functions are deliberate lazy imports and are left out.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
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


# -- what a conversion process loads ----------------------------------------------------------------

# Never on the path of ``ovzoo.convert_model`` + ``ov.save_model``: MXNet is the reference, not the
# converter; the rest belong to other commands (catalog YAML, downloads, quantization, plots) or are
# only needed when something is written (the rewrite pass's cost-cache lock). Each costs start-up
# time in every conversion process (filelock ~8 ms, the catalog ~8 ms, mxnet ~1 s).
NOT_ON_THE_CONVERT_PATH = (
    "mxnet",
    "gluoncv",
    "nncf",
    "matplotlib",
    "cv2",
    "PIL",
    "scipy",
    "onnx",
    "yaml",
    "jsonschema",
    "requests",
    "tqdm",
    "psutil",
    "filelock",
    "ovzoo.catalog",
    "ovzoo.download",
    "ovzoo.validate",
    "ovzoo.quantize",
    "ovzoo.benchmark",
    "ovzoo.accuracy",
    "ovzoo.zoo",
    "ovzoo.cli",
    "ovzoo.mxnet.reference",
    "ovzoo.mxnet.legacy",
)

CONVERT_PROCESS = """
import json, sys
import openvino as ov
from ovzoo import convert_model
ov.save_model(convert_model(sys.argv[1], input_shape=[1, 3, 8, 8]), sys.argv[2], compress_to_fp16=False)
print(json.dumps(sorted(sys.modules)))
"""


def _small_checkpoint(folder: Path) -> Path:
    """Conv-BN-ReLU-global pool-FC, written without MXNet (no grouped conv: nothing for the rewrite
    pass to time, so the cost cache is only read)."""
    import numpy as np

    from ovzoo.mxnet.params import save_params

    def var(name: str) -> dict[str, object]:
        return {"op": "null", "name": name, "inputs": []}

    nodes = [
        var("data"),
        var("conv_weight"),
        {"op": "Convolution", "name": "conv", "attrs": {"kernel": "(3, 3)", "num_filter": "4", "no_bias": "True"}, "inputs": [[0, 0, 0], [1, 0, 0]]},
        var("bn_gamma"), var("bn_beta"), var("bn_moving_mean"), var("bn_moving_var"),
        {"op": "BatchNorm", "name": "bn", "attrs": {"fix_gamma": "False"}, "inputs": [[2, 0, 0], [3, 0, 0], [4, 0, 0], [5, 0, 1], [6, 0, 1]]},
        {"op": "Activation", "name": "relu", "attrs": {"act_type": "relu"}, "inputs": [[7, 0, 0]]},
        {"op": "Pooling", "name": "pool", "attrs": {"global_pool": "True", "kernel": "(1, 1)", "pool_type": "avg"}, "inputs": [[8, 0, 0]]},
        {"op": "Flatten", "name": "flatten", "inputs": [[9, 0, 0]]},
        var("fc_weight"), var("fc_bias"),
        {"op": "FullyConnected", "name": "fc", "attrs": {"num_hidden": "3"}, "inputs": [[10, 0, 0], [11, 0, 0], [12, 0, 0]]},
    ]  # fmt: skip
    rng = np.random.default_rng(0)
    shapes = {
        "conv_weight": (4, 3, 3, 3),
        "bn_gamma": (4,),
        "bn_beta": (4,),
        "fc_weight": (3, 4),
        "fc_bias": (3,),
    }
    arrays = {
        f"arg:{name}": rng.uniform(0.5, 1.5, shape).astype(np.float32) for name, shape in shapes.items()
    }
    arrays |= {f"aux:bn_moving_{s}": rng.uniform(0.5, 1.5, 4).astype(np.float32) for s in ("mean", "var")}
    symbol = {"nodes": nodes, "arg_nodes": [], "heads": [[len(nodes) - 1, 0, 0]]}
    (folder / "net-symbol.json").write_text(json.dumps(symbol))
    save_params(folder / "net-0000.params", arrays)
    return folder / "net-0000.params"


def test_a_conversion_process_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    """A real ``convert_model`` + ``ov.save_model`` process, then its ``sys.modules``."""
    params = _small_checkpoint(tmp_path)
    env = {
        **os.environ,
        "PYTHONPATH": str(PACKAGE.parent),
        "OVZOO_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = subprocess.run(
        [sys.executable, "-c", CONVERT_PROCESS, str(params), str(tmp_path / "net.xml")],
        capture_output=True, text=True, env=env, timeout=300, check=True,
    )  # fmt: skip
    loaded = json.loads(result.stdout.splitlines()[-1])
    assert (tmp_path / "net.xml").is_file() and "ovzoo.convert.api" in loaded
    unwanted = sorted(
        {banned for module in loaded for banned in NOT_ON_THE_CONVERT_PATH
         if module == banned or module.startswith(banned + ".")}
    )  # fmt: skip
    assert not unwanted, f"a conversion imports {unwanted}"
