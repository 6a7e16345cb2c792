"""Minibatch layers: let a discriminator see statistics of the whole batch, so that a
generator that collapses to a few outputs is easy to tell apart from the data.

Reference: Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved
Techniques for Training GANs", NeurIPS 2016 (section 3.2, minibatch discrimination);
Karras, Aila, Laine and Lehtinen, "Progressive Growing of GANs for Improved Quality,
Stability, and Variation", ICLR 2018 (section 3, minibatch standard deviation).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the batch's standard deviation, averaged over features, as constant features.

    StyleGAN2's `MinibatchStdLayer`: the batch of N samples is split into N / G groups
    of `G = min(group_size, N)` samples; the standard deviation `sqrt(var + 1e-8)` of
    every feature over each group is averaged over all features and positions (over
    each of `num_channels` contiguous channel groups), and appended to every sample of
    the group as `num_channels` constant feature maps. As in StyleGAN2, group `j` holds
    samples `j, j + N/G, j + 2N/G, ...` (the batch reshaped to `(G, N/G, ...)`).

    Takes `(batch, height, width, channels)` images (any rank >= 2, channels last) and
    returns `(batch, height, width, channels + num_channels)`; takes `(batch, features)`
    and returns `(batch, features + num_channels)`, for fully connected discriminators.
    The statistic is computed in float32 (the 1e-8 underflows in float16) and cast
    back to the input's dtype.

    The batch must be a multiple of G: a batch of 6 with group_size 4 raises a
    `ValueError` when the batch size is known at trace time (eager, JAX, torch), and
    fails in the reshape otherwise. Batches smaller than `group_size` form one group.

    Args:
        group_size: int. Samples per group. Defaults to 4.
        num_channels: int. Number of appended features; the channels are split into
            this many contiguous groups, each with its own statistic. Defaults to 1.

    Example:
        >>> layer = MinibatchStdDev(group_size=4)
        >>> layer(keras.ops.ones((8, 4, 4, 16))).shape
        (8, 4, 4, 17)

    Reference: Karras et al., "Progressive Growing of GANs", ICLR 2018;
    NVlabs/stylegan2-ada-pytorch `MinibatchStdLayer`.
    """

    def __init__(self, group_size=4, num_channels=1, **kwargs):
        super().__init__(**kwargs)
        if int(group_size) < 1 or int(num_channels) < 1:
            raise ValueError(
                "Expected group_size >= 1 and num_channels >= 1. "
                f"Received: group_size={group_size}, num_channels={num_channels}"
            )
        self.group_size = int(group_size)
        self.num_channels = int(num_channels)

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None or input_shape[-1] % self.num_channels:
            raise ValueError(
                "MinibatchStdDev expects inputs (batch, ..., channels) with known channels "
                f"divisible by num_channels={self.num_channels}. Received: input_shape={input_shape}"
            )

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch = shape[0]
        if isinstance(batch, int):
            group = min(self.group_size, batch)
            if batch % group:
                raise ValueError(
                    f"MinibatchStdDev expects a batch divisible by its group size "
                    f"min(group_size, batch) = {group}. Received: batch={batch}, "
                    f"group_size={self.group_size}"
                )
        else:
            group = ops.minimum(self.group_size, batch)
        spatial = tuple(shape[1:-1])
        channels = shape[-1]
        groups = self.num_channels
        # (G, n, ..., F, c): sample g * n + j is member g of group j.
        grouped = ops.reshape(
            ops.cast(inputs, "float32"), (group, -1, *spatial, groups, channels // groups)
        )
        deviations = grouped - ops.mean(grouped, axis=0, keepdims=True)
        stddev = ops.sqrt(ops.mean(ops.square(deviations), axis=0) + 1e-8)  # (n, ..., F, c)
        reduce_axes = (*range(1, 1 + len(spatial)), 2 + len(spatial))
        stddev = ops.mean(stddev, axis=reduce_axes)  # (n, F)
        # Replicate over the group members: (G, n, F) -> (N, F), then over positions.
        members = grouped[(slice(None), slice(None), *(0,) * len(spatial), slice(None), 0)]
        stddev = ops.reshape(stddev[None] + ops.zeros_like(members), (-1, groups))
        stddev = ops.reshape(stddev, (-1, *(1,) * len(spatial), groups))
        stddev = ops.cast(stddev, inputs.dtype) + ops.zeros_like(inputs[..., :1])
        return ops.concatenate([inputs, stddev], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.num_channels)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "num_channels": self.num_channels}


@keras.saving.register_keras_serializable(package="kerasgan")
class MinibatchDiscrimination(keras.layers.Layer):
    """Appends, per sample, its closeness to the other samples of the batch.

    Salimans et al.'s minibatch discrimination: for features `f` `(batch, A)`, a
    learned tensor `T` `(A, B * C)` gives `M = f T` reshaped to `(batch, B, C)`; for
    each kernel `b`, `c_b(i, j) = exp(-||M_{i,b} - M_{j,b}||_1)` and
    `o(i)_b = sum_{j != i} c_b(i, j)`. Returns `concat([f, o])` `(batch, A + B)`.
    A batch of identical samples gives `o = batch - 1` for every kernel. The pairwise
    sums are computed in float32 and cast back to the input's dtype. Flatten images
    before this layer.

    Args:
        num_kernels: int. B, the number of appended features. Defaults to 50.
        kernel_dim: int. C, the size of each kernel's projection. Defaults to 5.
        kernel_initializer: initializer for T, or None for N(0, 0.05^2) as in
            Salimans et al.'s code. Defaults to None.

    Example:
        >>> layer = MinibatchDiscrimination(num_kernels=8, kernel_dim=3)
        >>> layer(keras.ops.ones((4, 32))).shape
        (4, 40)

    Reference: Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016.
    """

    def __init__(self, num_kernels=50, kernel_dim=5, kernel_initializer=None, **kwargs):
        super().__init__(**kwargs)
        self.num_kernels = int(num_kernels)
        self.kernel_dim = int(kernel_dim)
        self.kernel_initializer = (
            None if kernel_initializer is None else keras.initializers.get(kernel_initializer)
        )

    def build(self, input_shape):
        if len(input_shape) != 2 or input_shape[-1] is None:
            raise ValueError(
                "MinibatchDiscrimination expects inputs (batch, features) with known features "
                f"(flatten images first). Received: input_shape={input_shape}"
            )
        initializer = self.kernel_initializer or keras.initializers.RandomNormal(stddev=0.05)
        self.kernel = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.num_kernels * self.kernel_dim), initializer=initializer
        )

    def call(self, inputs):
        projections = ops.reshape(ops.matmul(inputs, self.kernel), (-1, self.num_kernels, self.kernel_dim))
        projections = ops.cast(projections, "float32")
        # ||M_{i,b} - M_{j,b}||_1: (batch, batch, B).
        distances = ops.sum(ops.abs(projections[:, None] - projections[None, :]), axis=-1)
        # The j == i term is exp(0) = 1.
        closeness = ops.sum(ops.exp(-distances), axis=1) - 1.0
        return ops.concatenate([inputs, ops.cast(closeness, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[-1] + self.num_kernels)

    def get_config(self):
        initializer = self.kernel_initializer
        return {
            **super().get_config(),
            "num_kernels": self.num_kernels,
            "kernel_dim": self.kernel_dim,
            "kernel_initializer": None if initializer is None else keras.initializers.serialize(initializer),
        }
