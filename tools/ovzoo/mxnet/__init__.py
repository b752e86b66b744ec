"""MXNet checkpoints without MXNet: file formats, shape inference and the OpenVINO front end.

Only :mod:`ovzoo.mxnet.legacy` imports the real ``mxnet`` package (for reference runs and tests).
"""
