"""Plain Keras networks (functional models) of every family, with no training logic.

Each builder lives in its family's `networks.py`; this module gathers the public ones.
"""

from kerasgan.families.dcgan.networks import (
    acgan_discriminator,
    dcgan_discriminator,
    dcgan_generator,
)
from kerasgan.families.image_to_image.networks import (
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from kerasgan.families.mlp.networks import mlp_discriminator, mlp_generator
from kerasgan.layers import SpectralConv2D, SpectralDense

__all__ = [
    "SpectralConv2D",
    "SpectralDense",
    "acgan_discriminator",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "patchgan_discriminator",
    "resnet_generator",
    "unet_generator",
]
