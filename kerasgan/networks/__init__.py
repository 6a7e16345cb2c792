"""Plain Keras networks (functional models), with no training logic."""

from kerasgan.networks.dcgan import acgan_discriminator, dcgan_discriminator, dcgan_generator
from kerasgan.networks.mlp import mlp_discriminator, mlp_generator
from kerasgan.networks.spectral import SpectralConv2D, SpectralDense

__all__ = [
    "acgan_discriminator",
    "dcgan_discriminator",
    "dcgan_generator",
    "mlp_discriminator",
    "mlp_generator",
    "SpectralConv2D",
    "SpectralDense",
]
