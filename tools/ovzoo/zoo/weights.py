"""Well-conditioned synthetic weights for an OctConv network, calibrated with MXNet.

Random weights alone give a network whose activations drift and whose outputs barely depend on the
input. Here: convolutions with He-scaled weights of random sign (one magnitude per filter, so INT8's
per-channel weight scales hold them exactly), the last convolution of every residual branch scaled
down (trained ResNets have small residual branches; a deep stack of full-size random branches is
close to chaotic and amplifies FP16 weight rounding; DenseNet has none, its layers only append),
DenseNet's BatchNorms shifted so that most ReLUs pass (see DENSENET_BN_SHIFT), He-initialised
squeeze-and-excitation FCs (gates spread around 0.5), BatchNorm moving statistics equal to the batch
statistics of image-like inputs (so every BN output is roughly standardised in inference mode), and a
classifier that maps the pooled features, centred and partly whitened within the span of the
calibration features, through a random projection, so different images get different, clearly
separated top-1 classes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from ovzoo.images import image_like_batch
from ovzoo.mxnet.legacy import import_mxnet, quiet_subgraph_notice
from ovzoo.zoo.octave import OctaveSpec, build_symbol_json, param_shapes

log = logging.getLogger(__name__)

MEAN_RGB = np.array([124.0, 117.0, 104.0], np.float32)  # the family's input normalisation
SCALE = 59.880239521
BN_EPS = 1e-4  # the family's BatchNorm eps (explicit in the symbol)
CALIBRATION_IMAGES = (
    48  # also the classifier's fitting set: it whitens up to CALIBRATION_IMAGES - 1 directions
)
LOGIT_SPREAD = 10.0  # std of a logit across the calibration images; sets the top-1/top-2 margins
RESIDUAL_BRANCH_SCALE = 0.2  # He init times this for the last conv of each residual branch
_RESIDUAL_BRANCH_OUTPUT = "_conv3_conv"  # the bottleneck's last conv (ovzoo.zoo.octave names it so)
# the SE gates read the (small, see above) residual branches: plain He init gives their sigmoid inputs a
# spread of ~0.3 across channels, gates of 0.5 +- 0.07; this gain spreads them to ~1 (gates ~0.3..0.7)
SE_EXCITE_GAIN = 3.0
_SE_EXCITE = "_se_fc2-"  # the gate's second FC (ovzoo.zoo.resnet names it so)
# DenseNet's BN beta: at 0 half the ReLUs are off, and 58 layers of rectification amplified per-image
# differences in activation scale (a high-contrast image: 1.16x the median norm after the stem, 2.15x
# at the pooled features), so per-tensor INT8 ranges calibrated on other images clipped such images
# (FP16-INT8 top-1 agreement 0.44). Shifted by 1 (about 84 % of ReLUs on) the scales stay within
# +-10 % through the network. The ResNets keep beta ~ 0: their identity paths carry the signal, and
# the shift made their INT8 agreement worse (SE-ResNet-50 with sign filters: 0.86 -> 0.61 top-1
# agreement on 64 images).
DENSENET_BN_SHIFT = 1.0
# The classifier scales principal direction i of the calibration features by variance_i ** -WHITENING
# (0.5 would whiten fully). Full whitening gives the weak directions, where INT8 noise is largest
# relative to the signal, as much weight as the strong ones; a quarter power keeps most of the
# distinct top-1 classes and a lower INT8 logit error (see fit_classifier).
WHITENING = 0.25
# ResNeXt (grouped 3x3 convolutions) keeps Gaussian filters and full whitening, the weights it had
# before sign filters: with those it passed its INT8 checks (octave-resnext-50-0.25, the demo's
# default: FP16-INT8 top-1 1.000, cosine 0.984), while sign filters or quarter-power whitening left
# its BGR/RGB ratio at 7-8x (max |d logit| 8-10 against RGB's 60-68; 10x needed). Why is not known
# yet; ResNet, SE-ResNet and DenseNet gained from both.
GROUPED_WHITENING = 0.5
_CALIBRATION_SEED_OFFSET = 10_007  # calibration images differ from the seed-0 images tests use


def normalise(batch_rgb: np.ndarray) -> np.ndarray:
    """RGB 0..255 NCHW -> the original model's input space."""
    return ((batch_rgb - MEAN_RGB[None, :, None, None]) / np.float32(SCALE)).astype(np.float32)


def initial_weights(spec: OctaveSpec, seed: int) -> dict[str, np.ndarray]:
    """He-scaled sign convolutions, BN gamma ~ 1 and beta ~ 0 with small noise; keys as in .params.

    Each convolution filter is +-m with the signs of a Gaussian draw and m that draw's rms (the He
    scale within a few percent; nearly one scale per layer, so per-tensor INT8 activation ranges fit
    every channel of a concatenation or a residual sum): a random-sign filter is as good a random
    feature as a Gaussian one, and INT8's symmetric per-channel weight quantization (scale = max |w| / 127) represents it exactly, where Gaussian
    filters lose ~0.8 % to rounding in every one of the ~120 convolutions. (FP16-INT8 logit error,
    rms over the logits' spread across images: 0.15 -> 0.10 on octave-densenet-121-0.125; top-1
    agreement 0.82 -> 0.86 on octave-se-resnet-50-0.125; 64 unseen images, fully whitened classifier.)

    The last convolution of each residual branch gets RESIDUAL_BRANCH_SCALE x the He scale, so every
    block adds a modest update to its input. At full scale the 16 bottlenecks of a ResNeXt-50 compound
    small weight perturbations: FP16 weights moved its logits by ~1 % (rms, relative to their spread
    across images) against 0.3 % at 0.2, with the same classifier; a trained network shows ~1 % at most.
    DenseNet's BN betas are shifted by DENSENET_BN_SHIFT. ResNeXt keeps Gaussian filters (GROUPED_WHITENING).
    """
    rng = np.random.default_rng(seed)
    beta_shift = DENSENET_BN_SHIFT if spec.architecture == "densenet" else 0.0
    grouped = spec.num_group > 1  # ResNeXt: Gaussian filters (see GROUPED_WHITENING)
    arrays: dict[str, np.ndarray] = {}
    for key, shape in param_shapes(spec).items():
        if key.endswith("_moving_mean"):
            value = np.zeros(shape, np.float32)
        elif key.endswith("_moving_var"):
            value = np.ones(shape, np.float32)
        elif key.endswith("_gamma"):
            value = 1.0 + 0.05 * rng.standard_normal(shape, np.float32)
        elif key.endswith("_beta"):
            value = beta_shift + 0.05 * rng.standard_normal(shape, np.float32)
        elif len(shape) == 4:  # convolution (O, I/g, kh, kw)
            fan_in = shape[1] * shape[2] * shape[3]
            gain = RESIDUAL_BRANCH_SCALE if _RESIDUAL_BRANCH_OUTPUT in key else 1.0
            draw = rng.standard_normal(shape, np.float32)
            if grouped:  # Gaussian filters, as before sign filters
                value = draw * np.float32(gain * np.sqrt(2.0 / fan_in))
            else:
                magnitude = np.sqrt(np.mean(draw.astype(np.float64) ** 2, axis=(1, 2, 3), keepdims=True))
                value = np.where(draw >= 0, 1.0, -1.0) * (magnitude * (gain * np.sqrt(2.0 / fan_in)))
        elif key.startswith("arg:classifier_"):  # replaced by fit_classifier
            value = np.zeros(shape, np.float32)
        elif len(shape) == 2:  # an SE gate's FC (out, in): He-initialised, the excite FC with more gain
            gain = SE_EXCITE_GAIN if _SE_EXCITE in key else 1.0
            value = rng.standard_normal(shape, np.float32) * np.float32(gain * np.sqrt(2.0 / shape[1]))
        else:  # an SE gate's FC bias
            value = np.zeros(shape, np.float32)
        arrays[key] = value.astype(np.float32)
    return arrays


def _bind(symbol: Any, arrays: Mapping[str, np.ndarray], batch: np.ndarray) -> Any:
    """A CPU inference/calibration executor with ``arrays`` and ``batch`` copied in (no gradients)."""
    mx = import_mxnet()
    shapes = {"data": batch.shape}
    if "softmax_label" in symbol.list_arguments():
        shapes["softmax_label"] = (batch.shape[0],)
    executor = symbol.simple_bind(mx.cpu(), grad_req="null", **shapes)
    for key, value in arrays.items():
        kind, name = key.split(":", 1)
        target = executor.arg_dict if kind == "arg" else executor.aux_dict
        if name in target:
            target[name][:] = value
    executor.arg_dict["data"][:] = batch
    return executor


@contextmanager
def _no_subgraph_fusion() -> Iterator[None]:
    """MXNet's MKLDNN subgraph pass fuses BN+ReLU and then returns the BN output for its mean/var outputs."""
    saved = os.environ.get("MXNET_SUBGRAPH_BACKEND")
    os.environ["MXNET_SUBGRAPH_BACKEND"] = "NONE"  # read by MXNet at bind time
    try:
        with quiet_subgraph_notice():
            yield
    finally:
        if saved is None:
            del os.environ["MXNET_SUBGRAPH_BACKEND"]
        else:
            os.environ["MXNET_SUBGRAPH_BACKEND"] = saved


def calibrate_batch_norm(symbol_json: str, arrays: dict[str, np.ndarray], batch: np.ndarray) -> np.ndarray:
    """Set every BN's moving statistics to its batch statistics on ``batch`` (in place).

    One training-mode forward, with every BatchNorm made to output its batch mean and inverse std
    (``output_mean_var``): each BN sees inputs normalised by the BNs before it, which is what
    inference will see once the moving statistics equal these batch statistics. (MXNet itself only
    updates the moving statistics in the backward pass.)

    Returns the pooled features (classifier input) of ``batch`` from the same pass: on the
    calibration batch, batch statistics and the new moving statistics give the same activations.
    """
    mx = import_mxnet()
    graph = json.loads(symbol_json)
    bn_names = []
    for node in graph["nodes"]:
        if node["op"] == "BatchNorm":
            node["attrs"]["output_mean_var"] = "True"
            bn_names.append(node["name"])
    internals = mx.sym.load_json(json.dumps(graph)).get_internals()
    wanted = [internals["flatten_output"]]
    for name in bn_names:
        wanted += [internals[f"{name}_mean"], internals[f"{name}_var"]]
    with _no_subgraph_fusion():
        executor = _bind(mx.sym.Group(wanted), arrays, batch)
    outputs = [o.asnumpy() for o in executor.forward(is_train=True)]
    for i, name in enumerate(bn_names):
        mean, inv_std = outputs[1 + 2 * i], outputs[2 + 2 * i].astype(np.float64)
        arrays[f"aux:{name}_moving_mean"] = mean.astype(np.float32)
        variance = np.maximum(1.0 / np.square(inv_std) - BN_EPS, 0.0)
        arrays[f"aux:{name}_moving_var"] = variance.astype(np.float32)
    return outputs[0]


def fit_classifier(
    features: np.ndarray, num_classes: int, rng: np.random.Generator, whitening: float = WHITENING
) -> tuple[np.ndarray, np.ndarray]:
    """A random projection of the centred features, partly whitened within the calibration span.

    The pooled features of image-like inputs share a large common part and a few dominant
    directions. Centring removes the first; scaling the principal directions of the calibration
    features by variance ** -WHITENING evens out the second, so the logits of different images are
    nearly independent (distinct top-1 classes). Full whitening (unit variance in every direction)
    also gives the weakest directions full weight: there the image-to-image signal is smallest and
    the same INT8 activation noise is largest relative to it (signal-to-noise 1800 in the first
    direction, 13-30 in the last ones, octave-densenet-121-0.125). On 64 unseen images and 12
    projections, FP16-INT8 top-1 agreement 0.86 -> 0.90 (DenseNet) and 0.86 -> 0.89 (SE-ResNet-50),
    distinct top-1 classes of 32 images 30 -> 29 on average. Directions the calibration images don't
    span get no weight: there the features vary little from image to image, while the noise of
    reduced-precision weights is spread over all directions alike, so any weight there amplifies
    noise more than signal. (Shrunk whitening that kept them let FP16 weights move the logits 2.5x
    as much: 0.29 % against 0.11 % of their spread on octave-resnext-50-0.25, 32 calibration images.
    More images span more directions: more distinct top-1 classes on unseen images, at little cost.)
    Each logit's std across the calibration images is LOGIT_SPREAD.
    """
    mean = features.mean(axis=0)
    centred = features - mean
    _, singular, basis = np.linalg.svd(centred, full_matrices=False)
    kept = singular > singular[0] * 1e-6  # the centred span: rank <= count - 1
    basis, variances = basis[kept], singular[kept] ** 2 / len(centred)
    scaled = variances ** (0.5 - whitening)  # each direction's std across the calibration images, once scaled
    projection = rng.standard_normal((num_classes, len(variances))) * (LOGIT_SPREAD / np.linalg.norm(scaled))
    weight = (projection * variances**-whitening) @ basis
    return weight.astype(np.float32), (-(weight @ mean)).astype(np.float32)


def synthesize_weights(spec: OctaveSpec, seed: int) -> dict[str, np.ndarray]:
    """The full checkpoint contents (``arg:``/``aux:`` keys, float32), deterministic for ``seed``."""
    symbol_json = build_symbol_json(spec)
    arrays = initial_weights(spec, seed)
    images = image_like_batch(CALIBRATION_IMAGES, seed + _CALIBRATION_SEED_OFFSET, spec.input_size)
    batch = normalise(images)
    features = calibrate_batch_norm(symbol_json, arrays, batch)
    whitening = GROUPED_WHITENING if spec.num_group > 1 else WHITENING
    weight, bias = fit_classifier(
        features.astype(np.float64), spec.num_classes, np.random.default_rng([seed, 1]), whitening
    )
    arrays["arg:classifier_weight"] = weight
    arrays["arg:classifier_bias"] = bias
    return arrays


def logits(spec: OctaveSpec, arrays: Mapping[str, np.ndarray], batch: np.ndarray) -> np.ndarray:
    """The classifier output (softmax input) for a normalised batch, computed by MXNet."""
    mx = import_mxnet()
    head = mx.sym.load_json(build_symbol_json(spec)).get_internals()["classifier_output"]
    return _bind(head, arrays, batch).forward(is_train=False)[0].asnumpy()


def top1_margins(values: np.ndarray) -> np.ndarray:
    """Per row: largest minus second-largest logit."""
    top2 = np.sort(values, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]
