"""``ovzoo serve`` against direct in-process inference: requests/s and p50/p99 latency at 1, 4 and 16
concurrent clients, batch 1, side by side in one run.

1. The model (default octave-resnext-50-0.25 from a synthetic checkpoint, built once and cached; or
   the bundled octave-digits-tiny) is converted, then exported with ``ovzoo export --format ovms``.
2. ``ovzoo serve`` runs on 127.0.0.1 in its own process. Each client is a thread with its own
   ``requests.Session`` that posts one image per request: as raw bytes (the binary tensor data
   extension) and, as a second figure, as a JSON list of numbers.
3. Direct: the same IR compiled in this process with the same plugin config, one thread and one
   infer request per client, the same images.

For each client count the three measurements run back to back, ``--rounds`` times, the best round
of each kept (other processes share these CPUs; the best is the least disturbed).

    .venv/bin/python benchmarks/serve.py [--model resnext|digits] [--seconds 8] [--rounds 2]
                                         [--clients 1,4,16] [--precision FP16] [--work_dir DIR] [--json FILE]

Goal: at 16 clients the server (binary requests) reaches >= 80 % of the direct throughput; exit
status 1 if it does not. Synthetic weights: timings are real, the probabilities mean nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "tests"))

from convert import synthetic_download_dir  # noqa: E402  (the convert benchmark's cached checkpoint)
from support.serve_process import running_server  # noqa: E402  (ovzoo serve in a subprocess, port 0)

MODELS = {"resnext": "octave-resnext-50-0.25", "digits": "octave-digits-tiny"}
GOAL_RATIO = 0.80
GOAL_CLIENTS = 16


@dataclass(frozen=True)
class Figures:
    mode: str  # "direct", "serve binary", "serve JSON"
    clients: int
    requests: int
    requests_per_s: float
    p50_ms: float
    p99_ms: float


def measure(mode: str, clients: int, seconds: float, one_request: Callable[[int, int], None]) -> Figures:
    """Run ``clients`` threads calling ``one_request(client, i)`` for ``seconds``; latency per call."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    start_line = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def client(c: int) -> None:
        one_request(c, 0)  # warm: connection, first inference
        start_line.wait()
        i = 1
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at[0]:
                return
            one_request(c, i)
            latencies[c].append(time.perf_counter() - t0)
            i += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = float("inf")
    start_line.wait()
    begin = time.perf_counter()
    stop_at[0] = begin + seconds
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begin
    every = sorted(x for per_client in latencies for x in per_client)
    return Figures(
        mode=mode,
        clients=clients,
        requests=len(every),
        requests_per_s=len(every) / elapsed,
        p50_ms=1000 * statistics.median(every),
        p99_ms=1000 * every[min(len(every) - 1, int(0.99 * len(every)))],
    )


def prepare(model_key: str, precision: str, work: Path) -> tuple[Path, str, tuple[int, ...]]:
    """Convert and export the model; returns (repository, served name, input shape)."""
    from ovzoo.catalog.loader import load_model_file
    from ovzoo.convert.converter import convert_model
    from ovzoo.export.repository import ExportOptions, export_models

    name = MODELS[model_key]
    model = load_model_file(REPO / "models" / name / "model.yml")
    if model_key == "digits":
        from support.digits_pipeline import download_and_convert

        irs = work / "digits"
        download_and_convert(irs, (precision,))
    else:
        download_dir = synthetic_download_dir(work / "cache", name)
        irs = work / "irs"
        convert_model(model, download_dir, irs, (precision,))
    repository = work / "repo"
    shutil.rmtree(repository, ignore_errors=True)  # the IRs may have changed since a previous run
    report = export_models([model], ExportOptions(irs, repository, (precision,)))
    if not report.ok:
        raise SystemExit(f"export failed: {report.failed}")
    return repository, name, tuple(model.input_info[0].shape)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=sorted(MODELS), default="resnext")
    parser.add_argument("--precision", default="FP16")
    parser.add_argument("--seconds", type=float, default=8.0, help="per measurement")
    parser.add_argument("--rounds", type=int, default=2, help="rounds per client count (best kept)")
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument(
        "--work_dir", type=Path, default=None, help="keep the checkpoint, IRs and repository here"
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON")
    args = parser.parse_args(argv)
    client_counts = [int(c) for c in args.clients.split(",")]

    import openvino as ov

    from ovzoo.images import image_like_batch
    from ovzoo.vocabulary.model_repository import DEFAULT_PLUGIN_CONFIG

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="ovzoo-bench-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    repository, name, shape = prepare(args.model, args.precision, work)
    images = image_like_batch(16, seed=0, size=shape[-1])[:, None]  # 16 distinct (1, C, H, W) images
    xml = next((repository / name / "1").glob("*.xml"))

    compiled = ov.Core().compile_model(str(xml), "CPU", DEFAULT_PLUGIN_CONFIG)
    direct_requests = [compiled.create_infer_request() for _ in range(max(client_counts))]

    def direct(c: int, i: int) -> None:
        direct_requests[c].infer({0: images[(c + i) % len(images)]})

    binary_bodies, json_bodies = [], []
    for image in images:
        header = json.dumps(
            {
                "inputs": [
                    {
                        "name": "data",
                        "shape": list(shape),
                        "datatype": "FP32",
                        "parameters": {"binary_data_size": image.nbytes},
                    }
                ],
                "parameters": {"binary_data_output": True},
            }
        ).encode()
        binary_bodies.append((header + image.astype("<f4").tobytes(), len(header)))
        json_bodies.append(
            json.dumps(
                {
                    "inputs": [
                        {
                            "name": "data",
                            "shape": list(shape),
                            "datatype": "FP32",
                            "data": image.ravel().tolist(),
                        }
                    ]
                }
            ).encode()
        )

    figures: list[Figures] = []
    with running_server(repository) as server:
        url = f"{server.url}/v2/models/{name}/infer"
        sessions = [requests.Session() for _ in range(max(client_counts))]

        def served_binary(c: int, i: int) -> None:
            body, header_length = binary_bodies[(c + i) % len(images)]
            answer = sessions[c].post(
                url, data=body, headers={"Inference-Header-Content-Length": str(header_length)}, timeout=120
            )
            answer.raise_for_status()

        def served_json(c: int, i: int) -> None:
            answer = sessions[c].post(
                url,
                data=json_bodies[(c + i) % len(images)],
                headers={"Content-Type": "application/json"},
                timeout=120,
            )
            answer.raise_for_status()

        for clients in client_counts:
            best: dict[str, Figures] = {}
            for _ in range(args.rounds):
                for mode, call in (
                    ("direct", direct),
                    ("serve binary", served_binary),
                    ("serve JSON", served_json),
                ):
                    result = measure(mode, clients, args.seconds, call)
                    if mode not in best or result.requests_per_s > best[mode].requests_per_s:
                        best[mode] = result
            figures.extend(best.values())

    direct_rate = {f.clients: f.requests_per_s for f in figures if f.mode == "direct"}
    print(
        f"# ovzoo serve vs direct inference: {name} {args.precision}, batch 1, {args.seconds:g} s x {args.rounds} rounds (best)"
    )
    print(
        f"# plugin config {DEFAULT_PLUGIN_CONFIG}, {compiled.get_property('OPTIMAL_NUMBER_OF_INFER_REQUESTS')} infer requests; load average before: {load_before}"
    )
    print(f"{'mode':<13} {'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs direct':>9}")
    for f in figures:
        ratio = f.requests_per_s / direct_rate[f.clients]
        print(
            f"{f.mode:<13} {f.clients:>7} {f.requests_per_s:>8.1f} {f.p50_ms:>8.2f} {f.p99_ms:>8.2f} {ratio:>8.0%}"
        )
    goal = next((f for f in figures if f.mode == "serve binary" and f.clients == GOAL_CLIENTS), None)
    met = True
    if goal is not None:
        ratio = goal.requests_per_s / direct_rate[GOAL_CLIENTS]
        met = ratio >= GOAL_RATIO
        print(
            f"goal: at {GOAL_CLIENTS} clients >= {GOAL_RATIO:.0%} of direct throughput: {ratio:.0%} ({'met' if met else 'MISSED'})"
        )
    if args.json:
        args.json.write_text(json.dumps([asdict(f) for f in figures], indent=2) + "\n")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
