"""The OctConv symbol built with real ``mx.sym`` calls, following upstream's code structure.

Run as a script in a fresh process (MXNet's auto-name counters start at 0 per process):
``python tests/support/octave_mxnet.py <model name>`` prints ``Symbol.tojson()``. The test compares
it with ovzoo's pure-Python builder. Upstream: facebookresearch/OctConv utils/symbol (MIT); this is
an independent re-statement of its graph, used only as a test oracle.
"""

from __future__ import annotations

import sys

from ovzoo.mxnet.legacy import import_mxnet
from ovzoo.zoo.octave import OCTAVE_FAMILY, OctaveSpec

mx = import_mxnet()
S = mx.sym
SUFFIXES = ("-h", "-l")


def batch_norm(x, name):  # noqa: ANN001, ANN201
    return S.BatchNorm(data=x, fix_gamma=False, momentum=0.92, eps=0.0001, name=name)


def per_frequency(op, xs, name):  # noqa: ANN001, ANN201
    xs = xs if isinstance(xs, tuple) else (xs,)
    out = tuple(None if x is None else op(x, name + s) for x, s in zip(xs, SUFFIXES, strict=False))
    return out[0] if len(out) == 1 else out


def gather(op, sources, name):  # noqa: ANN001, ANN201
    if not isinstance(sources[0], tuple):
        return op(*sources)  # upstream passes no name here
    out = []
    for i in range(len(sources[0])):
        parts = [s[i] for s in sources if s[i] is not None]
        out.append(
            None if not parts else parts[0] if len(parts) == 1 else op(*parts, name=name + SUFFIXES[i])
        )
    return tuple(out)


def gather_sum(sources, name):  # noqa: ANN001, ANN201
    return gather(S.ElementWiseSum, sources, name)


def avg_pool(x):  # noqa: ANN001, ANN201
    return S.Pooling(data=x, pool_type="avg", kernel=(2, 2), pad=(0, 0), stride=(2, 2))


def octave_conv(data, num_filter, kernel, stride, pad, group, name):  # noqa: ANN001, ANN201, PLR0913
    high, low = data if isinstance(data, tuple) else (data, None)
    num_high, num_low = num_filter
    h2h = h2l = l2l = l2h = None

    def conv(x, n, suffix):  # noqa: ANN001, ANN202
        return S.Convolution(
            data=x,
            num_filter=n,
            kernel=kernel,
            stride=(1, 1),
            pad=pad,
            num_group=min(n, group),
            no_bias=True,
            name=name + suffix,
        )

    if high is not None:
        high = avg_pool(high) if stride == (2, 2) else high
        h2h = conv(high, num_high, "-h2h") if num_high > 0 else None
        h2l_in = avg_pool(high) if num_low > 0 else high
        h2l = conv(h2l_in, num_low, "-h2l") if num_low > 0 else None
    if low is not None:
        l2l_in = avg_pool(low) if (num_low > 0 and stride == (2, 2)) else low
        l2l = conv(l2l_in, num_low, "-l2l") if num_low > 0 else None
        l2h = conv(low, num_high, "-l2h") if num_high > 0 else None
        if num_high > 0 and stride == (1, 1):
            l2h = S.UpSampling(l2h, scale=2, sample_type="nearest", num_args=1)
    out = gather_sum([(h2h, h2l), (l2h, l2l)], name)
    return out[0] if out[1] is None else out


def bn_relu_conv(x, num_filter, kernel, pad, stride, group, name):  # noqa: ANN001, ANN201, PLR0913
    x = per_frequency(batch_norm, x, name + "_bn")
    x = per_frequency(lambda d, n: S.Activation(data=d, act_type="relu", name=n), x, name + "_relu")
    return octave_conv(x, num_filter, kernel, stride, pad, group, name + "_conv")


def octave_fc(data, num_hidden, name):  # noqa: ANN001, ANN201
    high, low = data if isinstance(data, tuple) else (data, None)
    num_high, num_low = num_hidden
    h2h = h2l = l2h = l2l = None

    def fc(x, n, no_bias, suffix):  # noqa: ANN001, ANN202
        return S.FullyConnected(data=x, num_hidden=n, no_bias=no_bias, name=name + suffix) if n > 0 else None

    if high is not None:
        h2h, h2l = fc(high, num_high, False, "-h2h"), fc(high, num_low, False, "-h2l")
    if low is not None:
        l2h, l2l = fc(low, num_high, True, "-l2h"), fc(low, num_low, True, "-l2l")
    out = gather_sum([(h2h, h2l), (l2h, l2l)], name)
    return out[0] if out[1] is None else out


def se_gate(data, out, name):  # noqa: ANN001, ANN201
    def op(f):  # noqa: ANN001, ANN202
        return lambda x, n: f(x, name=n)

    pooled = per_frequency(
        op(
            lambda x, name: S.Pooling(
                data=x, pool_type="avg", kernel=(1, 1), global_pool=True, stride=(1, 1), name=name
            )
        ),
        data,
        name + "_pool",
    )
    x = octave_fc(pooled, (sum(out) // 16, 0), name + "_fc1")
    x = per_frequency(op(lambda x, name: S.Activation(data=x, act_type="relu", name=name)), x, name + "_relu")
    x = octave_fc(x, out, name + "_fc2")
    x = per_frequency(
        op(lambda x, name: S.Activation(data=x, act_type="sigmoid", name=name)), x, name + "_sigmoid"
    )
    x = per_frequency(op(lambda x, name: S.expand_dims(x, axis=2, name=name)), x, name + "_expend1")
    x = per_frequency(op(lambda x, name: S.expand_dims(x, axis=3, name=name)), x, name + "_expend2")
    return gather(S.broadcast_mul, [data, x], name + "_mul")


def bottleneck(data, mid, out, name, first, stride, group, alpha, se):  # noqa: ANN001, ANN201, PLR0913
    mid = (mid - int(alpha * mid), int(alpha * mid))
    out = (out - int(alpha * out), int(alpha * out))
    body = bn_relu_conv(data, mid, (1, 1), (0, 0), (1, 1), 1, name + "_conv1")
    body = bn_relu_conv(body, mid, (3, 3), (1, 1), stride, group, name + "_conv2")
    body = bn_relu_conv(body, out, (1, 1), (0, 0), (1, 1), 1, name + "_conv3")
    if se:
        body = se_gate(body, out, name + "_se")
    if first:
        data = bn_relu_conv(data, out, (1, 1), (0, 0), stride, 1, name + "_conv4")
    return gather_sum([data, body], name + "_sum")


def densenet(x, spec: OctaveSpec):  # noqa: ANN001, ANN201
    def split(c, alpha):  # noqa: ANN001, ANN202
        return (c - int(alpha * c), int(alpha * c))

    x = (x, None)
    width, growth = spec.stem_channels, spec.growth_rate
    for stage, count in zip((2, 3, 4, 5), spec.blocks, strict=True):
        alpha = spec.alpha if stage < 5 else min(spec.alpha, 0.0)
        if stage > 2:
            width = int(width / 2)
            name = f"L{stage}_Trans"
            x = bn_relu_conv(x, split(width, alpha), (1, 1), (0, 0), (1, 1), 1, name + "_conv")
            x = per_frequency(
                lambda d, n: S.Pooling(data=d, pool_type="avg", kernel=(2, 2), stride=(2, 2), name=n),
                x,
                name + "_pool",
            )
        for i in range(1, count + 1):
            name = f"L{stage}_B{i:02d}"
            body = bn_relu_conv(x, split(4 * growth, alpha), (1, 1), (0, 0), (1, 1), 1, name + "_conv1")
            body = bn_relu_conv(body, split(growth, alpha), (3, 3), (1, 1), (1, 1), 1, name + "_conv2")
            x = gather(S.Concat, [x, body], name + "_concat")
            width += growth
    return x


def build(spec: OctaveSpec):  # noqa: ANN201
    x = S.Variable("data")
    x = S.Convolution(
        data=x,
        num_filter=spec.stem_channels,
        kernel=(7, 7),
        stride=(2, 2),
        pad=(3, 3),
        num_group=1,
        no_bias=True,
        name="conv1_conv",
    )
    x = S.Activation(data=batch_norm(x, "conv1_bn"), act_type="relu", name="conv1_relu")
    x = S.Pooling(data=x, pool_type="max", kernel=(3, 3), pad=(1, 1), stride=(2, 2), name="pool1")
    x = densenet(x, spec) if spec.architecture == "densenet" else resnet_v2(x, spec)
    x = S.Activation(data=batch_norm(x, "tail_bn"), act_type="relu", name="tail_relu")
    x = S.Pooling(data=x, pool_type="avg", kernel=(7, 7), stride=(1, 1), global_pool=True, name="global-pool")
    x = S.Flatten(data=x, name="flatten")
    x = S.FullyConnected(data=x, num_hidden=spec.num_classes, name="classifier")
    return S.SoftmaxOutput(data=x, name="softmax")


def resnet_v2(x, spec: OctaveSpec):  # noqa: ANN001, ANN201
    mid, out = spec.mid_channels, spec.out_channels
    for stage, count in zip((2, 3, 4, 5), spec.blocks, strict=True):
        if stage > 2:
            mid, out = 2 * mid, 2 * out
        alpha = spec.alpha if stage < 5 else min(spec.alpha, 0.0)
        se = spec.architecture == "se-resnet"
        for i in range(1, count + 1):
            stride = (2, 2) if (i == 1 and stage > 2) else (1, 1)
            x = bottleneck(x, mid, out, f"L{stage}_B{i:02d}", i == 1, stride, spec.num_group, alpha, se)
    return x


if __name__ == "__main__":
    sys.stdout.write(build(OCTAVE_FAMILY[sys.argv[1]]).tojson())
