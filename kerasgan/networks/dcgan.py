"""DCGAN networks (Radford et al. 2016) for square images of 28, 32, 64, ... pixels.

Reference: Radford, Metz and Chintala, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks", ICLR 2016.
"""

import keras
from keras import layers

# DCGAN's initialisation: weights ~ N(0, 0.02).
_INIT = keras.initializers.RandomNormal(stddev=0.02)


def _upsampling_plan(image_shape):
    """Start resolution and number of stride-2 stages for a square image side.

    The side is halved while it stays even and above 4: 28 -> 7 (2 stages),
    32 -> 4 (3 stages), 64 -> 4 (4 stages).
    """
    if len(image_shape) != 3 or image_shape[0] != image_shape[1] or image_shape[2] not in (1, 3):
        raise ValueError(
            "DCGAN networks expect image_shape=(size, size, channels) with square images "
            f"and 1 or 3 channels. Received: image_shape={tuple(image_shape)}"
        )
    side, stages = image_shape[0], 0
    while side % 2 == 0 and side > 4:
        side, stages = side // 2, stages + 1
    if stages < 2 or side > 8:
        raise ValueError(
            "DCGAN networks expect a side that halves at least twice down to 4-8 pixels "
            f"(such as 28, 32, 64 or 128). Received: image_shape={tuple(image_shape)}"
        )
    return side, stages


def dcgan_generator(image_shape=(28, 28, 1), latent_dim=100, base_filters=64, name="generator"):
    """DCGAN generator: latents -> images in [-1, 1].

    A dense projection to `(start, start, base_filters * 2^stages)`, then stride-2
    transposed convolutions, each followed by BatchNorm and ReLU and halving the
    filters, and a final stride-2 transposed convolution to `channels` with tanh.

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        latent_dim: int. Size of the latent vector. Defaults to 100.
        base_filters: int. Filters of the last hidden stage. Defaults to 64.
        name: str. Defaults to "generator".
    """
    start, stages = _upsampling_plan(image_shape)
    filters = base_filters * 2 ** (stages - 1)
    latents = keras.Input((latent_dim,), name="latents")
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=_INIT)(latents)
    x = layers.Reshape((start, start, filters))(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
    x = layers.ReLU()(x)
    for _ in range(stages - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_INIT
        )(x)
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        x = layers.ReLU()(x)
    images = layers.Conv2DTranspose(
        image_shape[-1], 4, strides=2, padding="same", activation="tanh", kernel_initializer=_INIT
    )(x)
    return keras.Model(latents, images, name=name)


def dcgan_discriminator(image_shape=(28, 28, 1), base_filters=64, batch_norm=True, name="discriminator"):
    """DCGAN discriminator: images -> one logit per image.

    Stride-2 convolutions with LeakyReLU(0.2), doubling the filters; BatchNorm on
    every stage but the input one (Radford et al.); a dense layer to one logit.

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        base_filters: int. Filters of the first stage. Defaults to 64.
        batch_norm: bool. False for critics that need per-sample gradients
            (gradient penalty). Defaults to True.
        name: str. Defaults to "discriminator".
    """
    _, stages = _upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    x = images
    filters = base_filters
    for stage in range(stages):
        x = layers.Conv2D(filters, 4, strides=2, padding="same", kernel_initializer=_INIT)(x)
        if batch_norm and stage > 0:
            x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        x = layers.LeakyReLU(0.2)(x)
        filters *= 2
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=_INIT)(x)
    return keras.Model(images, layers.Reshape(())(logits), name=name)
