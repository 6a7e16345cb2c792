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
    name="pix2pix",
):
    """Pix2Pix (Isola et al. 2017): U-Net generator, PatchGAN on (input, output) pairs.

    U-Net down to a 1x1 bottleneck (64 px: 6 stages) with dropout 0.5 on the three
    innermost decoder stages; PatchGAN with 70x70 patches from 64 px (34x34 below);
    non-saturating loss + 100 x L1; the discriminator's loss halved; Adam(2e-4,
    beta_1=0.5) for each network. `base_filters=32` is half the paper's 64, for CPU
    speed (`pix2pix_256` is the paper's network). Train on `(inputs, targets)` (`kerasgan.datasets.load_pairs("openmoji")`).

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
        name: str. The model's name. Defaults to "pix2pix".

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
        name=name,
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
    affine=True,
    name="cyclegan",
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
    for CPU speed (`cyclegan_256` and `cyclegan_128` are the paper's networks). Train on `(images_a, images_b)`
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
        affine: bool. Whether the ResNet generators' and the discriminators' instance
            normalisation learns a scale and offset (the reference code's does not:
            False); the U-Net translators' always does. Defaults to True.
        name: str. The model's name. Defaults to "cyclegan".

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
            return resnet_generator(source, target[-1], base_filters, num_blocks, affine=affine, name=name)
        return unet_generator(source, target[-1], base_filters, normalization="instance", dropout=0.0, name=name)

    model = CycleGAN(
        translator(image_shape, image_shape_b, "generator_ab"),
        translator(image_shape_b, image_shape, "generator_ba"),
        patchgan_discriminator(image_shape, base_filters=base_filters, normalization="instance", affine=affine, name="discriminator_a"),
        patchgan_discriminator(image_shape_b, base_filters=base_filters, normalization="instance", affine=affine, name="discriminator_b"),
        cycle_weight=cycle_weight,
        identity_weight=identity_weight,
        pool_size=pool_size,
        seed=seed,
        name=name,
    )
    model.compile(**{
        name: adam(_learning_rate(learning_rate, total_steps))
        for name in ("g_optimizer", "d_a_optimizer", "d_b_optimizer")
    })
    return model


def pix2pix_256(image_shape=(256, 256, 3), target_channels=None, base_filters=64, learning_rate=2e-4, total_steps=None, seed=None):
    """Pix2Pix as the paper trains it at 256 px: the `unet_256` generator (8
    downsamplings to a 1x1 bottleneck, dropout 0.5 on the three innermost decoder
    stages) and the 70x70 PatchGAN on (input, output), ngf = ndf = 64, batch
    normalisation, batch size 1, non-saturating loss + 100 x L1, Adam(2e-4,
    beta_1=0.5). At 256x256x3 its networks count 54,413,955 and 2,768,705 trainable
    parameters, as pytorch-CycleGAN-and-pix2pix's `--model pix2pix` prints them
    (54.414 M and 2.769 M). The `pix2pix` preset is the CPU-sized one.

    Args:
        image_shape: tuple. Defaults to (256, 256, 3).
        target_channels: int or None. Defaults to the inputs'.
        base_filters: int. ngf = ndf. Defaults to 64 (the paper's).
        learning_rate: float. Defaults to 2e-4.
        total_steps: int or None. The paper's schedule (constant, then linear decay to
            0) over this many steps. Defaults to None (constant).
        seed: int or None. Defaults to None.
    """
    return pix2pix(
        image_shape, target_channels, base_filters, learning_rate=learning_rate, total_steps=total_steps, seed=seed,
        name="pix2pix_256",
    )


def _cyclegan_paper(image_shape, num_blocks, base_filters, learning_rate, total_steps, seed, name):
    return cyclegan(
        image_shape, base_filters=base_filters, num_blocks=num_blocks, generator="resnet", learning_rate=learning_rate,
        total_steps=total_steps, seed=seed, affine=False, name=name,
    )


def cyclegan_256(image_shape=(256, 256, 3), base_filters=64, learning_rate=2e-4, total_steps=None, seed=None):
    """CycleGAN as the paper trains it at 256 px: `resnet_9blocks` generators and 70x70
    PatchGANs, ngf = ndf = 64, instance normalisation without a learned scale and
    offset (the reference code's), batch size 1, least squares, cycle weight 10,
    identity 0.5, a pool of 50, Adam(2e-4, beta_1=0.5). At 256x256x3 each generator
    counts 11,378,179 trainable parameters and each discriminator 2,764,737, as
    pytorch-CycleGAN-and-pix2pix prints them (11.378 M, 2.765 M). The `cyclegan`
    preset is the CPU-sized one.

    Args:
        image_shape: tuple. Defaults to (256, 256, 3).
        base_filters: int. ngf = ndf. Defaults to 64 (the paper's).
        learning_rate: float. Defaults to 2e-4.
        total_steps: int or None. As in `pix2pix_256`. Defaults to None (constant).
        seed: int or None. Defaults to None.
    """
    return _cyclegan_paper(image_shape, 9, base_filters, learning_rate, total_steps, seed, "cyclegan_256")


def cyclegan_128(image_shape=(128, 128, 3), base_filters=64, learning_rate=2e-4, total_steps=None, seed=None):
    """CycleGAN as the paper trains it at 128 px: `cyclegan_256` with 6 residual blocks
    per generator (`resnet_6blocks`: 7,837,699 trainable parameters at 128x128x3).

    Args:
        image_shape: tuple. Defaults to (128, 128, 3).
        base_filters: int. ngf = ndf. Defaults to 64 (the paper's).
        learning_rate: float. Defaults to 2e-4.
        total_steps: int or None. As in `pix2pix_256`. Defaults to None (constant).
        seed: int or None. Defaults to None.
    """
    return _cyclegan_paper(image_shape, 6, base_filters, learning_rate, total_steps, seed, "cyclegan_128")


def supports_size(side):
    """Square sides both presets build: divisible by 4 (the PatchGAN and ResNet halve
    twice), from 16 px."""
    return side >= 16 and side % 4 == 0


PRESETS = {
    "pix2pix": Preset(
        pix2pix, "Pix2Pix: U-Net + PatchGAN, paired translation (line art -> colour emoji); CPU-sized (ngf 32; pix2pix_256 is the paper's)", "pairs", "openmoji", batch_size=16, supports_size=supports_size,
        tiny={"image_shape": (16, 16, 3), "base_filters": 4},
    ),
    "cyclegan": Preset(
        cyclegan, "CycleGAN: two translators (U-Net below 64 px, ResNet from 64), unpaired domains (horse <-> zebra, Noto <-> Twemoji); CPU-sized (ngf 32; cyclegan_256/128 are the paper's)", "domains", "horse_zebra", batch_size=16, supports_size=supports_size,
        tiny={"image_shape": (16, 16, 1), "base_filters": 4, "num_blocks": 1},
    ),
    # The papers' networks (batch size 1, as they train), for a GPU.
    "pix2pix_256": Preset(
        pix2pix_256, "Pix2Pix, the paper's network: unet_256 + 70x70 PatchGAN, ngf = ndf = 64 (54.4 M + 2.8 M parameters); for a GPU, no shipped weights", "pairs", "openmoji", batch_size=1,
        image_size=256, supports_size=lambda side: side == 256, tiny={"image_shape": (16, 16, 3), "base_filters": 4}, ships_weights=False,
    ),
    "cyclegan_256": Preset(
        cyclegan_256, "CycleGAN, the paper's network at 256 px: resnet_9blocks + PatchGAN, ngf = ndf = 64 (2 x 11.4 M + 2 x 2.8 M); for a GPU, no shipped weights", "domains", "emoji", batch_size=1,
        image_size=256, supports_size=lambda side: side == 256, tiny={"image_shape": (16, 16, 3), "base_filters": 4}, ships_weights=False,
    ),
    "cyclegan_128": Preset(
        cyclegan_128, "CycleGAN, the paper's network at 128 px: resnet_6blocks + PatchGAN, ngf = ndf = 64 (2 x 7.8 M + 2 x 2.8 M); for a GPU, no shipped weights", "domains", "emoji", batch_size=1,
        image_size=128, supports_size=lambda side: side == 128, tiny={"image_shape": (16, 16, 3), "base_filters": 4}, ships_weights=False,
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
        "cyclegan", "horse_zebra", ["--epochs", "160", "--sample-every", "20", "--checkpoint-every", "20"],
        {"image_shape": [28, 28, 1]}, "horse and zebra silhouettes, unpaired, 28 px grey",
        {"metric": "fid", "rtol": 0.005},
    ),
}
