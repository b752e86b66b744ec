"""``ovzoo serve`` over a real socket on 127.0.0.1, with a real HTTP client (requests): the KServe V2
routes, answers equal to direct inference, 64 requests at once, refused requests that leave the
server serving, and a SIGTERM that lets the requests in flight finish."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import openvino as ov
import pytest
import requests

from ovzoo.errors import ServeError
from ovzoo.export.repository import ExportOptions, export_models
from ovzoo.images import image_like_batch
from ovzoo.serve.engine import load_models
from ovzoo.serve.repository import read_repository
from ovzoo.vocabulary.model_repository import DEFAULT_PLUGIN_CONFIG
from support.cli_process import run_ovzoo
from support.digits_pipeline import digits_model
from support.model_repository import DIGITS, check_ovms_config, converted_digits
from support.serve_process import running_server

SHAPE = [1, 3, 32, 32]
MAX_BODY_MB = "0.25"  # the server under test refuses bodies over 256 KiB; one image as JSON is ~20 KB


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The digits model: FP32 as version 1, FP16 as version 2, both served (policy "all")."""
    ir_dir = converted_digits(tmp_path_factory.mktemp("zoo"))
    repo = tmp_path_factory.mktemp("repo")
    for version, precision in ((1, "FP32"), (2, "FP16")):
        report = export_models([digits_model()], ExportOptions(ir_dir, repo, (precision,), version=version))
        assert report.ok, report.failed
    config = json.loads((repo / "config.json").read_text())
    config["model_config_list"][0]["config"]["model_version_policy"] = {"all": {}}
    (repo / "config.json").write_text(json.dumps(config))
    check_ovms_config(repo / "config.json")
    return repo


@pytest.fixture(scope="module")
def server(repository: Path):
    with running_server(repository, "--max_body_mb", MAX_BODY_MB) as running:
        yield running


def direct_prob(repository: Path, images: np.ndarray, version: int = 1) -> np.ndarray:
    """The same IR compiled in this process the way the server compiles it, one image at a time."""
    xml = repository / DIGITS / str(version) / f"{DIGITS}.xml"
    request = ov.Core().compile_model(str(xml), "CPU", DEFAULT_PLUGIN_CONFIG).create_infer_request()
    return np.stack([request.infer({0: image[None]})["prob"][0].copy() for image in images])


def infer_body(image: np.ndarray, **overrides) -> dict:
    tensor = {"name": "data", "shape": SHAPE, "datatype": "FP32", "data": image.ravel().tolist(), **overrides}
    return {"inputs": [tensor]}


def post_infer(
    url: str, body, path: str = f"/v2/models/{DIGITS}/versions/1/infer", **kwargs
) -> requests.Response:
    if isinstance(body, dict):
        kwargs["json"] = body
    else:
        kwargs["data"] = body
    return requests.post(url + path, timeout=60, **kwargs)


def test_health_metadata_and_readiness(server):
    url = server.url
    assert requests.get(f"{url}/v2/health/live", timeout=10).json() == {"live": True}
    assert requests.get(f"{url}/v2/health/ready", timeout=10).status_code == 200
    assert "binary_tensor_data" in requests.get(f"{url}/v2", timeout=10).json()["extensions"]
    metadata = requests.get(f"{url}/v2/models/{DIGITS}", timeout=10).json()
    assert metadata == {
        "name": DIGITS,
        "versions": ["1", "2"],
        "platform": "OpenVINO",
        "inputs": [{"name": "data", "datatype": "FP32", "shape": SHAPE}],
        "outputs": [{"name": "prob", "datatype": "FP32", "shape": [1, 10]}],
    }
    assert (
        requests.get(f"{url}/v2/models/{DIGITS}/versions/1", timeout=10).json()["inputs"]
        == metadata["inputs"]
    )
    for path in (f"/v2/models/{DIGITS}/ready", f"/v2/models/{DIGITS}/versions/2/ready"):
        answer = requests.get(url + path, timeout=10)
        assert answer.status_code == 200 and answer.json() == {"name": DIGITS, "ready": True}


def test_an_image_gives_the_prob_of_direct_inference(server, repository):
    image = image_like_batch(1, seed=3, size=32)[0]
    answer = post_infer(server.url, {"id": "r-1", **infer_body(image)})
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert (document["model_name"], document["model_version"], document["id"]) == (DIGITS, "1", "r-1")
    (output,) = document["outputs"]
    assert (output["name"], output["datatype"], output["shape"]) == ("prob", "FP32", [1, 10])
    served = np.asarray(output["data"], np.float32)
    np.testing.assert_array_equal(served, direct_prob(repository, image[None])[0])
    assert abs(served.sum() - 1) < 1e-3


def test_without_a_version_the_latest_answers(server, repository):
    image = image_like_batch(1, seed=4, size=32)[0]
    document = post_infer(server.url, infer_body(image), path=f"/v2/models/{DIGITS}/infer").json()
    assert document["model_version"] == "2"
    np.testing.assert_array_equal(document["outputs"][0]["data"], direct_prob(repository, image[None], 2)[0])


def test_binary_tensor_data_in_and_out(server, repository):
    image = image_like_batch(1, seed=5, size=32)[0]
    header = json.dumps(
        {
            "inputs": [
                {
                    "name": "data",
                    "shape": SHAPE,
                    "datatype": "FP32",
                    "parameters": {"binary_data_size": image.nbytes},
                }
            ],
            "outputs": [{"name": "prob", "parameters": {"binary_data": True}}],
        }
    ).encode()
    answer = post_infer(
        server.url,
        header + image.astype("<f4").tobytes(),
        headers={
            "Inference-Header-Content-Length": str(len(header)),
            "Content-Type": "application/octet-stream",
        },
    )
    assert answer.status_code == 200, answer.text
    json_length = int(answer.headers["Inference-Header-Content-Length"])
    document = json.loads(answer.content[:json_length])
    assert document["outputs"][0]["parameters"] == {"binary_data_size": 40}
    prob = np.frombuffer(answer.content[json_length:], "<f4")
    np.testing.assert_array_equal(prob, direct_prob(repository, image[None])[0])


def test_64_concurrent_requests_all_answer_correctly(server, repository):
    images = image_like_batch(64, seed=11, size=32)
    expected = direct_prob(repository, images)
    local = threading.local()

    def ask(i: int) -> np.ndarray:
        session = getattr(local, "session", None) or requests.Session()
        local.session = session
        answer = session.post(
            f"{server.url}/v2/models/{DIGITS}/versions/1/infer", json=infer_body(images[i]), timeout=120
        )
        assert answer.status_code == 200, answer.text
        return np.asarray(answer.json()["outputs"][0]["data"], np.float32)

    with ThreadPoolExecutor(64) as pool:
        served = list(pool.map(ask, range(64)))
    np.testing.assert_array_equal(np.stack(served), expected)


def test_concurrent_requests_overlap_in_the_async_queue(repository, tmp_path):
    """In process, without HTTP: 32 requests at once keep all 4 infer requests of the queue busy."""

    def four_requests(config: dict) -> None:
        config["nireq"] = 4
        config["model_version_policy"] = {"specific": {"versions": [1]}}

    (config,) = read_repository(repository_with(repository, tmp_path, four_requests))
    version = load_models([config])[DIGITS].latest
    images = image_like_batch(32, seed=12, size=32)

    async def all_at_once() -> list[dict[str, np.ndarray]]:
        return await asyncio.gather(*(version.infer({"data": image[None]}) for image in images))

    results = asyncio.run(all_at_once())
    assert version.nireq == 4 and version.peak_in_flight == 4 and version.in_flight == 0
    np.testing.assert_array_equal(
        np.concatenate([r["prob"] for r in results]), direct_prob(repository, images)
    )


IMAGE = image_like_batch(1, seed=6, size=32)[0]
BAD_REQUESTS = {
    # id: (body, path or None for the default, expected status, words the error must contain)
    "malformed-json": (b'{"inputs": [{"name": "data",', None, 400, "not valid JSON"),
    "not-an-object": (b"[1, 2]", None, 400, "JSON object"),
    "wrong-shape": (
        infer_body(IMAGE, shape=[1, 3, 16, 64]),
        None,
        400,
        "shape [1, 3, 16, 64] does not match",
    ),
    "wrong-datatype": (infer_body(IMAGE, datatype="FP64"), None, 400, "datatype 'FP64' does not match"),
    "too-few-values": (infer_body(IMAGE, data=[0.0] * 10), None, 400, "holds 10 values"),
    "text-values": (infer_body(IMAGE, data=["x"] * 3072), None, 400, "not a list of FP32 numbers"),
    "unknown-input": (infer_body(IMAGE, name="image"), None, 400, "no such input"),
    "unknown-output": ({**infer_body(IMAGE), "outputs": [{"name": "logits"}]}, None, 400, "no such output"),
    "unknown-model": (infer_body(IMAGE), "/v2/models/resnet/infer", 404, "model 'resnet' not found"),
    "unknown-version": (infer_body(IMAGE), f"/v2/models/{DIGITS}/versions/7/infer", 404, "version '7'"),
    "unknown-route": (infer_body(IMAGE), "/v1/models/x:predict", 404, "Not Found"),
    "body-over-limit": (b"{" + b" " * (300 << 10) + b"}", None, 413, "exceeds the 262144-byte limit"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS, ids=list(BAD_REQUESTS))
def test_bad_requests_get_a_4xx_with_a_message_and_the_server_keeps_serving(server, repository, case):
    body, path, status, words = BAD_REQUESTS[case]
    answer = post_infer(server.url, body, **({"path": path} if path else {}))
    assert answer.status_code == status, answer.text
    assert words in answer.json()["error"]
    good = post_infer(server.url, infer_body(IMAGE))
    assert good.status_code == 200
    np.testing.assert_array_equal(good.json()["outputs"][0]["data"], direct_prob(repository, IMAGE[None])[0])


def test_sigterm_finishes_the_requests_in_flight_then_exits_0(repository):
    image = image_like_batch(1, seed=8, size=32)[0]
    body = json.dumps(infer_body(image)).encode()
    with running_server(repository) as running:
        url = f"{running.url}/v2/models/{DIGITS}/versions/1/infer"
        first_part_sent = threading.Event()

        def slow_body():  # the request is on the wire, but its body is not complete when SIGTERM arrives
            yield body[:100]
            first_part_sent.set()
            time.sleep(1.5)
            yield body[100:]

        results: list[requests.Response] = []
        client = threading.Thread(
            target=lambda: results.append(requests.post(url, data=slow_body(), timeout=60))
        )
        client.start()
        assert first_part_sent.wait(30)
        time.sleep(0.3)
        status = running.stop()
        client.join(60)
        assert status == 0, "".join(running.stderr_lines)
        assert results and results[0].status_code == 200, results
        np.testing.assert_array_equal(
            results[0].json()["outputs"][0]["data"], direct_prob(repository, image[None])[0]
        )
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{running.url}/v2/health/live", timeout=5)


def repository_with(repository: Path, tmp_path: Path, change) -> Path:
    """A copy of ``repository`` (the model folder linked) whose one config entry ``change`` edits."""
    config = json.loads((repository / "config.json").read_text())
    change(config["model_config_list"][0]["config"])
    copy = tmp_path / "repo"
    copy.mkdir()
    (copy / DIGITS).symlink_to(repository / DIGITS)
    (copy / "config.json").write_text(json.dumps(config))
    return copy


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda c: c.update(batch_size=4), "batch_size: not supported by ovzoo serve"),
        (lambda c: c.update(base_path="gs://bucket/x"), "only local folders"),
        (
            lambda c: c.update(model_version_policy={"specific": {"versions": [9]}}),
            "version(s) [9] not found",
        ),
        (lambda c: c.update(shape="auto"), "fixed shapes"),
        (lambda c: c.update(base_path="elsewhere"), "no folder"),
    ],
    ids=["batch-size", "remote-base-path", "missing-specific-version", "auto-shape", "missing-base-path"],
)
def test_config_entries_ovzoo_serve_cannot_honour_are_named(repository, tmp_path, change, words):
    with pytest.raises(ServeError) as caught:
        read_repository(repository_with(repository, tmp_path, change))
    assert words in str(caught.value) and f'model "{DIGITS}"' in str(caught.value)


@pytest.mark.parametrize(
    "policy, versions",
    [
        (None, [2]),
        ({"latest": {"num_versions": 2}}, [1, 2]),
        ({"specific": {"versions": [1]}}, [1]),
        ({"all": {}}, [1, 2]),
    ],
    ids=["default-latest", "latest-2", "specific", "all"],
)
def test_version_policies(repository, tmp_path, policy, versions):
    def set_policy(config: dict) -> None:
        config.pop("model_version_policy", None)
        if policy is not None:
            config["model_version_policy"] = policy

    (model,) = read_repository(repository_with(repository, tmp_path, set_policy))
    assert sorted(model.versions) == versions


def test_a_repository_without_config_is_a_one_line_error(tmp_path):
    result = run_ovzoo("serve", str(tmp_path), "--port", "0", timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"ovzoo serve: error: no config.json in {tmp_path}" in result.stderr
