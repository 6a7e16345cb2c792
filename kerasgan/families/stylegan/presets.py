"""Style-based presets: stylegan."""

from kerasgan import losses
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
    discriminator = style_discriminator(image_shape, channel_base=channel_base, channel_max=channel_max)
    gan = StyleGAN(
        generator,
        discriminator,
        loss="non_saturating",
        penalties=[losses.R1(r1_weight, r1_interval)],
        ema=ema_decay,
        augment=augment,
        seed=seed,
        name="stylegan",
    )
    # Lazy regularisation makes each D update count for r1_interval / (r1_interval + 1)
    # of one with the penalty: scale the learning rate and betas to match (StyleGAN2).
    ratio = r1_interval / (r1_interval + 1) if r1_weight else 1.0
    gan.compile(
        d_optimizer=adam(learning_rate * ratio, beta_1=0.0, beta_2=0.99**ratio),
        g_optimizer=adam(learning_rate, beta_1=0.0, beta_2=0.99),
    )
    return gan


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
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "stylegan_emoji": Recipe(
        "stylegan", "emoji", ["--epochs", "40", "--sample-every", "5", "--checkpoint-every", "5"],
        {"image_shape": [32, 32, 3]}, "Noto Emoji, the 3,374 training images, 32 px",
        # StyleGAN draws its per-pixel noise anew on every call, on each backend's RNG.
        {"metric": "fid", "num_samples": 500, "rtol": 0.03},
    ),
}
