"""Reusable layers."""

from kerasgan.layers.spectral import SpectralConv2D, SpectralDense

__all__ = ["SpectralConv2D", "SpectralDense"]
