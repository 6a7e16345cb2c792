"""Reusable layers."""

from kerasgan.layers.image_pool import ImagePool
from kerasgan.layers.padding import ReflectionPadding2D
from kerasgan.layers.spectral import SpectralConv2D, SpectralDense

__all__ = ["ImagePool", "ReflectionPadding2D", "SpectralConv2D", "SpectralDense"]
