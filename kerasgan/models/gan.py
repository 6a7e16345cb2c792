"""The GAN model: alternating discriminator / generator updates, written once."""

import keras
import numpy as np
from keras import ops

from kerasgan import backend, losses, parts
from kerasgan.datasets.pixels import device_unit_range
from kerasgan.engine import AdversarialModel, Update
from kerasgan.guards import check_training_data
from kerasgan.layers.augment import ADA, InstanceNoise, augmentations


def _latent_input_size(generator):
    shapes = generator.input_shape
    return (shapes[0] if isinstance(shapes, list) else shapes)[-1]


def _check_networks_fit(generator, discriminator):
    """Fails at construction, not in the first step, when the discriminator's image
    input does not take the generator's output (a network built for another size)."""
    try:
        made, taken = generator.output_shape, discriminator.input_shape
    except (AttributeError, ValueError):  # a subclassed or unbuilt network: no static shapes
        return
    taken = taken[0] if isinstance(taken, list) else taken  # conditional: (images, labels)
    if isinstance(made, tuple) and isinstance(taken, tuple) and tuple(made[1:]) != tuple(taken[1:]):
        raise ValueError(
            f"Expected a discriminator that takes the generator's images, of shape {tuple(made[1:])}. "
            f"Received: a discriminator whose image input has shape {tuple(taken[1:])}."
        )


# The options before the parts, still in users' code and saved files.
OLD_SPELLINGS = (
    "gradient_penalty_weight", "r1_weight", "r1_interval", "clip_value", "instance_noise", "instance_noise_steps",
    "ema_decay", "ema_rampup", "augment_target", "augment_speed",
)


def _parts_of_old_spellings(kwargs, augment, ema):
    """`(penalties, augment, ema)`: the parts given the new way, with those the old
    options in `kwargs` stand for (popped from it). An option given both ways is refused."""
    old = {name: kwargs.pop(name) for name in OLD_SPELLINGS if name in kwargs}
    named_ada = any(spec == "ada" for spec in (augment if isinstance(augment, (list, tuple)) else [augment]))
    augment, ema = augmentations(augment), parts.ema(ema)
    if not old:
        return [], augment, ema
    try:
        return _old_parts(old, augment, ema, named_ada)
    except ValueError as error:
        given = ", ".join(f"{name}={value!r}" for name, value in old.items())
        raise ValueError(f"{error} (from the options {given}; see GAN's docstring for the parts they stand for)") from None


def _both_ways(new, old_name, value):
    return ValueError(f"Expected {old_name} or the part, not both. Received: {new!r} and {old_name}={value!r}")


def _old_parts(old, augment, ema, named_ada):
    penalties = []
    if old.get("gradient_penalty_weight"):
        penalties.append(losses.GradientPenalty(old["gradient_penalty_weight"]))
    if old.get("r1_weight") or "r1_interval" in old:
        r1 = losses.R1(old.get("r1_weight", 0.0), old.get("r1_interval", 1))
        penalties += [r1] if r1.weight else []
    if old.get("clip_value") is not None:
        penalties.append(losses.WeightClipping(old["clip_value"]))
    if old.get("instance_noise"):
        given = next((part for part in augment if isinstance(part, InstanceNoise)), None)
        if given is not None:
            raise _both_ways(given, "instance_noise", old["instance_noise"])
        augment.insert(0, InstanceNoise(old["instance_noise"], old.get("instance_noise_steps", 5000)))
    # ADA's old options tune augment="ada"; files saved before the parts hold them for every
    # model, so without ADA they mean nothing.
    tuning = {key: old[name] for key, name in (("target", "augment_target"), ("speed", "augment_speed")) if name in old}
    for index, part in enumerate(augment):
        if isinstance(part, ADA) and tuning:
            if not named_ada:
                raise _both_ways(part, "augment_target/augment_speed", tuning)
            augment[index] = ADA(**{**part.get_config(), **tuning})
    if old.get("ema_decay") is not None:
        if ema is not None:
            raise _both_ways(ema, "ema_decay", old["ema_decay"])
        ema = parts.EMA(old["ema_decay"], old.get("ema_rampup", 0.05))
    elif "ema_rampup" in old and ema is not None and old["ema_rampup"] != ema.rampup:
        raise _both_ways(ema, "ema_rampup", old["ema_rampup"])
    return penalties, augment, ema


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(AdversarialModel):
    """A generative adversarial network trained with `fit`.

    Each `train_step` makes `d_steps` discriminator updates, then one generator
    update, with separate optimizers. Training data are images in [-1, 1] of the
    generator's output shape (a dataset may also yield `(images, labels)`; the labels
    are ignored here). Calling the model generates: `gan(latents)`, `gan.predict`
    and `gan.export` all run the generator.

    Logs `d_loss`, `g_loss`, `real_score` and `fake_score` (the mean discriminator
    output on real and on generated images: a probability for the cross-entropy
    losses, the raw output otherwise) and each penalty's value under its name (`gp`,
    `r1`, `r2`).

    Args:
        generator: keras.Model. Maps `(batch, latent_dim)` latents to images.
        discriminator: keras.Model. Maps images to one output per image.
        latent_dim: int. Size of the latent vector. Defaults to the generator's
            input size.
        d_steps: int. Discriminator updates per generator update. Each reuses the
            batch of real images with fresh latents. Defaults to 1.
        loss: str. A loss family of `kerasgan.losses`: "non_saturating",
            "minimax", "least_squares", "hinge", "wasserstein" or "relativistic"
            (RpGAN: each real image paired with a fake; the generator update also
            runs the discriminator on the real batch). Defaults to "non_saturating".
        label_smoothing: float. One-sided label smoothing of the real targets, for
            the cross-entropy losses. Defaults to 0.
        penalties: list. Regularisers of the discriminator: loss terms, each logged
            under its name (`losses.R1(gamma, interval)`, `losses.R2(gamma, interval)`
            on the fakes, `losses.GradientPenalty(weight)` for WGAN-GP; each runs
            through the augmentation), or `losses.WeightClipping(c)` (WGAN).
            Defaults to none.
        augment: what is done to every image the discriminator sees: "ada" or
            `layers.ADA(target, speed)` (adaptive augmentation, logged as
            `augment_p`), "diffaugment" or `layers.DiffAugment()`,
            `layers.InstanceNoise(std, steps)`, or a list of one policy and instance
            noise. Defaults to None.
        ema: `parts.EMA(decay, rampup)` or a decay: the generator's moving
            average, which then generates. Defaults to None (off).
        feature_matching: `losses.FeatureMatching(layer)`, True or a layer name:
            the generator's loss becomes feature matching (Salimans et al. 2016).
            Needs a functional or Sequential discriminator. Defaults to None (off).
        reuse_fakes: bool. Runs the generator once per step: the generator update
            reuses the fakes of the discriminator update (judged by the updated
            discriminator) and differentiates through that same forward pass, as the
            pytorch/examples DCGAN does. Faster (about one generator forward pass less per
            step); needs `d_steps=1`. Defaults to False: the generator update draws
            fresh latents.
        seed: int or None. Seeds the latents drawn during training. Defaults to None.

    The options before the parts (`gradient_penalty_weight`, `r1_weight`,
    `r1_interval`, `clip_value`, `instance_noise`, `instance_noise_steps`, `ema_decay`,
    `ema_rampup`, `augment_target`, `augment_speed`) are still accepted and mean the
    parts above.

    Example:

    ```python
    import kerasgan
    from kerasgan.networks import dcgan_discriminator, dcgan_generator

    gan = kerasgan.models.GAN(dcgan_generator(latent_dim=64), dcgan_discriminator())
    gan.compile()  # Adam(2e-4, beta_1=0.5) for each network
    gan.fit(kerasgan.datasets.load("mnist_sample", batch_size=64), epochs=1)
    images = gan.generate(16)  # (16, 28, 28, 1), in [-1, 1]
    ```

    Reference:
        Goodfellow et al. 2014, "Generative Adversarial Nets".
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim=None,
        d_steps=1,
        loss="non_saturating",
        label_smoothing=0.0,
        penalties=(),
        augment=None,
        ema=None,
        feature_matching=None,
        reuse_fakes=False,
        seed=None,
        **kwargs,
    ):
        old_penalties, augment, ema = _parts_of_old_spellings(kwargs, augment, ema)
        penalties = [losses.penalty(spec) for spec in penalties] + old_penalties
        feature_matching = losses.feature_matching(feature_matching)
        super().__init__(seed=seed, **kwargs)
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"Expected d_steps to be an int >= 1. Received: d_steps={d_steps!r}")
        if reuse_fakes and d_steps != 1:
            raise ValueError(
                "reuse_fakes shares one batch of fakes between one discriminator update and the "
                f"generator update: expected d_steps=1. Received: d_steps={d_steps!r}"
            )
        # Written as `not (valid)` so that NaN, which fails every comparison, is refused too.
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                f"Expected label_smoothing in [0, 1). Received: label_smoothing={label_smoothing!r}"
            )
        kinds = [type(part) for part in penalties if not isinstance(part, losses.Penalty) or part.weight]
        if len(set(kinds)) < len(kinds):
            raise ValueError(f"Expected at most one penalty of each kind. Received: penalties={penalties!r}")
        _check_networks_fit(generator, discriminator)
        self.loss_family = losses.get(loss)
        if label_smoothing and not self.loss_family.uses_label_smoothing:
            raise ValueError(
                f"label_smoothing softens the cross-entropy losses' real targets; the {loss!r} loss has "
                f"none. Received: label_smoothing={label_smoothing!r} with loss={loss!r}."
            )
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or _latent_input_size(generator))
        self.d_steps = d_steps
        self.reuse_fakes = bool(reuse_fakes)
        self.loss_name = loss
        self.label_smoothing = float(label_smoothing)
        self.penalties = [part for part in penalties if not isinstance(part, losses.Penalty) or part.weight]
        self.augment = augment
        self.ema = ema
        self.feature_matching = feature_matching
        # The parts' networks and layers are the model's attributes, so Keras tracks and saves them.
        self.ema_generator = None if ema is None else ema.copy(generator)
        policy = next((part for part in augment if not isinstance(part, InstanceNoise)), None)
        self.augmenter = None if policy is None else policy.layer(seed=seed)
        if self.augmenter is not None:
            # Built now: Keras's fit would otherwise build the model by calling it on data.
            self.augmenter.build((None, *self.image_shape))
        self.feature_model = None if feature_matching is None else feature_matching.feature_model(discriminator)
        logged = [part.name for part in self.loss_terms] + (["augment_p"] if self.augmenter is not None else [])
        self.track(["d_loss", "g_loss", "real_score", "fake_score"] + logged)

    @property
    def loss_terms(self):
        """The penalties that are terms of the discriminator's loss (not projections)."""
        return [part for part in self.penalties if isinstance(part, losses.Penalty)]

    def part(self, kind):
        """The part of class `kind` among the penalties and augmentations, or None."""
        return next((part for part in [*self.penalties, *self.augment] if isinstance(part, kind)), None)

    @property
    def image_shape(self):
        """The shape of one generated image, `(height, width, channels)`."""
        return tuple(self.generator.output_shape[1:])

    @property
    def num_classes(self):
        """Number of classes for conditional GANs; None for unconditional ones."""
        return None

    @property
    def sampling_generator(self):
        """The network that `generate`, `call` and `export` use: the EMA copy when on."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, latents, training=False):
        return self.sampling_generator(latents, training=training)

    # ---- compile and its serialisation ---------------------------------------------

    NETWORKS = ("generator", "discriminator")
    GENERATORS = ("generator",)
    OUTPUTS = "images"
    D_UPDATE = Update("d_loss", "d_optimizer", ("discriminator",), "discriminator_update_loss")
    G_UPDATE = Update("g_loss", "g_optimizer", ("generator",), "generator_update_loss")
    # With reuse_fakes: the generator's gradients come through the step's one batch of fakes.
    G_UPDATE_ON_SHARED_FAKES = Update("g_loss", "g_optimizer", ("generator",), "generator_loss_on_fakes", through="fake_images")

    def compile(self, d_optimizer=None, g_optimizer=None, **kwargs):
        """Configures the two optimizers.

        Args:
            d_optimizer: optimizer, name or config for the discriminator.
                Defaults to Adam(2e-4, beta_1=0.5).
            g_optimizer: optimizer, name or config for the generator.
                Defaults to Adam(2e-4, beta_1=0.5).
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`).
        """
        super().compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, **kwargs)

    def get_config(self):
        return {
            **super().get_config(),
            "latent_dim": self.latent_dim,
            "d_steps": self.d_steps,
            "loss": self.loss_name,
            "label_smoothing": self.label_smoothing,
            "penalties": [keras.saving.serialize_keras_object(part) for part in self.penalties],
            "augment": [keras.saving.serialize_keras_object(part) for part in self.augment],
            "ema": keras.saving.serialize_keras_object(self.ema),
            "feature_matching": keras.saving.serialize_keras_object(self.feature_matching),
            "reuse_fakes": self.reuse_fakes,
        }

    # ---- training --------------------------------------------------------------------

    def check_data(self, data):
        """The data must yield images in [-1, 1] of the generator's output shape, or
        `(images, labels)` (arrays may also come as `fit(images, labels)`)."""
        check_training_data(data, self.image_shape, self.num_classes)

    def sample_latents(self, batch_size):
        """Standard normal latents `(batch_size, latent_dim)` from the GAN's seed state."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    # The hooks below are what a variant (conditional, auxiliary classifier) changes;
    # the step itself is written once, in `kerasgan.engine.AdversarialModel`.

    def unpack(self, data):
        """`(real_images, labels)` from a training element; labels are None here."""
        return (data[0] if isinstance(data, (tuple, list)) else data), None

    def generator_inputs(self, latents, labels):
        return latents

    def discriminator_inputs(self, images, labels):
        return images

    def adversarial_outputs(self, outputs):
        """The part of the discriminator's outputs that the adversarial loss uses."""
        return outputs

    def discriminator_loss(self, real_outputs, fake_outputs, labels=None):
        """The discriminator's loss before penalties."""
        return losses.smoothed_discriminator_loss(self.loss_family, real_outputs, fake_outputs, self.label_smoothing)

    def generator_loss(self, fake_outputs, labels=None, real_outputs=None):
        """The generator's loss; `real_outputs` (held fixed) for relativistic losses only."""
        return self.loss_family.generator_loss(fake_outputs, real_outputs)

    def generator_update(self):
        return self.G_UPDATE_ON_SHARED_FAKES if self.reuse_fakes else self.G_UPDATE

    def update_order(self):
        return [(self.D_UPDATE, self.d_steps), (self.generator_update(), 1)]

    def prepare_batch(self, data):
        real_images, labels = self.unpack(data)
        real_images = device_unit_range(real_images)
        batch = {"real_images": real_images, "labels": labels, "batch_size": ops.shape(real_images)[0]}
        if self.reuse_fakes:
            # The step's one generator pass; the generator update pulls its gradients back through it.
            latents = self.sample_latents(batch["batch_size"])
            batch["fake_images"], _, batch["fake_images_pullback"] = backend.vjp(
                lambda: (self.generator(self.generator_inputs(latents, labels), training=True), None),
                self.update_variables(self.G_UPDATE_ON_SHARED_FAKES),
            )
        return batch

    def after_update(self, update, batch):
        if update != self.D_UPDATE:
            return
        for part in self.penalties:
            if isinstance(part, losses.WeightClipping):
                part.project(self.discriminator)
        policy = self.part(ADA)
        if policy is not None:
            # From the whole batch's r_t and size (summed over the replicas of a
            # tf.distribute step, whose shares may differ), so that every replica
            # computes the same p, as one device would.
            count = ops.cast(batch["batch_size"], "float32")
            signs = ops.where(count > 0, batch["real_sign"] * count, 0.0)  # an empty share's mean is NaN
            total = backend.replica_sum(count)
            policy.adjust(self.augmenter, backend.replica_sum(signs) / ops.maximum(total, 1.0), total)

    def after_step(self):
        if self.ema_generator is not None:
            self._update_ema()

    def _discriminate(self, images, labels, network=None, instance_noise=True):
        # What the discriminator sees of any image: with instance noise, and augmented
        # when an augmentation is on.
        noise = self.part(InstanceNoise)
        if instance_noise and noise is not None:
            images = noise.apply(images, self.g_optimizer.iterations, self.seed_generator)
        if self.augmenter is not None:
            images = self.augmenter(images)
        outputs = (network or self.discriminator)(self.discriminator_inputs(images, labels), training=True)
        # Losses and penalties in float32 under a mixed-precision policy.
        return keras.tree.map_structure(lambda tensor: ops.cast(tensor, "float32"), outputs)

    def _penalty_logits(self, labels):
        """`images -> adversarial outputs` for the gradient penalties, through the
        augmentation, so a penalty acts on the discriminator that is trained."""
        return lambda images: self.adversarial_outputs(self._discriminate(images, labels, instance_noise=False))

    def discriminator_update_loss(self, batch):
        real_images, labels, batch_size = batch["real_images"], batch["labels"], batch["batch_size"]
        fake_images = batch.get("fake_images")
        if fake_images is None:
            fake_images = ops.stop_gradient(
                self.generator(self.generator_inputs(self.sample_latents(batch_size), labels), training=True)
            )
        real_outputs = self._discriminate(real_images, labels)
        fake_outputs = self._discriminate(fake_images, labels)
        loss = self.discriminator_loss(real_outputs, fake_outputs, labels)
        real_adversarial = self.adversarial_outputs(real_outputs)
        logs = self.discriminator_logs(real_adversarial, self.adversarial_outputs(fake_outputs))
        outputs = {}
        if self.augmenter is not None:
            logs["augment_p"] = ops.copy(self.augmenter.probability.value)  # p before this step's adjustment
            # ADA's overfitting heuristic r_t, read after this update (after_update).
            outputs["real_sign"] = ops.stop_gradient(ops.mean(ops.sign(ops.cast(real_adversarial, "float32"))))
        for part in self.loss_terms:
            term, logs[part.name] = self._penalty_term(part, real_images, ops.stop_gradient(fake_images), labels)
            loss = loss + term
        return loss, logs, outputs

    def discriminator_logs(self, real_outputs, fake_outputs):
        """The logs of a D update beside its loss, from the adversarial outputs on the
        real and the generated batch: the mean scores."""
        return {
            "real_score": ops.mean(self.loss_family.score(real_outputs)),
            "fake_score": ops.mean(self.loss_family.score(fake_outputs)),
        }

    def _penalty_term(self, part, real_images, fake_images, labels):
        """`part`'s term of the D loss and its log. A lazy part (interval k) is computed on
        every k-th D update only, times k; its log is then `(value, weight)`, so that the
        logged mean is over the updates that compute it."""
        def value():
            return part.value(self._penalty_logits(labels), real_images, fake_images, self.seed_generator)

        if part.interval == 1:
            penalty = value()
            return part.coefficient * penalty, penalty
        due = ops.equal(self.d_optimizer.iterations % part.interval, 0)
        penalty = backend.cond(due, value, lambda: ops.zeros((), dtype="float32"))
        return part.coefficient * part.interval * penalty, (penalty, ops.cast(due, "float32"))

    def penalty(self, name):
        """The penalty part logged as `name` ("r1", "r2", "gp"), or None."""
        return next((part for part in self.loss_terms if part.name == name), None)

    # The options before the parts, read from them (their off values where there is none).
    gradient_penalty_weight = property(lambda self: self.penalty("gp").weight if self.penalty("gp") else 0.0)
    r1_weight = property(lambda self: self.penalty("r1").weight if self.penalty("r1") else 0.0)
    r1_interval = property(lambda self: self.penalty("r1").interval if self.penalty("r1") else 1)
    clip_value = property(lambda self: self.part(losses.WeightClipping).value if self.part(losses.WeightClipping) else None)
    ema_decay = property(lambda self: self.ema.decay if self.ema else None)

    def generator_update_loss(self, batch):
        latents = self.sample_latents(batch["batch_size"])
        fake_images = self.generator(self.generator_inputs(latents, batch["labels"]), training=True)
        return self.generator_loss_on_fakes({**batch, "fake_images": fake_images})

    def generator_loss_on_fakes(self, batch):
        """The generator update's loss on `batch["fake_images"]`."""
        fake_images, labels = batch["fake_images"], batch["labels"]
        if self.feature_model is None:
            fake_outputs = self._discriminate(fake_images, labels)
            if not self.loss_family.relativistic:  # (a subclass's generator_loss may not take real_outputs)
                return self.generator_loss(fake_outputs, labels), {}, {}
            real_outputs = ops.stop_gradient(self._discriminate(batch["real_images"], labels))
            return self.generator_loss(fake_outputs, labels, real_outputs=real_outputs), {}, {}
        real_features = ops.stop_gradient(self._discriminate(batch["real_images"], labels, self.feature_model))
        fake_features = self._discriminate(fake_images, labels, self.feature_model)
        return losses.feature_matching_loss(real_features, fake_features), {}, {}

    def _update_ema(self):
        self.ema.update(self.ema_generator, self.generator, self.g_optimizer.iterations)  # >= 1 after a G update

    # ---- generation and export ------------------------------------------------------

    def generate(self, n, seed=None, labels=None, batch_size=256, **options):
        """Generates `n` images in [-1, 1] as a numpy array `(n, *image_shape)`.

        Latents come from numpy's generator seeded with `seed`, so a given seed
        gives the same latents on every backend.

        Args:
            n: int. Number of images.
            seed: int or None. Defaults to None (fresh latents each call).
            labels: int or int array `(n,)`, for conditional GANs only. Defaults to
                None (conditional GANs then cycle through the classes).
            batch_size: int. Images generated per forward pass. Defaults to 256.
            **options: the model's other sampling options (`SAMPLING_OPTIONS`), passed
                to its generator: `truncation` for a StyleGAN (1: none; 0: every image
                from the average w).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"Expected n, the number of images, to be an int >= 0. Received: n={n!r}")
        unknown = sorted(set(options) - set(self.SAMPLING_OPTIONS))
        if unknown:
            offered = [option for option in self.SAMPLING_OPTIONS if option != "labels"]
            raise TypeError(f"{type(self).__name__}.generate takes the sampling options {offered}. Received: {unknown}")
        latents = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        labels = self._labels_for(n, labels)
        return self.generate_from(latents.astype("float32"), labels, batch_size=batch_size, **options)

    def interpolate(self, steps=8, rows=4, seed=None, labels=None):
        """Latent walks: `rows` walks of `steps` images each, `(rows * steps, *image_shape)`.

        Each walk goes from one Gaussian latent to another along the great circle
        (spherical interpolation), which keeps the latents at the norm the generator
        was trained on. A conditional GAN keeps one class per walk: `labels` (an int,
        or one per row) or the classes in turn.

        Args:
            steps: int. Images per walk, ends included. Defaults to 8.
            rows: int. Number of walks. Defaults to 4.
            seed: int or None. Seeds the end points. Defaults to None.
            labels: int or int array `(rows,)`, conditional GANs only. Defaults to None.
        """
        if steps < 2 or rows < 1:
            raise ValueError(f"Expected steps >= 2 and rows >= 1. Received: steps={steps}, rows={rows}")
        start, end = np.random.default_rng(seed).standard_normal((2, rows, self.latent_dim))
        cosine = np.sum(start * end, axis=-1) / (np.linalg.norm(start, axis=-1) * np.linalg.norm(end, axis=-1))
        angle = np.arccos(np.clip(cosine, -1.0, 1.0))[:, None, None]
        t = np.linspace(0.0, 1.0, steps)[None, :, None]
        walks = (np.sin((1 - t) * angle) * start[:, None] + np.sin(t * angle) * end[:, None]) / np.sin(angle)
        latents = walks.reshape(rows * steps, self.latent_dim).astype("float32")
        row_labels = self._labels_for(rows, labels)
        return self.generate_from(latents, None if row_labels is None else np.repeat(row_labels, steps))

    def _labels_for(self, n, labels):
        if labels is not None:
            raise ValueError(
                f"{type(self).__name__} is unconditional and takes no labels. Received: labels"
            )

    def generate_from(self, latents, labels=None, batch_size=256, **options):
        """Generates one image per row of `latents` (and of `labels`), in batches, as
        numpy; `options` go to the generator (`truncation` for a StyleGAN)."""
        chunks = []
        for start in range(0, len(latents), batch_size):
            stop = start + batch_size
            inputs = self.generator_inputs(
                latents[start:stop], None if labels is None else labels[start:stop]
            )
            images = self.sampling_generator(inputs, training=False, **options)
            chunks.append(ops.convert_to_numpy(ops.cast(images, "float32")))  # float32 under mixed precision too
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.image_shape), "float32")

    # ---- projection of real images -------------------------------------------------

    PROJECTION_SPACES = ("z",)

    def project(
        self,
        images,
        labels=None,
        space=None,
        steps=1000,
        learning_rate=0.1,
        pixel_weight=1.0,
        perceptual_weight=1.0,
        batch_size=16,
        seed=0,
        verbose="auto",
    ):
        """Finds the latent whose image is closest to each of `images`, by optimisation
        (StyleGAN2's projector, `kerasgan.projection`): returns a `Projection` with the
        latents, the reconstructions and their distances.

        Args:
            images: `(n, *image_shape)` floats in [-1, 1] or uint8 pixels.
            labels: int array `(n,)` (or one int): each image's class, conditional GANs
                only. Defaults to None.
            space: str. The latent space, one of `PROJECTION_SPACES`: "z" for a GAN; "w"
                (the default, one w per image) or "w+" (one per layer) for a StyleGAN.
            steps: int. Optimisation steps. Defaults to 1000 (StyleGAN2's).
            learning_rate: float. Adam's peak rate. Defaults to 0.1.
            pixel_weight: float. Weight of the pixels' mean squared error. Defaults to 1.
            perceptual_weight: float. Weight of the perceptual distance (on the FID
                Inception network; its weights are fetched once, `python -m
                kerasgan.metrics`); 0 projects on pixels alone. Defaults to 1.
            batch_size: int. Images optimised together. Defaults to 16.
            seed: int. Seeds the latents' noise and the starting noise maps. Defaults to 0.
            verbose: "auto", 0, 1 or 2. Keras's progress bar. Defaults to "auto".
        """
        from kerasgan.projection import project

        space = self.PROJECTION_SPACES[0] if space is None else space
        return project(
            self, images, space=space, labels=labels, steps=steps, learning_rate=learning_rate, pixel_weight=pixel_weight,
            perceptual_weight=perceptual_weight, batch_size=batch_size, seed=seed, verbose=verbose,
        )

    def projection_start(self, space):
        """`(start, spread)`: the latents' mean, where each image's latent starts, and
        the RMS distance of a latent from it, which scales the noise put on the latents."""
        return np.zeros((self.latent_dim,), "float32"), float(np.sqrt(self.latent_dim))

    def projection_noise_shapes(self, space):
        """{name: (height, width)} of the generator's noise maps that projection optimises."""
        return {}

    def projection_renderer(self, space, noise_maps, labels):
        """A `kerasgan.projection.Renderer`: latents of `space` -> images (unclipped)."""
        from kerasgan.projection import Renderer

        generator = self.sampling_generator
        if labels is not None:
            labels = ops.convert_to_tensor(labels, "int32")
        return Renderer(lambda latents: generator(self.generator_inputs(latents, labels), training=False), [generator])

    def projection_labels(self, labels, n):
        if self.num_classes and labels is None:
            raise ValueError(
                f"A conditional GAN projects each image with its class. Expected labels, one per "
                f"image ({n},) or one int. Received: labels=None"
            )
        return self._labels_for(n, labels)

    def serving_model(self):
        return self.sampling_generator

    def generator_networks(self):
        return {"generator": self.sampling_generator}

    def generators_loaded(self):
        # Shipped weights are the average where training kept one: fine-tuning starts there.
        if self.ema_generator is not None:
            self.generator.set_weights(self.ema_generator.get_weights())

    def preview(self, num_images=64, seed=0, examples=None):
        """`(images, rows)` for a sample grid: one row per class for conditional GANs."""
        if not self.num_classes:
            return self.generate(num_images, seed=seed), None
        per_class = max(1, num_images // self.num_classes)
        labels = np.repeat(np.arange(self.num_classes), per_class)
        return self.generate(len(labels), seed=seed, labels=labels), self.num_classes
