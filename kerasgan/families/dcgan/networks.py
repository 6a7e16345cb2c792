"""DCGAN networks (Radford et al. 2016) for square images of 28, 32, 64, ... pixels,
with optional class conditioning (Mirza and Osindero 2014; projection discriminator,
Miyato and Koyama 2018; auxiliary classifier, Odena et al. 2017).

Reference: Radford, Metz and Chintala, "Unsupervised Representation Learning with
Deep Convolutional Generative Adversarial Networks", ICLR 2016.
"""

import keras
from keras import layers

from kerasgan.layers import (
    MinibatchDiscrimination,
    MinibatchStdDev,
    SpectralConv2D,
    SpectralDense,
)

# What kerasgan.networks gathers from this family (kerasgan.families.public).
__all__ = ["acgan_discriminator", "dcgan_discriminator", "dcgan_generator"]


def _init():
    # DCGAN's initialisation: weights ~ N(0, 0.02). A new initializer per layer: one
    # shared object would be seeded once, at import, and give same-shaped layers equal
    # weights; a new one draws its seed from Keras's global seed, so
    # keras.utils.set_random_seed makes the weights reproducible.
    return keras.initializers.RandomNormal(stddev=0.02)

NORMALIZATIONS = ("batch", "layer", "spectral", None)
MINIBATCH = (None, "stddev", "discrimination")


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


def supports_size(side):
    """Whether DCGAN networks build square images of this side (28, 32, 48, 64, ...)."""
    try:
        _upsampling_plan((side, side, 1))
    except ValueError:
        return False
    return True


def _label_input():
    return keras.Input((), dtype="int32", name="labels")


def dcgan_generator(
    image_shape=(28, 28, 1),
    latent_dim=100,
    base_filters=64,
    num_classes=None,
    embedding_dim=50,
    name="generator",
):
    """DCGAN generator: latents (and labels) -> images in [-1, 1].

    A dense projection to `(start, start, base_filters * 2^stages)`, then stride-2
    transposed convolutions, each followed by BatchNorm and ReLU and halving the
    filters, and a final stride-2 transposed convolution to `channels` with tanh.
    With `num_classes`, the model takes `[latents, labels]` and joins a learned
    label embedding to the latents.

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        latent_dim: int. Size of the latent vector. Defaults to 100.
        base_filters: int. Filters of the last hidden stage. Defaults to 64.
        num_classes: int or None. Conditions on int labels in [0, num_classes).
            Defaults to None.
        embedding_dim: int. Size of the label embedding. Defaults to 50.
        name: str. Defaults to "generator".
    """
    start, stages = _upsampling_plan(image_shape)
    filters = base_filters * 2 ** (stages - 1)
    latents = keras.Input((latent_dim,), name="latents")
    inputs, x = latents, latents
    if num_classes:
        labels = _label_input()
        embedded = layers.Embedding(num_classes, embedding_dim)(labels)
        inputs, x = [latents, labels], layers.Concatenate()([latents, embedded])
    x = layers.Dense(start * start * filters, use_bias=False, kernel_initializer=_init())(x)
    x = layers.Reshape((start, start, filters))(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
    x = layers.ReLU()(x)
    for _ in range(stages - 1):
        filters //= 2
        x = layers.Conv2DTranspose(
            filters, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init()
        )(x)
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        x = layers.ReLU()(x)
    images = layers.Conv2DTranspose(
        image_shape[-1], 4, strides=2, padding="same", activation="tanh", kernel_initializer=_init()
    )(x)
    return keras.Model(inputs, images, name=name)


def _discriminator_features(images, stages, base_filters, normalization, minibatch=None):
    """Strided convolutions with LeakyReLU(0.2); returns the flattened features."""
    if normalization not in NORMALIZATIONS:
        raise ValueError(
            f"Expected normalization in {NORMALIZATIONS}. Received: normalization={normalization!r}"
        )
    if minibatch not in MINIBATCH:
        raise ValueError(f"Expected minibatch in {MINIBATCH}. Received: minibatch={minibatch!r}")
    x, filters = images, base_filters
    for stage in range(stages):
        conv = SpectralConv2D if normalization == "spectral" else layers.Conv2D
        x = conv(filters, 4, strides=2, padding="same", kernel_initializer=_init())(x)
        # No normalization on the input stage (Radford et al.).
        if stage > 0 and normalization == "batch":
            x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)
        elif stage > 0 and normalization == "layer":
            x = layers.LayerNormalization(axis=[1, 2, 3])(x)
        x = layers.LeakyReLU(0.2)(x)
        filters *= 2
    if minibatch == "stddev":
        x = MinibatchStdDev(name="minibatch_stddev")(x)
    x = layers.Flatten()(x)
    if minibatch == "discrimination":
        x = MinibatchDiscrimination(name="minibatch_discrimination")(x)
    return x


def _dense(units, normalization):
    dense = SpectralDense if normalization == "spectral" else layers.Dense
    return dense(units, kernel_initializer=_init())


def dcgan_discriminator(
    image_shape=(28, 28, 1),
    base_filters=64,
    normalization="batch",
    num_classes=None,
    minibatch=None,
    name="discriminator",
):
    """DCGAN discriminator: images (and labels) -> one output per image.

    Stride-2 convolutions with LeakyReLU(0.2), doubling the filters, and a dense
    layer to one logit. With `num_classes`, the model takes `[images, labels]` and
    adds the projection term `<embed(label), features>` (Miyato and Koyama 2018).

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        base_filters: int. Filters of the first stage. Defaults to 64.
        normalization: "batch" (DCGAN), "layer" (for gradient penalties, which need
            per-sample gradients), "spectral" (SNGAN: every layer spectrally
            normalised, `kerasgan.networks.SpectralConv2D` / `SpectralDense`) or None. Never on the input stage. Defaults to "batch".
        num_classes: int or None. Defaults to None.
        minibatch: None, "stddev" or "discrimination". Lets the discriminator compare
            the samples of a batch against mode collapse: "stddev" appends
            `kerasgan.layers.MinibatchStdDev` (group size 4, so the batch must be a
            multiple of 4 or smaller than 4) to the last stage's feature maps, before
            the flatten (Karras et al. 2018); "discrimination" applies
            `kerasgan.layers.MinibatchDiscrimination` (50 kernels of 5) to the
            flattened features, before the dense layer (Salimans et al. 2016). The
            output of a sample then depends on the rest of its batch. Defaults to None.
        name: str. Defaults to "discriminator".
    """
    _, stages = _upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    features = _discriminator_features(images, stages, base_filters, normalization, minibatch)
    logits = layers.Reshape(())(_dense(1, normalization)(features))
    if not num_classes:
        return keras.Model(images, logits, name=name)
    labels = _label_input()
    embedded = layers.Embedding(num_classes, features.shape[-1], embeddings_initializer=_init())(labels)
    projection = layers.Dot(axes=1)([embedded, features])
    logits = layers.Add()([logits, layers.Reshape(())(projection)])
    return keras.Model([images, labels], logits, name=name)


def acgan_discriminator(
    image_shape=(28, 28, 1),
    num_classes=10,
    base_filters=64,
    normalization="batch",
    name="discriminator",
):
    """Auxiliary-classifier discriminator (Odena et al. 2017): images -> [logit, class logits].

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        num_classes: int. Defaults to 10.
        base_filters: int. Defaults to 64.
        normalization: as in `dcgan_discriminator`. Defaults to "batch".
        name: str. Defaults to "discriminator".
    """
    _, stages = _upsampling_plan(image_shape)
    images = keras.Input(tuple(image_shape), name="images")
    features = _discriminator_features(images, stages, base_filters, normalization)
    logits = layers.Reshape((), name="source")(_dense(1, normalization)(features))
    class_logits = layers.Dense(num_classes, kernel_initializer=_init(), name="classes")(features)
    return keras.Model(images, [logits, class_logits], name=name)
