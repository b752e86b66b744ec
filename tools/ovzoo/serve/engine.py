"""Compiled models behind an OpenVINO ``AsyncInferQueue``, awaited from the server's event loop.

Each request takes an idle infer request from the queue; OpenVINO runs it on its own threads and
calls back, and the callback hands the copied outputs to the awaiting coroutine through the loop.
A semaphore as large as the queue keeps ``start_async`` from blocking the event loop: a request
only reaches the queue when one of its infer requests is free.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openvino as ov

from ovzoo.errors import ServeError, within
from ovzoo.ir.reading import IrReadError, read_ir
from ovzoo.serve.repository import ModelConfig
from ovzoo.serve.tensors import OV_DATATYPES, TensorSpec
from ovzoo.vocabulary.model_repository import DEFAULT_PLUGIN_CONFIG, layout_name

log = logging.getLogger(__name__)


class CompiledVersion:
    """One version of one model, compiled, with its queue of infer requests."""

    def __init__(self, name: str, version: int, compiled: ov.CompiledModel, nireq: int) -> None:
        self.name = name
        self.version = version
        self.inputs = tuple(_spec(port) for port in compiled.inputs)
        self.outputs = tuple(_spec(port) for port in compiled.outputs)
        self._queue = ov.AsyncInferQueue(compiled, nireq)
        self._queue.set_callback(self._finished)
        self._free = asyncio.Semaphore(len(self._queue))
        self.nireq = len(self._queue)
        self.in_flight = 0  # requests handed to OpenVINO and not answered yet
        self.peak_in_flight = 0  # the most at once since loading: > 1 when requests overlapped

    async def infer(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Run one request; returns every output by name (copies, safe to keep)."""
        loop = asyncio.get_running_loop()
        async with self._free:
            future: asyncio.Future[dict[str, np.ndarray]] = loop.create_future()
            self._queue.start_async(dict(inputs), (loop, future))
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            try:
                return await future
            finally:
                self.in_flight -= 1

    def _finished(
        self, request: ov.InferRequest, userdata: tuple[asyncio.AbstractEventLoop, asyncio.Future]
    ) -> None:
        # runs on an OpenVINO thread: copy the outputs now, the request is reused right after
        loop, future = userdata
        try:
            results = {
                spec.name: np.array(request.get_output_tensor(i).data, copy=True)
                for i, spec in enumerate(self.outputs)
            }
        except Exception as e:  # noqa: BLE001 - handed to the awaiting request, which answers 500
            loop.call_soon_threadsafe(_settle, future, None, e)
            return
        loop.call_soon_threadsafe(_settle, future, results, None)

    def wait_all(self) -> None:
        self._queue.wait_all()


def _settle(
    future: asyncio.Future, results: dict[str, np.ndarray] | None, error: BaseException | None
) -> None:
    if future.done():  # the client went away and the awaiting task was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(results)


def _spec(port: ov.ConstOutput) -> TensorSpec:
    type_name = port.get_element_type().get_type_name()
    if type_name not in OV_DATATYPES:
        raise ServeError(
            f"tensor {port.get_any_name()!r}: element type {type_name} has no KServe V2 datatype"
        )
    shape = tuple(d.get_length() if d.is_static else -1 for d in port.get_partial_shape())
    return TensorSpec(port.get_any_name(), OV_DATATYPES[type_name], shape)


@dataclass(frozen=True)
class ServedModel:
    """Every loaded version of one model name; the highest answers when no version is asked for."""

    name: str
    versions: dict[int, CompiledVersion]

    @property
    def latest(self) -> CompiledVersion:
        return self.versions[max(self.versions)]


def load_models(configs: Sequence[ModelConfig], core: ov.Core | None = None) -> dict[str, ServedModel]:
    """Read, reshape (when the config fixes a shape), compile and queue every version.

    Raises:
        ServeError: an IR that OpenVINO can't read or compile, a shape or layout it can't take.
    """
    core = core or ov.Core()
    served = {}
    for config in configs:
        with within(f'model "{config.name}"'):
            versions = {}
            for version, xml in config.versions.items():
                with within(f"version {version}"):
                    versions[version] = _compile(core, config, version, xml)
            served[config.name] = ServedModel(config.name, versions)
    return served


def _compile(core: ov.Core, config: ModelConfig, version: int, xml: Path) -> CompiledVersion:
    try:
        model = read_ir(core, xml)
    except IrReadError as e:
        raise ServeError(f"can't load {xml}: {e}") from None
    try:
        _apply_shape_and_layout(model, config)
        compiled = core.compile_model(
            model, config.target_device, {**DEFAULT_PLUGIN_CONFIG, **config.plugin_config}
        )
    except RuntimeError as e:
        raise ServeError(f"OpenVINO can't load {xml}: {str(e).strip().splitlines()[0]}") from e
    loaded = CompiledVersion(config.name, version, compiled, config.nireq)
    log.info(
        "%s version %d: %s on %s, %d infer requests",
        config.name,
        version,
        xml,
        config.target_device,
        loaded.nireq,
    )
    return loaded


def _apply_shape_and_layout(model: ov.Model, config: ModelConfig) -> None:
    ports = {name: port for port in model.inputs for name in port.get_names()}
    for name in (*config.shape, *config.layout):
        if name not in ports:
            raise ServeError(
                f"shape/layout: the model has no input {name!r} (inputs: {', '.join(sorted(ports))})"
            )
    for name, wanted in config.layout.items():
        own_text = layout_name(ports[name])
        if any(part != own_text for part in wanted.split(":")):  # "NCHW", or "NCHW:NCHW" (served:model)
            raise ServeError(
                f"layout.{name}: {wanted!r} differs from the IR's {own_text or 'none'}: not supported"
            )
    if config.shape:
        current = {
            name: tuple(ports[name].get_partial_shape().to_shape())
            for name in config.shape
            if ports[name].get_partial_shape().is_static
        }
        if any(current.get(name) != shape for name, shape in config.shape.items()):
            model.reshape({name: list(shape) for name, shape in config.shape.items()})
