"""The op table: one record per MXNet op name exactly as in -symbol.json, sorted, aliases included.

Each record (:class:`~ovzoo.mxnet.record.OpRecord`) holds the op's attribute parsing with MXNet's
defaults, its shape rule and its translator. Adding an op is adding one record in its family's
module, one line here, and a case in tests/support/translator_cases.py.
"""

from __future__ import annotations

from ovzoo.mxnet.ops import (
    activation,
    conv,
    elementwise,
    identity,
    linear,
    norm,
    pool,
    reshape,
    resize,
    slicing,
    softmax,
)
from ovzoo.mxnet.record import AnyRecord

OPS: dict[str, AnyRecord] = {
    "Activation": activation.ACTIVATION,  # relu|sigmoid|tanh|softrelu|softsign
    "BatchNorm": norm.BATCH_NORM,  # folded into a single-consumer conv
    "Concat": slicing.CONCAT,  # dim defaults to 1
    "Convolution": conv.CONVOLUTION,  # num_group > 1 -> GroupConvolution
    "Dropout": identity.DROPOUT,  # identity; mode='always' refused
    "ElementWiseSum": elementwise.ADD_N,  # old name of add_n
    "Flatten": reshape.FLATTEN,
    "FullyConnected": linear.FULLY_CONNECTED,
    "LeakyReLU": activation.LEAKY_RELU,  # leaky|prelu|elu|selu|gelu|rrelu
    "Pooling": pool.POOLING,  # max|avg, valid|full, global (kernel ignored)
    "Reshape": reshape.RESHAPE,  # codes 0 -1 -2 -3 -4, reverse
    "SoftmaxActivation": softmax.SOFTMAX_ACTIVATION,
    "SoftmaxOutput": softmax.SOFTMAX_OUTPUT,  # label input dropped
    "UpSampling": resize.UPSAMPLING,  # nearest, one input only
    "add_n": elementwise.ADD_N,
    "broadcast_add": elementwise.BROADCAST_ADD,  # broadcast_plus serialises as this
    "broadcast_mul": elementwise.BROADCAST_MUL,
    "elemwise_add": elementwise.ELEMWISE_ADD,  # what `a + b` serialises as
    "elemwise_mul": elementwise.ELEMWISE_MUL,  # what `a * b` serialises as
    "expand_dims": reshape.EXPAND_DIMS,
    "softmax": softmax.SOFTMAX,
}
