"""A small octave-convolution network in mx.sym with the zoo's op mix (a few hundred thousand weights)."""

from __future__ import annotations

from support.mxnet_graphs import mx

INPUT_SHAPE = (2, 3, 32, 32)
CLASSES = 10


def _bn_relu(x, name: str):
    bn = mx.sym.BatchNorm(x, eps=1e-4, fix_gamma=False, momentum=0.92, name=f"{name}_bn")
    return mx.sym.Activation(bn, act_type="relu", name=f"{name}_relu")


def _conv(x, name: str, filters: int, kernel: int = 1, groups: int = 1):
    return mx.sym.Convolution(
        x,
        num_filter=filters,
        kernel=(kernel, kernel),
        pad=(kernel // 2, kernel // 2),
        num_group=groups,
        no_bias=True,
        name=name,
    )


def _down(x, name: str):
    return mx.sym.Pooling(x, kernel=(2, 2), stride=(2, 2), pool_type="avg", name=name)


def _up(x, name: str):
    return mx.sym.UpSampling(x, scale=2, sample_type="nearest", name=name)


def _octave_conv(high, low, name: str, high_out: int, low_out: int, kernel: int, groups: int = 1):
    """high = h2h + up(l2h), low = l2l + h2l(down(high))."""
    h2h = _conv(high, f"{name}_conv-h2h", high_out, kernel, min(groups, high_out))
    h2l = _conv(_down(high, f"{name}_down"), f"{name}_conv-h2l", low_out, kernel, min(groups, low_out))
    l2l = _conv(low, f"{name}_conv-l2l", low_out, kernel, min(groups, low_out))
    l2h = _up(_conv(low, f"{name}_conv-l2h", high_out, kernel, min(groups, high_out)), f"{name}_up")
    return (mx.sym.add_n(h2h, l2h, name=f"{name}_conv-h"), mx.sym.add_n(h2l, l2l, name=f"{name}_conv-l"))


def build_mini_octave():
    data = mx.sym.var("data")
    stem = _bn_relu(_conv(data, "conv1_conv", 16, 3), "conv1")
    x = mx.sym.Pooling(stem, kernel=(3, 3), stride=(2, 2), pad=(1, 1), pool_type="max", name="pool1")
    # split into frequencies
    high = _conv(x, "L2_split_conv-h2h", 12, 1)
    low = _conv(_down(x, "L2_split_down"), "L2_split_conv-h2l", 4, 1)
    # one pre-activation bottleneck with a grouped 3x3 octave conv
    h, lo = _octave_conv(
        _bn_relu(high, "L2_B01_conv1-h"), _bn_relu(low, "L2_B01_conv1-l"), "L2_B01_conv1", 12, 4, 1
    )
    h, lo = _octave_conv(
        _bn_relu(h, "L2_B01_conv2-h"), _bn_relu(lo, "L2_B01_conv2-l"), "L2_B01_conv2", 12, 4, 3, 4
    )
    high = mx.sym.add_n(h, high, name="L2_B01_sum-h")
    low = mx.sym.add_n(lo, low, name="L2_B01_sum-l")
    # merge back to one frequency
    merged_h = _conv(_bn_relu(high, "L3_merge-h"), "L3_merge_conv-h2h", 24, 1)
    merged_l = _up(_conv(_bn_relu(low, "L3_merge-l"), "L3_merge_conv-l2h", 24, 1), "L3_merge_up")
    merged = mx.sym.add_n(merged_h, merged_l, name="L3_merge_sum")
    tail = _bn_relu(merged, "tail")
    pooled = mx.sym.Pooling(tail, kernel=(1, 1), global_pool=True, pool_type="avg", name="global_pool")
    flat = mx.sym.Flatten(pooled, name="flatten")
    logits = mx.sym.FullyConnected(flat, num_hidden=CLASSES, name="classifier")
    return mx.sym.SoftmaxOutput(logits, name="softmax")
