"""Style-based presets: stylegan."""

from kerasgan import losses, parts
from kerasgan.families.preset import Preset, Recipe, adam, seeded
from kerasgan.families.stylegan.models import StyleGAN, StyleGenerator
from kerasgan.families.stylegan.networks import (
    mapping_network,
    style_discriminator,
    synthesis_network,
)


def stylegan(
    image_shape=(32, 32, 3),
    latent_dim=128,
    w_dim=128,
    mapping_layers=2,
    channel_base=512,
    channel_max=64,
    learning_rate=0.0025,
    r1_weight=0.05,
    r1_interval=16,
    mixing_probability=0.9,
    ema_decay=0.999,
    augment="ada",
    seed=None,
    ema_rampup=0.05,
    mbstd_group_size=4,
    name="stylegan",
):
    """StyleGAN2 at 32-64 px (Karras et al. 2020), with adaptive augmentation.

    Mapping network (2 layers, learning rate x 0.01), learned 4x4 constant, modulated
    and demodulated 3x3 convolutions with per-pixel noise, skip outputs; residual
    discriminator with minibatch standard deviation. Non-saturating loss, lazy R1 every
    16 D updates, style mixing 0.9, EMA generator, ADA. Adam(0.0025, beta_1=0,
    beta_2=0.99), the discriminator's adjusted for lazy regularisation as in the paper
    (learning rate and betas to the power 16/17).

    Args:
        image_shape: tuple. `(size, size, 1 or 3)`, size a power of two >= 8.
            Defaults to (32, 32, 3).
        latent_dim: int. Defaults to 128.
        w_dim: int. Defaults to 128.
        mapping_layers: int. Defaults to 2.
        channel_base: int. Width at resolution r: min(channel_base // r, channel_max).
            Defaults to 512: 64 channels at 4-8 px, 32 at 16, 16 at 32, for a CPU (about 300
            images/s on 2 cores); raise both on a GPU.
        channel_max: int. Defaults to 64.
        learning_rate: float. Defaults to 0.0025.
        r1_weight: float. gamma of R1. Defaults to 0.05.
        r1_interval: int. Defaults to 16.
        mixing_probability: float. Defaults to 0.9.
        ema_decay: float or None. Defaults to 0.999.
        augment: "ada", "diffaugment", a part such as `layers.ADA(target, speed)`
            (see `GAN`), or None. Defaults to "ada".
        seed: int or None. Seeds the initial weights and training. Defaults to None.
        ema_rampup: float or None. The EMA's ramp-up (`parts.EMA`). Defaults to 0.05.
        mbstd_group_size: int. The discriminator's minibatch standard deviation group;
            the batch size must be a multiple of it. Defaults to 4.
        name: str. Defaults to "stylegan".

    Reference:
        Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN";
        Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data".
    """
    seeded(seed)
    generator = StyleGenerator(
        mapping_network(latent_dim, w_dim, num_layers=mapping_layers),
        synthesis_network(image_shape, w_dim, channel_base=channel_base, channel_max=channel_max),
        mixing_probability=mixing_probability,
        seed=seed,
        name="generator",
    )
    discriminator = style_discriminator(image_shape, channel_base=channel_base, channel_max=channel_max, mbstd_group_size=mbstd_group_size)
    gan = StyleGAN(
        generator,
        discriminator,
        loss="non_saturating",
        penalties=[losses.R1(r1_weight, r1_interval)],
        ema=None if ema_decay is None else parts.EMA(ema_decay, ema_rampup),
        augment=augment,
        seed=seed,
        name=name,
    )
    # Lazy regularisation makes each D update count for r1_interval / (r1_interval + 1)
    # of one with the penalty: scale the learning rate and betas to match (StyleGAN2).
    ratio = r1_interval / (r1_interval + 1) if r1_weight else 1.0
    gan.compile(
        d_optimizer=adam(learning_rate * ratio, beta_1=0.0, beta_2=0.99**ratio),
        g_optimizer=adam(learning_rate, beta_1=0.0, beta_2=0.99),
    )
    return gan


def _stylegan2_paper(image_shape, channel_base, channel_max, latent_dim, mapping_layers, batch_size, mbstd_group_size, gamma, ema_kimg, ema_rampup, seed, name):
    """StyleGAN2-ADA's configuration (stylegan2-ada-pytorch `train.py`, `cfg_specs`):
    widths min(channel_base // r, 512), w of 512, Adam(0.0025, 0, 0.99), lazy R1 every
    16 steps with the given gamma, the EMA's half-life of `ema_kimg` thousand images at
    the given batch size, style mixing 0.9, ADA."""
    return stylegan(
        image_shape, latent_dim=latent_dim, w_dim=latent_dim, mapping_layers=mapping_layers, channel_base=channel_base,
        channel_max=channel_max, learning_rate=0.0025, r1_weight=gamma, r1_interval=16, mixing_probability=0.9,
        ema_decay=0.5 ** (batch_size / (ema_kimg * 1000)), ema_rampup=ema_rampup, mbstd_group_size=mbstd_group_size,
        augment="ada", seed=seed, name=name,
    )


def stylegan2_128(image_shape=(128, 128, 3), channel_base=16384, channel_max=512, latent_dim=512, seed=None):
    """StyleGAN2 at 128 px as StyleGAN2-ADA configures it (`--cfg auto` on one GPU, its
    only setting for 128 px): widths min(16384 // r, 512) (512 to 32 px, 256 at 64, 128
    at 128), z and w of 512, a 2-layer mapping network, batch 32, minibatch standard
    deviation over groups of 4, R1 gamma 0.0002 * 128^2 / 32 = 0.1024, EMA half-life
    10k images with ramp-up 0.05. 22,949,277 generator and 23,882,369 discriminator
    parameters at 128x128x3, as the reference's networks count them. Trains at batch 32
    (`kerasgan train`'s default for it).

    Args:
        image_shape: tuple. Defaults to (128, 128, 3).
        channel_base: int. Defaults to 16384 (the reference's fmaps 0.5).
        channel_max: int. Defaults to 512.
        latent_dim: int. z and w. Defaults to 512.
        seed: int or None. Defaults to None.

    Reference:
        Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data".
    """
    return _stylegan2_paper(image_shape, channel_base, channel_max, latent_dim, 2, 32, 4, 0.0002 * image_shape[0] ** 2 / 32, 10, 0.05, seed, "stylegan2_128")


def stylegan2_256(image_shape=(256, 256, 3), channel_base=16384, channel_max=512, latent_dim=512, seed=None):
    """StyleGAN2 at 256 px as the StyleGAN2-ADA paper trains it (`--cfg paper256`):
    widths min(16384 // r, 512) (512 to 32 px, then 256, 128, 64), z and w of 512, an
    8-layer mapping network, batch 64, minibatch standard deviation over groups of 8,
    R1 gamma 1, EMA half-life 20k images without ramp-up. 24,767,458 generator and
    24,001,089 discriminator parameters at 256x256x3, as the reference's networks count
    them.

    Args:
        image_shape: tuple. Defaults to (256, 256, 3).
        channel_base: int. Defaults to 16384 (the reference's fmaps 0.5).
        channel_max: int. Defaults to 512.
        latent_dim: int. z and w. Defaults to 512.
        seed: int or None. Defaults to None.

    Reference:
        Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data".
    """
    return _stylegan2_paper(image_shape, channel_base, channel_max, latent_dim, 8, 64, 8, 1.0, 20, None, seed, "stylegan2_256")


def stylegan2_512(image_shape=(512, 512, 3), channel_base=32768, channel_max=512, latent_dim=512, seed=None):
    """StyleGAN2 at 512 px as the StyleGAN2-ADA paper trains it (`--cfg paper512`): as
    `stylegan2_256` with twice the widths (min(32768 // r, 512)) and R1 gamma 0.5.
    30,276,583 generator and 28,982,849 discriminator parameters at 512x512x3.

    Args:
        image_shape: tuple. Defaults to (512, 512, 3).
        channel_base: int. Defaults to 32768 (the reference's fmaps 1).
        channel_max: int. Defaults to 512.
        latent_dim: int. z and w. Defaults to 512.
        seed: int or None. Defaults to None.

    Reference:
        Karras et al. 2020, "Training Generative Adversarial Networks with Limited Data".
    """
    return _stylegan2_paper(image_shape, channel_base, channel_max, latent_dim, 8, 64, 8, 0.5, 20, None, seed, "stylegan2_512")


_TINY_PAPER = {"image_shape": (8, 8, 3), "latent_dim": 8, "channel_base": 64, "channel_max": 8}

PRESETS = {
    "stylegan": Preset(
        stylegan,
        "StyleGAN2 at 32 px: mapping network, modulated convolutions, noise, style mixing, lazy R1, EMA, ADA",
        "images",
        "emoji",
        batch_size=32,
        image_size=32,
        supports_size=lambda side: side >= 8 and side & (side - 1) == 0,  # a power of two
        # R1 on every step, so that its penalty runs in the tests' few steps.
        tiny={"image_shape": (8, 8, 3), "latent_dim": 8, "w_dim": 8, "channel_base": 64, "channel_max": 8, "r1_interval": 1},
    ),
    # The papers' networks (StyleGAN2-ADA's configurations), for a GPU.
    "stylegan2_128": Preset(
        stylegan2_128, "StyleGAN2 at 128 px, StyleGAN2-ADA's configuration (22.9 M + 23.9 M parameters, batch 32); for a GPU, no shipped weights",
        "images", "emoji", batch_size=32, image_size=128, supports_size=lambda side: side == 128, tiny=_TINY_PAPER, ships_weights=False,
    ),
    "stylegan2_256": Preset(
        stylegan2_256, "StyleGAN2 at 256 px, the StyleGAN2-ADA paper's paper256 (24.8 M + 24.0 M parameters, batch 64); for a GPU, no shipped weights",
        "images", "emoji", batch_size=64, image_size=256, supports_size=lambda side: side == 256, tiny=_TINY_PAPER, ships_weights=False,
    ),
    "stylegan2_512": Preset(
        stylegan2_512, "StyleGAN2 at 512 px, the StyleGAN2-ADA paper's paper512 (30.3 M + 29.0 M parameters, batch 64); for a GPU, no shipped weights",
        "images", "emoji", batch_size=64, image_size=512, supports_size=lambda side: side == 512, tiny=_TINY_PAPER, ships_weights=False,
    ),
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "stylegan_emoji": Recipe(
        "stylegan", "emoji", ["--epochs", "300", "--sample-every", "10", "--checkpoint-every", "10"],
        {"image_shape": [32, 32, 3]}, "Noto Emoji, the 3,374 training images, 32 px",
        # StyleGAN draws its per-pixel noise anew on every call, on each backend's RNG.
        {"metric": "fid", "num_samples": 500, "rtol": 0.03},
    ),
}
