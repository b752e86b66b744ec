"""The translator table: one line per MXNet op name exactly as in -symbol.json, sorted, aliases included.

Adding an op is adding one function and one line here (and a case in tests/test_translators.py).
"""

from __future__ import annotations

from collections.abc import Callable

import openvino as ov

from ovzoo.mxnet.context import ConvertContext
from ovzoo.mxnet.ops import activation, conv, elementwise, linear, norm, pool, resize, shape, softmax
from ovzoo.mxnet.symbol import Node

Translator = Callable[[Node, ConvertContext], list[ov.Output]]

TRANSLATORS: dict[str, Translator] = {
    "Activation": activation.translate_activation,  # relu|sigmoid|tanh|softrelu|softsign
    "BatchNorm": norm.translate_batch_norm,  # folded into a single-consumer conv
    "Concat": shape.translate_concat,
    "Convolution": conv.translate_convolution,  # num_group > 1 -> GroupConvolution
    "Dropout": shape.translate_dropout,  # identity; mode='always' rejected
    "ElementWiseSum": elementwise.translate_add_n,  # old name of add_n
    "Flatten": shape.translate_flatten,
    "FullyConnected": linear.translate_fully_connected,
    "LeakyReLU": activation.translate_leaky_relu,  # leaky|prelu|elu|selu|gelu|rrelu
    "Pooling": pool.translate_pooling,  # max|avg, valid|full, global
    "Reshape": shape.translate_reshape,  # codes 0 -1 -2 -3 -4, reverse
    "SoftmaxActivation": softmax.translate_softmax_activation,
    "SoftmaxOutput": softmax.translate_softmax_output,  # label input dropped
    "UpSampling": resize.translate_upsampling,  # nearest, one input only
    "add_n": elementwise.translate_add_n,
    "broadcast_add": elementwise.translate_broadcast_add,  # broadcast_plus serialises as this
    "broadcast_mul": elementwise.translate_broadcast_mul,
    "elemwise_add": elementwise.translate_elemwise_add,  # what `a + b` serialises as
    "elemwise_mul": elementwise.translate_elemwise_mul,  # what `a * b` serialises as
    "expand_dims": shape.translate_expand_dims,
    "softmax": softmax.translate_softmax,
}
