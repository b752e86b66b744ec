"""``ovzoo serve``: a Model Server repository behind the KServe V2 REST protocol, on FastAPI + uvicorn."""
