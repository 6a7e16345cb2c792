"""The toy GAN of the distribution scripts, whose data-parallel update must equal one device's.

The generator ignores its latents (a learned constant image), so every run sees the
same fakes whatever random numbers it draws, and SGD makes the update linear in the
gradient. Import it after the script has configured its backend and devices.
"""

import keras
import numpy as np
from keras import layers, ops

from kerasgan import GAN

IMAGE_SHAPE = (4, 4, 1)
GLOBAL_BATCH = 8


def build_gan():
    keras.utils.set_random_seed(1)
    latents = keras.Input((3,))
    constant = layers.Lambda(lambda z: ops.zeros_like(z[:, :1]))(latents)
    pixels = layers.Dense(16, activation="tanh", bias_initializer="random_normal")(constant)
    generator = keras.Model(latents, layers.Reshape(IMAGE_SHAPE)(pixels))
    images = keras.Input(IMAGE_SHAPE)
    logits = layers.Dense(1)(layers.Flatten()(images))
    discriminator = keras.Model(images, layers.Reshape(())(logits))
    gan = GAN(generator, discriminator, latent_dim=3, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5))
    return gan


def real_images():
    """The global batch: 8 images uniform in [-1, 1]."""
    return np.random.default_rng(0).uniform(-1, 1, (GLOBAL_BATCH, *IMAGE_SHAPE)).astype("float32")


def update(before, after):
    """The change of each variable, as JSON-ready lists."""
    return [(a - b).ravel().tolist() for a, b in zip(after, before)]
