"""The KServe V2 REST routes, as OpenVINO Model Server answers them, on FastAPI.

Routes: ``GET /v2``, ``/v2/health/live``, ``/v2/health/ready``, ``/v2/models/{name}[/versions/{v}]``
(metadata), ``.../ready``, ``POST .../infer``. Errors are ``{"error": "<message>"}`` with a 4xx
status (400 a bad request, 404 an unknown model, version or route, 413 a body over the limit), as
the V2 protocol describes.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

import ovzoo
from ovzoo.errors import InferenceRequestError
from ovzoo.serve.engine import CompiledVersion, ServedModel
from ovzoo.serve.tensors import HEADER_LENGTH, encode_infer_response, parse_infer_request

log = logging.getLogger(__name__)

DEFAULT_MAX_BODY_BYTES = 64 << 20  # a 1x3x224x224 FP32 image is ~0.6 MB binary, ~3 MB as JSON text


@dataclass(frozen=True)
class AppOptions:
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


def create_app(models: Mapping[str, ServedModel], options: AppOptions | None = None) -> FastAPI:
    """A FastAPI application serving ``models`` (already compiled)."""
    options = options or AppOptions()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        # uvicorn has already waited for open requests; let the queues drain before exiting
        for model in models.values():
            for version in model.versions.values():
                version.wait_all()

    app = FastAPI(
        title="ovzoo serve", version=ovzoo.__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(InferenceRequestError)
    async def request_error(request: Request, exc: InferenceRequestError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    def find(name: str, version: str | None) -> CompiledVersion:
        model = models.get(name)
        if model is None:
            raise InferenceRequestError(
                f"model {name!r} not found (served: {', '.join(sorted(models))})", status=404
            )
        if version is None:
            return model.latest
        number = int(version) if version.isdigit() else None
        if number not in model.versions:
            served = ", ".join(str(v) for v in sorted(model.versions))
            raise InferenceRequestError(
                f"version {version!r} of model {name!r} not found (served: {served})", status=404
            )
        return model.versions[number]

    @app.get("/v2")
    async def server_metadata() -> dict:
        return {"name": "ovzoo", "version": ovzoo.__version__, "extensions": ["binary_tensor_data"]}

    @app.get("/v2/health/live")
    async def live() -> dict:
        return {"live": True}

    @app.get("/v2/health/ready")
    async def ready() -> dict:
        return {"ready": True}  # every model is compiled before the socket accepts connections

    def metadata(name: str, version: str | None) -> dict:
        found = find(name, version)
        return {
            "name": name,
            "versions": [str(v) for v in sorted(models[name].versions)],
            "platform": "OpenVINO",
            "inputs": [spec.as_json() for spec in found.inputs],
            "outputs": [spec.as_json() for spec in found.outputs],
        }

    @app.get("/v2/models/{name}")
    async def model_metadata(name: str) -> dict:
        return metadata(name, None)

    @app.get("/v2/models/{name}/versions/{version}")
    async def version_metadata(name: str, version: str) -> dict:
        return metadata(name, version)

    @app.get("/v2/models/{name}/ready")
    async def model_ready(name: str) -> dict:
        find(name, None)
        return {"name": name, "ready": True}

    @app.get("/v2/models/{name}/versions/{version}/ready")
    async def version_ready(name: str, version: str) -> dict:
        find(name, version)
        return {"name": name, "ready": True}

    async def infer(name: str, version: str | None, request: Request) -> Response:
        target = find(name, version)
        body = await _read_body(request, options.max_body_bytes)
        parsed = parse_infer_request(body, request.headers.get(HEADER_LENGTH), target.inputs, target.outputs)
        results = await target.infer(parsed.inputs)
        content, header_length = encode_infer_response(name, target.version, parsed, results, target.outputs)
        if header_length is None:
            return Response(content, media_type="application/json")
        return Response(
            content, media_type="application/octet-stream", headers={HEADER_LENGTH: str(header_length)}
        )

    @app.post("/v2/models/{name}/infer")
    async def model_infer(name: str, request: Request) -> Response:
        return await infer(name, None, request)

    @app.post("/v2/models/{name}/versions/{version}/infer")
    async def version_infer(name: str, version: str, request: Request) -> Response:
        return await infer(name, version, request)

    return app


async def _read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` (before reading it all)."""
    declared = request.headers.get("content-length")
    too_big = InferenceRequestError(f"the request body exceeds the {limit}-byte limit", status=413)
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_big
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_big
        chunks.append(chunk)
    return b"".join(chunks)
