"""ovzoo vs the by-hand ONNX route (mx.onnx.export_model, then ovc), side by side on the Gluon and GluonCV zoos.

For every architecture: a random-weight checkpoint is exported with Gluon (``hybridize; net(x); export``),
then each route converts it in fresh processes, and both IRs are compared with MXNet's own output:

    ovzoo route:  python -c "ovzoo.convert_model(...); ov.save_model(...)"          (one process)
    ONNX route:   python -c "mx.onnx.export_model(...)"  then  ovc model.onnx      (two processes)

Wall time and peak RSS are those of the processes a user would run (interpreter start and imports
included; peak RSS is the largest of a route's processes, from ``wait4``). FP32 parity is
max |IR - MXNet| / max |MXNet| with f32 inference. The route needs onnx <= 1.18 (newer onnx dropped
``onnx.mapping``), so it runs in its own venv (``make onnx-route``)::

    .venv-onnx-route/bin/python benchmarks/compare_onnx_route.py --zoo gluon --models 'resnet*,vgg11'

``--size`` overrides the input size (default: each model's native size); ``--json`` writes the rows.

ovzoo is byte-compiled first, as ``pip install`` leaves it (a checkout run with
``PYTHONDONTWRITEBYTECODE`` would otherwise compile ~60 modules in every process; the ONNX route's
packages are installed, hence compiled). ``--repeat N`` runs both routes N times, alternating, and
keeps each route's fastest run: on a shared machine one burst of someone else's load can triple a
0.4 s conversion. Dirty pages are flushed (untimed) before each route starts. The ovzoo route times layer shapes its graph-rewrite cost cache lacks on first
use (ovzoo.optimize); runs that had to (the cache file changed) are listed as cold.
"""

from __future__ import annotations

import argparse
import compileall
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
PARITY_LIMIT = 1e-5  # of the output scale
F32 = {"INFERENCE_PRECISION_HINT": "f32"}


@dataclass
class Step:
    """One process: did it succeed, how long, how much memory."""

    ok: bool
    seconds: float
    peak_mb: float
    error: str = ""


@dataclass
class Route:
    ok: bool = False
    seconds: float = 0.0
    peak_mb: float = 0.0
    error: str = ""
    parity: float | None = None
    runs: list[float] = field(default_factory=list)  # every attempt's seconds (``seconds`` is the best)
    cold_runs: int = 0  # ovzoo runs that timed new layer shapes (the cost cache changed)
    failed_runs: list[str] = field(default_factory=list)  # why attempts failed (when another succeeded too)

    def add(self, step: Step) -> bool:
        self.seconds += step.seconds
        self.peak_mb = max(self.peak_mb, step.peak_mb)
        self.ok, self.error = step.ok, step.error
        return step.ok

    def keep_best(self, attempt: Route) -> None:
        """Fold one attempt in: the fastest successful attempt's time, the largest peak RSS."""
        self.runs.append(round(attempt.seconds, 3))
        self.peak_mb = max(self.peak_mb, attempt.peak_mb)
        if not attempt.ok:
            self.failed_runs.append(attempt.error)
        if attempt.ok and (not self.ok or attempt.seconds < self.seconds):
            self.ok, self.seconds, self.error = True, attempt.seconds, ""
        elif not self.ok:
            self.seconds, self.error = attempt.seconds, attempt.error


@dataclass
class Row:
    model: str
    zoo: str
    size: int
    export: Step | None = None
    ovzoo: Route = field(default_factory=Route)
    onnx: Route = field(default_factory=Route)


def run_step(command: list[str], timeout: float, cwd: Path) -> Step:
    """Run one process to the end; its wall time and peak RSS (``ru_maxrss`` of that child alone)."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "tools"), "PYTHONWARNINGS": "ignore"}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        # a blocking wait ends the moment the child does (polling would add up to a poll interval)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            process.kill()

        killer = threading.Timer(timeout, kill)
        killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            killer.cancel()
        seconds = time.perf_counter() - started
        if timed_out.is_set():
            return Step(False, seconds, usage.ru_maxrss / 1024, f"timeout after {timeout:.0f} s")
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
    message = "" if process.returncode == 0 else _reason(lines)
    return Step(process.returncode == 0, seconds, usage.ru_maxrss / 1024, message)


def _reason(lines: list[str]) -> str:
    """The most telling stderr line: the last exception or error line, shortened."""
    for line in reversed(lines):
        if "Error" in line or "error:" in line or "Exception" in line:
            return line.strip()[:160]
    return (lines[-1].strip() if lines else "failed")[:160]


# The two timed steps run as a user would type them, ``python -c`` with nothing of this script loaded
# (its own imports cost ~40 ms a process). Arguments: folder, model name, input size.
OVZOO_CODE = """
import sys
import openvino as ov
from ovzoo import convert_model
folder, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = convert_model(f"{folder}/{name}-0000.params", input_shape=[1, 3, size, size])
ov.save_model(model, f"{folder}/ovzoo.xml", compress_to_fp16=False)
"""
ONNX_EXPORT_CODE = """
import sys
import numpy as np
from ovzoo.mxnet.legacy import import_mxnet  # mxnet with numpy's removed aliases restored
mx = import_mxnet()
folder, name, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
mx.onnx.export_model(
    f"{folder}/{name}-symbol.json", f"{folder}/{name}-0000.params", [(1, 3, size, size)], np.float32,
    f"{folder}/model.onnx",
)
"""


def child(step: str, folder: Path, name: str, size: int) -> None:
    """The body of one measured process (``--child``)."""
    shape = [1, 3, size, size]
    if step == "export":
        import numpy as np

        from ovzoo.zoo.gluon import export_random

        exported = export_random(name, folder, size)
        x = np.random.default_rng(7).uniform(-1, 1, shape).astype(np.float32)
        np.save(folder / "input.npy", x)
        np.save(folder / "reference.npy", exported.forward(x))
    elif step == "parity":
        import numpy as np
        import openvino as ov

        x, reference = np.load(folder / "input.npy"), np.load(folder / "reference.npy")
        errors = {}
        for route in ("ovzoo", "onnx"):
            if (folder / f"{route}.xml").is_file():
                got = ov.Core().compile_model(folder / f"{route}.xml", "CPU", F32)(x)[0]
                errors[route] = float(
                    np.abs(got - reference).max() / max(float(np.abs(reference).max()), 1e-30)
                )
        (folder / "parity.json").write_text(json.dumps(errors))


def _file_state(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def measure(name: str, zoo: str, size: int, timeout: float, workdir: Path, repeat: int = 1) -> Row:
    from ovzoo.optimize.cost_cache import default_cost_cache

    row = Row(name, zoo, size)
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    args = [str(folder), name, str(size)]
    row.export = run_step([*me, "export", *args], timeout, folder)
    if not row.export.ok:
        row.ovzoo.error = row.onnx.error = f"export failed: {row.export.error}"
        return row
    cost_cache = default_cost_cache()
    ovc = shutil.which("ovc", path=str(Path(sys.executable).parent)) or "ovc"
    ovc_command = [
        ovc,
        str(folder / "model.onnx"),
        "--output_model",
        str(folder / "onnx.xml"),
        "--compress_to_fp16=False",
    ]
    for _ in range(repeat):  # alternating, so a burst of outside load hits one attempt of one route
        # untimed: flush what the export or the other route left dirty, or this step's own writes
        # queue behind that writeback (the first ovzoo run after a 550 MB export took twice as long)
        os.sync()
        attempt, before = Route(), _file_state(cost_cache)
        attempt.add(run_step([sys.executable, "-c", OVZOO_CODE, *args], timeout, folder))
        row.ovzoo.cold_runs += _file_state(cost_cache) != before
        row.ovzoo.keep_best(attempt)
        attempt = Route()
        os.sync()
        if attempt.add(run_step([sys.executable, "-c", ONNX_EXPORT_CODE, *args], timeout, folder)):
            attempt.add(run_step(ovc_command, timeout, folder))
        row.onnx.keep_best(attempt)
    if row.ovzoo.ok or row.onnx.ok:
        parity = run_step([*me, "parity", *args], timeout, folder)
        errors = json.loads((folder / "parity.json").read_text()) if parity.ok else {}
        row.ovzoo.parity, row.onnx.parity = errors.get("ovzoo"), errors.get("onnx")
        if not parity.ok:
            row.ovzoo.error = row.onnx.error = f"parity run failed: {parity.error}"
    shutil.rmtree(folder, ignore_errors=True)
    return row


def cell(route: Route) -> str:
    if not route.ok:
        return f"FAIL | {route.seconds:.2f} | {route.peak_mb:.0f} | - "
    parity = (
        "?"
        if route.parity is None
        else f"{route.parity:.1e}" + ("" if route.parity <= PARITY_LIMIT else " (!)")
    )
    return f"ok | {route.seconds:.2f} | {route.peak_mb:.0f} | {parity}"


def print_table(rows: list[Row]) -> None:
    print(
        "| model | zoo | input | ovzoo | s | peak MB | FP32 rel err | ONNX route | s | peak MB | FP32 rel err | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        speedup = f"{row.onnx.seconds / row.ovzoo.seconds:.1f}x" if row.ovzoo.ok and row.onnx.ok else "-"
        print(f"| {row.model} | {row.zoo} | {row.size} | {cell(row.ovzoo)} | {cell(row.onnx)} | {speedup} |")
    failures = [
        (r.model, route, getattr(r, route).error)
        for r in rows
        for route in ("ovzoo", "onnx")
        if not getattr(r, route).ok
    ]
    if failures:
        print("\nFailures:")
        for model, route, error in failures:
            print(f"- {model} ({route}): {error}")
    flaky = [(r.model, name, getattr(r, name)) for r in rows for name in ("ovzoo", "onnx")]
    flaky = [(model, name, route) for model, name, route in flaky if route.ok and route.failed_runs]
    if flaky:
        print("\nConverted, but not in every run:")
        for model, name, route in flaky:
            print(
                f"- {model} ({name}): {len(route.failed_runs)} of {len(route.runs)} failed: {route.failed_runs[0]}"
            )

    def faithful(route: Route) -> bool:
        return route.ok and route.parity is not None and route.parity <= PARITY_LIMIT

    ovzoo = {r.model for r in rows if r.ovzoo.ok}
    ovzoo_faithful = {r.model for r in rows if faithful(r.ovzoo)}
    onnx = {r.model for r in rows if r.onnx.ok}
    onnx_faithful = {r.model for r in rows if faithful(r.onnx)}
    both = [r for r in rows if r.ovzoo.ok and r.onnx.ok]
    speedups = sorted(r.onnx.seconds / r.ovzoo.seconds for r in both)
    cold = [r.model for r in rows if r.ovzoo.cold_runs]
    if cold:
        print(
            "\novzoo runs that timed new layer shapes for the rewrite pass (cold cost cache), "
            f"of {max(len(r.ovzoo.runs) for r in rows)} per model: "
            + ", ".join(f"{r.model} ({r.ovzoo.cold_runs})" for r in rows if r.ovzoo.cold_runs)
        )
    print(
        f"\n{len(rows)} models: ovzoo converts {len(ovzoo)}, {len(ovzoo_faithful)} of them with FP32 parity "
        f"<= {PARITY_LIMIT:g}; the ONNX route converts {len(onnx)}, {len(onnx_faithful)} of them with that parity; "
        f"converted only by the ONNX route: {sorted(onnx - ovzoo) or 'none'}; only by ovzoo: {len(ovzoo - onnx)}"
    )
    loose = [r for r in rows if r.ovzoo.ok and not faithful(r.ovzoo)]
    if loose:  # side by side: a deep random-weight net can amplify f32 rounding on either route
        print(
            "ovzoo over the parity limit: "
            + ", ".join(
                f"{r.model} ({r.ovzoo.parity:.1e}; ONNX route "
                + (f"{r.onnx.parity:.1e})" if r.onnx.ok and r.onnx.parity is not None else "fails)")
                for r in loose
            )
        )
    if speedups:
        print(
            f"speed-up where both convert ({len(both)}): min {speedups[0]:.1f}x, "
            f"median {speedups[len(speedups) // 2]:.1f}x, max {speedups[-1]:.1f}x"
        )


def selected(args: argparse.Namespace) -> list[tuple[str, str]]:
    from ovzoo.zoo.gluon import GLUON_MODELS, GLUONCV_MODELS

    zoos = {"gluon": GLUON_MODELS, "gluoncv": GLUONCV_MODELS}
    chosen = [(name, zoo) for zoo, names in zoos.items() if args.zoo in (zoo, "all") for name in names]
    if args.models:
        patterns = [p.strip() for p in args.models.split(",") if p.strip()]
        chosen = [(n, z) for n, z in chosen if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    return chosen[: args.limit] if args.limit else chosen


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        step, folder, name, size = sys.argv[2:6]
        child(step, Path(folder), name, int(size))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zoo", choices=("gluon", "gluoncv", "all"), default="all")
    parser.add_argument("--models", metavar="PAT[,PAT]", help="fnmatch patterns of model names (a subset)")
    parser.add_argument("--limit", type=int, default=0, help="at most this many models")
    parser.add_argument(
        "--size", type=int, default=0, help="input height and width (default: each model's native size)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per process")
    parser.add_argument(
        "--repeat", type=int, default=1, help="run both routes this many times, keep each one's fastest"
    )
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    args = parser.parse_args()
    from ovzoo.zoo.gluon import native_size

    models = selected(args)
    if not models:
        parser.error("no model matches")
    if args.repeat < 1:
        parser.error("--repeat: expected at least 1")
    compileall.compile_dir(REPO / "tools" / "ovzoo", quiet=1)
    rows = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="onnx-route-") as workdir:
        for name, zoo in models:
            row = measure(name, zoo, args.size or native_size(name), args.timeout, Path(workdir), args.repeat)
            print(
                f"{name}: ovzoo {cell(row.ovzoo)} {row.ovzoo.runs}; onnx {cell(row.onnx)} {row.onnx.runs}",
                file=sys.stderr,
                flush=True,
            )
            rows.append(row)
    print_table(rows)
    load = ", ".join(f"{a:.2f}" for a in (*load_before, *os.getloadavg()))
    print(f"best of {args.repeat} run(s) per route; load average (1, 5, 15 min) before, after: {load}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
