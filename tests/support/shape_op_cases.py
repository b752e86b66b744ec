"""Translator cases for the zoo's shape, slicing, reduction, pooling, resizing and normalization ops.

Part of ``support.zoo_op_cases.ZOO_CASES`` (split for size); each is checked against MXNet.
"""

from __future__ import annotations

from support.mxnet_graphs import mx
from support.translator_cases import IMAGE, C, H, N, TranslatorCase, W, data


def _layout_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase("SwapAxis-1-2", lambda: mx.sym.SwapAxis(data(), dim1=1, dim2=2, name="swap")),
        TranslatorCase("SwapAxis-default-noop", lambda: mx.sym.SwapAxis(data(), name="swap")),
        TranslatorCase("SwapAxis-negative", lambda: mx.sym.swapaxes(data(), dim1=-1, dim2=0, name="swap")),
        TranslatorCase("transpose-reverse", lambda: mx.sym.transpose(data(), name="t")),
        TranslatorCase("transpose-0-2-3-1", lambda: mx.sym.transpose(data(), axes=(0, 2, 3, 1), name="t")),
        TranslatorCase(
            "squeeze-all", lambda: mx.sym.squeeze(data(), name="sq"), shapes={"data": (N, C, 1, 1)}
        ),
        TranslatorCase(
            "squeeze-axis",
            lambda: mx.sym.squeeze(data(), axis=(2,), name="sq"),
            shapes={"data": (N, C, 1, 1)},
        ),
        TranslatorCase(
            "squeeze-to-one", lambda: mx.sym.squeeze(data(), name="sq"), shapes={"data": (1, 1, 1)}
        ),
        *[
            TranslatorCase(
                f"reshape-{label}",
                lambda shape=shape, reverse=reverse: mx.sym.Reshape(
                    data(), shape=shape, reverse=reverse, name="reshape"
                ),
                shapes={"data": (N, C, 6, 10)},
            )
            for label, shape, reverse in [
                ("-1", (-1,), False),
                ("-3,-2", (-3, -2), False),
                ("0,0,-3", (0, 0, -3), False),
                ("-4,1,-1,-2-batch-split", (-4, 1, -1, -2), False),
                ("0,-4,-1,4,-2-shufflenet", (0, -4, -1, 4, -2), False),
                ("0,-4,2,4,0,0", (0, -4, 2, 4, 0, 0), False),
                ("reverse-0,0,-1", (0, 0, -1), True),
                ("reverse--1,0", (-1, 0), True),
                ("2,-1,3,10", (2, -1, 3, 10), False),
            ]
        ],
        TranslatorCase("shufflenet-channel-shuffle", lambda: _channel_shuffle()),
    ]


def _channel_shuffle():
    """ShuffleNet's channel shuffle: reshape (0, -4, groups, -1, -2), swap axes 1 and 2, reshape (0, -3, -2)."""
    x = mx.sym.Reshape(data(), shape=(0, -4, 2, -1, -2), name="shuffle_split")
    x = mx.sym.SwapAxis(x, dim1=1, dim2=2, name="shuffle_swap")
    return mx.sym.Reshape(x, shape=(0, -3, -2), name="shuffle_merge")


def _slice_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase("slice-channels", lambda: mx.sym.slice(data(), begin=(0, 2), end=(None, 6), name="s")),
        TranslatorCase(
            "slice-step-2",
            lambda: mx.sym.slice(
                data(), begin=(None, None, 1), end=(None, None, None), step=(1, 2, 3), name="s"
            ),
        ),
        TranslatorCase(
            "slice-negative-step",
            lambda: mx.sym.slice(data(), begin=(None, 6), end=(None, 1), step=(1, -2), name="s"),
        ),
        TranslatorCase(
            "slice-negative-step-to-start",
            lambda: mx.sym.slice(data(), begin=(None, None), end=(None, None), step=(None, -1), name="s"),
        ),
        TranslatorCase(
            "slice-negative-bounds", lambda: mx.sym.slice(data(), begin=(0, -5), end=(2, -1), name="s")
        ),
        TranslatorCase("crop-alias", lambda: mx.sym.crop(data(), begin=(0, 0, 2), end=(1, 4, 8), name="s")),
        TranslatorCase(
            "slice_axis-shufflenet", lambda: mx.sym.slice_axis(data(), axis=1, begin=0, end=4, name="s")
        ),
        TranslatorCase(
            "slice_axis-end-None", lambda: mx.sym.slice_axis(data(), axis=1, begin=4, end=None, name="s")
        ),
        TranslatorCase(
            "slice_axis-negative", lambda: mx.sym.slice_axis(data(), axis=-1, begin=-4, end=-1, name="s")
        ),
        TranslatorCase(
            "slice_like-all",
            lambda: mx.sym.slice_like(data("a"), data("b"), name="s"),
            shapes={"a": (N, C, H, W), "b": (N, 4, 7, 6)},
        ),
        TranslatorCase(
            "slice_like-axes-2-3",
            lambda: mx.sym.slice_like(data("a"), data("b"), axes=(2, 3), name="s"),
            shapes={"a": (N, C, H, W), "b": (N, 3, 7, 6)},
        ),
        TranslatorCase(
            "SliceChannel-2", lambda: mx.sym.Group(list(mx.sym.split(data(), num_outputs=2, name="split")))
        ),
        TranslatorCase(
            "SliceChannel-first-output-only",
            lambda: mx.sym.split(data(), num_outputs=4, axis=2, name="split")[1] * 1,
            shapes={"data": (N, C, 8, W)},
        ),
        TranslatorCase(
            "SliceChannel-squeeze_axis",
            lambda: mx.sym.Group(
                list(mx.sym.split(data(), num_outputs=C, squeeze_axis=True, name="split"))[:3]
            ),
        ),
    ]


def _reduce_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase("sum-axis1-resnest", lambda: mx.sym.sum(data(), axis=1, name="r")),
        TranslatorCase(
            "sum-axes-2-3-keepdims", lambda: mx.sym.sum(data(), axis=(2, 3), keepdims=True, name="r")
        ),
        TranslatorCase("sum-all", lambda: mx.sym.sum(data(), name="r")),
        TranslatorCase("sum-all-keepdims", lambda: mx.sym.sum(data(), keepdims=True, name="r")),
        TranslatorCase("sum-exclude", lambda: mx.sym.sum(data(), axis=1, exclude=True, name="r")),
        TranslatorCase("sum_axis-alias", lambda: mx.sym.sum_axis(data(), axis=-1, name="r")),
        TranslatorCase(
            "mean-axes-2-3-keepdims", lambda: mx.sym.mean(data(), axis=(2, 3), keepdims=True, name="r")
        ),
        TranslatorCase("mean-axis-negative", lambda: mx.sym.mean(data(), axis=-2, name="r")),
        TranslatorCase("max-axis1", lambda: mx.sym.max(data(), axis=1, name="r")),
        TranslatorCase("max-all", lambda: mx.sym.max(data(), name="r")),
        TranslatorCase("min-axis-keepdims", lambda: mx.sym.min(data(), axis=3, keepdims=True, name="r")),
        TranslatorCase(
            "prod-axis", lambda: mx.sym.prod(data(), axis=1, name="r"), shapes={"data": (N, 3, 4, 4)}
        ),
    ]


def _expand_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase("ones_like", lambda: _plus_like(mx.sym.ones_like)),
        TranslatorCase("zeros_like", lambda: _plus_like(mx.sym.zeros_like)),
        TranslatorCase("ones_like-residual-attention", lambda: _residual_attention_mask()),
        TranslatorCase(
            "pad-constant",
            lambda: mx.sym.Pad(data(), mode="constant", pad_width=(0, 0, 0, 0, 1, 2, 3, 0), name="pad"),
        ),
        TranslatorCase(
            "pad-constant-value",
            lambda: mx.sym.Pad(
                data(), mode="constant", constant_value=1.5, pad_width=(0, 0, 0, 0, 1, 1, 1, 1)
            ),
        ),
        TranslatorCase(
            "pad-edge", lambda: mx.sym.Pad(data(), mode="edge", pad_width=(0, 0, 0, 0, 2, 1, 0, 3))
        ),
        TranslatorCase(
            "pad-reflect", lambda: mx.sym.Pad(data(), mode="reflect", pad_width=(0, 0, 0, 0, 2, 1, 1, 3))
        ),
        TranslatorCase("cast-float32", lambda: mx.sym.Cast(data(), dtype="float32", name="cast")),
        TranslatorCase("cast-float64", lambda: mx.sym.Cast(data(), dtype="float64", name="cast") * 1),
        TranslatorCase(
            "cast-int32-truncates",
            lambda: mx.sym.Cast(mx.sym.Cast(data() * 10, dtype="int32", name="cast"), dtype="float32"),
        ),
        TranslatorCase(
            "cast-uint8",
            lambda: mx.sym.Cast(mx.sym.abs(data()) * 50, dtype="uint8", name="cast"),
            atol=0,
            rtol=0,
        ),
    ]


def _plus_like(like):
    x = data()
    return like(x, name="like") + x


def _residual_attention_mask():
    """(1 + sigmoid(mask)) as the residual attention nets write it."""
    x = data()
    return mx.sym.broadcast_add(mx.sym.ones_like(x, name="ones"), mx.sym.sigmoid(x), name="op")


def _pool_resize_cases() -> list[TranslatorCase]:
    def adaptive(size, shape):
        return TranslatorCase(
            f"adaptive-avg-{'x'.join(map(str, size)) or 'default'}-from-{shape[2]}x{shape[3]}",
            lambda: mx.sym.contrib.AdaptiveAvgPooling2D(data(), output_size=size, name="pool"),
            shapes={"data": shape},
        )

    def bilinear(label, shape=IMAGE["data"], **kwargs):
        return TranslatorCase(
            f"bilinear-{label}",
            lambda: mx.sym.contrib.BilinearResize2D(data(), name="resize", **kwargs),
            shapes={"data": shape},
        )

    return [
        adaptive((1,), (N, C, H, W)),
        adaptive((), (N, C, H, W)),
        adaptive((3, 3), (N, C, H, W)),
        adaptive((5, 5), (N, C, 7, 7)),
        adaptive((4, 6), (N, C, 9, 13)),
        adaptive((7, 7), (N, C, 14, 14)),
        bilinear("size-up", height=15, width=17),
        bilinear("size-down", height=4, width=7),
        bilinear("size-align_corners-false", height=15, width=6, align_corners=False),
        bilinear("size-scale", scale_height=1.5, scale_width=2.0),
        bilinear("odd_scale-odd", (N, C, 7, 9), mode="odd_scale", scale_height=2.0, scale_width=0.5),
        bilinear("odd_scale-even", (N, C, 6, 8), mode="odd_scale", scale_height=2.0, scale_width=1.5),
        bilinear("to_even_down", (N, C, 7, 8), mode="to_even_down"),
        bilinear("to_even_up", (N, C, 7, 8), mode="to_even_up"),
        bilinear("to_odd_down", (N, C, 7, 8), mode="to_odd_down"),
        bilinear("to_odd_up", (N, C, 7, 8), mode="to_odd_up", align_corners=False),
        TranslatorCase(
            "bilinear-like",
            lambda: mx.sym.contrib.BilinearResize2D(data("a"), data("b"), mode="like", name="resize"),
            shapes={"a": (N, C, 5, 5), "b": (N, 2, 10, 9)},
        ),
    ]


def _norm_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase(
            "InstanceNorm-default-eps", lambda: mx.sym.InstanceNorm(data(), name="norm"), atol=1e-4
        ),
        TranslatorCase(
            "InstanceNorm-eps", lambda: mx.sym.InstanceNorm(data(), eps=1e-5, name="norm"), atol=1e-4
        ),
        TranslatorCase("LayerNorm-last-axis", lambda: mx.sym.LayerNorm(data(), name="norm"), atol=1e-4),
        TranslatorCase(
            "LayerNorm-axis1", lambda: mx.sym.LayerNorm(data(), axis=1, eps=1e-6, name="norm"), atol=1e-4
        ),
        TranslatorCase(
            "LayerNorm-2d", lambda: mx.sym.LayerNorm(data(), name="norm"), shapes={"data": (N, 20)}, atol=1e-4
        ),
        TranslatorCase("GroupNorm-4", lambda: mx.sym.GroupNorm(data(), num_groups=4, name="norm"), atol=1e-4),
        TranslatorCase("GroupNorm-default-1", lambda: mx.sym.GroupNorm(data(), name="norm"), atol=1e-4),
        TranslatorCase("L2Normalization-instance", lambda: mx.sym.L2Normalization(data(), name="norm")),
        TranslatorCase(
            "L2Normalization-channel", lambda: mx.sym.L2Normalization(data(), mode="channel", name="norm")
        ),
        TranslatorCase(
            "L2Normalization-spatial",
            lambda: mx.sym.L2Normalization(data(), mode="spatial", eps=1e-3, name="norm"),
        ),
        TranslatorCase(
            "L2Normalization-2d",
            lambda: mx.sym.L2Normalization(data(), name="norm"),
            shapes={"data": (N, 20)},
        ),
    ]


def _attribute_cases() -> list[TranslatorCase]:
    return [
        TranslatorCase(
            "deconv-2x2-stride2-no_bias-default",
            lambda: mx.sym.Deconvolution(data(), kernel=(2, 2), stride=(2, 2), num_filter=4, name="deconv"),
            atol=1e-4,
        ),
        TranslatorCase(
            "deconv-4x4-stride2-pad1-bias",
            lambda: mx.sym.Deconvolution(
                data(), kernel=(4, 4), stride=(2, 2), pad=(1, 1), num_filter=3, no_bias=False, name="deconv"
            ),
            atol=1e-4,
        ),
        TranslatorCase(
            "deconv-3x3-stride2-adj1-grouped",
            lambda: mx.sym.Deconvolution(
                data(),
                kernel=(3, 3),
                stride=(2, 2),
                pad=(1, 1),
                adj=(1, 1),
                num_filter=8,
                num_group=4,
                name="deconv",
            ),
            atol=1e-4,
        ),
        TranslatorCase(
            "deconv-dilated",
            lambda: mx.sym.Deconvolution(data(), kernel=(3, 3), dilate=(2, 2), num_filter=2, name="deconv"),
            atol=1e-4,
        ),
        TranslatorCase(
            "bn-fix_gamma-true-explicit", lambda: mx.sym.BatchNorm(data(), fix_gamma=True, name="bn")
        ),
        TranslatorCase(
            "bn-use_global_stats",
            lambda: mx.sym.BatchNorm(data(), fix_gamma=False, use_global_stats=True, name="bn"),
        ),
        TranslatorCase("bn-axis-last", lambda: mx.sym.BatchNorm(data(), axis=-1, fix_gamma=False, name="bn")),
        TranslatorCase(
            "conv-layout-NCHW-explicit",
            lambda: mx.sym.Convolution(data(), kernel=(3, 3), num_filter=4, layout="NCHW", name="conv"),
            atol=1e-4,
        ),
        TranslatorCase(
            "pool-layout-NCHW-explicit",
            lambda: mx.sym.Pooling(data(), kernel=(2, 2), stride=(2, 2), layout="NCHW", name="pool"),
        ),
        TranslatorCase(
            "pool-avg-count_include_pad-true-explicit",
            lambda: mx.sym.Pooling(
                data(), kernel=(3, 3), pad=(1, 1), pool_type="avg", count_include_pad=True, name="pool"
            ),
        ),
        TranslatorCase(
            "pool-max-full-pad",
            lambda: mx.sym.Pooling(
                data(), kernel=(3, 3), stride=(2, 2), pad=(1, 1), pooling_convention="full", name="pool"
            ),
            shapes={"data": (N, C, 8, 8)},
        ),
        TranslatorCase(
            "conv-1d",
            lambda: mx.sym.Convolution(data(), kernel=(3,), num_filter=4, pad=(1,), name="conv"),
            shapes={"data": (N, C, 12)},
            atol=1e-4,
        ),
    ]


SHAPE_CASES: list[TranslatorCase] = [
    *_layout_cases(),
    *_slice_cases(),
    *_reduce_cases(),
    *_expand_cases(),
    *_pool_resize_cases(),
    *_norm_cases(),
    *_attribute_cases(),
]
