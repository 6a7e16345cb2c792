"""DCGAN-family presets: dcgan, dcgan_128, cgan, acgan, wgan, wgan_gp, lsgan, sngan.

Each is a function that builds and compiles a GAN with tuned defaults; `PRESETS` is
this family's entry in the registry (`kerasgan.presets`).
"""

import keras

from kerasgan import losses
from kerasgan.families.dcgan.networks import (
    acgan_discriminator,
    dcgan_discriminator,
    dcgan_generator,
    supports_size,
)
from kerasgan.families.preset import CLASSIFIER_FD_CHECK, Preset, Recipe, adam, seeded
from kerasgan.models import ACGAN, GAN, ConditionalGAN


def _dcgan_family(
    name,
    image_shape,
    latent_dim,
    base_filters,
    num_classes,
    seed,
    d_optimizer,
    g_optimizer,
    normalization="batch",
    **gan_options,
):
    """Builds and compiles a DCGAN-architecture GAN, conditional when `num_classes`."""
    seeded(seed)
    generator = dcgan_generator(image_shape, latent_dim, base_filters, num_classes=num_classes)
    discriminator = dcgan_discriminator(
        image_shape, base_filters, normalization=normalization, num_classes=num_classes
    )
    if num_classes:
        gan = ConditionalGAN(
            generator, discriminator, num_classes, latent_dim=latent_dim, seed=seed, name=name, **gan_options
        )
    else:
        gan = GAN(generator, discriminator, latent_dim=latent_dim, seed=seed, name=name, **gan_options)
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer)
    return gan


def dcgan(
    image_shape=(28, 28, 1), latent_dim=100, base_filters=32, learning_rate=2e-4, num_classes=None, reuse_fakes=True, seed=None
):
    """DCGAN (Radford et al. 2016): transposed-conv generator, strided-conv discriminator.

    Generator: dense projection, stride-2 transposed convolutions with BatchNorm and
    ReLU, tanh output. Discriminator: stride-2 convolutions with LeakyReLU(0.2),
    BatchNorm on all but the input stage. Non-saturating loss; Adam(2e-4,
    beta_1=0.5) for each network. Adapts to square 28, 32, 64 (and larger
    power-of-two) images with 1 or 3 channels.

    `base_filters=32` (half the paper's 64) trains MNIST digits in two CPU minutes;
    on the bundled sample 64 gave a somewhat better digit classifier FD (17.8 against
    21.1 and 19.2 for two seeds) in twice the time, and none of eight recipes made
    the samples much more readable (docs/results.md, benchmarks/tune_dcgan.py). Raise
    it to 64 on a GPU or for 64x64 colour images.

    Like the pytorch/examples DCGAN, each step runs the generator once: the generator
    update uses the discriminator update's fakes (`reuse_fakes`). On MNIST (5 epochs of
    the 60k digits, 2,000 samples) that scored as drawing fresh latents did (FID 29.5 and
    32.1 against 30.9, 30.3, 33.2 and 29.5; classifier FD 20.3 and 20.6 against
    20.6-22.1, seeds 0 and 1), in less time per step (docs/performance.md).

    Args:
        image_shape: tuple. `(size, size, channels)`. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Width of the networks. Defaults to 32.
        learning_rate: float. Adam learning rate of both networks. Defaults to 2e-4.
        num_classes: int or None. Class-conditional (projection discriminator) when
            set. Defaults to None.
        reuse_fakes: bool. One generator pass per step (`kerasgan.models.GAN`).
            Defaults to True.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Radford, Metz and Chintala 2016, "Unsupervised Representation Learning with
        Deep Convolutional Generative Adversarial Networks".
    """
    return _dcgan_family(
        "dcgan", image_shape, latent_dim, base_filters, num_classes, seed,
        adam(learning_rate), adam(learning_rate), loss="non_saturating", reuse_fakes=reuse_fakes,
    )


def dcgan_128(image_shape=(128, 128, 3), latent_dim=100, base_filters=64, learning_rate=2e-4, seed=None):
    """DCGAN at 128 px for a GPU: the pytorch/examples DCGAN (ngf = ndf = 64, z of 100)
    with one more stage in each network, as the field extends it past the paper's 64 px:
    the generator projects z to 4x4x1024 and doubles to 128 px through 512, 256, 128
    and 64 channels; the discriminator mirrors it. Batch 128 and Adam(2e-4, beta_1=0.5),
    as the paper trains. 12,786,563 generator and 11,166,401 discriminator parameters
    at 128x128x3: the reference's 12,786,560 and 11,164,416 plus the output and
    convolution biases it leaves out.

    Args:
        image_shape: tuple. Defaults to (128, 128, 3).
        latent_dim: int. Defaults to 100.
        base_filters: int. ngf = ndf. Defaults to 64 (the paper's).
        learning_rate: float. Adam learning rate of both networks. Defaults to 2e-4.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.
    """
    return _dcgan_family(
        "dcgan_128", image_shape, latent_dim, base_filters, None, seed,
        adam(learning_rate), adam(learning_rate), loss="non_saturating", reuse_fakes=True,
    )


def cgan(image_shape=(28, 28, 1), num_classes=10, latent_dim=100, base_filters=32, learning_rate=2e-4, seed=None):
    """Conditional DCGAN (Mirza and Osindero 2014) with a projection discriminator.

    The generator joins a 50-d label embedding to the latents; the discriminator adds
    `<embed(label), features>` to its logit (Miyato and Koyama 2018). Otherwise the
    DCGAN preset: non-saturating loss, Adam(2e-4, beta_1=0.5). Train on
    `(images, labels)`; `generate(n, labels=...)` picks the classes.

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        num_classes: int. Defaults to 10.
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        learning_rate: float. Defaults to 2e-4.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.
    """
    return _dcgan_family(
        "cgan", image_shape, latent_dim, base_filters, num_classes, seed,
        adam(learning_rate), adam(learning_rate), loss="non_saturating",
    )


def acgan(image_shape=(28, 28, 1), num_classes=10, latent_dim=100, base_filters=32, learning_rate=2e-4, seed=None):
    """AC-GAN (Odena et al. 2017): the discriminator also classifies, both networks use it.

    DCGAN networks; the discriminator outputs `[logit, class_logits]` and sees no
    labels; the class cross-entropy is added to both losses. Non-saturating loss,
    Adam(2e-4, beta_1=0.5).

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        num_classes: int. Defaults to 10.
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        learning_rate: float. Defaults to 2e-4.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.
    """
    seeded(seed)
    gan = ACGAN(
        dcgan_generator(image_shape, latent_dim, base_filters, num_classes=num_classes),
        acgan_discriminator(image_shape, num_classes, base_filters),
        num_classes,
        latent_dim=latent_dim,
        seed=seed,
        name="acgan",
    )
    gan.compile(d_optimizer=adam(learning_rate), g_optimizer=adam(learning_rate))
    return gan


def wgan(
    image_shape=(28, 28, 1),
    latent_dim=100,
    base_filters=32,
    learning_rate=2e-4,
    clip_value=0.02,
    num_classes=None,
    seed=None,
):
    """Wasserstein GAN with weight clipping (Arjovsky et al. 2017).

    DCGAN networks; the critic has no sigmoid and its weights are clipped to
    [-clip_value, clip_value] after every update; 5 critic updates per generator
    update; RMSprop for each network. The paper's RMSprop(5e-5) with clip 0.01 learns
    slowly in short runs: on the MNIST sample, 30 epochs, a sweep
    (benchmarks/preset_grids.py) gave a digit score of 3.86 for it, 4.31 for (2e-4,
    0.01), 4.50 for (1e-4, 0.02) and 4.93 for the defaults here, (2e-4, 0.02).

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        learning_rate: float. RMSprop learning rate of both networks. Defaults to 2e-4.
        clip_value: float. Critic weights are clipped to [-clip_value, clip_value].
            Defaults to 0.02.
        num_classes: int or None. Defaults to None.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Arjovsky, Chintala and Bottou 2017, "Wasserstein GAN".
    """
    return _dcgan_family(
        "wgan", image_shape, latent_dim, base_filters, num_classes, seed,
        keras.optimizers.RMSprop(learning_rate), keras.optimizers.RMSprop(learning_rate),
        loss="wasserstein", d_steps=5, penalties=[losses.WeightClipping(clip_value)],
    )


def wgan_gp(image_shape=(28, 28, 1), latent_dim=100, base_filters=32, num_classes=None, seed=None):
    """WGAN with gradient penalty (Gulrajani et al. 2017).

    DCGAN networks with LayerNorm instead of BatchNorm in the critic (the penalty
    needs per-sample gradients); penalty weight 10 on interpolates with a uniform
    weight per sample; 5 critic updates per generator update; Adam(1e-4,
    beta_1=0.5, beta_2=0.9) for each network.

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        num_classes: int or None. Defaults to None.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Gulrajani et al. 2017, "Improved Training of Wasserstein GANs".
    """
    return _dcgan_family(
        "wgan_gp", image_shape, latent_dim, base_filters, num_classes, seed,
        adam(1e-4, 0.5, 0.9), adam(1e-4, 0.5, 0.9),
        normalization="layer", loss="wasserstein", d_steps=5, penalties=[losses.GradientPenalty(10.0)],
    )


def lsgan(image_shape=(28, 28, 1), latent_dim=100, base_filters=32, num_classes=None, seed=None):
    """Least squares GAN (Mao et al. 2017): targets 1 (real) and 0 (fake) on raw outputs.

    DCGAN networks; Adam(2e-4, beta_1=0.5) for each network.

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        num_classes: int or None. Defaults to None.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Mao et al. 2017, "Least Squares Generative Adversarial Networks".
    """
    return _dcgan_family(
        "lsgan", image_shape, latent_dim, base_filters, num_classes, seed,
        adam(2e-4), adam(2e-4), loss="least_squares",
    )


def sngan(image_shape=(28, 28, 1), latent_dim=100, base_filters=32, num_classes=None, seed=None):
    """SNGAN (Miyato et al. 2018): hinge loss, spectral normalisation in every D layer.

    DCGAN generator; the discriminator's convolutions and dense layer are
    `kerasgan.networks.SpectralConv2D` / `SpectralDense` (one power iteration per
    step), with no BatchNorm; one D step per G step; Adam(2e-4, beta_1=0.5) for each
    network.

    Args:
        image_shape: tuple. Defaults to (28, 28, 1).
        latent_dim: int. Defaults to 100.
        base_filters: int. Defaults to 32.
        num_classes: int or None. Defaults to None.
        seed: int or None. Seeds the initial weights and the training latents. Defaults to None.

    Reference:
        Miyato et al. 2018, "Spectral Normalization for Generative Adversarial Networks".
    """
    return _dcgan_family(
        "sngan", image_shape, latent_dim, base_filters, num_classes, seed,
        adam(2e-4), adam(2e-4), normalization="spectral", loss="hinge",
    )


# The tests' tiny models (Preset.tiny).
_TINY = {"image_shape": (16, 16, 1), "latent_dim": 8, "base_filters": 4}


def _preset(build, description, data):
    return Preset(build, description, data, "mnist_sample", supports_size=supports_size, tiny=_TINY)


PRESETS = {
    "dcgan": _preset(dcgan, "DCGAN: conv generator and discriminator, 28/32/64 px, 1 or 3 channels", "images"),
    "cgan": _preset(cgan, "Conditional DCGAN with a projection discriminator; one row per class", "labelled images"),
    "acgan": _preset(acgan, "AC-GAN: the discriminator also classifies the digit/class", "labelled images"),
    "wgan": _preset(wgan, "Wasserstein GAN with weight clipping, 5 critic steps, RMSprop", "images"),
    "wgan_gp": _preset(wgan_gp, "WGAN with gradient penalty 10, LayerNorm critic, 5 critic steps", "images"),
    "lsgan": _preset(lsgan, "Least squares GAN on DCGAN networks", "images"),
    "sngan": _preset(sngan, "Hinge loss with a spectrally normalised discriminator", "images"),
    # The paper's network, one stage deeper, for a GPU.
    "dcgan_128": Preset(
        dcgan_128, "DCGAN at 128 px, the paper's widths (ngf = ndf = 64; 12.8 M + 11.2 M parameters, batch 128); for a GPU, no shipped weights",
        "images", "emoji", batch_size=128, image_size=128, supports_size=lambda side: side == 128,
        tiny={"image_shape": (16, 16, 3), "latent_dim": 8, "base_filters": 4}, ships_weights=False,
    ),
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "dcgan_mnist": Recipe("dcgan", "mnist", ["--epochs", "15"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "cgan_mnist": Recipe("cgan", "mnist", ["--epochs", "10"], {"image_shape": [28, 28, 1]}, "MNIST digits and their labels, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "acgan_mnist": Recipe("acgan", "mnist", ["--epochs", "10"], {"image_shape": [28, 28, 1]}, "MNIST digits and their labels, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "wgan_mnist": Recipe("wgan", "mnist", ["--epochs", "16"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "wgan_gp_mnist": Recipe("wgan_gp", "mnist", ["--epochs", "4"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "lsgan_mnist": Recipe("lsgan", "mnist", ["--epochs", "10"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "sngan_mnist": Recipe("sngan", "mnist", ["--epochs", "10"], {"image_shape": [28, 28, 1]}, "MNIST digits, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "dcgan_fashion_mnist": Recipe("dcgan", "fashion_mnist", ["--epochs", "15"], {"image_shape": [28, 28, 1]}, "Fashion-MNIST clothes, the 60,000 training images", CLASSIFIER_FD_CHECK),
    "cgan_fashion_mnist": Recipe("cgan", "fashion_mnist", ["--epochs", "10"], {"image_shape": [28, 28, 1]}, "Fashion-MNIST clothes and their labels, the 60,000 training images", CLASSIFIER_FD_CHECK),
}
