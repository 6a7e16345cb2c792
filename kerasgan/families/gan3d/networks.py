"""3D-GAN networks (Wu et al. 2016): 3-D transposed convolutions to voxel occupancies,
and a 3-D convolutional discriminator."""

import math

import keras
from keras import layers

# What kerasgan.networks gathers from this family (kerasgan.families.public).
__all__ = ["voxel_discriminator", "voxel_generator"]


def _stages(voxel_shape):
    if len(voxel_shape) != 4 or len(set(voxel_shape[:3])) != 1 or voxel_shape[-1] != 1:
        raise ValueError(f"Expected voxel_shape (size, size, size, 1). Received: voxel_shape={tuple(voxel_shape)}")
    size = voxel_shape[0]
    if size < 8 or size & (size - 1):
        raise ValueError(f"Expected a power-of-two voxel size >= 8. Received: voxel_shape={tuple(voxel_shape)}")
    return int(math.log2(size // 4))


def voxel_generator(voxel_shape=(32, 32, 32, 1), latent_dim=200, base_filters=32, name="generator"):
    """Latents -> voxel occupancies in [0, 1] `(batch, *voxel_shape)`.

    A dense projection to 4^3 x (base_filters * 2^(stages-1)), then stride-2 3-D
    transposed convolutions (kernel 4) with BatchNorm and ReLU, halving the width at
    each stage, and a sigmoid output (the paper's, at 64^3 with base 64: 512 filters at
    4^3).

    Args:
        voxel_shape: tuple. `(size, size, size, 1)`, size a power of two >= 8.
            Defaults to (32, 32, 32, 1).
        latent_dim: int. Defaults to 200 (the paper's).
        base_filters: int. Width of the last hidden stage. Defaults to 32.
    """
    stages = _stages(voxel_shape)
    latents = keras.Input((latent_dim,), name="latents")
    width = base_filters * 2 ** (stages - 1)
    x = layers.Dense(4 * 4 * 4 * width, use_bias=False, kernel_initializer=_init(), name="project")(latents)
    x = layers.Reshape((4, 4, 4, width))(x)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.ReLU()(x)
    for stage in range(stages - 1):
        width //= 2
        x = layers.Conv3DTranspose(width, 4, strides=2, padding="same", use_bias=False, kernel_initializer=_init(), name=f"up_{stage}")(x)
        x = layers.BatchNormalization(name=f"up_{stage}_bn")(x)
        x = layers.ReLU()(x)
    occupancy = layers.Conv3DTranspose(
        1, 4, strides=2, padding="same", activation="sigmoid", kernel_initializer=_init(), name="occupancy"
    )(x)
    return keras.Model(latents, occupancy, name=name)


def voxel_discriminator(voxel_shape=(32, 32, 32, 1), base_filters=32, name="discriminator"):
    """Voxel occupancies `(batch, *voxel_shape)` -> one logit each.

    Stride-2 3-D convolutions (kernel 4), doubling the width from `base_filters`, with
    LeakyReLU(0.2) and BatchNorm on all but the first, down to 4^3, then a dense logit.

    Args:
        voxel_shape: tuple. Defaults to (32, 32, 32, 1).
        base_filters: int. Defaults to 32.
    """
    stages = _stages(voxel_shape)
    voxels = keras.Input(voxel_shape, name="voxels")
    x = voxels
    width = base_filters
    for stage in range(stages):
        x = layers.Conv3D(width, 4, strides=2, padding="same", use_bias=stage == 0, kernel_initializer=_init(), name=f"down_{stage}")(x)
        if stage:
            x = layers.BatchNormalization(name=f"down_{stage}_bn")(x)
        x = layers.LeakyReLU(0.2)(x)
        width *= 2
    x = layers.Flatten()(x)
    logits = layers.Dense(1, kernel_initializer=_init(), name="logits")(x)
    return keras.Model(voxels, logits, name=name)


def _init():
    # DCGAN's N(0, 0.02), a fresh object per layer so that seeding fixes every layer.
    return keras.initializers.RandomNormal(stddev=0.02)
