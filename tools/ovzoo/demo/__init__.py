"""``ovzoo demo``: the whole pipeline offline (``pipeline``), its options and result (``records``), ``report.md`` (``report``)."""

from ovzoo.demo.pipeline import (
    builder_fingerprint,
    demo_mirror,
    find_catalog_model,
    prepare_synthetic_archive,
    run_demo,
)
from ovzoo.demo.records import DEMO_MODEL, DemoOptions, DemoResult

__all__ = [
    "DEMO_MODEL",
    "DemoOptions",
    "DemoResult",
    "builder_fingerprint",
    "demo_mirror",
    "find_catalog_model",
    "prepare_synthetic_archive",
    "run_demo",
]
