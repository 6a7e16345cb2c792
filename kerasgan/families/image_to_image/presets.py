"""Image-to-image presets: pix2pix and cyclegan."""

from kerasgan.families.image_to_image.models import CycleGAN, Pix2Pix
from kerasgan.families.image_to_image.networks import (
    patchgan_discriminator,
    resnet_generator,
    unet_generator,
)
from kerasgan.families.preset import Preset, Recipe, adam, seeded
from kerasgan.schedules import ConstantThenLinearDecay


def _learning_rate(learning_rate, total_steps):
    if total_steps is None:
        return learning_rate
    # The papers' schedule: the first half constant, the second decaying linearly to 0.
    return ConstantThenLinearDecay(learning_rate, total_steps // 2, max(1, total_steps - total_steps // 2))


def pix2pix(
    image_shape=(64, 64, 3),
    target_channels=None,
    base_filters=32,
    l1_weight=100.0,
    normalization="batch",
    learning_rate=2e-4,
    total_steps=None,
    seed=None,
):
    """Pix2Pix (Isola et al. 2017): U-Net generator, PatchGAN on (input, output) pairs.

    U-Net down to a 1x1 bottleneck (64 px: 6 stages) with dropout 0.5 on the three
    innermost decoder stages; PatchGAN with 70x70 patches from 64 px (34x34 below);
    non-saturating loss + 100 x L1; the discriminator's loss halved; Adam(2e-4,
    beta_1=0.5) for each network. `base_filters=32` is half the paper's 64, for CPU
    speed. Train on `(inputs, targets)` (`kerasgan.datasets.load_pairs("openmoji")`).

    Args:
        image_shape: tuple. `(height, width, channels)` of the inputs; sides divisible
            by 2^stages. Defaults to (64, 64, 3).
        target_channels: int or None. Channels of the outputs. Defaults to the inputs'.
        base_filters: int. Defaults to 32.
        l1_weight: float. Defaults to 100.
        normalization: "batch" (the paper's), "instance" or None. Defaults to "batch".
        learning_rate: float. Defaults to 2e-4.
        total_steps: int or None. When set, the learning rate is constant for the first
            half of the steps and decays linearly to 0 over the second (the paper's
            schedule). Defaults to None (constant).
        seed: int or None. Seeds the initial weights and training. Defaults to None.

    Reference:
        Isola, Zhu, Zhou and Efros 2017, "Image-to-Image Translation with Conditional
        Adversarial Networks".
    """
    seeded(seed)
    target_shape = (*image_shape[:2], target_channels or image_shape[-1])
    model = Pix2Pix(
        unet_generator(image_shape, target_shape[-1], base_filters, normalization=normalization),
        patchgan_discriminator(target_shape, condition_shape=image_shape, base_filters=base_filters, normalization=normalization),
        l1_weight=l1_weight,
        seed=seed,
        name="pix2pix",
    )
    model.compile(
        g_optimizer=adam(_learning_rate(learning_rate, total_steps)),
        d_optimizer=adam(_learning_rate(learning_rate, total_steps)),
    )
    return model


def cyclegan(
    image_shape=(64, 64, 3),
    image_shape_b=None,
    base_filters=32,
    num_blocks=6,
    generator=None,
    cycle_weight=10.0,
    identity_weight=None,
    pool_size=50,
    learning_rate=2e-4,
    total_steps=None,
    seed=None,
):
    """CycleGAN (Zhu et al. 2017): two generators, two PatchGANs, unpaired domains.

    Generators: below 64 px a U-Net (`unet_generator` with instance normalisation, no
    dropout), from 64 px the paper's ResNet (2 downsamplings, `num_blocks` residual
    blocks, instance normalisation, reflection padding). At 28-32 px the U-Net kept the
    subjects' shapes where the ResNet's translations turned to speckle, and trained 17x
    faster (benchmarks/image_to_image.py; docs/image-to-image.md). PatchGAN discriminators with instance
    normalisation; least-squares loss, cycle weight 10, identity weight 0.5 x cycle, a
    pool of the last 50 translations per discriminator; Adam(2e-4, beta_1=0.5) for the
    generators and for each discriminator. `base_filters=32` is half the paper's 64,
    for CPU speed. Train on `(images_a, images_b)`
    (`kerasgan.datasets.load_domains("horse_zebra")`, or "emoji").

    Args:
        image_shape: tuple. Shape of domain A images; sides divisible by 4.
            Defaults to (64, 64, 3).
        image_shape_b: tuple or None. Shape of domain B images, if other channels.
            Defaults to `image_shape`.
        base_filters: int. Defaults to 32.
        num_blocks: int. Residual blocks per generator. Defaults to 6.
        generator: "resnet", "unet" or None (U-Net below 64 px, ResNet from 64 px).
            Defaults to None.
        cycle_weight: float. Defaults to 10.
        identity_weight: float or None. Relative to cycle_weight. Defaults to None:
            0.5, or 0 when the domains' shapes differ (an identity needs one shape).
        pool_size: int. Defaults to 50.
        learning_rate: float. Defaults to 2e-4.
        total_steps: int or None. As in `pix2pix`: constant, then linear decay to 0.
            Defaults to None (constant).
        seed: int or None. Defaults to None.

    Reference:
        Zhu, Park, Isola and Efros 2017, "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks".
    """
    if generator is None:
        generator = "unet" if min(image_shape[:2]) < 64 else "resnet"
    if generator not in ("resnet", "unet"):
        raise ValueError(f"Expected generator 'resnet', 'unet' or None. Received: generator={generator!r}")
    seeded(seed)
    image_shape = tuple(image_shape)
    image_shape_b = tuple(image_shape_b or image_shape)
    if identity_weight is None:
        identity_weight = 0.5 if image_shape_b == image_shape else 0.0

    def translator(source, target, name):
        if generator == "resnet":
            return resnet_generator(source, target[-1], base_filters, num_blocks, name=name)
        return unet_generator(source, target[-1], base_filters, normalization="instance", dropout=0.0, name=name)

    model = CycleGAN(
        translator(image_shape, image_shape_b, "generator_ab"),
        translator(image_shape_b, image_shape, "generator_ba"),
        patchgan_discriminator(image_shape, base_filters=base_filters, normalization="instance", name="discriminator_a"),
        patchgan_discriminator(image_shape_b, base_filters=base_filters, normalization="instance", name="discriminator_b"),
        cycle_weight=cycle_weight,
        identity_weight=identity_weight,
        pool_size=pool_size,
        seed=seed,
        name="cyclegan",
    )
    model.compile(**{
        name: adam(_learning_rate(learning_rate, total_steps))
        for name in ("g_optimizer", "d_a_optimizer", "d_b_optimizer")
    })
    return model


def supports_size(side):
    """Square sides both presets build: divisible by 4 (the PatchGAN and ResNet halve
    twice), from 16 px."""
    return side >= 16 and side % 4 == 0


PRESETS = {
    "pix2pix": Preset(
        pix2pix, "Pix2Pix: U-Net + PatchGAN, paired translation (line art -> colour emoji)", "pairs", "openmoji", batch_size=16, supports_size=supports_size,
        tiny={"image_shape": (16, 16, 3), "base_filters": 4},
    ),
    "cyclegan": Preset(
        cyclegan, "CycleGAN: two translators (U-Net below 64 px, ResNet from 64), unpaired domains (horse <-> zebra, Noto <-> Twemoji)", "domains", "horse_zebra", batch_size=16, supports_size=supports_size,
        tiny={"image_shape": (16, 16, 1), "base_filters": 4, "num_blocks": 1},
    ),
}

# The pretrained models of this family (scripts/build_zoo.py trains and ships them).
RECIPES = {
    "pix2pix_openmoji": Recipe(
        "pix2pix", "openmoji", ["--image-size", "32", "--epochs", "30", "--sample-every", "5", "--checkpoint-every", "5"],
        {"image_shape": [32, 32, 3], "target_channels": 3}, "OpenMoji line art -> colour emoji pairs, 32 px",
        {"metric": "l1", "rtol": 0.005},
    ),
    "cyclegan_horse_zebra": Recipe(
        "cyclegan", "horse_zebra", ["--epochs", "40", "--sample-every", "10", "--checkpoint-every", "10"],
        {"image_shape": [28, 28, 1]}, "horse and zebra silhouettes, unpaired, 28 px grey",
        {"metric": "fid", "rtol": 0.005},
    ),
}
