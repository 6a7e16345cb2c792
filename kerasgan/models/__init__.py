"""kerasgan's models: `keras.Model` subclasses on the shared adversarial engine
(`kerasgan.engine`). Each family's model class lives in its family folder; this module
gathers the public ones."""

from kerasgan.families.gan3d.models import GAN3D
from kerasgan.families.image_to_image.models import CycleGAN, Pix2Pix
from kerasgan.families.stylegan.models import StyleGAN, StyleGenerator
from kerasgan.models.conditional import ACGAN, ConditionalGAN
from kerasgan.models.gan import GAN
from kerasgan.models.guards import StopOnNaN, check_training_data

__all__ = [
    "ACGAN",
    "GAN",
    "GAN3D",
    "ConditionalGAN",
    "CycleGAN",
    "Pix2Pix",
    "StopOnNaN",
    "StyleGAN",
    "StyleGenerator",
    "check_training_data",
]
