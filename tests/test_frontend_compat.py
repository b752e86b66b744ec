"""The IRs the front end writes load and give the same numbers in OpenVINO 2023.3 LTS and 2024 LTS.

Each old release lives in its own interpreter (`make compat` builds .venv-ov2023 and .venv-ov2024 from
requirements-compat-*.lock), named by OVZOO_OPENVINO_2023_PYTHON / OVZOO_OPENVINO_2024_PYTHON;
`make test` sets both.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import openvino as ov
import pytest

from ovzoo.mxnet.frontend import convert_graph
from ovzoo.mxnet.symbol import parse_symbol
from ovzoo.optimize import RewriteOptions, rewrite_graph
from support.cost_tables import write_cost_table
from support.mini_octave import INPUT_SHAPE, build_mini_octave
from support.mxnet_graphs import openvino_forward, random_inputs, random_params
from support.required import require
from support.translator_cases import all_cases

# release line -> the environment variable naming an interpreter that has it
OLD_RELEASES = {"2023.3": "OVZOO_OPENVINO_2023_PYTHON", "2024.6": "OVZOO_OPENVINO_2024_PYTHON"}
pytestmark = pytest.mark.slow

# runs under the old OpenVINO: compile every IR at f32, compare with the outputs current OpenVINO gave
_CHECK = """
import json, sys, pathlib, numpy as np, openvino as ov
core, report = ov.Core(), {"version": ov.__version__, "failures": {}}
for xml in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    try:
        compiled = core.compile_model(core.read_model(str(xml)), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        inputs = dict(np.load(xml.with_suffix(".npz")))
        got, want = np.asarray(compiled(inputs)[0]), np.load(xml.with_suffix(".npy"))
        if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-5):
            report["failures"][xml.stem] = f"differs by {np.abs(got - want).max()}"
    except Exception as e:
        report["failures"][xml.stem] = str(e)[:500]
print(json.dumps(report))
"""


def _save(model: ov.Model, inputs: dict[str, np.ndarray], stem: Path) -> None:
    ov.save_model(model, stem.with_suffix(".xml"), compress_to_fp16=False)
    np.savez(stem.with_suffix(".npz"), **inputs)
    np.save(stem.with_suffix(".npy"), openvino_forward(model, inputs)[0])


@pytest.fixture(scope="module")
def ir_folder(tmp_path_factory) -> Path:
    """Every translator case and the mini octave network as IRs, with inputs and current outputs (built once)."""
    folder = tmp_path_factory.mktemp("irs")
    for case in all_cases():
        sym = case.symbol()
        model = convert_graph(
            parse_symbol(case.json(), case.id), random_params(sym, case.shapes), case.shapes
        )
        _save(model, random_inputs(case.shapes), folder / case.id)
    sym = build_mini_octave()
    shapes = {"data": INPUT_SHAPE}
    params = random_params(sym, shapes)
    _save(
        convert_graph(parse_symbol(sym.tojson(), "mini"), params, shapes),
        random_inputs(shapes),
        folder / "mini-octave",
    )
    # the same with its grouped convolutions merged (ovzoo.optimize), forced by a cost table
    merged = convert_graph(parse_symbol(sym.tojson(), "mini"), params, shapes)
    table = tmp_path_factory.mktemp("costs") / "costs.json"
    write_cost_table(merged, table, favour=2)
    assert rewrite_graph(merged, RewriteOptions(cost_cache=table, measure_shapes=0))
    _save(merged, random_inputs(shapes), folder / "mini-octave-merged-groups")
    return folder


@pytest.mark.parametrize("release", sorted(OLD_RELEASES))
def test_irs_load_and_match_in_older_openvino(release: str, ir_folder: Path) -> None:
    old_python = os.environ.get(OLD_RELEASES[release])
    require(
        old_python and Path(old_python).is_file(),
        f"a python with openvino {release}",
        f"set {OLD_RELEASES[release]}; make test does",
    )
    assert old_python is not None
    tmp_path = ir_folder
    done = subprocess.run(
        [old_python, "-c", _CHECK, str(tmp_path)], capture_output=True, text=True, timeout=600, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["version"].startswith(release)
    assert report["failures"] == {}
