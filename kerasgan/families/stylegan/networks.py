"""StyleGAN2 networks at small resolution (Karras et al. 2020), as plain Keras models.

- `mapping_network`: normalised latents z -> intermediate latents w (fully connected,
  learning rate x 0.01).
- `synthesis_network`: `(batch, num_ws, w_dim)` styles -> images, from a learned 4x4
  constant through modulated, demodulated 3x3 convolutions with per-pixel noise; the
  "skip" output architecture (each resolution adds its RGB to the upsampled sum).
- `style_discriminator`: residual discriminator with minibatch standard deviation.

Every layer uses equalised learning rates (`kerasgan.layers`). Widths follow
`channels(resolution) = min(channel_base // resolution, channel_max)`.
"""

import math
import weakref
import zlib

import keras
import numpy as np
from keras import layers, ops

from kerasgan.layers import (
    EqualizedConv2D,
    EqualizedDense,
    MinibatchStdDev,
    ModulatedConv2D,
    ToRGB,
)
from kerasgan.layers.modulated import standardised_noise, upsample_2x

# What kerasgan.networks gathers from this family (kerasgan.families.public).
__all__ = ["mapping_network", "num_styles", "style_discriminator", "synthesis_network"]


@keras.saving.register_keras_serializable(package="kerasgan")
class NormalizeSecondMoment(layers.Layer):
    """Scales each vector to unit mean square: `z / sqrt(mean(z^2) + 1e-8)` (StyleGAN's
    normalisation of the latents before the mapping network)."""

    def call(self, inputs):
        return inputs * ops.rsqrt(ops.mean(ops.square(inputs), axis=-1, keepdims=True) + 1e-8)


@keras.saving.register_keras_serializable(package="kerasgan")
class ConstantInput(layers.Layer):
    """A learned `(size, size, channels)` tensor, repeated for every sample of the batch
    of its input (the styles), the synthesis network's starting point."""

    def __init__(self, channels, size=4, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels
        self.size = size
        # Unit variance, as StyleGAN2's torch.randn: the synthesis network is linear in
        # it, so Keras's default std of 0.05 started every output near zero.
        self.constant = self.add_weight(
            shape=(1, size, size, channels), initializer=keras.initializers.RandomNormal(stddev=1.0), name="constant"
        )

    def call(self, styles):
        batch = ops.shape(styles)[0]
        return ops.broadcast_to(ops.cast(self.constant, self.compute_dtype), (batch, self.size, self.size, self.channels))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.channels)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "size": self.size}


def _check_resolution(image_shape):
    if len(image_shape) != 3 or image_shape[0] != image_shape[1] or image_shape[-1] not in (1, 3):
        raise ValueError(f"Expected image_shape (size, size, 1 or 3). Received: image_shape={tuple(image_shape)}")
    size = image_shape[0]
    if size < 8 or size & (size - 1):
        raise ValueError(f"Expected a power-of-two image size >= 8. Received: image_shape={tuple(image_shape)}")
    return size


def channels_at(resolution, channel_base, channel_max):
    """The width of the networks at `resolution`."""
    return min(channel_base // resolution, channel_max)


def num_styles(image_shape):
    """How many w vectors the synthesis network takes: one per convolution, plus one for
    the last RGB output (2 per resolution from 4 px)."""
    return 2 * int(math.log2(_check_resolution(image_shape) // 2))


def mapping_network(latent_dim=128, w_dim=128, num_layers=4, lr_multiplier=0.01, name="mapping"):
    """The mapping network: `(batch, latent_dim)` latents -> `(batch, w_dim)` w.

    Args:
        latent_dim: int. Defaults to 128.
        w_dim: int. Defaults to 128.
        num_layers: int. Fully connected layers with leaky ReLU. Defaults to 4
            (StyleGAN2 uses 8 at 1024 px; 2 suffice at small sizes, per StyleGAN2-ADA's
            CIFAR setting).
        lr_multiplier: float. Learning-rate multiplier of the mapping layers.
            Defaults to 0.01.
    """
    latents = keras.Input((latent_dim,), name="latents")
    w = NormalizeSecondMoment(name="normalize")(latents)
    for index in range(num_layers):
        w = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, activation="lrelu", name=f"dense_{index}")(w)
    return keras.Model(latents, w, name=name)


def synthesis_network(image_shape=(32, 32, 3), w_dim=128, channel_base=2048, channel_max=128, name="synthesis"):
    """The synthesis network: styles `(batch, num_styles(image_shape), w_dim)` -> images.

    A learned 4x4 constant; at each resolution from 8 px, a modulated convolution after
    2x bilinear upsampling and a second one, each with per-pixel noise; every resolution
    adds its `ToRGB` output to the upsampled running image ("skip" architecture). Style
    `i` drives the i-th convolution; each `ToRGB` shares the style of the convolution
    after it, and the last has its own. Outputs are linear (not tanh), as in StyleGAN2;
    training images are in [-1, 1].

    Args:
        image_shape: tuple. `(size, size, 1 or 3)`, size a power of two >= 8.
            Defaults to (32, 32, 3).
        w_dim: int. Defaults to 128.
        channel_base: int. Defaults to 2048.
        channel_max: int. Defaults to 128.
    """
    size = _check_resolution(image_shape)
    styles = keras.Input((num_styles(image_shape), w_dim), name="styles")
    style = 0

    def w_at(index):
        return styles[:, index]

    x = ConstantInput(channels_at(4, channel_base, channel_max), name="constant")(styles)
    x = ModulatedConv2D(channels_at(4, channel_base, channel_max), name="conv_4")([x, w_at(style)])
    style += 1
    image = ToRGB(image_shape[-1], name="to_rgb_4")([x, w_at(style)])
    resolution = 4
    while resolution < size:
        resolution *= 2
        filters = channels_at(resolution, channel_base, channel_max)
        x = ModulatedConv2D(filters, upsample=True, name=f"conv_up_{resolution}")([x, w_at(style)])
        x = ModulatedConv2D(filters, name=f"conv_{resolution}")([x, w_at(style + 1)])
        style += 2
        image = layers.UpSampling2D(interpolation="bilinear", name=f"upsample_rgb_{resolution}")(image)
        image = layers.Add(name=f"add_rgb_{resolution}")([image, ToRGB(image_shape[-1], name=f"to_rgb_{resolution}")([x, w_at(style)])])
    return keras.Model(styles, image, name=name)


# The per-pixel noise when sampling (stylegan2-ada-pytorch's `noise_mode`): "random",
# new noise every call, as in training; "const", one fixed map per layer, so that a
# latent always gives the same image (what an export serves); "none", no noise.
NOISE_MODES = ("random", "const", "none")


class _Upsample2x(layers.Layer):
    """`UpSampling2D(interpolation="bilinear")` as `upsample_2x` computes it."""

    def call(self, images):
        return upsample_2x(images)

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        return (batch, 2 * height, 2 * width, channels)


class _FixedNoise(layers.Layer):
    """A `ModulatedConv2D` run with a fixed noise map: the same layer, so the same weights.
    The map is `noise`, or, with `source`, `source.maps[name]` at each call (projection's
    variables), standardised per image as StyleGAN2's projector renormalises its maps."""

    def __init__(self, conv, noise=None, source=None, **kwargs):
        super().__init__(name=f"{conv.name}_fixed_noise", **kwargs)
        self.conv = conv
        self.noise = noise
        self.source = source

    def call(self, inputs):
        noise = self.noise if self.source is None else standardised_noise(self.source.maps[self.conv.name])
        return self.conv(inputs, noise=noise)

    def compute_output_shape(self, input_shape):
        return self.conv.compute_output_shape(input_shape)


class _NoiseMaps:
    """The maps a `with_noise_maps` network reads at each call, set by its caller."""

    def __init__(self):
        self.maps = {}


def noise_shapes(synthesis):
    """`{layer name: (height, width)}` of the synthesis layers that add noise, in order."""
    return {
        layer.name: layer.noise_size
        for layer in synthesis.layers
        if isinstance(layer, ModulatedConv2D) and layer.use_noise
    }


# One clone per synthesis network and noise mode: a clone calls the shared layers again,
# which adds nodes to them, so a clone per call would grow without bound.
_CLONES = weakref.WeakKeyDictionary()


def _with_fixed_noise(synthesis, key, noise_for):
    def fixed(layer):
        if isinstance(layer, layers.UpSampling2D) and layer.interpolation == "bilinear" and tuple(layer.size) == (2, 2):
            return _Upsample2x(name=layer.name)
        if not (isinstance(layer, ModulatedConv2D) and layer.use_noise):
            return layer  # itself: the clone shares every weight
        return noise_for(layer)

    clones = _CLONES.setdefault(synthesis, {})
    if key not in clones:
        clones[key] = keras.models.clone_model(synthesis, clone_function=fixed)
    return clones[key]


def with_noise(synthesis, noise_mode):
    """`synthesis` with the per-pixel noise of `noise_mode` (`NOISE_MODES`), sharing its
    weights. The "const" maps are N(0, 1) draws seeded by each layer's name: the same in
    every process, backend and export. Its RGB upsampling is `upsample_2x`, the same
    numbers in a form every ONNX exporter takes."""
    if noise_mode not in NOISE_MODES:
        raise ValueError(f"Expected noise_mode in {NOISE_MODES}. Received: noise_mode={noise_mode!r}")
    if noise_mode == "random":
        return synthesis

    def fixed(layer):
        if noise_mode == "none":
            return _FixedNoise(layer, 0.0)
        rng = np.random.default_rng(zlib.crc32(layer.name.encode()))
        return _FixedNoise(layer, rng.standard_normal((*layer.noise_size, 1)).astype("float32"))

    return _with_fixed_noise(synthesis, noise_mode, fixed)


def with_noise_maps(synthesis, maps):
    """`synthesis` sharing its weights, with noise from `maps` ({layer name: `(batch, H,
    W, 1)` tensor or variable}, `noise_shapes`), each standardised per image. The network
    is made once per `synthesis`: each call points it at new maps, which it reads when
    it runs (or is traced)."""
    source = _NOISE_SOURCES.setdefault(synthesis, _NoiseMaps())
    network = _with_fixed_noise(synthesis, "maps", lambda layer: _FixedNoise(layer, source=source))
    source.maps = dict(maps)
    return network


_NOISE_SOURCES = weakref.WeakKeyDictionary()


def style_discriminator(image_shape=(32, 32, 3), channel_base=2048, channel_max=128, mbstd_group_size=4, name="discriminator"):
    """StyleGAN2's residual discriminator: images -> one logit each.

    `FromRGB` (1x1), then per resolution down to 8 px a residual block (two 3x3
    convolutions, 2x average-pool downsampling, a 1x1 shortcut, the sum scaled by
    sqrt(0.5)); at 4 px, minibatch standard deviation, a 3x3 convolution and two fully
    connected layers. Equalised learning rates, leaky ReLU (gain sqrt(2)).

    Args:
        image_shape: tuple. Defaults to (32, 32, 3).
        channel_base: int. Defaults to 2048.
        channel_max: int. Defaults to 128.
        mbstd_group_size: int. Group size of the minibatch standard deviation; the batch
            size must be a multiple of it (or smaller). Defaults to 4.
    """
    size = _check_resolution(image_shape)
    images = keras.Input(image_shape, name="images")
    x = EqualizedConv2D(channels_at(size, channel_base, channel_max), 1, activation="lrelu", name="from_rgb")(images)
    resolution = size
    while resolution > 4:
        filters = channels_at(resolution // 2, channel_base, channel_max)
        shortcut = layers.AveragePooling2D(2, name=f"pool_skip_{resolution}")(x)
        shortcut = EqualizedConv2D(filters, 1, use_bias=False, name=f"skip_{resolution}")(shortcut)
        x = EqualizedConv2D(channels_at(resolution, channel_base, channel_max), 3, activation="lrelu", name=f"conv0_{resolution}")(x)
        x = layers.AveragePooling2D(2, name=f"pool_{resolution}")(x)
        x = EqualizedConv2D(filters, 3, activation="lrelu", name=f"conv1_{resolution}")(x)
        x = layers.Add(name=f"add_{resolution}")([shortcut, x])
        x = layers.Rescaling(math.sqrt(0.5), name=f"scale_{resolution}")(x)
        resolution //= 2
    x = MinibatchStdDev(group_size=mbstd_group_size, name="minibatch_std")(x)
    x = EqualizedConv2D(channels_at(4, channel_base, channel_max), 3, activation="lrelu", name="conv_4")(x)
    x = layers.Flatten(name="flatten")(x)
    x = EqualizedDense(channels_at(4, channel_base, channel_max), activation="lrelu", name="dense_4")(x)
    logits = EqualizedDense(1, name="logits")(x)
    return keras.Model(images, logits, name=name)
