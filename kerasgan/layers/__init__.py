"""Reusable layers."""

from kerasgan.layers.augment import ADA, POLICIES, DiffAugment, DifferentiableAugment, InstanceNoise, make_augment
from kerasgan.layers.equalized import EqualizedConv2D, EqualizedDense
from kerasgan.layers.image_pool import ImagePool
from kerasgan.layers.minibatch import MinibatchDiscrimination, MinibatchStdDev
from kerasgan.layers.modulated import ModulatedConv2D, ToRGB
from kerasgan.layers.padding import ReflectionPadding2D
from kerasgan.layers.spectral import SpectralConv2D, SpectralDense

__all__ = [
    "ADA",
    "POLICIES",
    "DiffAugment",
    "DifferentiableAugment",
    "EqualizedConv2D",
    "EqualizedDense",
    "ImagePool",
    "InstanceNoise",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "ModulatedConv2D",
    "ReflectionPadding2D",
    "SpectralConv2D",
    "SpectralDense",
    "ToRGB",
    "make_augment",
]
