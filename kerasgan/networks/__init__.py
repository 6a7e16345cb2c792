"""Plain Keras networks (functional models) of every family, with no training logic.

Each builder lives in its family's `networks.py`; this module gathers the public ones.
"""

from kerasgan.families.dcgan.networks import (
    acgan_discriminator,
    dcgan_discriminator,
    dcgan_generator,
)
from kerasgan.families.gan3d.networks import voxel_discriminator, voxel_generator
from kerasgan.families.image_to_image.networks import (
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from kerasgan.families.mlp.networks import mlp_discriminator, mlp_generator
from kerasgan.families.stylegan.networks import (
    mapping_network,
    num_styles,
    style_discriminator,
    synthesis_network,
)
from kerasgan.layers import SpectralConv2D, SpectralDense

__all__ = [
    "SpectralConv2D",
    "SpectralDense",
    "acgan_discriminator",
    "dcgan_discriminator",
    "dcgan_generator",
    "mapping_network",
    "mlp_discriminator",
    "mlp_generator",
    "num_styles",
    "patchgan_discriminator",
    "resnet_generator",
    "style_discriminator",
    "synthesis_network",
    "unet_generator",
    "voxel_discriminator",
    "voxel_generator",
]
