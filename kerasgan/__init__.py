"""kerasgan: a Keras 3 model zoo of generative adversarial networks."""

from kerasgan import (
    backend,
    callbacks,
    datasets,
    engine,
    losses,
    metrics,
    models,
    networks,
    presets,
)
from kerasgan.models import GAN, CycleGAN, Pix2Pix

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "CycleGAN",
    "Pix2Pix",
    "__version__",
    "backend",
    "callbacks",
    "datasets",
    "engine",
    "losses",
    "metrics",
    "models",
    "networks",
    "presets",
]
