"""R3GAN's layers: grouped convolutions, [1, 3, 3, 1] resampling, the generative basis."""

import keras
import numpy as np
from keras import layers, ops

# The [1, 3, 3, 1] low-pass filter of R3GAN's (and StyleGAN's) resamplers, 2-D, sum 1.
_TAPS = np.array([1.0, 3.0, 3.0, 1.0])
LOWPASS = (np.outer(_TAPS, _TAPS) / np.sum(_TAPS) ** 2).astype("float32")


@keras.saving.register_keras_serializable(package="kerasgan")
class GroupedConv2D(layers.Conv2D):
    """`keras.layers.Conv2D` with `groups`, computed as one convolution per group on the
    TensorFlow backend: TensorFlow's grouped convolution on the CPU ran a 3x3, 64-channel,
    4-group layer's forward and backward pass 70x slower than four separate
    convolutions (436 ms against 6 ms at batch 64, 14x14), and its gradient of a
    gradient (R1) 85x slower. JAX and torch run their own grouped convolution."""

    def convolution_op(self, inputs, kernel):
        if self.groups == 1 or keras.backend.backend() != "tensorflow":
            return super().convolution_op(inputs, kernel)
        parts = ops.split(inputs, self.groups, axis=-1)
        kernels = ops.split(kernel, self.groups, axis=-1)
        return ops.concatenate([super(GroupedConv2D, self).convolution_op(part, k) for part, k in zip(parts, kernels)], axis=-1)


@keras.saving.register_keras_serializable(package="kerasgan")
class Resample(layers.Layer):
    """Doubles ("up") or halves ("down") the height and width with the [1, 3, 3, 1] filter.

    Per axis, with zeros beyond the border: up, `y[2i] = x[i-1]/4 + 3x[i]/4` and
    `y[2i+1] = 3x[i]/4 + x[i+1]/4`; down, `y[j] = (x[2j-1] + 3x[2j] + 3x[2j+1] +
    x[2j+2]) / 8`. Up is bilinear resizing (half-pixel centres) with its border rows and
    columns scaled by 3/4 (bilinear repeats the edge where the filter sees a zero); down
    is a depthwise convolution, whose gradient of a gradient (R1, R2) every backend has.
    """

    def __init__(self, direction, **kwargs):
        super().__init__(**kwargs)
        if direction not in ("up", "down"):
            raise ValueError(f"Expected direction 'up' or 'down'. Received: direction={direction!r}")
        self.direction = direction

    def build(self, input_shape):
        _, height, width, channels = input_shape
        if self.direction == "down":
            self.kernel = np.tile(LOWPASS[:, :, None, None], (1, 1, channels, 1))
        else:
            edge = lambda side: np.r_[0.75, np.ones(2 * side - 2), 0.75].astype("float32")
            self.border = np.outer(edge(height), edge(width))[None, :, :, None]

    def call(self, inputs):
        if self.direction == "down":
            padded = ops.pad(inputs, [[0, 0], [1, 1], [1, 1], [0, 0]])
            return ops.depthwise_conv(padded, ops.cast(self.kernel, inputs.dtype), strides=2, padding="valid")
        height, width = inputs.shape[1:3]
        resized = ops.image.resize(inputs, (2 * height, 2 * width), interpolation="bilinear", antialias=False)
        return resized * ops.cast(self.border, resized.dtype)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        scale = (lambda side: side * 2) if self.direction == "up" else (lambda side: side // 2)
        return (batch, scale(height), scale(width), channels)

    def get_config(self):
        return {**super().get_config(), "direction": self.direction}


@keras.saving.register_keras_serializable(package="kerasgan")
class LeakyReLU(layers.Layer):
    """Leaky ReLU(0.2) as `max(x, 0.2 x)`: the values of `keras.layers.LeakyReLU(0.2)`,
    but TensorFlow's graph optimiser does not fuse it with the convolution and bias
    before it. That fusion failed on R3GAN's second-order graphs ("remapper failed:
    ... LeakyReluGrad exist for missing node ... BiasAdd") for some compilations of a
    step and not others, so that a resumed run drifted from an uninterrupted one."""

    def call(self, inputs):
        return ops.maximum(inputs, 0.2 * inputs)


@keras.saving.register_keras_serializable(package="kerasgan")
class ClipAtInference(layers.Layer):
    """The identity in training, a clip to [-1, 1] otherwise: R3GAN's generator ends in a
    linear layer, trained toward [-1, 1] (the discriminator sees it unclipped), whose
    samples may overshoot that range."""

    def call(self, inputs, training=False):
        return inputs if training else ops.clip(inputs, -1.0, 1.0)


@keras.saving.register_keras_serializable(package="kerasgan")
class GenerativeBasis(layers.Layer):
    """`out[b, h, w, c] = basis[h, w, c] * (z W)[b, c]`: a learned `(size, size, width)`
    pattern per channel, scaled by a linear function of the latent (no bias)."""

    def __init__(self, width, size=4, basis_initializer="random_normal", kernel_initializer="glorot_uniform", **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.size = size
        self.basis_initializer = keras.initializers.get(basis_initializer)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)

    def build(self, input_shape):
        self.basis = self.add_weight(shape=(self.size, self.size, self.width), initializer=self.basis_initializer, name="basis")
        self.kernel = self.add_weight(shape=(input_shape[-1], self.width), initializer=self.kernel_initializer, name="kernel")

    def call(self, latents):
        scales = ops.matmul(latents, self.kernel)
        return self.basis[None] * scales[:, None, None, :]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.width)

    def get_config(self):
        return {
            **super().get_config(),
            "width": self.width,
            "size": self.size,
            "basis_initializer": keras.initializers.serialize(self.basis_initializer),
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
        }
