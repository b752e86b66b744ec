"""The IRs the front end writes load and give the same numbers in OpenVINO 2023.3 LTS.

Needs a second interpreter with openvino==2023.3.0 (a plain venv: `python3.11 -m venv /tmp/ov2023 &&
/tmp/ov2023/bin/pip install openvino==2023.3.0 "numpy<2"`), named by OVZOO_OPENVINO_2023_PYTHON.
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
from support.mini_octave import INPUT_SHAPE, build_mini_octave
from support.mxnet_graphs import openvino_forward, random_inputs, random_params
from support.translator_cases import CASES

OLD_PYTHON = os.environ.get("OVZOO_OPENVINO_2023_PYTHON")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not OLD_PYTHON, reason="set OVZOO_OPENVINO_2023_PYTHON to a python with openvino 2023.3")]

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


def test_irs_load_and_match_in_openvino_2023_3(tmp_path: Path) -> None:
    for case in CASES:
        sym = case.symbol()
        model = convert_graph(parse_symbol(case.json(), case.id), random_params(sym, case.shapes), case.shapes)
        _save(model, random_inputs(case.shapes), tmp_path / case.id)
    sym = build_mini_octave()
    shapes = {"data": INPUT_SHAPE}
    _save(convert_graph(parse_symbol(sym.tojson(), "mini"), random_params(sym, shapes), shapes),
          random_inputs(shapes), tmp_path / "mini-octave")

    done = subprocess.run([OLD_PYTHON, "-c", _CHECK, str(tmp_path)], capture_output=True, text=True, timeout=600,
                          check=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["version"].startswith("2023.3")
    assert report["failures"] == {}
