"""kerasgan: a Keras 3 model zoo of generative adversarial networks."""

from kerasgan import backend, losses, models, networks
from kerasgan.models import GAN

__version__ = "0.1.0"

__all__ = ["GAN", "backend", "losses", "models", "networks", "__version__"]
