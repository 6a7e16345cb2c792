"""Image-to-image networks: the U-Net and ResNet generators and the PatchGAN
discriminator of Pix2Pix (Isola et al. 2017) and CycleGAN (Zhu et al. 2017).

All take and return images in [-1, 1] (tanh outputs); the discriminators return a map
of logits, one per patch.
"""

import math
import random

import keras
from keras import layers

from kerasgan.layers import ReflectionPadding2D

# What kerasgan.networks gathers from this family (kerasgan.families.public).
__all__ = ["patchgan_discriminator", "resnet_generator", "unet_generator"]

NORMALIZATIONS = ("batch", "instance", None)


def _init():
    # Pix2Pix / CycleGAN initialisation: weights ~ N(0, 0.02); a new initializer per
    # layer, so keras.utils.set_random_seed makes the weights reproducible.
    return keras.initializers.RandomNormal(stddev=0.02)


def _normalization(kind, affine=True):
    if kind == "batch":
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5)
    if kind == "instance":
        # One group per channel: instance normalisation; the reference code's has no
        # learned scale and offset (affine=False).
        return layers.GroupNormalization(groups=-1, epsilon=1e-5, center=affine, scale=affine)
    return None


def _check(image_shape, normalization, multiple):
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"Expected normalization in {NORMALIZATIONS}. Received: normalization={normalization!r}")
    if len(image_shape) != 3 or image_shape[-1] not in (1, 3):
        raise ValueError(
            "Expected image_shape=(height, width, channels) with 1 or 3 channels. "
            f"Received: image_shape={tuple(image_shape)}"
        )
    if image_shape[0] % multiple or image_shape[1] % multiple:
        raise ValueError(
            f"Expected a height and width divisible by {multiple} (the network halves them "
            f"{int(math.log2(multiple))} times). Received: image_shape={tuple(image_shape)}"
        )


def unet_depth(image_shape):
    """Downsamplings of the default U-Net: halve while the side stays even, down to 1 px
    (64 -> 6, 32 -> 5, 28 -> 2)."""
    side, depth = min(image_shape[:2]), 0
    while side % 2 == 0 and side > 1:
        side, depth = side // 2, depth + 1
    return depth


def _apply(layer, x):
    return x if layer is None else layer(x)


def unet_generator(
    image_shape=(64, 64, 3),
    output_channels=None,
    base_filters=64,
    depth=None,
    normalization="batch",
    dropout=0.5,
    name="generator",
):
    """U-Net generator (Isola et al. 2017): images -> images with skip connections.

    The encoder halves the image `depth` times with 4x4 stride-2 convolutions,
    normalisation (none on the first and innermost stages) and LeakyReLU(0.2),
    doubling the filters up to 8x `base_filters`; the decoder mirrors it with 4x4
    stride-2 transposed convolutions, normalisation and ReLU, joining each encoder
    stage's features (the skips), with dropout on the three innermost decoder stages
    (Pix2Pix's noise; off at inference here, so `translate` is deterministic), and a
    tanh output.

    Args:
        image_shape: tuple. `(height, width, channels)` of the inputs. Defaults to
            (64, 64, 3).
        output_channels: int or None. Defaults to the input's channels.
        base_filters: int. Filters of the first stage. Defaults to 64.
        depth: int or None. Downsamplings; the side must be divisible by 2^depth.
            Defaults to `unet_depth(image_shape)` (down to a 1x1 bottleneck).
        normalization: "batch", "instance" or None. Defaults to "batch".
        dropout: float. Dropout rate of the innermost decoder stages. Defaults to 0.5.
        name: str. Defaults to "generator".

    Reference:
        Isola et al. 2017, "Image-to-Image Translation with Conditional Adversarial
        Networks"; Ronneberger et al. 2015, "U-Net".
    """
    depth = unet_depth(image_shape) if depth is None else int(depth)
    _check(image_shape, normalization, 2**depth)
    inputs = keras.Input(tuple(image_shape), name="images")
    x, skips = inputs, []
    for stage in range(depth):
        filters = base_filters * min(2**stage, 8)
        x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init())(x)
        # No normalisation on the input stage, nor on a 1x1 bottleneck (it would zero it).
        innermost_1px = stage == depth - 1 and x.shape[1] == 1
        if 0 < stage and not innermost_1px:
            x = _apply(_normalization(normalization), x)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for stage in reversed(range(depth - 1)):
        filters = base_filters * min(2**stage, 8)
        x = layers.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init())(x)
        x = _apply(_normalization(normalization), x)
        if dropout and stage >= depth - 4:
            # A seeded layer (from the global seed) keeps its random state in the model's
            # saved state; an unseeded one draws from torch's global RNG on that backend.
            x = layers.Dropout(dropout, seed=random.randint(0, 2**31 - 1))(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skips[stage]])
    channels = output_channels or image_shape[-1]
    outputs = layers.Conv2DTranspose(
        channels, 4, strides=2, padding="same", activation="tanh", kernel_initializer=_init()
    )(x)
    return keras.Model(inputs, outputs, name=name)


def resnet_generator(
    image_shape=(64, 64, 3),
    output_channels=None,
    base_filters=64,
    num_blocks=6,
    normalization="instance",
    name="generator",
    affine=True,
):
    """ResNet generator (Johnson et al. 2016, as CycleGAN uses it): images -> images.

    A 7x7 convolution, two stride-2 downsamplings (2x and 4x `base_filters`),
    `num_blocks` residual blocks of two 3x3 convolutions, two stride-2 upsamplings and
    a 7x7 convolution with tanh; reflection padding, normalisation and ReLU throughout.

    Args:
        image_shape: tuple. `(height, width, channels)`, sides divisible by 4.
            Defaults to (64, 64, 3).
        output_channels: int or None. Defaults to the input's channels.
        base_filters: int. Defaults to 64.
        num_blocks: int. Residual blocks (CycleGAN: 6 at 128 px, 9 at 256 px).
            Defaults to 6.
        normalization: "instance", "batch" or None. Defaults to "instance".
        name: str. Defaults to "generator".
        affine: bool. Whether instance normalisation learns a scale and offset (the
            reference code's does not: False). Defaults to True.

    Reference:
        Zhu et al. 2017, "Unpaired Image-to-Image Translation using Cycle-Consistent
        Adversarial Networks"; Johnson, Alahi and Fei-Fei 2016.
    """
    _check(image_shape, normalization, 4)

    def conv(x, filters, kernel, strides=1, relu=True):
        if strides == 1 and kernel > 1:
            x = ReflectionPadding2D(kernel // 2)(x)
        x = layers.Conv2D(
            filters, kernel, strides=strides, padding="valid" if strides == 1 else "same",
            use_bias=normalization != "batch", kernel_initializer=_init(),
        )(x)
        x = _apply(_normalization(normalization, affine), x)
        return layers.ReLU()(x) if relu else x

    inputs = keras.Input(tuple(image_shape), name="images")
    x = conv(inputs, base_filters, 7)
    x = conv(x, base_filters * 2, 3, strides=2)
    x = conv(x, base_filters * 4, 3, strides=2)
    for _ in range(num_blocks):
        x = layers.Add()([x, conv(conv(x, base_filters * 4, 3), base_filters * 4, 3, relu=False)])
    for filters in (base_filters * 2, base_filters):
        x = layers.Conv2DTranspose(
            filters, 3, strides=2, padding="same", use_bias=normalization != "batch", kernel_initializer=_init()
        )(x)
        x = _apply(_normalization(normalization, affine), x)
        x = layers.ReLU()(x)
    x = ReflectionPadding2D(3)(x)
    outputs = layers.Conv2D(
        output_channels or image_shape[-1], 7, activation="tanh", kernel_initializer=_init()
    )(x)
    return keras.Model(inputs, outputs, name=name)


def patchgan_depth(image_shape):
    """Stride-2 layers of the default PatchGAN: 3 (70x70 patches) from 64 px up, else 2
    (34x34 patches), so that patches stay smaller than the image."""
    return 3 if min(image_shape[:2]) >= 64 else 2


def patchgan_discriminator(
    image_shape=(64, 64, 3),
    condition_shape=None,
    base_filters=64,
    num_layers=None,
    normalization="batch",
    name="discriminator",
    affine=True,
):
    """PatchGAN discriminator (Isola et al. 2017): one logit per overlapping patch.

    `num_layers` 4x4 stride-2 convolutions (no normalisation on the first), then a 4x4
    stride-1 convolution and a 4x4 stride-1 convolution to one channel, each with
    LeakyReLU(0.2): each output judges one receptive field (70x70 pixels with 3
    layers, 34x34 with 2). With `condition_shape` (Pix2Pix), the model takes
    `[condition, images]` and judges the pair, joined on the channel axis.

    Args:
        image_shape: tuple. Shape of the judged images. Defaults to (64, 64, 3).
        condition_shape: tuple or None. Shape of the conditioning input (Pix2Pix's
            source image), same height and width. Defaults to None (CycleGAN).
        base_filters: int. Defaults to 64.
        num_layers: int or None. Defaults to `patchgan_depth(image_shape)`.
        normalization: "batch", "instance" or None. Defaults to "batch".
        name: str. Defaults to "discriminator".
        affine: bool. Whether instance normalisation learns a scale and offset (the
            reference code's does not: False). Defaults to True.
    """
    num_layers = patchgan_depth(image_shape) if num_layers is None else int(num_layers)
    _check(image_shape, normalization, 2**num_layers)
    images = keras.Input(tuple(image_shape), name="images")
    inputs, x = images, images
    if condition_shape is not None:
        if tuple(condition_shape[:2]) != tuple(image_shape[:2]):
            raise ValueError(
                "Expected the condition and the judged images to share height and width. "
                f"Received: condition_shape={tuple(condition_shape)}, image_shape={tuple(image_shape)}"
            )
        condition = keras.Input(tuple(condition_shape), name="condition")
        inputs, x = [condition, images], layers.Concatenate()([condition, images])
    for stage in range(num_layers + 1):
        filters = base_filters * min(2**stage, 8)
        # A bias before batch normalisation is cancelled by it (the reference has none).
        use_bias = stage == 0 or normalization != "batch"
        if stage < num_layers:
            x = layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=use_bias, kernel_initializer=_init())(x)
        else:
            x = layers.ZeroPadding2D(1)(x)
            x = layers.Conv2D(filters, 4, use_bias=use_bias, kernel_initializer=_init())(x)
        if stage > 0:
            x = _apply(_normalization(normalization, affine), x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.ZeroPadding2D(1)(x)
    logits = layers.Conv2D(1, 4, kernel_initializer=_init())(x)
    return keras.Model(inputs, logits, name=name)
