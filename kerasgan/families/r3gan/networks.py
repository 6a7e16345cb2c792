"""R3GAN's networks (Huang et al. 2024): a simplified ResNet without normalisation.

Both networks are stages of residual blocks at each resolution. A block is an inverted
bottleneck: 1x1 convolution to twice the width, bias and leaky ReLU(0.2), a grouped 3x3
convolution (16 channels per group), bias and leaky ReLU, and a zero-initialised 1x1
back to the width, added to the input: every block starts as the identity (fix-up
initialisation; the first two convolutions are scaled by L^-1/4, L the network's number
of blocks). Nothing else is nonlinear and nothing normalises. Resampling is the [1, 3,
3, 1] low-pass filter (bilinear), with 1x1 convolutions between stages of different
widths, applied at the lower resolution.

As in brownvc/R3GAN (R3GAN/Networks.py): the generator maps a latent to a learned 4x4
(or 5x5 to 7x7) pattern per channel, scaled by a linear function of the latent; its
output is linear (no tanh; clipped to [-1, 1] outside training, for samples). The discriminator mirrors it and ends in a depthwise
convolution over the last resolution and one linear logit.
"""

import math

import keras
from keras import layers

from kerasgan.families.r3gan.layers import ClipAtInference, GenerativeBasis, GroupedConv2D, LeakyReLU, Resample

__all__ = ["r3gan_discriminator", "r3gan_generator"]

# The leaky ReLU's gain, sqrt(2 / (1 + 0.2^2)): He initialisation for leaky ReLU(0.2).
LEAKY_GAIN = math.sqrt(2.0 / (1.0 + 0.2**2))
# Channels per group of the grouped 3x3 convolutions, as in every CIFAR and FFHQ configuration.
GROUP_WIDTH = 16
EXPANSION = 2


def _normal(std):
    # A new initializer per layer, so that each draws its own seed from Keras's global one.
    return keras.initializers.RandomNormal(stddev=std)


def _conv(filters, kernel_size, fan_in, gain, groups=1, use_bias=False, name=None):
    """A 'same' convolution initialised N(0, (gain / sqrt(fan_in))^2), biases at 0."""
    initializer = "zeros" if gain == 0 else _normal(gain / math.sqrt(fan_in))
    return GroupedConv2D(
        filters, kernel_size, padding="same", groups=groups, use_bias=use_bias, kernel_initializer=initializer, name=name
    )


def base_side(side):
    """The side of the first (generator) or last (discriminator) stage: `side` halved
    while it stays at least 4 (28 -> 7, 32 -> 4, 48 -> 6); None if `side` has no such
    base below itself."""
    base = side
    while base % 2 == 0 and base // 2 >= 4:
        base //= 2
    return base if base < side else None


def supports_size(side):
    return side >= 8 and base_side(side) is not None and base_side(side) <= 7


def stage_widths(image_shape, base_width, max_width):
    """The width of each stage from the lowest resolution up: `base_width` at the image's
    resolution, doubled at each halving, at most `max_width`."""
    side = image_shape[0]
    if len(image_shape) != 3 or image_shape[1] != side or not supports_size(side):
        raise ValueError(
            "Expected a square image shape (side, side, channels) whose side halves to 4-7 px "
            f"(8, 12, 14, 16, 20, 24, 28, 32, 48, 56, 64, ...). Received: image_shape={tuple(image_shape)}"
        )
    num_stages = int(round(math.log2(side / base_side(side)))) + 1
    widths = [min(max_width, base_width * 2**level) for level in range(num_stages)]
    if any(width % GROUP_WIDTH for width in widths):
        raise ValueError(f"Expected widths that are multiples of {GROUP_WIDTH}. Received: widths {widths[::-1]} (low to high resolution)")
    return widths[::-1]


def _residual_block(x, width, num_blocks, name):
    """x + (1x1 -> bias, lrelu -> grouped 3x3 -> bias, lrelu -> zero-init 1x1)(x)."""
    expanded = width * EXPANSION
    gain = LEAKY_GAIN * num_blocks ** -0.25
    branch = _conv(expanded, 1, width, gain, use_bias=True, name=f"{name}_expand")(x)
    branch = LeakyReLU()(branch)
    branch = _conv(expanded, 3, GROUP_WIDTH * 9, gain, groups=expanded // GROUP_WIDTH, use_bias=True, name=f"{name}_grouped")(branch)
    branch = LeakyReLU()(branch)
    branch = _conv(width, 1, expanded, 0, name=f"{name}_project")(branch)
    return layers.Add(name=f"{name}_add")([x, branch])


def r3gan_generator(image_shape=(32, 32, 3), latent_dim=64, base_width=16, max_width=64, blocks_per_stage=1, name="generator"):
    """R3GAN's generator: latents -> images (a linear output, trained toward [-1, 1], and
    clipped to it outside training).

    Args:
        image_shape: tuple. `(side, side, channels)`, `side` halving to 4-7 px
            (28 -> 7, 32 -> 4). Defaults to (32, 32, 3).
        latent_dim: int. Defaults to 64 (the paper's).
        base_width: int. Channels of the highest-resolution stage, doubled at each
            lower one up to `max_width`; multiples of 16. Defaults to 16.
        max_width: int. Defaults to 64. The paper's CIFAR-10 network: 768 and 768.
        blocks_per_stage: int. Defaults to 1 (the paper's: 2).
        name: str. Defaults to "generator".
    """
    widths = stage_widths(image_shape, base_width, max_width)
    num_blocks = blocks_per_stage * len(widths)
    latents = keras.Input((latent_dim,), name="latents")
    x = GenerativeBasis(widths[0], size=base_side(image_shape[0]), basis_initializer=_normal(1.0),
                        kernel_initializer=_normal(1.0 / math.sqrt(latent_dim)), name="basis")(latents)
    for stage, width in enumerate(widths):
        if stage:
            if width != widths[stage - 1]:  # the transition at the lower resolution
                x = _conv(width, 1, widths[stage - 1], 1.0, name=f"stage{stage}_transition")(x)
            x = Resample("up", name=f"stage{stage}_up")(x)
        for block in range(blocks_per_stage):
            x = _residual_block(x, width, num_blocks, name=f"stage{stage}_block{block}")
    images = _conv(image_shape[-1], 1, widths[-1], 1.0, name="to_image")(x)
    return keras.Model(latents, ClipAtInference(name="clip")(images), name=name)


def r3gan_discriminator(image_shape=(32, 32, 3), base_width=16, max_width=64, blocks_per_stage=1, name="discriminator"):
    """R3GAN's discriminator: images -> one logit each, the generator's mirror.

    Args:
        image_shape: tuple. As `r3gan_generator`. Defaults to (32, 32, 3).
        base_width: int. Defaults to 16.
        max_width: int. Defaults to 64.
        blocks_per_stage: int. Defaults to 1.
        name: str. Defaults to "discriminator".
    """
    widths = stage_widths(image_shape, base_width, max_width)[::-1]  # high to low resolution
    num_blocks = blocks_per_stage * len(widths)
    images = keras.Input(image_shape, name="images")
    x = _conv(widths[0], 1, image_shape[-1], 1.0, name="from_image")(images)
    for stage, width in enumerate(widths):
        for block in range(blocks_per_stage):
            x = _residual_block(x, width, num_blocks, name=f"stage{stage}_block{block}")
        if stage + 1 < len(widths):
            x = Resample("down", name=f"stage{stage}_down")(x)
            if widths[stage + 1] != width:
                x = _conv(widths[stage + 1], 1, width, 1.0, name=f"stage{stage}_transition")(x)
    side = base_side(image_shape[0])
    # The discriminative basis: one side x side filter per channel, then a linear logit.
    x = layers.DepthwiseConv2D(side, padding="valid", use_bias=False, depthwise_initializer=_normal(1.0 / side), name="basis")(x)
    x = layers.Flatten()(x)
    logits = layers.Dense(1, use_bias=False, kernel_initializer=_normal(1.0 / math.sqrt(widths[-1])), name="logit")(x)
    return keras.Model(images, logits, name=name)
