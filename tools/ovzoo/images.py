"""Deterministic image-like test inputs (no dataset needed).

Random noise is a poor stand-in for photographs: it has no spatial structure, so a network's
activations (and BatchNorm statistics calibrated on it) look nothing like real use. These images have
smooth colour gradients, soft-edged shapes, a little texture and mild sensor noise.
"""

from __future__ import annotations

import numpy as np


def _one_image(rng: np.random.Generator, size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    # background: a linear colour gradient in a random direction
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * x + np.sin(angle) * y
    start, end = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    image = start[:, None, None] + (end - start)[:, None, None] * ((ramp - ramp.min()) / np.ptp(ramp))[None]
    # soft-edged ellipses of random colour (objects)
    for _ in range(rng.integers(4, 10)):
        cy, cx = rng.uniform(0, 1, 2)
        ry, rx = rng.uniform(0.05, 0.35, 2)
        theta = rng.uniform(0, np.pi)
        dy, dx = y - cy, x - cx
        u = (np.cos(theta) * dx + np.sin(theta) * dy) / rx
        v = (-np.sin(theta) * dx + np.cos(theta) * dy) / ry
        edge = rng.uniform(0.03, 0.2)
        mask = 1.0 / (1.0 + np.exp(np.clip((np.sqrt(u * u + v * v) - 1.0) / edge, -30, 30)))
        colour = rng.uniform(0, 255, 3)
        opacity = rng.uniform(0.5, 1.0)
        image = image + (opacity * mask)[None] * (colour[:, None, None] - image)
    # low-frequency texture and mild noise
    freq = rng.uniform(2, 12, 2)
    phase = rng.uniform(0, 2 * np.pi, 2)
    texture = np.sin(2 * np.pi * freq[0] * x + phase[0]) * np.sin(2 * np.pi * freq[1] * y + phase[1])
    image = image + rng.uniform(5, 20) * texture[None] + rng.normal(0, 3, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.float32)


def image_like_batch(count: int, seed: int, size: int = 224) -> np.ndarray:
    """``count`` RGB images as float32 NCHW with integral values in 0..255.

    Image ``i`` depends only on ``(seed, i)``, so a longer batch starts with the same images.
    """
    if count < 0 or size < 2:
        raise ValueError(f"bad batch request: count={count}, size={size}")
    batch = np.empty((count, 3, size, size), np.float32)
    for i in range(count):
        batch[i] = _one_image(np.random.default_rng([seed, i]), size)
    return batch
