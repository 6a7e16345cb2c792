"""StyleGAN2's modulated convolution and ToRGB layers (Karras et al. 2020).

Both take `[images, w]`: images `(batch, height, width, in_channels)` and an
intermediate latent `w` `(batch, w_dim)`. A learned affine maps `w` to one style per
input channel, `s = affine(w)` `(batch, in_channels)`, with an effective bias of 1 so
that styles start near 1.

They compute by StyleGAN2's "non-fused" formulation, which equals convolving each
sample with its own modulated (and demodulated) weights, `W'_ijk = s_i W_ijk` and
`W''_ijk = W'_ijk / sqrt(sum_{i,k} W'_ijk^2 + 1e-8)`, but runs one ordinary
convolution over the whole batch: scale the input channels by `s`, convolve with the
shared weight, then scale each output channel by the per-sample demodulation
coefficient `d_j = rsqrt(sum_{i,k} (s_i W_ijk)^2 + 1e-8)`.

Reference: Karras, Laine, Aittala, Hellsten, Lehtinen and Aila, "Analyzing and
Improving the Image Quality of StyleGAN", CVPR 2020 (section 2.2, equations 1-3);
NVlabs/stylegan2-ada-pytorch `training/networks.py` (`modulated_conv2d`,
`SynthesisLayer`, `ToRGBLayer`).
"""

import math

import keras
from keras import ops

from kerasgan import backend
from kerasgan.layers.equalized import EqualizedDense, _check_activation, activate


def standardised_noise(maps):
    """`(batch, H, W, 1)` noise maps scaled to mean 0 and variance 1, each on its own."""
    maps = ops.convert_to_tensor(maps)
    maps = maps - ops.mean(maps, axis=(1, 2, 3), keepdims=True)
    return maps * ops.rsqrt(ops.mean(ops.square(maps), axis=(1, 2, 3), keepdims=True) + 1e-8)


def upsample_2x(images):
    """2x bilinear upsampling of `(batch, height, width, channels)` images, half-pixel
    centres and edges repeated: what `ops.image.resize(..., "bilinear")` gives, written
    as pads, weighted sums and reshapes, which every exporter takes with a free batch
    size (jax2onnx's resize needs a fixed one). Each output pixel is 3/4 of the nearer
    input pixel and 1/4 of the next one out."""
    _, height, width, channels = images.shape
    if height is None or width is None:  # sizes known only when it runs: the same numbers
        size = ops.shape(images)
        return ops.image.resize(images, (2 * size[1], 2 * size[2]), interpolation="bilinear")
    # Rows: before[i] = x[i - 1], after[i] = x[i + 1], the edges repeated.
    before = ops.concatenate([images[:, :1], images[:, :-1]], axis=1)
    after = ops.concatenate([images[:, 1:], images[:, -1:]], axis=1)
    pairs = ops.stack([0.75 * images + 0.25 * before, 0.75 * images + 0.25 * after], axis=2)
    images = ops.reshape(pairs, (-1, 2 * height, width, channels))
    before = ops.concatenate([images[:, :, :1], images[:, :, :-1]], axis=2)
    after = ops.concatenate([images[:, :, 1:], images[:, :, -1:]], axis=2)
    pairs = ops.stack([0.75 * images + 0.25 * before, 0.75 * images + 0.25 * after], axis=3)
    return ops.reshape(pairs, (-1, 2 * height, 2 * width, channels))


def _check_inputs(layer_name, input_shape):
    shapes = list(input_shape) if isinstance(input_shape, (list, tuple)) else []
    valid = (
        len(shapes) == 2
        and isinstance(shapes[0], (list, tuple))
        and isinstance(shapes[1], (list, tuple))
        and len(shapes[0]) == 4
        and len(shapes[1]) == 2
        and shapes[0][-1] is not None
        and shapes[1][-1] is not None
    )
    if not valid:
        raise ValueError(
            f"{layer_name} expects inputs [images, w]: images (batch, height, width, channels) "
            f"and w (batch, w_dim), with known channels and w_dim. Received: input_shape={input_shape}"
        )
    return tuple(shapes[0]), tuple(shapes[1])


@keras.saving.register_keras_serializable(package="kerasgan")
class ModulatedConv2D(keras.layers.Layer):
    """StyleGAN2 synthesis layer: style-modulated, demodulated convolution + noise + bias.

    `call([images, w])` maps images `(batch, H, W, in_channels)` and latents
    `w` `(batch, w_dim)` to `(batch, H', W', filters)`, with `H' = 2H` when
    `upsample` and `H' = H` otherwise. In order:

    1. styles `s = affine(w)` `(batch, in_channels)`; `affine` is an
       `EqualizedDense(in_channels, bias_init=1.0)` sublayer (float32, as in StyleGAN2).
    2. with `upsample`, a 2x bilinear upsampling (`keras.ops.image.resize`, half-pixel
       centres: away from the border this is StyleGAN2's [1, 3, 3, 1] upsampling
       filter; at the border it repeats the edge pixel instead of padding zeros).
    3. `images * s`, a stride-1 "same" convolution with the shared equalised weight
       `W (k, k, in_channels, filters) ~ N(0, 1)` used times
       `1 / sqrt(in_channels * k * k)`, then, with `demodulate`, a product by
       `d = rsqrt(sum_{i,k} (s_i W_ijk)^2 + 1e-8)` `(batch, filters)`. The styles and
       `d` are computed in float32; under float16, styles are first divided by their
       largest magnitude per sample (which demodulation undoes) to avoid overflow,
       as StyleGAN2 does.
    4. with `use_noise`, `noise_strength * noise`: `noise_strength` is a learned scalar
       that starts at 0, and `noise` is drawn from N(0, 1) with shape
       `(batch, H', W', 1)` from the layer's own seed generator at EVERY call, in
       training and inference alike (StyleGAN2's `noise_mode="random"`). Pass
       `noise=` (broadcastable to `(batch, H', W', 1)`, for instance a constant
       `(H', W', 1)` map) to use it instead, or `noise=0.0` for none.
    5. a bias (initialised at 0) and the activation.

    Args:
        filters: int. Number of output channels.
        kernel_size: int. Height and width of the square kernel. Defaults to 3.
        demodulate: bool. Normalises each output channel's per-sample weights to
            unit norm. Defaults to True.
        upsample: bool. Upsamples the images 2x (bilinear) before the convolution.
            Defaults to False.
        activation: None, "linear" or "lrelu" (leaky ReLU with slope 0.2 times
            sqrt(2)). Defaults to "lrelu".
        use_noise: bool. Adds per-pixel noise scaled by the learned
            `noise_strength`. Defaults to True.
        seed: int or None. Seed of the noise; None draws one from Keras's global
            seed (`keras.utils.set_random_seed`). Defaults to None.

    Example:
        >>> layer = ModulatedConv2D(8, upsample=True)
        >>> images, w = keras.ops.ones((2, 4, 4, 16)), keras.ops.ones((2, 32))
        >>> layer([images, w]).shape
        (2, 8, 8, 8)

    Reference: Karras et al., "Analyzing and Improving the Image Quality of StyleGAN",
    CVPR 2020; NVlabs/stylegan2-ada-pytorch `SynthesisLayer`, `modulated_conv2d`.
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        demodulate=True,
        upsample=False,
        activation="lrelu",
        use_noise=True,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.upsample = bool(upsample)
        self.activation = activation
        self._activation = _check_activation(activation)
        self.use_noise = bool(use_noise)
        self.seed = seed
        if self.use_noise:
            self.seed_generator = backend.seed_generator(seed, name="noise_seed")

    def build(self, input_shape):
        images_shape, w_shape = _check_inputs(type(self).__name__, input_shape)
        in_channels = images_shape[-1]
        self.weight_gain = 1.0 / math.sqrt(in_channels * self.kernel_size**2)
        # Styles in float32, as StyleGAN2 computes them from float32 w for its demodulation.
        self.affine = EqualizedDense(in_channels, bias_init=1.0, dtype="float32", name="affine")
        self.affine.build(w_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.kernel_size, self.kernel_size, in_channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
        )
        if self.use_noise:
            self.noise_strength = self.add_weight(name="noise_strength", shape=(), initializer="zeros")
        self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer="zeros")
        # `(H', W')` of the noise maps, for the networks that fix or optimise them.
        self.noise_size = tuple(self.compute_output_shape(input_shape)[1:3])

    def effective_kernel(self):
        """The shared kernel as used: `kernel / sqrt(in_channels * kernel_size^2)`."""
        return self.kernel * self.weight_gain

    def styles(self, w):
        """Per-sample, per-input-channel styles `affine(w)`, float32 `(batch, in_channels)`."""
        return self.affine(w)

    def call(self, inputs, noise=None):
        images, w = inputs
        styles = ops.cast(self.styles(w), "float32")
        kernel = self.effective_kernel()
        if self.demodulate and self.compute_dtype == "float16":
            # Demodulation cancels any per-sample scale of s: remove it against overflow.
            styles = styles / ops.max(ops.abs(styles), axis=1, keepdims=True)
        if self.upsample:
            images = upsample_2x(images)
        images = images * ops.cast(styles, images.dtype)[:, None, None, :]
        outputs = ops.conv(images, kernel, strides=1, padding="same", data_format="channels_last")
        if self.demodulate:
            # sum_{i,k} (s_i W_ijk)^2 = sum_i s_i^2 (sum_k W_ijk^2): (batch, filters).
            squared_norms = ops.sum(ops.square(ops.cast(kernel, "float32")), axis=(0, 1))
            coefficients = ops.rsqrt(ops.matmul(ops.square(styles), squared_norms) + 1e-8)
            outputs = outputs * ops.cast(coefficients, outputs.dtype)[:, None, None, :]
        if self.use_noise:
            if noise is None:
                shape = ops.shape(outputs)
                noise = keras.random.normal(
                    (shape[0], shape[1], shape[2], 1), dtype=outputs.dtype, seed=self.seed_generator
                )
            outputs = outputs + ops.cast(noise, outputs.dtype) * self.noise_strength
        outputs = outputs + self.bias
        return activate(outputs, self._activation)

    def compute_output_shape(self, input_shape):
        (batch, height, width, _), _ = _check_inputs(type(self).__name__, input_shape)
        if self.upsample:
            height = None if height is None else height * 2
            width = None if width is None else width * 2
        return (batch, height, width, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "upsample": self.upsample,
            "activation": self.activation,
            "use_noise": self.use_noise,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package="kerasgan")
class ToRGB(ModulatedConv2D):
    """StyleGAN2's ToRGB: a 1x1 modulated convolution, no demodulation, no noise, + bias.

    `call([images, w])` maps `(batch, H, W, in_channels)` and `w` `(batch, w_dim)` to
    `(batch, H, W, channels)`: `conv1x1(images * s, W / sqrt(in_channels)) + bias`,
    with `s = affine(w)` and no activation.

    Args:
        channels: int. Number of image channels (3 for RGB).

    Example:
        >>> layer = ToRGB(3)
        >>> layer([keras.ops.ones((2, 8, 8, 16)), keras.ops.ones((2, 32))]).shape
        (2, 8, 8, 3)

    Reference: Karras et al., "Analyzing and Improving the Image Quality of StyleGAN",
    CVPR 2020; NVlabs/stylegan2-ada-pytorch `ToRGBLayer`.
    """

    def __init__(self, channels, **kwargs):
        super().__init__(
            filters=channels,
            kernel_size=1,
            demodulate=False,
            upsample=False,
            activation=None,
            use_noise=False,
            **kwargs,
        )
        self.channels = int(channels)

    def get_config(self):
        config = keras.layers.Layer.get_config(self)
        return {**config, "channels": self.channels}
