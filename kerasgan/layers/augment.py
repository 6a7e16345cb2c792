"""Differentiable augmentation of the discriminator's inputs (ADA, DiffAugment).

Both papers augment every image the discriminator sees, real and generated, with
transforms that gradients flow through, so the generator is trained through them and
the discriminator cannot memorise a small training set. ADA applies each transform with
a probability `p` that a controller adapts during training; DiffAugment keeps them on.
"""

import keras
from keras import ops

from kerasgan import backend
from kerasgan.parts import Part, as_part, is_real

TRANSFORMS = ("flip", "rotation", "translation", "color", "diffaugment_color", "cutout")

POLICIES = {
    # Karras et al. 2020, the "bgc" pipeline's pixel blitting, colour and cutout parts.
    "ada": ("flip", "translation", "rotation", "color", "cutout"),
    # Zhao et al. 2020, the policy of their CIFAR-10 and few-shot results.
    "diffaugment": ("diffaugment_color", "translation", "cutout"),
}

PADDINGS = ("reflect", "zeros")

# Magnitudes, as fractions of the image size or as standard deviations.
TRANSLATION_RATIO = 0.125  # both papers: up to 1/8 of the size in each axis
CUTOUT_RATIO = 0.5  # both papers: a square of half the size
BRIGHTNESS_STD = 0.2  # ADA: b ~ N(0, 0.2), added
CONTRAST_LOG2_STD = 0.5  # ADA: c = 2^N(0, 0.5)
SATURATION_LOG2_STD = 1.0  # ADA: s = 2^N(0, 1)
# DiffAugment's colour: x + U(-0.5, 0.5), saturation x U(0, 2), contrast x U(0.5, 1.5).
DIFFAUGMENT_BRIGHTNESS, DIFFAUGMENT_SATURATION, DIFFAUGMENT_CONTRAST = (-0.5, 0.5), (0.0, 2.0), (0.5, 1.5)


@keras.saving.register_keras_serializable(package="kerasgan")
class DifferentiableAugment(keras.layers.Layer):
    """Randomly flips, rotates, translates, recolours and cuts out images, differentiably.

    Expects float images `(batch, height, width, channels)` in [-1, 1], with 1 or 3
    channels, and returns images of the same shape. Each transform (and each of the
    three colour adjustments) is applied to each image independently with probability
    `p`, held in the non-trainable weight `probability`: `p = 0` returns the input
    exactly; ADA's controller (`adjust`) moves `p` during training, and it is saved with
    the model's weights so a resumed run keeps it. Everything is written with
    `keras.ops` and `keras.random` (static shapes, no Python branches on tensor values),
    so it runs inside jitted steps on every backend, and gradients reach the images.
    The layer augments whenever it is called, in training or not: the GAN applies it
    explicitly to the discriminator's inputs.

    The transforms, applied in this order whatever the order given:

    - "flip": mirrors left-right. As in ADA, an applied flip is itself a fair coin
      (mirrored or not), so even `p = 1` leaves half the images unflipped.
    - "rotation": rotates by k * 90 degrees, k uniform in {0, 1, 2, 3} (ADA), square
      images only.
    - "translation": shifts by whole pixels, uniform in [-s, s] in each axis with
      `s = round(size / 8)` (DiffAugment's form; ADA rounds a uniform shift of at most
      1/8 of the size), filling the uncovered border by `padding`.
    - "color": brightness `x + b`, `b ~ N(0, 0.2)`; contrast `(x - m) * c + m` around
      the image's mean m, `c = 2^N(0, 0.5)`; saturation `(x - g) * s + g` around each
      pixel's grey value g (mean of its channels), `s = 2^N(0, 1)`, for 3 channels only.
      The magnitudes are ADA's; ADA scales contrast around 0 (mid-grey), DiffAugment
      around the image's mean, as here.
    - "diffaugment_color": DiffAugment's colour, in its order: brightness `x + b`,
      `b ~ U(-0.5, 0.5)`; saturation around each pixel's grey value, `s ~ U(0, 2)`;
      contrast around the image's mean, `c ~ U(0.5, 1.5)`.
    - "cutout": sets a square of half the image's size to 0 (mid-grey in [-1, 1], as
      in both papers, whose images are in [-1, 1] too). Its centre is uniform over the
      image's pixels, so near an edge part of the square falls outside (as in both).

    Flip and rotation draw uniformly from their group, identity included, as ADA does,
    because that keeps them non-leaking for every `p < 1`: the generator cannot win by
    producing flipped or rotated images. A flip applied every time it is drawn would
    leak at `p = 0.5`, and a rotation by 90, 180 or 270 degrees at `p = 0.75`, values
    ADA's controller passes through.

    Args:
        transforms: tuple of str. Transforms to apply, among "flip", "rotation",
            "translation", "color", "diffaugment_color" and "cutout". Defaults to
            ADA's five: flip, rotation, translation, color and cutout.
        probability: float. Initial probability `p` in [0, 1] of each transform.
            Defaults to 1.0.
        seed: int or None. Seeds the random draws. Defaults to None.
        padding: str. How "translation" fills the uncovered border: "reflect" (ADA)
            or "zeros" (DiffAugment). Defaults to "reflect".

    Example:

    ```python
    augment = DifferentiableAugment(("color", "translation", "cutout"), padding="zeros")
    images = keras.random.uniform((4, 8, 8, 3), -1.0, 1.0)
    augmented = augment(images)  # shape (4, 8, 8, 3)
    augment.probability.assign(0.5)
    ```

    Reference:
        Karras et al. 2020, "Training Generative Adversarial Networks with Limited
        Data" (ADA; NVlabs/stylegan2-ada-pytorch `training/augment.py`); Zhao et al.
        2020, "Differentiable Augmentation for Data-Efficient GAN Training"
        (mit-han-lab/data-efficient-gans `DiffAugment_pytorch.py`).
    """

    def __init__(
        self,
        transforms=POLICIES["ada"],
        probability=1.0,
        seed=None,
        padding="reflect",
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(transforms, str):
            transforms = (transforms,)
        transforms = tuple(transforms)
        unknown = [name for name in transforms if name not in TRANSFORMS]
        if unknown or len(set(transforms)) != len(transforms):
            raise ValueError(
                f"Expected distinct transforms among {TRANSFORMS}. Received: transforms={transforms!r}"
            )
        probability = float(probability)
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"Expected a probability in [0, 1]. Received: probability={probability!r}")
        if padding not in PADDINGS:
            raise ValueError(f"Expected padding in {PADDINGS}. Received: padding={padding!r}")
        self.transforms = transforms
        self.initial_probability = probability
        self.padding = padding
        self.seed = seed
        self.seed_generator = backend.seed_generator(seed)
        self.probability = self.add_weight(
            name="probability",
            shape=(),
            dtype="float32",
            initializer=keras.initializers.Constant(probability),
            trainable=False,
        )

    def build(self, input_shape):
        if len(input_shape) != 4 or any(side is None for side in input_shape[1:]):
            raise ValueError(
                "Expected images of shape (batch, height, width, channels) with known height, "
                f"width and channels. Received: input_shape={tuple(input_shape)}"
            )
        if "rotation" in self.transforms and input_shape[1] != input_shape[2]:
            raise ValueError(
                "Expected square images for the 'rotation' transform. "
                f"Received: image_shape={tuple(input_shape[1:])}"
            )
        self.built = True

    def compute_output_shape(self, input_shape):
        return input_shape

    # ---- randomness --------------------------------------------------------------------

    def _applied(self, batch_size):
        """A per-image boolean mask, True with probability p."""
        draws = keras.random.uniform((batch_size,), seed=self.seed_generator)
        return draws < ops.cast(self.probability, draws.dtype)

    def _randint(self, batch_size, low, high):
        """Per-image integers uniform in [low, high)."""
        return keras.random.randint((batch_size,), low, high, dtype="int32", seed=self.seed_generator)

    def _log2_normal(self, batch_size, std, dtype):
        return ops.power(2.0, keras.random.normal((batch_size, 1, 1, 1), stddev=std, dtype=dtype, seed=self.seed_generator))

    # ---- transforms --------------------------------------------------------------------

    def call(self, images):
        batch_size = ops.shape(images)[0]
        if any(name in self.transforms for name in ("flip", "rotation", "translation")):
            images = self._geometric(images, batch_size)
        if "color" in self.transforms:
            images = self._color(images, batch_size)
        if "diffaugment_color" in self.transforms:
            images = self._diffaugment_color(images, batch_size)
        if "cutout" in self.transforms:
            images = self._cutout(images, batch_size)
        return images

    def _geometric(self, images, batch_size):
        """Flip, then rotation, then translation, as one gather of source pixels."""
        _, height, width, channels = images.shape
        rows = ops.reshape(ops.arange(height, dtype="int32"), (1, height, 1))
        cols = ops.reshape(ops.arange(width, dtype="int32"), (1, 1, width))
        rows = ops.broadcast_to(rows, (batch_size, height, width))
        cols = ops.broadcast_to(cols, (batch_size, height, width))
        per_image = (-1, 1, 1)
        inside = None
        # Each step maps an output pixel to the pixel it reads, so the last transform
        # applied is undone first.
        if "translation" in self.transforms:
            shifts = []
            for size in (height, width):
                reach = int(size * TRANSLATION_RATIO + 0.5)
                shift = self._randint(batch_size, -reach, reach + 1)
                shifts.append(ops.reshape(ops.where(self._applied(batch_size), shift, 0), per_image))
            rows, cols = rows - shifts[0], cols - shifts[1]
            if self.padding == "reflect":  # mirror without repeating the edge pixel
                rows = _reflect(rows, height)
                cols = _reflect(cols, width)
            else:
                inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
                rows = ops.clip(rows, 0, height - 1)
                cols = ops.clip(cols, 0, width - 1)
        if "rotation" in self.transforms:
            # out = rot90(in, k) (counterclockwise) reads in[c, n-r], in[n-r, n-c], in[n-c, r]
            # for k = 1, 2, 3, where n = size - 1.
            last = height - 1
            turns = ops.where(self._applied(batch_size), self._randint(batch_size, 0, 4), 0)
            turns = ops.reshape(turns, per_image)
            rows, cols = (
                ops.where(turns == 0, rows, ops.where(turns == 1, cols, ops.where(turns == 2, last - rows, last - cols))),
                ops.where(turns == 0, cols, ops.where(turns == 1, last - rows, ops.where(turns == 2, last - cols, rows))),
            )
        if "flip" in self.transforms:
            flips = ops.where(self._applied(batch_size), self._randint(batch_size, 0, 2), 0)
            cols = ops.where(ops.reshape(flips, per_image) == 1, width - 1 - cols, cols)
        pixels = height * width
        offsets = ops.reshape(ops.arange(batch_size, dtype="int32") * pixels, per_image)
        sources = ops.reshape(offsets + rows * width + cols, (-1,))
        flat = ops.reshape(images, (-1, channels))
        images = ops.reshape(ops.take(flat, sources, axis=0), (-1, height, width, channels))
        if inside is not None:
            images = ops.where(ops.expand_dims(inside, -1), images, ops.zeros_like(images))
        return images

    def _color(self, images, batch_size):
        dtype = keras.backend.standardize_dtype(images.dtype)
        per_image = (-1, 1, 1, 1)
        # Brightness: x + b.
        brightness = keras.random.normal((batch_size, 1, 1, 1), stddev=BRIGHTNESS_STD, dtype=dtype, seed=self.seed_generator)
        applied = ops.reshape(self._applied(batch_size), per_image)
        images = ops.where(applied, images + brightness, images)
        # Contrast: deviations from the image's mean scaled by c.
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        contrast = self._log2_normal(batch_size, CONTRAST_LOG2_STD, dtype)
        applied = ops.reshape(self._applied(batch_size), per_image)
        images = ops.where(applied, (images - mean) * contrast + mean, images)
        # Saturation: deviations from each pixel's grey value scaled by s.
        if images.shape[-1] == 3:
            grey = ops.mean(images, axis=-1, keepdims=True)
            saturation = self._log2_normal(batch_size, SATURATION_LOG2_STD, dtype)
            applied = ops.reshape(self._applied(batch_size), per_image)
            images = ops.where(applied, (images - grey) * saturation + grey, images)
        return images

    def _diffaugment_color(self, images, batch_size):
        dtype = keras.backend.standardize_dtype(images.dtype)
        per_image = (-1, 1, 1, 1)

        def uniform(bounds):
            return keras.random.uniform((batch_size, 1, 1, 1), *bounds, dtype=dtype, seed=self.seed_generator)

        applied = ops.reshape(self._applied(batch_size), per_image)
        images = ops.where(applied, images + uniform(DIFFAUGMENT_BRIGHTNESS), images)
        if images.shape[-1] == 3:  # a grey image is its own grey value
            grey = ops.mean(images, axis=-1, keepdims=True)
            applied = ops.reshape(self._applied(batch_size), per_image)
            images = ops.where(applied, (images - grey) * uniform(DIFFAUGMENT_SATURATION) + grey, images)
        mean = ops.mean(images, axis=(1, 2, 3), keepdims=True)
        applied = ops.reshape(self._applied(batch_size), per_image)
        return ops.where(applied, (images - mean) * uniform(DIFFAUGMENT_CONTRAST) + mean, images)

    def _cutout(self, images, batch_size):
        _, height, width, _ = images.shape
        inside = []
        for size, axis_shape in ((height, (1, height, 1, 1)), (width, (1, 1, width, 1))):
            side = int(size * CUTOUT_RATIO + 0.5)
            # First covered index: the centre uniform over the pixels (DiffAugment's
            # integer form of ADA's uniform centre), so the square may overhang an edge.
            start = self._randint(batch_size, 0, size + 1 - side % 2) - side // 2
            start = ops.reshape(start, (-1, 1, 1, 1))
            positions = ops.reshape(ops.arange(size, dtype="int32"), axis_shape)
            inside.append((positions >= start) & (positions < start + side))
        applied = ops.reshape(self._applied(batch_size), (-1, 1, 1, 1))
        cut = inside[0] & inside[1] & applied
        return ops.where(cut, ops.zeros_like(images), images)

    # ---- ADA's controller --------------------------------------------------------------

    def adjust(self, real_signs, batch_size, target=0.6, speed_images=500_000):
        """Moves `p` one step of ADA's controller toward the overfitting target.

        ADA's heuristic r_t = E[sign(D(real))] grows as the discriminator overfits. Each
        call moves p by `batch_size / speed_images` up when r_t > target, down when
        r_t < target, and clips it to [0, 1]: p can cross [0, 1] in `speed_images` real
        images. This is the per-step form of the paper's rule (which adjusts every 4
        steps, from the signs accumulated over them).

        Args:
            real_signs: scalar tensor. r_t, the mean of sign(D(real images)) over the batch.
            batch_size: int or scalar tensor. Real images in the batch.
            target: float. The target r_t. Defaults to 0.6 (the paper's).
            speed_images: int. Real images for p to cross [0, 1]. Defaults to 500_000
                (the paper's); short runs on a CPU, which see far fewer images, want a
                much smaller value (such as 10_000 to 100_000) for p to move at all.

        Returns:
            The new p, a scalar float32 tensor.
        """
        step = ops.cast(batch_size, "float32") / float(speed_images)
        direction = ops.sign(ops.cast(real_signs, "float32") - float(target))
        probability = ops.clip(self.probability + direction * step, 0.0, 1.0)
        self.probability.assign(probability)
        return probability

    def get_config(self):
        return {
            **super().get_config(),
            "transforms": list(self.transforms),
            "probability": self.initial_probability,
            "padding": self.padding,
            "seed": self.seed,
        }


def _reflect(positions, size):
    """Maps indices in (-size, 2 size - 1) into [0, size) by mirroring at the edges."""
    positions = ops.abs(positions)
    return (size - 1) - ops.abs((size - 1) - positions)


@keras.saving.register_keras_serializable(package="kerasgan")
class ADA(Part):
    """Adaptive discriminator augmentation (Karras et al. 2020): ADA's five transforms on
    every image the discriminator sees, each with probability p, with reflection padding.

    p starts at 0. After each discriminator update it moves by `sign(r_t - target) *
    batch / speed`, clipped to [0, 1], where `r_t = E[sign(D(x))]` over the real batch is
    the overfitting heuristic (logged as `augment_p`).

    Args:
        target: float in (0, 1). The target r_t. Defaults to 0.6 (the paper's).
        speed: int > 0. Real images over which p can move from 0 to 1. The paper's
            500,000 suits runs of millions of images; CPU runs of a few hundred
            thousand want less. Defaults to 100,000.
    """

    policy = "ada"

    def __init__(self, target=0.6, speed=100_000):
        if not is_real(target, 0.0, 1.0, low_open=True) or not is_real(speed, 1.0):
            raise ValueError(f"Expected ADA target in (0, 1) and speed >= 1 (images). Received: target={target!r}, speed={speed!r}")
        self.target = float(target)
        self.speed = int(speed)

    def get_config(self):
        return {"target": self.target, "speed": self.speed}

    def layer(self, seed=None):
        return DifferentiableAugment(POLICIES["ada"], probability=0.0, padding="reflect", seed=seed, name="augment")

    def adjust(self, layer, real_signs, batch_size):
        layer.adjust(real_signs, batch_size, target=self.target, speed_images=self.speed)


@keras.saving.register_keras_serializable(package="kerasgan")
class DiffAugment(Part):
    """DiffAugment (Zhao et al. 2020): colour, translation and cutout on every image the
    discriminator sees (p = 1, fixed), with zero padding."""

    policy = "diffaugment"

    def get_config(self):
        return {}

    def layer(self, seed=None):
        return DifferentiableAugment(POLICIES["diffaugment"], probability=1.0, padding="zeros", seed=seed, name="augment")

    def adjust(self, layer, real_signs, batch_size):
        pass


@keras.saving.register_keras_serializable(package="kerasgan")
class InstanceNoise(Part):
    """Instance noise (Sonderby et al. 2017): `x + sigma_t * eps`, `eps ~ N(0, I)`, on every
    image the discriminator sees in its adversarial loss (not in the penalties), with
    `sigma_t = std * max(0, 1 - t / steps)` annealed over the generator steps t.

    Args:
        std: float > 0. sigma at the first step.
        steps: int >= 1. Generator steps to anneal over. Defaults to 5000.
    """

    def __init__(self, std, steps=5000):
        if not is_real(std, 0.0, low_open=True) or isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
            raise ValueError(f"Expected InstanceNoise std > 0 and steps an int >= 1. Received: std={std!r}, steps={steps!r}")
        self.std = float(std)
        self.steps = steps

    def get_config(self):
        return {"std": self.std, "steps": self.steps}

    def apply(self, images, step, seed_generator):
        std = self.std * ops.maximum(0.0, 1.0 - ops.cast(step, "float32") / self.steps)
        return images + std * keras.random.normal(ops.shape(images), seed=seed_generator)


POLICY_PARTS = {"ada": ADA, "diffaugment": DiffAugment}


def augmentations(spec):
    """`GAN(augment=...)` as a list of parts: None, "ada", "diffaugment", an `ADA`,
    `DiffAugment` or `InstanceNoise`, their saved forms, or a list of these with at most
    one policy (ADA or DiffAugment) and one `InstanceNoise`."""
    specs = list(spec) if isinstance(spec, (list, tuple)) else [] if spec is None else [spec]
    parts = [
        POLICY_PARTS[item]() if isinstance(item, str) and item in POLICY_PARTS
        else as_part(item, (ADA, DiffAugment, InstanceNoise), "augment", '"ada", "diffaugment", ADA(target=0.6), DiffAugment() or InstanceNoise(0.1)')
        for item in specs
    ]
    if sum(isinstance(part, (ADA, DiffAugment)) for part in parts) > 1 or sum(isinstance(part, InstanceNoise) for part in parts) > 1:
        raise ValueError(f"Expected at most one augmentation policy and one InstanceNoise. Received: augment={spec!r}")
    return parts


def make_augment(policy, seed=None):
    """Returns the augmentation layer of a named policy, or None for None.

    "ada" applies ADA's five transforms, starting from p = 0 for `adjust` to raise
    during training, with reflection padding; "diffaugment" applies DiffAugment's
    colour, translation and cutout to every image (p = 1, fixed), with zero padding.

    Args:
        policy: str or None. "ada", "diffaugment" or None.
        seed: int or None. Seeds the random draws. Defaults to None.

    Returns:
        A `DifferentiableAugment`, or None when `policy` is None.

    Reference:
        Karras et al. 2020 (ADA); Zhao et al. 2020 (DiffAugment).
    """
    if policy is None:
        return None
    if policy not in POLICY_PARTS:
        raise ValueError(f"Expected an augmentation policy in {tuple(POLICIES)} or None. Received: policy={policy!r}")
    return POLICY_PARTS[policy]().layer(seed)
