"""The classic fully connected GAN networks (Goodfellow et al. 2014)."""

import math

import keras
from keras import layers

from kerasgan.layers import MinibatchDiscrimination, MinibatchStdDev

# What kerasgan.networks gathers from this family (kerasgan.families.public).
__all__ = ["mlp_discriminator", "mlp_generator"]

MINIBATCH = (None, "stddev", "discrimination")


def mlp_generator(image_shape=(28, 28, 1), latent_dim=100, hidden_units=(256, 512), batch_norm=False, name="generator"):
    """Fully connected generator: Dense (+ BatchNorm) + LeakyReLU(0.2) stages, tanh output.

    Args:
        image_shape: tuple. Shape of one image. Defaults to (28, 28, 1).
        latent_dim: int. Size of the latent vector. Defaults to 100.
        hidden_units: tuple of ints. Width of each hidden layer. Defaults to (256, 512).
        batch_norm: bool. Batch normalisation after each hidden Dense but the first.
            Defaults to False.
        name: str. Defaults to "generator".
    """
    latents = keras.Input((latent_dim,), name="latents")
    x = latents
    for index, units in enumerate(hidden_units):
        x = layers.Dense(units, use_bias=not (batch_norm and index > 0))(x)
        if batch_norm and index > 0:
            x = layers.BatchNormalization(momentum=0.8)(x)
        x = layers.LeakyReLU(0.2)(x)
    x = layers.Dense(math.prod(image_shape), activation="tanh")(x)
    return keras.Model(latents, layers.Reshape(tuple(image_shape))(x), name=name)


def mlp_discriminator(image_shape=(28, 28, 1), hidden_units=(512, 256), minibatch=None, name="discriminator"):
    """Fully connected discriminator: Dense + LeakyReLU(0.2) stages, one logit.

    Args:
        image_shape: tuple. Shape of one image. Defaults to (28, 28, 1).
        hidden_units: tuple of ints. Width of each hidden layer. Defaults to (512, 256).
        minibatch: None, "stddev" or "discrimination". Lets the discriminator compare
            the samples of a batch against mode collapse, on the last hidden features,
            before the output layer: "stddev" appends their group standard deviation
            (`kerasgan.layers.MinibatchStdDev`, group size 4, so the batch must be a
            multiple of 4 or smaller than 4; Karras et al. 2018); "discrimination"
            appends `kerasgan.layers.MinibatchDiscrimination` (50 kernels of 5;
            Salimans et al. 2016). Defaults to None.
        name: str. Defaults to "discriminator".
    """
    if minibatch not in MINIBATCH:
        raise ValueError(f"Expected minibatch in {MINIBATCH}. Received: minibatch={minibatch!r}")
    images = keras.Input(tuple(image_shape), name="images")
    x = layers.Flatten()(images)
    for units in hidden_units:
        x = layers.Dense(units)(x)
        x = layers.LeakyReLU(0.2)(x)
    if minibatch == "stddev":
        x = MinibatchStdDev(name="minibatch_stddev")(x)
    elif minibatch == "discrimination":
        x = MinibatchDiscrimination(name="minibatch_discrimination")(x)
    logits = layers.Dense(1)(x)
    return keras.Model(images, layers.Reshape(())(logits), name=name)
