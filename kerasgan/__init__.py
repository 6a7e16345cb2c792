"""kerasgan: a Keras 3 model zoo of generative adversarial networks."""

# First, before Keras imports TensorFlow: its start-up log lines, muted unless asked for
# (kerasgan.logs says how).
from kerasgan import logs as _logs

_logs.import_quietly("keras")

from kerasgan import (
    backend,
    callbacks,
    datasets,
    engine,
    layers,
    losses,
    metrics,
    models,
    networks,
    parts,
    presets,
)
from kerasgan.models import GAN, GAN3D, CycleGAN, Pix2Pix, StyleGAN

__version__ = "0.1.0"

__all__ = [
    "GAN",
    "GAN3D",
    "CycleGAN",
    "Pix2Pix",
    "StyleGAN",
    "__version__",
    "backend",
    "callbacks",
    "datasets",
    "engine",
    "layers",
    "losses",
    "metrics",
    "models",
    "networks",
    "parts",
    "presets",
]
