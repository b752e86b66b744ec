"""The op table: one record per MXNet op name exactly as in -symbol.json, sorted, aliases included.

Each record (:class:`~ovzoo.mxnet.record.OpRecord`) holds the op's attribute parsing with MXNet's
defaults, its shape rule and its translator. Adding an op is adding one record in its family's
module, one line here, and a case in tests/support/translator_cases.py.

A line names the record as ``"<family module>.<RECORD>"``: a family module is imported the first
time one of its ops is looked up, so a conversion loads the families its graph uses (a ResNet 6 of
17), not all of them.
"""

from __future__ import annotations

from ovzoo.mxnet.record import OpTable

OPS = OpTable(
    __name__,
    {
        "Activation": "activation.ACTIVATION",  # relu|sigmoid|tanh|softrelu|softsign
        "BatchNorm": "norm.BATCH_NORM",  # folded into a single-consumer conv
        "BatchNorm_v1": "norm.BATCH_NORM",  # the pre-1.0 BatchNorm (same attributes, no axis)
        "BlockGrad": "identity.IDENTITY",  # stop_gradient serialises as this
        "Cast": "fill.CAST",  # float types, integer types truncate; the IR stays f32
        "Concat": "slicing.CONCAT",  # dim defaults to 1
        "Convolution": "conv.CONVOLUTION",  # num_group > 1 -> GroupConvolution
        "Deconvolution": "conv.DECONVOLUTION",  # groups, adj; target_shape refused
        "Dropout": "identity.DROPOUT",  # identity; mode='always' refused
        "ElementWiseSum": "elementwise.ADD_N",  # old name of add_n
        "Flatten": "reshape.FLATTEN",
        "FullyConnected": "linear.FULLY_CONNECTED",
        "GroupNorm": "feature_norm.GROUP_NORM",  # gamma/beta per group (MXNet 1.x)
        "InstanceNorm": "feature_norm.INSTANCE_NORM",
        "L2Normalization": "feature_norm.L2_NORMALIZATION",  # instance|channel|spatial
        "LRN": "feature_norm.LRN_RECORD",
        "LayerNorm": "feature_norm.LAYER_NORM",
        "LeakyReLU": "activation.LEAKY_RELU",  # leaky|prelu|elu|selu|gelu|rrelu
        "Pad": "fill.PAD",  # constant|edge|reflect
        "Pooling": "pool.POOLING",  # max|avg, valid|full, global (kernel ignored)
        "Reshape": "reshape.RESHAPE",  # codes 0 -1 -2 -3 -4, reverse
        "SliceChannel": "slicing.SLICE_CHANNEL",  # split serialises as this
        "SoftmaxActivation": "softmax.SOFTMAX_ACTIVATION",
        "SoftmaxOutput": "softmax.SOFTMAX_OUTPUT",  # label input dropped
        "SwapAxis": "reshape.SWAP_AXIS",  # swapaxes serialises as this
        "UpSampling": "resize.UPSAMPLING",  # nearest; several inputs concatenated or summed
        "_Div": "elementwise.ELEMWISE_DIV",  # legacy names MXNet still reads (JSON from before 1.0)
        "_DivScalar": "scalar.DIV",
        "_Equal": "elementwise.ELEMWISE_EQUAL",
        "_EqualScalar": "scalar.EQUAL",
        "_Greater": "elementwise.ELEMWISE_GREATER",
        "_Lesser": "elementwise.ELEMWISE_LESSER",
        "_Maximum": "elementwise.ELEMWISE_MAXIMUM",
        "_MaximumScalar": "scalar.MAXIMUM",
        "_Minimum": "elementwise.ELEMWISE_MINIMUM",
        "_MinimumScalar": "scalar.MINIMUM",
        "_Minus": "elementwise.ELEMWISE_SUB",
        "_MinusScalar": "scalar.MINUS",
        "_Mul": "elementwise.ELEMWISE_MUL",
        "_MulScalar": "scalar.MUL",
        "_Plus": "elementwise.ELEMWISE_ADD",
        "_PlusScalar": "scalar.PLUS",
        "_Power": "elementwise.ELEMWISE_POWER",
        "_PowerScalar": "scalar.POWER",
        "_RDivScalar": "scalar.RDIV",
        "_RMinusScalar": "scalar.RMINUS",
        "_RPowerScalar": "scalar.RPOWER",
        "_add": "elementwise.ELEMWISE_ADD",
        "_contrib_AdaptiveAvgPooling2D": "pool.ADAPTIVE_AVG_POOLING",  # any output size
        "_contrib_BilinearResize2D": "resize.BILINEAR_RESIZE",  # every mode, align_corners both ways
        "_copy": "identity.IDENTITY",  # identity serialises as this
        "_div": "elementwise.ELEMWISE_DIV",
        "_div_scalar": "scalar.DIV",
        "_equal": "elementwise.ELEMWISE_EQUAL",
        "_equal_scalar": "scalar.EQUAL",
        "_grad_add": "elementwise.ELEMWISE_ADD",
        "_greater": "elementwise.ELEMWISE_GREATER",
        "_greater_equal": "elementwise.ELEMWISE_GREATER_EQUAL",
        "_greater_equal_scalar": "scalar.GREATER_EQUAL",
        "_greater_scalar": "scalar.GREATER",
        "_lesser": "elementwise.ELEMWISE_LESSER",
        "_lesser_equal": "elementwise.ELEMWISE_LESSER_EQUAL",
        "_lesser_equal_scalar": "scalar.LESSER_EQUAL",
        "_lesser_scalar": "scalar.LESSER",
        "_maximum": "elementwise.ELEMWISE_MAXIMUM",
        "_maximum_scalar": "scalar.MAXIMUM",
        "_minimum": "elementwise.ELEMWISE_MINIMUM",
        "_minimum_scalar": "scalar.MINIMUM",
        "_minus": "elementwise.ELEMWISE_SUB",
        "_minus_scalar": "scalar.MINUS",
        "_mul": "elementwise.ELEMWISE_MUL",
        "_mul_scalar": "scalar.MUL",
        "_not_equal": "elementwise.ELEMWISE_NOT_EQUAL",
        "_not_equal_scalar": "scalar.NOT_EQUAL",
        "_plus": "elementwise.ELEMWISE_ADD",
        "_plus_scalar": "scalar.PLUS",
        "_power": "elementwise.ELEMWISE_POWER",
        "_power_scalar": "scalar.POWER",
        "_rdiv_scalar": "scalar.RDIV",
        "_rminus_scalar": "scalar.RMINUS",
        "_rpower_scalar": "scalar.RPOWER",
        "_sub": "elementwise.ELEMWISE_SUB",
        "abs": "unary.ABS",
        "add_n": "elementwise.ADD_N",
        "broadcast_add": "elementwise.BROADCAST_ADD",  # broadcast_plus serialises as this
        "broadcast_axes": "broadcast.BROADCAST_AXIS",
        "broadcast_axis": "broadcast.BROADCAST_AXIS",
        "broadcast_div": "elementwise.BROADCAST_DIV",
        "broadcast_equal": "elementwise.BROADCAST_EQUAL",
        "broadcast_greater": "elementwise.BROADCAST_GREATER",
        "broadcast_greater_equal": "elementwise.BROADCAST_GREATER_EQUAL",
        "broadcast_lesser": "elementwise.BROADCAST_LESSER",
        "broadcast_lesser_equal": "elementwise.BROADCAST_LESSER_EQUAL",
        "broadcast_like": "broadcast.BROADCAST_LIKE",  # whole shapes (no lhs_axes/rhs_axes)
        "broadcast_maximum": "elementwise.BROADCAST_MAXIMUM",
        "broadcast_minimum": "elementwise.BROADCAST_MINIMUM",
        "broadcast_minus": "elementwise.BROADCAST_SUB",
        "broadcast_mul": "elementwise.BROADCAST_MUL",
        "broadcast_not_equal": "elementwise.BROADCAST_NOT_EQUAL",
        "broadcast_plus": "elementwise.BROADCAST_ADD",
        "broadcast_power": "elementwise.BROADCAST_POWER",
        "broadcast_sub": "elementwise.BROADCAST_SUB",  # broadcast_minus serialises as this
        "broadcast_to": "broadcast.BROADCAST_TO",
        "cast": "fill.CAST",  # lower-case aliases MXNet reads
        "ceil": "unary.CEIL",
        "clip": "unary.CLIP",
        "concat": "slicing.CONCAT",
        "crop": "slicing.SLICE",
        "elemwise_add": "elementwise.ELEMWISE_ADD",  # what `a + b` serialises as
        "elemwise_div": "elementwise.ELEMWISE_DIV",  # what `a / b` serialises as
        "elemwise_mul": "elementwise.ELEMWISE_MUL",  # what `a * b` serialises as
        "elemwise_sub": "elementwise.ELEMWISE_SUB",  # what `a - b` serialises as
        "erf": "unary.ERF",
        "exp": "unary.EXP",
        "expand_dims": "reshape.EXPAND_DIMS",
        "flatten": "reshape.FLATTEN",
        "floor": "unary.FLOOR",
        "hard_sigmoid": "unary.HARD_SIGMOID",
        "identity": "identity.IDENTITY",
        "log": "unary.LOG",
        "log_softmax": "softmax.LOG_SOFTMAX",
        "max": "reduce.MAX",  # max_axis serialises as this
        "max_axis": "reduce.MAX",
        "mean": "reduce.MEAN",
        "min": "reduce.MIN",
        "min_axis": "reduce.MIN",
        "negative": "unary.NEGATIVE",
        "ones_like": "fill.ONES_LIKE",
        "prod": "reduce.PROD",
        "reciprocal": "unary.RECIPROCAL",
        "relu": "unary.RELU",
        "reshape": "reshape.RESHAPE",
        "rsqrt": "unary.RSQRT",
        "sigmoid": "unary.SIGMOID",
        "slice": "slicing.SLICE",  # crop serialises as this
        "slice_axis": "slicing.SLICE_AXIS",
        "slice_like": "slicing.SLICE_LIKE",
        "softmax": "softmax.SOFTMAX",
        "softsign": "unary.SOFTSIGN",
        "split": "slicing.SLICE_CHANNEL",
        "sqrt": "unary.SQRT",
        "square": "unary.SQUARE",
        "squeeze": "reshape.SQUEEZE",
        "stack": "slicing.STACK",
        "stop_gradient": "identity.IDENTITY",
        "sum": "reduce.SUM",  # sum_axis serialises as this
        "sum_axis": "reduce.SUM",
        "swapaxes": "reshape.SWAP_AXIS",
        "tanh": "unary.TANH",
        "transpose": "reshape.TRANSPOSE",
        "where": "broadcast.WHERE",  # same-shaped condition only
        "zeros_like": "fill.ZEROS_LIKE",
    },
)
