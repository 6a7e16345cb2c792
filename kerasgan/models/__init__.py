"""GAN models: `keras.Model` subclasses that own the alternating `train_step`."""

from kerasgan.models.gan import GAN
from kerasgan.models.guards import StopOnNaN, check_training_data

__all__ = ["GAN", "StopOnNaN", "check_training_data"]
