"""ovzoo: package, convert and check MXNet image classifiers for OpenVINO."""

__version__ = "0.1.0"
