"""Model size and arithmetic cost, counted on an OpenVINO IR (not on the MXNet symbol).

What is counted, so that the figures can be compared with a model card (FACTS 1):

Parameters: the elements of every real-valued weight an activation meets.
  * Convolution / GroupConvolution / MatMul: the elements of the weight input (port 1, or the
    constant side of a MatMul), measured on its shape, so FP16 (Constant f16 -> Convert) and INT8
    (Constant i8 -> Convert -> Subtract -> Multiply) weights count the same as FP32 ones.
  * Add / Subtract / Multiply / Divide with one activation input and one constant input: the
    constant's elements (biases, folded BatchNorm scale+shift, the mean/scale of the preprocessing).
  A convolution whose groups ovzoo.optimize merged (listed in the IR's rt_info) holds zero blocks off
  its diagonal: its parameters and multiply-adds are counted as before the merge (the card's figures).
  Integer constants (shapes, axes, indices), Interpolate scales, FakeQuantize ranges, and the
  subgraphs that only decompress constants are not parameters.

FLOPs follow the convention of OpenVINO's model analyzer, which produced the model-zoo cards
(6.444 G for octave-resnext-50-0.25 is reproduced to 0.02 %; plain 2 x MAC would be 1.6 % short):
  * Convolution / GroupConvolution: 2 x multiply-adds (input channels per group x kernel area per
    output element; no bias); MatMul: 2 x K per output element;
  * a sum (or product...) of two activations: 3 per element (the analyzer's Eltwise: 2 x inputs - 1);
  * an activation with a constant (bias, BatchNorm scale or shift, mean, scale): 1 per element, so an
    unfolded BatchNorm costs 2;
  * ReLU: 2 per element (compare, multiply); Clamp 2; Sigmoid 3; others as listed in _ACTIVATIONS;
  * AvgPool / MaxPool: kernel area per output element; ReduceMean/ReduceMax (global pooling): 1 per input element;
  * Softmax: 5 per element (max, subtract, exp, sum, divide);
  * data movement (Reshape, Concat, Gather, nearest Interpolate, Convert, Transpose...) and FakeQuantize: 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import openvino as ov

from ovzoo.optimize.record import read_merged_layers

_CONVOLUTIONS = {"Convolution", "GroupConvolution"}
_BINARY = {"Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum"}
# operations per element of an activation function; unlisted ones count 1
_ACTIVATIONS = {
    "Relu": 2,
    "Clamp": 2,
    "Sigmoid": 3,
    "PRelu": 2,
    "Tanh": 6,
    "Elu": 3,
    "Exp": 1,
    "HSwish": 4,
    "Swish": 5,
    "Gelu": 5,
}
_TWO_ACTIVATIONS_FLOPS_PER_ELEMENT = 3
_POOLS = {"AvgPool", "MaxPool"}
_REDUCTIONS = {"ReduceMean", "ReduceMax", "ReduceSum"}
_SOFTMAX = {"Softmax", "LogSoftmax"}
_SOFTMAX_FLOPS_PER_ELEMENT = 5


@dataclass(frozen=True)
class ModelCost:
    """Counted on one IR; see the module docstring for exactly what is in each figure."""

    parameters: int
    macs: int  # multiply-adds of convolutions and MatMuls
    elementwise_flops: int

    @property
    def flops(self) -> int:
        return 2 * self.macs + self.elementwise_flops

    @property
    def gflops(self) -> float:
        return self.flops / 1e9

    @property
    def mparams(self) -> float:
        return self.parameters / 1e6


def count_cost(model: ov.Model) -> ModelCost:
    """Count parameters, multiply-adds and element-wise FLOPs of ``model`` (static shapes).

    Raises:
        ValueError: a counted node has a dynamic shape.
    """
    on_activations = _activation_nodes(model)
    merged = read_merged_layers(model)
    parameters = macs = elementwise = 0
    for node in model.get_ordered_ops():
        if node.get_name() not in on_activations or not _is_real(node.output(0)):
            continue  # constant subgraphs and integer shape arithmetic (ShapeOf -> Multiply) are no model work
        kind = node.get_type_name()
        if kind in _CONVOLUTIONS:
            weights = _shape(node.input_value(1))
            # a merged layer's weights are `merge` times the original ones, all but those zeros
            layer = merged.get(node.get_friendly_name())
            merge = layer.merge if layer else 1
            parameters += math.prod(weights) // merge
            macs += convolution_macs(node) // merge
        elif kind == "MatMul":
            parameters += sum(
                math.prod(_shape(v)) for v in node.input_values() if _id(v) not in on_activations
            )
            macs += math.prod(_shape(node.output(0))) * _matmul_depth(node)
        elif kind in _BINARY:
            constants = [v for v in node.input_values() if _id(v) not in on_activations]
            parameters += sum(math.prod(_shape(v)) for v in constants if _is_real(v))
            per_element = 1 if constants else _TWO_ACTIVATIONS_FLOPS_PER_ELEMENT
            elementwise += per_element * math.prod(_shape(node.output(0)))
        elif kind in _ACTIVATIONS:
            elementwise += _ACTIVATIONS[kind] * math.prod(_shape(node.output(0)))
        elif kind in _POOLS:
            kernel = node.get_attributes().get("kernel", [1, 1])
            elementwise += math.prod(_shape(node.output(0))) * math.prod(kernel)
        elif kind in _REDUCTIONS:
            elementwise += math.prod(_shape(node.input_value(0)))
        elif kind in _SOFTMAX:
            elementwise += _SOFTMAX_FLOPS_PER_ELEMENT * math.prod(_shape(node.output(0)))
    return ModelCost(parameters=parameters, macs=macs, elementwise_flops=elementwise)


def convolution_macs(node: ov.Node) -> int:
    """Multiply-adds of one (Group)Convolution as the graph holds it (a merged layer's zero blocks too:
    the CPU executes them): (input channels per group) x kernel area per output element."""
    weights = _shape(node.input_value(1))
    per_output = (
        math.prod(weights[2:]) if node.get_type_name() == "GroupConvolution" else math.prod(weights[1:])
    )
    return math.prod(_shape(node.output(0))) * per_output


def _activation_nodes(model: ov.Model) -> set[str]:
    """Unique names of the nodes whose value depends on a model input (the rest is constant-derived)."""
    reached: set[str] = set()
    for node in model.get_ordered_ops():  # topological: producers first
        if node.get_type_name() == "Parameter" or any(_id(v) in reached for v in node.input_values()):
            reached.add(node.get_name())
    return reached


def _id(value: ov.Output) -> str:
    return value.get_node().get_name()  # unique per node, unlike the friendly name


def _shape(value: ov.Output) -> tuple[int, ...]:
    shape = value.get_partial_shape()
    if shape.is_dynamic:
        raise ValueError(f"{value.get_node().get_friendly_name()!r} has a dynamic shape {shape}")
    return tuple(shape.to_shape())


def _is_real(value: ov.Output) -> bool:
    return value.get_element_type().is_real()


def _matmul_depth(node: ov.Node) -> int:
    """The reduced dimension K of a MatMul, honouring transpose_a."""
    a = _shape(node.input_value(0))
    transpose_a = bool(node.get_attributes().get("transpose_a", False))
    return a[-2] if transpose_a else a[-1]
