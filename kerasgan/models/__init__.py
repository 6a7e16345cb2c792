"""GAN models: `keras.Model` subclasses that own the alternating `train_step`."""

from kerasgan.models.conditional import ACGAN, ConditionalGAN
from kerasgan.models.gan import GAN
from kerasgan.models.guards import StopOnNaN, check_training_data

__all__ = ["ACGAN", "ConditionalGAN", "GAN", "StopOnNaN", "check_training_data"]
