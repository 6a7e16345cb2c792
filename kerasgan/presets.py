"""The zoo: ready-to-fit, compiled GANs with tuned defaults.

A preset is data: a description, and a function that builds and compiles the GAN.
`list()` names them; `get(name, **kwargs)` builds one by name.

Example:

```python
import kerasgan

gan = kerasgan.presets.dcgan()  # 28x28x1, compiled
gan.fit(kerasgan.datasets.load("mnist_sample", batch_size=64), epochs=5)
```
"""

import collections

import keras

from kerasgan.models import GAN
from kerasgan.networks import dcgan_discriminator, dcgan_generator, mlp_discriminator, mlp_generator

Preset = collections.namedtuple("Preset", ["build", "description"])


def _adam(learning_rate, beta_1=0.5):
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=beta_1)


def dcgan(image_shape=(28, 28, 1), latent_dim=100, base_filters=32, learning_rate=2e-4, seed=None):
    """DCGAN (Radford et al. 2016): transposed-conv generator, strided-conv discriminator.

    Generator: dense projection, stride-2 transposed convolutions with BatchNorm and
    ReLU, tanh output. Discriminator: stride-2 convolutions with LeakyReLU(0.2),
    BatchNorm on all but the input stage. Non-saturating loss; Adam(2e-4,
    beta_1=0.5) for each network. Adapts to square 28, 32, 64 (and larger
    power-of-two) images with 1 or 3 channels.

    `base_filters=32` (half the paper's 64) is what trains MNIST to clear digits in
    a few CPU minutes; raise it to 64 on a GPU or for 64x64 colour images.

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Width of the networks. Defaults to 32.
        learning_rate: float. Adam learning rate of both networks. Defaults to 2e-4.
        seed: int or None. Seed of the training latents. Defaults to None.

    Reference:
        Radford, Metz and Chintala 2016, "Unsupervised Representation Learning with
        Deep Convolutional Generative Adversarial Networks".
    """
    gan = GAN(
        dcgan_generator(image_shape, latent_dim, base_filters=base_filters),
        dcgan_discriminator(image_shape, base_filters=base_filters),
        latent_dim=latent_dim,
        loss="non_saturating",
        seed=seed,
        name="dcgan",
    )
    gan.compile(d_optimizer=_adam(learning_rate), g_optimizer=_adam(learning_rate))
    return gan


def mlp_gan(image_shape=(28, 28, 1), latent_dim=100, learning_rate=2e-4, seed=None):
    """The classic fully connected GAN (Goodfellow et al. 2014).

    Generator: Dense 256 and 512 with LeakyReLU(0.2), tanh output. Discriminator:
    Dense 512 and 256 with LeakyReLU(0.2), one logit. Non-saturating loss;
    Adam(2e-4, beta_1=0.5) for each network. Works on any image shape.

    Args:
        image_shape: tuple. Shape of one image. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        learning_rate: float. Defaults to 2e-4.
        seed: int or None. Defaults to None.

    Reference:
        Goodfellow et al. 2014, "Generative Adversarial Nets".
    """
    gan = GAN(
        mlp_generator(image_shape, latent_dim, hidden_units=(256, 512)),
        mlp_discriminator(image_shape, hidden_units=(512, 256)),
        latent_dim=latent_dim,
        loss="non_saturating",
        seed=seed,
        name="mlp_gan",
    )
    gan.compile(d_optimizer=_adam(learning_rate), g_optimizer=_adam(learning_rate))
    return gan


PRESETS = {
    "dcgan": Preset(dcgan, "DCGAN: conv generator and discriminator, 28/32/64 px, 1 or 3 channels"),
    "mlp_gan": Preset(mlp_gan, "The classic fully connected GAN (Goodfellow et al. 2014)"),
}


def list():  # noqa: A001 - the public name the docs promise
    """`{name: one-line description}` for every preset."""
    return {name: preset.description for name, preset in PRESETS.items()}


def get(name, **kwargs):
    """Builds the preset called `name`, passing `kwargs` to its function."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset. Expected one of {sorted(PRESETS)}. Received: {name!r}")
    return PRESETS[name].build(**kwargs)
