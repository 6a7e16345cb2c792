"""Small factories shared by the tests (imported as `helpers`; pytest puts tests/ on sys.path)."""

import numpy as np

import kerasgan
from kerasgan.networks import (
    dcgan_discriminator,
    dcgan_generator,
    mlp_discriminator,
    mlp_generator,
)

DCGAN_SHAPE = (16, 16, 1)
MLP_SHAPE = (8, 8, 1)
LATENT_DIM = 8


def tiny_gan(kind="mlp", image_shape=None, latent_dim=LATENT_DIM, batch_norm=True, **kwargs):
    """A tiny, uncompiled `kerasgan.GAN`.

    kind="mlp": MLP networks, image_shape (8, 8, 1) and one hidden layer of 16 units.
    kind="dcgan": DCGAN networks, image_shape (16, 16, 1) and base_filters=4.
    Other keyword arguments go to `kerasgan.GAN`.
    """
    if kind == "mlp":
        image_shape = tuple(image_shape or MLP_SHAPE)
        generator = mlp_generator(image_shape, latent_dim=latent_dim, hidden_units=(16,))
        discriminator = mlp_discriminator(image_shape, hidden_units=(16,))
    elif kind == "dcgan":
        image_shape = tuple(image_shape or DCGAN_SHAPE)
        generator = dcgan_generator(image_shape, latent_dim=latent_dim, base_filters=4)
        discriminator = dcgan_discriminator(image_shape, base_filters=4, normalization="batch" if batch_norm else None)
    else:
        raise ValueError(f"Unknown kind {kind!r}")
    return kerasgan.GAN(generator, discriminator, **kwargs)


def random_images(n, image_shape=MLP_SHAPE, seed=0):
    """`n` float32 images uniform in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, size=(n, *image_shape)).astype("float32")
