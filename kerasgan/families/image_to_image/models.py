"""Image-to-image GANs: Pix2Pix (paired) and CycleGAN (unpaired), on the shared engine."""

import os

import keras
import numpy as np
from keras import ops

from kerasgan import losses
from kerasgan.datasets.pixels import device_unit_range
from kerasgan.engine import AdversarialModel, Update
from kerasgan.export import SAVED_MODEL_MARKER, check_format, export_network, input_signature
from kerasgan.files import atomic_write_folder
from kerasgan.layers import ImagePool
from kerasgan.guards import check_images, first_batch

# What kerasgan.models gathers from this family (kerasgan.families.public).
__all__ = ["CycleGAN", "Pix2Pix"]


def _unpaired_loss(name, model):
    # A translator's generator update judges its outputs alone: no relativistic pairing.
    family = losses.get(name)
    if family.relativistic:
        raise ValueError(f"{model} takes a loss whose generator update sees the fakes only. Received: loss={name!r}")
    return family


def _shape(shape):
    return tuple((shape[0] if isinstance(shape, list) else shape)[1:])


def _check_pair(data, model, first_name, second_name, first_shape, second_shape, how_to_load):
    """Checks the first batch of `(first, second)` training data against the networks."""
    arrays = isinstance(data, tuple) and len(data) == 2 and all(isinstance(part, np.ndarray) for part in data)
    if arrays and len(data[0]) != len(data[1]):
        raise ValueError(
            f"Expected as many {second_name} as {first_name}. Received: {len(data[0])} "
            f"{first_name} and {len(data[1])} {second_name}. {how_to_load}"
        )
    batch = first_batch(data)
    if batch is None:
        return
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        shape = tuple(getattr(batch, "shape", ()))
        raise ValueError(
            f"{model} trains on ({first_name}, {second_name}) batches. Received: single "
            f"images of shape {shape}. {how_to_load}"
        )
    check_images(batch[0], first_shape, first_name, "the model's")
    check_images(batch[1], second_shape, second_name, "the model's")


def _translate_in_batches(network, images, shape, batch_size):
    """Runs `network` over numpy `images` (one image or a batch) in batches, as numpy."""
    images = np.asarray(images, dtype="float32")
    single = images.ndim == len(shape)
    if single:
        images = images[None]
    check_images(images, shape, "images to translate", "the model's input")
    outputs = [
        # float32 under a mixed-precision policy too.
        ops.convert_to_numpy(ops.cast(network(images[start : start + batch_size], training=False), "float32"))
        for start in range(0, len(images), batch_size)
    ]
    outputs = np.concatenate(outputs) if outputs else np.zeros((0, *_shape(network.output_shape)), "float32")
    return outputs[0] if single else outputs


def _inference(network):
    # A closure of one argument: an export endpoint's signature is its arguments.
    return lambda images: network(images, training=False)


def _grid_rows(*rows):
    """Stacks rows of images for a grid, grey ones repeated to RGB when rows differ."""
    channels = max(row.shape[-1] for row in rows)
    return np.concatenate([np.repeat(row, channels // row.shape[-1], axis=-1) for row in rows]), len(rows)


def _examples(examples, model, names, num_images):
    if examples is None or len(examples) != 2:
        raise ValueError(
            f"A {model} grid needs fixed examples: SampleGrid(..., examples=({names})) with "
            f"arrays in [-1, 1]. Received: examples={type(examples).__name__}"
        )
    return [np.asarray(part, dtype="float32")[:num_images] for part in examples]


@keras.saving.register_keras_serializable(package="kerasgan")
class Pix2Pix(AdversarialModel):
    """Pix2Pix (Isola et al. 2017): a conditional GAN that learns a paired mapping.

    The generator maps an input image to an output image; the discriminator judges
    `(input, image)` pairs, patch by patch. The generator minimises the adversarial
    loss plus `l1_weight` x the mean absolute error to the target; the
    discriminator's loss is halved (as in the paper, it slows D relative to G). Each
    step updates the generator, then the discriminator on the same translations.
    Training data are `(inputs, targets)` batches in [-1, 1]
    (`kerasgan.datasets.load_pairs`), or `fit(inputs, targets)` with arrays.
    `model(images)`, `translate(images)` and `export` run the generator.

    Logs `d_loss`, `g_loss`, `l1` (the unweighted reconstruction term), `real_score`
    and `fake_score` (the mean probability the discriminator gives real and
    translated pairs).

    Args:
        generator: keras.Model. Input images -> output images, such as
            `kerasgan.networks.unet_generator`.
        discriminator: keras.Model. `[inputs, images] -> patch logits`, such as
            `kerasgan.networks.patchgan_discriminator(condition_shape=...)`.
        l1_weight: float. Weight of the L1 term. Defaults to 100.
        loss: str. A loss family of `kerasgan.losses`. Defaults to "non_saturating".
        label_smoothing: float. One-sided, for the cross-entropy losses. Defaults to 0.
        seed: int or None. Defaults to None.

    Example:

    ```python
    model = kerasgan.presets.pix2pix(image_shape=(32, 32, 3))
    model.fit(kerasgan.datasets.load_pairs("openmoji", image_size=32), epochs=5)
    colour = model.translate(line_art)  # numpy, in [-1, 1]
    ```

    Reference:
        Isola, Zhu, Zhou and Efros 2017, "Image-to-Image Translation with Conditional
        Adversarial Networks".
    """

    NETWORKS = ("generator", "discriminator")
    GENERATORS = ("generator",)
    OUTPUTS = "translations"
    G_UPDATE = Update("g_loss", "g_optimizer", ("generator",), "generator_update_loss")
    D_UPDATE = Update("d_loss", "d_optimizer", ("discriminator",), "discriminator_update_loss")

    def __init__(self, generator, discriminator, l1_weight=100.0, loss="non_saturating", label_smoothing=0.0, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        if l1_weight < 0:
            raise ValueError(f"Expected l1_weight >= 0. Received: l1_weight={l1_weight!r}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(f"Expected label_smoothing in [0, 1). Received: label_smoothing={label_smoothing!r}")
        self.loss_family = _unpaired_loss(loss, type(self).__name__)
        self.loss_name = loss
        self.generator = generator
        self.discriminator = discriminator
        self.l1_weight = float(l1_weight)
        self.label_smoothing = float(label_smoothing)
        self.track(["d_loss", "g_loss", "l1", "real_score", "fake_score"])

    @property
    def source_shape(self):
        """Shape of one input image."""
        return _shape(self.generator.input_shape)

    @property
    def target_shape(self):
        """Shape of one output image."""
        return _shape(self.generator.output_shape)

    def call(self, images, training=False):
        return self.generator(images, training=training)

    def compile(self, g_optimizer=None, d_optimizer=None, **kwargs):
        """Configures the two optimizers (each Adam(2e-4, beta_1=0.5) by default)."""
        super().compile(g_optimizer=g_optimizer, d_optimizer=d_optimizer, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "l1_weight": self.l1_weight,
            "loss": self.loss_name,
            "label_smoothing": self.label_smoothing,
        }

    def check_data(self, data):
        _check_pair(
            data, "Pix2Pix", "inputs", "targets", self.source_shape, self.target_shape,
            "Load pairs with kerasgan.datasets.load_pairs or from_pair_arrays, or call fit(inputs, targets).",
        )

    def update_order(self):
        return [(self.G_UPDATE, 1), (self.D_UPDATE, 1)]

    def prepare_batch(self, data):
        inputs, targets = data
        return {"inputs": device_unit_range(inputs), "targets": device_unit_range(targets)}

    def generator_update_loss(self, batch):
        inputs, targets = batch["inputs"], batch["targets"]
        fakes = self.generator(inputs, training=True)
        adversarial = self.loss_family.generator_loss(self.discriminator([inputs, fakes], training=True), None)
        l1 = losses.l1_reconstruction_loss(fakes, targets)
        return adversarial + self.l1_weight * l1, {"l1": l1}, {"fakes": fakes}

    def discriminator_update_loss(self, batch):
        inputs = batch["inputs"]
        real_logits = self.discriminator([inputs, batch["targets"]], training=True)
        fake_logits = self.discriminator([inputs, batch["fakes"]], training=True)
        loss = losses.smoothed_discriminator_loss(self.loss_family, real_logits, fake_logits, self.label_smoothing)
        logs = {
            "real_score": ops.mean(self.loss_family.score(real_logits)),
            "fake_score": ops.mean(self.loss_family.score(fake_logits)),
        }
        return 0.5 * loss, logs, {}

    def translation_input_shape(self, direction=None):
        """The shape of one image `translate` takes (one direction only)."""
        return self.source_shape

    def translate(self, images, batch_size=64):
        """Translates images in [-1, 1] (one `(h, w, c)` image or a batch), as numpy."""
        return _translate_in_batches(self.generator, images, self.source_shape, batch_size)

    def serving_model(self):
        return self.generator

    def preview(self, num_images=8, seed=0, examples=None):
        """Input, output and target rows for fixed `examples=(inputs, targets)`."""
        inputs, targets = _examples(examples, "Pix2Pix", "inputs, targets", num_images)
        return _grid_rows(inputs, self.translate(inputs), targets)


@keras.saving.register_keras_serializable(package="kerasgan")
class CycleGAN(AdversarialModel):
    """CycleGAN (Zhu et al. 2017): two translators learned from unpaired domains A and B.

    `generator_ab` maps A -> B and `generator_ba` B -> A; `discriminator_a` judges
    images of domain A, `discriminator_b` of domain B. The generators (one optimizer
    for both) minimise the adversarial losses of their translations, plus
    `cycle_weight` x the cycle-consistency L1 (`a -> b -> a` and `b -> a -> b` back to
    the originals) and `identity_weight x cycle_weight` x the identity L1 (each
    generator leaves images of its target domain unchanged). Each discriminator then
    updates on real images against translations drawn through a pool of the last
    `pool_size` ones. Three optimizers, in that order. Training data are
    `(images_a, images_b)` batches drawn with independent shuffles
    (`kerasgan.datasets.load_domains`), or `fit(images_a, images_b)` with arrays.

    Logs `g_loss`, `d_a_loss`, `d_b_loss`, `cycle` and `identity` (the unweighted L1
    terms).

    Args:
        generator_ab: keras.Model. Domain A images -> domain B images.
        generator_ba: keras.Model. Domain B images -> domain A images.
        discriminator_a: keras.Model. Domain A images -> patch outputs.
        discriminator_b: keras.Model. Domain B images -> patch outputs.
        loss: str. A loss family of `kerasgan.losses`. Defaults to "least_squares"
            (the paper's: D targets 1 and 0, G's term the mean squared distance of
            D(G(x)) to 1).
        cycle_weight: float. Defaults to 10.
        identity_weight: float. Relative to `cycle_weight`; 0 turns it off (needed
            when the domains have different channels). Defaults to 0.5.
        pool_size: int. Translations kept for the discriminators; 0 turns the pool
            off. Defaults to 50.
        seed: int or None. Defaults to None.

    Example:

    ```python
    model = kerasgan.presets.cyclegan(image_shape=(28, 28, 1))
    model.fit(kerasgan.datasets.load_domains("horse_zebra"), epochs=10)
    zebras = model.translate(horses, direction="a_to_b")
    ```

    Reference:
        Zhu, Park, Isola and Efros 2017, "Unpaired Image-to-Image Translation using
        Cycle-Consistent Adversarial Networks".
    """

    NETWORKS = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
    GENERATORS = ("generator_ab", "generator_ba")
    OUTPUTS = "translations"
    SAMPLING_OPTIONS = ("direction",)
    G_UPDATE = Update("g_loss", "g_optimizer", ("generator_ab", "generator_ba"), "generator_update_loss")
    D_A_UPDATE = Update("d_a_loss", "d_a_optimizer", ("discriminator_a",), "discriminator_a_update_loss")
    D_B_UPDATE = Update("d_b_loss", "d_b_optimizer", ("discriminator_b",), "discriminator_b_update_loss")
    DIRECTIONS = ("a_to_b", "b_to_a")

    def __init__(
        self,
        generator_ab,
        generator_ba,
        discriminator_a,
        discriminator_b,
        loss="least_squares",
        cycle_weight=10.0,
        identity_weight=0.5,
        pool_size=50,
        seed=None,
        **kwargs,
    ):
        super().__init__(seed=seed, **kwargs)
        if cycle_weight < 0 or identity_weight < 0:
            raise ValueError(
                "Expected cycle_weight >= 0 and identity_weight >= 0. Received: "
                f"cycle_weight={cycle_weight!r}, identity_weight={identity_weight!r}"
            )
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"Expected pool_size to be an int >= 0. Received: pool_size={pool_size!r}")
        self.loss_family = _unpaired_loss(loss, type(self).__name__)
        self.loss_name = loss
        self.generator_ab, self.generator_ba = generator_ab, generator_ba
        self.discriminator_a, self.discriminator_b = discriminator_a, discriminator_b
        shapes = {
            "generator_ab output": _shape(generator_ab.output_shape),
            "generator_ba input": _shape(generator_ba.input_shape),
            "discriminator_b input": _shape(discriminator_b.input_shape),
        }
        if len(set(shapes.values())) > 1 or _shape(generator_ba.output_shape) != self.image_shape_a:
            raise ValueError(
                "Expected generator_ab: A -> B and generator_ba: B -> A, with discriminators of "
                f"the same shapes. Received: domain A {self.image_shape_a}, and {shapes}, "
                f"generator_ba output {_shape(generator_ba.output_shape)}"
            )
        if identity_weight and self.image_shape_a != self.image_shape_b:
            raise ValueError(
                "The identity loss feeds B images to generator_ab, so it needs domains of one "
                f"shape. Received: domain A {self.image_shape_a}, domain B {self.image_shape_b}, "
                f"identity_weight={identity_weight}. Set identity_weight=0."
            )
        self.cycle_weight = float(cycle_weight)
        self.identity_weight = float(identity_weight)
        self.pool_size = pool_size
        self.pool_a = ImagePool(pool_size, self.image_shape_a, seed=seed, name="pool_a")
        self.pool_b = ImagePool(pool_size, self.image_shape_b, seed=None if seed is None else seed + 1, name="pool_b")
        self.track(["g_loss", "d_a_loss", "d_b_loss", "cycle", "identity"])

    @property
    def image_shape_a(self):
        return _shape(self.generator_ab.input_shape)

    @property
    def image_shape_b(self):
        return _shape(self.generator_ab.output_shape)

    def call(self, images, training=False):
        return self.generator_ab(images, training=training)

    def compile(self, g_optimizer=None, d_a_optimizer=None, d_b_optimizer=None, **kwargs):
        """Configures the generators' optimizer and one per discriminator (each
        Adam(2e-4, beta_1=0.5) by default)."""
        super().compile(g_optimizer=g_optimizer, d_a_optimizer=d_a_optimizer, d_b_optimizer=d_b_optimizer, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "loss": self.loss_name,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self.identity_weight,
            "pool_size": self.pool_size,
        }

    def check_data(self, data):
        _check_pair(
            data, "CycleGAN", "domain A images", "domain B images", self.image_shape_a, self.image_shape_b,
            "Load two domains with kerasgan.datasets.load_domains or from_domain_arrays (which "
            "also take domains of different sizes).",
        )

    def update_order(self):
        return [(self.G_UPDATE, 1), (self.D_A_UPDATE, 1), (self.D_B_UPDATE, 1)]

    def prepare_batch(self, data):
        images_a, images_b = data
        return {"a": device_unit_range(images_a), "b": device_unit_range(images_b)}

    def _generator_adversarial_loss(self, outputs):
        loss = self.loss_family.generator_loss(outputs, None)
        # The family's least-squares term is 0.5 (D - 1)^2; the paper's is (D - 1)^2,
        # which sets the balance with the cycle weight of 10.
        return 2.0 * loss if self.loss_name == "least_squares" else loss

    def generator_update_loss(self, batch):
        a, b = batch["a"], batch["b"]
        fake_b = self.generator_ab(a, training=True)
        fake_a = self.generator_ba(b, training=True)
        adversarial = self._generator_adversarial_loss(
            self.discriminator_b(fake_b, training=True)
        ) + self._generator_adversarial_loss(self.discriminator_a(fake_a, training=True))
        # ||F(G(a)) - a||_1 + ||G(F(b)) - b||_1
        cycle = losses.l1_reconstruction_loss(self.generator_ba(fake_b, training=True), a) + losses.l1_reconstruction_loss(
            self.generator_ab(fake_a, training=True), b
        )
        loss = adversarial + self.cycle_weight * cycle
        identity = ops.zeros(())
        if self.identity_weight:
            # ||G(b) - b||_1 + ||F(a) - a||_1
            identity = losses.l1_reconstruction_loss(self.generator_ab(b, training=True), b) + losses.l1_reconstruction_loss(
                self.generator_ba(a, training=True), a
            )
            loss = loss + self.identity_weight * self.cycle_weight * identity
        return loss, {"cycle": cycle, "identity": identity}, {"fake_a": fake_a, "fake_b": fake_b}

    def _discriminator_loss(self, discriminator, real, fake):
        return self.loss_family.discriminator_loss(discriminator(real, training=True), discriminator(fake, training=True))

    def discriminator_a_update_loss(self, batch):
        return self._discriminator_loss(self.discriminator_a, batch["a"], self.pool_a(batch["fake_a"])), {}, {}

    def discriminator_b_update_loss(self, batch):
        return self._discriminator_loss(self.discriminator_b, batch["b"], self.pool_b(batch["fake_b"])), {}, {}

    def translation_input_shape(self, direction="a_to_b"):
        """The shape of one image `translate(images, direction)` takes."""
        return self.image_shape_a if direction == "a_to_b" else self.image_shape_b

    def translate(self, images, direction="a_to_b", batch_size=64):
        """Translates images in [-1, 1] (one image or a batch) `"a_to_b"` or `"b_to_a"`, as numpy."""
        if direction not in self.DIRECTIONS:
            raise ValueError(f"Expected direction in {self.DIRECTIONS}. Received: direction={direction!r}")
        if direction == "a_to_b":
            return _translate_in_batches(self.generator_ab, images, self.image_shape_a, batch_size)
        return _translate_in_batches(self.generator_ba, images, self.image_shape_b, batch_size)

    def serving_model(self, direction="a_to_b"):
        if direction not in self.DIRECTIONS:
            raise ValueError(f"Expected direction in {self.DIRECTIONS}. Received: direction={direction!r}")
        return self.generator_ab if direction == "a_to_b" else self.generator_ba

    def export(self, filepath, format="tf_saved_model", verbose=True, direction=None, **kwargs):
        """Exports the translators. A SavedModel holds both generators, with endpoints
        `a_to_b`, `b_to_a` and `serve` (= `a_to_b`); an ONNX or LiteRT file holds one,
        `direction` ("a_to_b", the default, or "b_to_a")."""
        if format != "tf_saved_model":
            return export_network(self.serving_model(direction or "a_to_b"), filepath, format, verbose, **kwargs)
        if direction is not None:
            raise ValueError(
                "A SavedModel export holds both directions (endpoints a_to_b and b_to_a): "
                f"leave direction out. Received: direction={direction!r}"
            )
        check_format(format)
        archive = keras.export.ExportArchive()
        archive.track(self.generator_ab)
        archive.track(self.generator_ba)
        for endpoint, network in [("serve", self.generator_ab), ("a_to_b", self.generator_ab), ("b_to_a", self.generator_ba)]:
            archive.add_endpoint(endpoint, _inference(network), input_signature=input_signature(network))
        atomic_write_folder(filepath, lambda path: archive.write_out(path, verbose=False, **kwargs), SAVED_MODEL_MARKER)
        if verbose:
            print(f"Saved tf_saved_model artifact at '{os.fspath(filepath)}' (endpoints 'a_to_b', 'b_to_a' and 'serve').")

    def preview(self, num_images=8, seed=0, examples=None):
        """Rows a, a->b, a->b->a, b, b->a, b->a->b for fixed `examples=(images_a, images_b)`."""
        images_a, images_b = _examples(examples, "CycleGAN", "images_a, images_b", num_images)
        fake_b, fake_a = self.translate(images_a, "a_to_b"), self.translate(images_b, "b_to_a")
        return _grid_rows(
            images_a, fake_b, self.translate(fake_b, "b_to_a"), images_b, fake_a, self.translate(fake_a, "a_to_b")
        )
