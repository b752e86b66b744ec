"""Runs inside the accuracy_check interpreter (.venv-accuracy-check), never imported by the tests.

``predictions FILE``: the per-image top classes in a file written by ``accuracy_check
--stored_predictions FILE``, ranked by the checker's own ClassificationPrediction.top_k, as one JSON
object ``{identifier: {"1": [...], "5": [...]}}`` (classes sorted; top_k is a set to the checker).

``validate ARGS... [--then ARGS...]``: for each argument set, accuracy_check's own steps for ARGS (its argument parser, ConfigReader.merge),
then for every evaluation the validators of each part (launcher, adapter, dataset, metrics, reader,
preprocessing, postprocessing) one by one, so that one failing part does not hide the others, and last
``ModelEvaluator.from_configs``, which is what ``accuracy_check`` runs before it reads any image. A JSON
list per argument set (one process for all: starting the checker costs seconds), with one object per
evaluation: ``{"name", "framework", "errors": [[where, message]...], "run_error"}``.
"""

from __future__ import annotations

import json
import pickle
import sys
import warnings
from collections.abc import Callable, Iterator
from functools import partial

warnings.simplefilter("ignore")

from openvino.tools.accuracy_checker.adapters import Adapter  # noqa: E402
from openvino.tools.accuracy_checker.argparser import build_arguments_parser  # noqa: E402
from openvino.tools.accuracy_checker.config import ConfigReader  # noqa: E402
from openvino.tools.accuracy_checker.data_readers import BaseReader  # noqa: E402
from openvino.tools.accuracy_checker.dataset import Dataset  # noqa: E402
from openvino.tools.accuracy_checker.evaluators import ModelEvaluator  # noqa: E402
from openvino.tools.accuracy_checker.launcher import Launcher  # noqa: E402
from openvino.tools.accuracy_checker.metrics import MetricsExecutor  # noqa: E402
from openvino.tools.accuracy_checker.postprocessor import PostprocessingExecutor  # noqa: E402
from openvino.tools.accuracy_checker.preprocessor import PreprocessingExecutor  # noqa: E402
from openvino.tools.accuracy_checker.representation import ClassificationPrediction  # noqa: E402


def predictions(path: str) -> dict[str, dict[str, list[int]]]:
    out: dict[str, dict[str, list[int]]] = {}
    with open(path, "rb") as f:
        while True:
            try:
                batch = pickle.load(f)  # noqa: S301 - the file the checker just wrote
            except EOFError:
                break
            for raw in batch.raw_predictions:  # one dict per infer call: output name -> (batch, classes)
                (scores,) = raw.values()
                for identifier, row in zip(batch.identifiers, scores, strict=True):
                    prediction = ClassificationPrediction(identifier, row)
                    out[identifier] = {str(k): sorted(int(c) for c in prediction.top_k(k)) for k in (1, 5)}
    return out


def _parts(entry: dict) -> Iterator[tuple[str, Callable[..., object]]]:
    """(where, validator) for each part of one evaluation, as ModelEvaluator.validate_config lists them."""
    for i, launcher in enumerate(entry["launchers"]):
        yield f"launchers.{i}", partial(Launcher.validate_config, launcher, uri_prefix=f"launchers.{i}")
        if launcher.get("adapter"):
            yield f"launchers.{i}.adapter", partial(Adapter.validate_config, launcher["adapter"])
    for dataset in entry["datasets"]:
        yield "dataset", partial(Dataset.validate_config, dataset)
        yield "metrics", partial(MetricsExecutor.validate_config, dataset.get("metrics", []))
        reader = dataset.get("reader", "opencv_imread")
        yield "reader", partial(BaseReader.validate_config, reader, data_source=dataset.get("data_source"))
        yield "preprocessing", partial(PreprocessingExecutor.validate_config, dataset.get("preprocessing"))
        yield "postprocessing", partial(PostprocessingExecutor.validate_config, dataset.get("postprocessing"))


def _findings(check: Callable[..., object]) -> list[str]:
    """``check`` both ways: the errors it returns with fetch_only=True, and what it raises without it
    (some validators return nothing for an unknown type when fetching, some raise regardless)."""
    found: list[str] = []
    for fetch_only in (True, False):
        try:
            found += [str(e) for e in check(fetch_only=fetch_only) or []]
        except Exception as e:  # noqa: BLE001 - the error is the result
            found.append(str(e))
    return list(dict.fromkeys(found))


def validate(argv: list[str]) -> list[dict[str, object]]:
    args = build_arguments_parser().parse_args(argv)
    config, mode = ConfigReader.merge(args)
    report = []
    for entry in config[mode]:
        errors = [[where, message] for where, check in _parts(entry) for message in _findings(check)]
        run_error = None
        try:
            ModelEvaluator.from_configs(entry).release()
        except Exception as e:  # noqa: BLE001 - reported, as accuracy_check's main loop does
            run_error = str(e)
        framework = entry["launchers"][0]["framework"]
        report.append(
            {"name": entry["name"], "framework": framework, "errors": errors, "run_error": run_error}
        )
    return report


def _argument_sets(argv: list[str]) -> list[list[str]]:
    sets: list[list[str]] = [[]]
    for arg in argv:
        if arg == "--then":
            sets.append([])
        else:
            sets[-1].append(arg)
    return sets


if __name__ == "__main__":
    command, rest = sys.argv[1], sys.argv[2:]
    if command == "predictions":
        print(json.dumps(predictions(rest[0])))
    else:
        print(json.dumps([validate(argv) for argv in _argument_sets(rest)]))
