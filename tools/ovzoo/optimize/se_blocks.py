"""Squeeze-and-excitation blocks kept in 4-D: their fully connected layers as 1x1 convolutions.

The front end translates an SE block as MXNet wrote it: global pooling to (N, C, 1, 1), Flatten to
(N, C), FullyConnected (MatMul + bias Add), ReLU, FullyConnected, sigmoid, then back to (N, C, 1, 1)
to scale the feature map. The CPU plugin runs each of those tiny MatMuls as a FullyConnected node
with a fixed cost of tens of microseconds (the 58 SE FCs of octave-se-resnet-50-0.125 took 2.5 ms at
bf16, about 45 us each). The same arithmetic on the pooled 4-D tensor, 1x1 convolutions and
per-channel Adds, gives the same numbers (the same products and sums) and runs in a few
microseconds per layer, without the Reshape/Unsqueeze layout changes. Octave's SE block is a small
graph rather than a chain (its first FC reads the high and the low band's pooled features, a sum of
two MatMuls), so the whole 2-D subgraph between the pooled tensors and the Unsqueezes that lead back
to 4-D is lifted. The 2-D nodes it replaces are left without consumers and drop out of the model.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
from openvino import opset8

from ovzoo.ir import spill

SUFFIX = "/4d"  # lifted nodes' friendly names: the MXNet layer names stay with MXNet's 2-D shapes


class _NotLiftable(Exception):
    """A node of the 2-D subgraph this rewrite does not handle: that SE block stays as it is."""


def _f32_constant(output: ov.Output) -> np.ndarray | None:
    node = output.get_node()
    if node.get_type_name() == "Constant" and node.get_output_element_type(0) == ov.Type.f32:
        return np.asarray(node.get_data())
    return None


class _Lifter:
    def __init__(self) -> None:
        self.done: dict[str, ov.Output] = {}  # 2-D node (friendly name + id) -> its 4-D counterpart
        self.matmuls: list[str] = []

    def lift(self, output: ov.Output) -> ov.Output:
        node = output.get_node()
        key = f"{node.get_friendly_name()}#{id(node)}"
        if key not in self.done:
            self.done[key] = self._lift(node)
            self.done[key].get_node().set_friendly_name(node.get_friendly_name() + SUFFIX)
        return self.done[key]

    def _lift(self, node: ov.Node) -> ov.Output:
        kind, inputs = node.get_type_name(), node.input_values()
        if not node.get_output_partial_shape(0).is_static:
            raise _NotLiftable(f"{kind} of a dynamic shape")
        if kind == "Reshape":  # (N, C, 1, 1) pooled -> (N, C): the pooled tensor itself
            pooled = inputs[0]
            shape = (
                list(pooled.get_partial_shape().to_shape()) if pooled.get_partial_shape().is_static else []
            )
            if len(shape) != 4 or shape[2:] != [1, 1] or list(node.get_output_shape(0)) != shape[:2]:
                raise _NotLiftable(kind)
            return pooled
        if kind == "MatMul":
            weights = _f32_constant(inputs[1])
            attributes = node.get_attributes()
            if weights is None or weights.ndim != 2 or attributes["transpose_a"]:
                raise _NotLiftable(kind)
            rows = weights if attributes["transpose_b"] else weights.T  # (out, in)
            self.matmuls.append(node.get_friendly_name())
            kernel = spill.weight_constant(np.ascontiguousarray(rows[:, :, None, None]))
            kernel.set_friendly_name(inputs[1].get_node().get_friendly_name() + SUFFIX)  # not a counter
            return opset8.convolution(self.lift(inputs[0]), kernel, [1, 1], [0, 0], [0, 0], [1, 1]).output(0)
        if kind == "Add":
            values = [_f32_constant(v) for v in inputs]
            if values[0] is None and values[1] is None:
                return opset8.add(self.lift(inputs[0]), self.lift(inputs[1])).output(0)
            side = 0 if values[1] is not None else 1  # the activation's input
            bias = values[1 - side]
            if bias is None or bias.size != node.get_output_shape(0)[1]:
                raise _NotLiftable(kind)
            lifted_bias = opset8.constant(bias.reshape(1, -1, 1, 1))
            lifted_bias.set_friendly_name(inputs[1 - side].get_node().get_friendly_name() + SUFFIX)
            return opset8.add(self.lift(inputs[side]), lifted_bias).output(0)
        if kind == "Relu":
            return opset8.relu(self.lift(inputs[0])).output(0)
        if kind == "Sigmoid":
            return opset8.sigmoid(self.lift(inputs[0])).output(0)
        raise _NotLiftable(kind)


def lift_se_blocks(model: ov.Model) -> list[str]:
    """Rewrite ``model``'s SE blocks in place; return the friendly names of the MatMuls now convolutions.

    A block is lifted at the Unsqueeze pair that turns its (N, C) excitation back into (N, C, 1, 1).
    """
    lifter = _Lifter()  # one for the model: octave's two excitations share their first FC
    for node in model.get_ordered_ops():
        if node.get_type_name() != "Unsqueeze" or not node.get_output_partial_shape(0).is_static:
            continue
        if len(node.get_output_shape(0)) != 4:
            continue
        inner = node.input_value(0).get_node()
        if inner.get_type_name() != "Unsqueeze" or len(inner.get_input_partial_shape(0)) != 2:
            continue
        try:
            excitation = lifter.lift(inner.input_value(0))
        except _NotLiftable:
            continue  # built nodes without consumers drop out with the model
        if tuple(excitation.get_shape()) != tuple(node.get_output_shape(0)):
            continue
        for target in node.output(0).get_target_inputs():
            target.replace_source_output(excitation)
    left = {op.get_friendly_name() for op in model.get_ordered_ops() if op.get_type_name() == "MatMul"}
    return [name for name in dict.fromkeys(lifter.matmuls) if name not in left]
