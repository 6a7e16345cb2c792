"""The GAN model: alternating discriminator / generator updates, written once."""

import copy

import keras
import numpy as np
from keras import ops

from kerasgan import backend, losses
from kerasgan.models.guards import StopOnNaN, check_training_data


def _latent_input_size(generator):
    shapes = generator.input_shape
    return (shapes[0] if isinstance(shapes, list) else shapes)[-1]


def _default_optimizer():
    # DCGAN's Adam (Radford et al. 2016): lr 2e-4, beta_1 0.5.
    return keras.optimizers.Adam(learning_rate=2e-4, beta_1=0.5)


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN(backend.GANTrainer, keras.Model):
    """A generative adversarial network trained with `fit`.

    Each `train_step` makes `d_steps` discriminator updates, then one generator
    update, with separate optimizers. Training data are images in [-1, 1] of the
    generator's output shape (a dataset may also yield `(images, labels)`; the labels
    are ignored here). Calling the model generates: `gan(latents)`, `gan.predict`
    and `gan.export` all run the generator.

    Logs `d_loss`, `g_loss`, `real_score` and `fake_score` (the mean discriminator
    output on real and on generated images: a probability for the cross-entropy
    losses, the raw output otherwise) and `gp` when a gradient penalty is on.

    Args:
        generator: keras.Model. Maps `(batch, latent_dim)` latents to images.
        discriminator: keras.Model. Maps images to one output per image.
        latent_dim: int. Size of the latent vector. Defaults to the generator's
            input size.
        d_steps: int. Discriminator updates per generator update. Each reuses the
            batch of real images with fresh latents. Defaults to 1.
        loss: str. A loss family of `kerasgan.losses`: "non_saturating",
            "minimax", "least_squares", "hinge" or "wasserstein".
            Defaults to "non_saturating".
        label_smoothing: float. One-sided label smoothing of the real targets, for
            the cross-entropy losses. Defaults to 0.
        gradient_penalty_weight: float. Weight of the WGAN-GP gradient penalty on
            the discriminator. Defaults to 0 (off).
        seed: int or None. Seeds the latents drawn during training. Defaults to None.

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
        gradient_penalty_weight=0.0,
        clip_value=None,
        instance_noise=0.0,
        instance_noise_steps=5000,
        ema_decay=None,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(d_steps, bool) or not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"Expected d_steps to be an int >= 1. Received: d_steps={d_steps!r}")
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError(
                f"Expected label_smoothing in [0, 1). Received: label_smoothing={label_smoothing!r}"
            )
        if gradient_penalty_weight < 0:
            raise ValueError(
                "Expected gradient_penalty_weight >= 0. "
                f"Received: gradient_penalty_weight={gradient_penalty_weight!r}"
            )
        if clip_value is not None and clip_value <= 0:
            raise ValueError(f"Expected clip_value > 0 or None. Received: clip_value={clip_value!r}")
        if instance_noise < 0 or instance_noise_steps < 1:
            raise ValueError(
                "Expected instance_noise >= 0 and instance_noise_steps >= 1. Received: "
                f"instance_noise={instance_noise!r}, instance_noise_steps={instance_noise_steps!r}"
            )
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"Expected ema_decay in (0, 1) or None. Received: ema_decay={ema_decay!r}")
        self.loss_family = losses.get(loss)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or _latent_input_size(generator))
        self.d_steps = d_steps
        self.loss_name = loss
        self.label_smoothing = float(label_smoothing)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
        self.clip_value = None if clip_value is None else float(clip_value)
        self.instance_noise = float(instance_noise)
        self.instance_noise_steps = int(instance_noise_steps)
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.ema_generator = None
        if self.ema_decay is not None:
            # A copy whose weights follow an exponential moving average of the
            # generator's; `generate`, `call` and `export` use it.
            self.ema_generator = keras.models.clone_model(generator)
            self.ema_generator.set_weights(generator.get_weights())
            self.ema_generator.trainable = False
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.trackers = {
            name: keras.metrics.Mean(name=name)
            for name in ["d_loss", "g_loss", "real_score", "fake_score"]
            + (["gp"] if self.gradient_penalty_weight else [])
        }
        # The networks are built; without this, torch's fit() tries to build the
        # GAN by calling it on a batch of images.
        self.built = True

    @property
    def image_shape(self):
        """The shape of one generated image, `(height, width, channels)`."""
        return tuple(self.generator.output_shape[1:])

    @property
    def num_classes(self):
        """Number of classes for conditional GANs; None for unconditional ones."""
        return None

    @property
    def metrics(self):
        return list(self.trackers.values())

    @property
    def sampling_generator(self):
        """The network that `generate`, `call` and `export` use: the EMA copy when on."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def call(self, latents, training=False):
        return self.sampling_generator(latents, training=training)

    # ---- compile and its serialisation ---------------------------------------------

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
        for forbidden in ("optimizer", "loss", "metrics"):
            if forbidden in kwargs:
                raise ValueError(
                    f"GAN.compile takes d_optimizer and g_optimizer; the loss is chosen "
                    f"with GAN(loss=...). Received: {forbidden}={kwargs[forbidden]!r}"
                )
        super().compile(optimizer=None, **kwargs)
        self.d_optimizer = keras.optimizers.get(d_optimizer or _default_optimizer())
        self.g_optimizer = keras.optimizers.get(g_optimizer or _default_optimizer())
        if self.d_optimizer is self.g_optimizer:
            raise ValueError(
                "Expected two distinct optimizer instances for d_optimizer and "
                "g_optimizer. Received: the same object twice."
            )
        # Build now, so that load_model can restore both optimizers' state.
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)
        self._compile_kwargs = {
            k: kwargs[k] for k in ("jit_compile", "steps_per_execution") if k in kwargs
        }

    def get_compile_config(self):
        if not self.compiled:
            return {}
        return {
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
            **self._compile_kwargs,
        }

    def compile_from_config(self, config):
        config = dict(config)
        self.compile(
            d_optimizer=keras.optimizers.deserialize(config.pop("d_optimizer")),
            g_optimizer=keras.optimizers.deserialize(config.pop("g_optimizer")),
            **config,
        )

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "d_steps": self.d_steps,
            "loss": self.loss_name,
            "label_smoothing": self.label_smoothing,
            "gradient_penalty_weight": self.gradient_penalty_weight,
            "clip_value": self.clip_value,
            "instance_noise": self.instance_noise,
            "instance_noise_steps": self.instance_noise_steps,
            "ema_decay": self.ema_decay,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        # Keras empties nested functional configs while deserialising: work on a copy.
        config = copy.deepcopy(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)

    # ---- training --------------------------------------------------------------------

    def fit(self, x=None, y=None, callbacks=None, **kwargs):
        """`keras.Model.fit`, after checking the first batch, and stopping on NaN losses.

        The data must yield images in [-1, 1] of the generator's output shape, or
        `(images, labels)` (arrays may also come as `fit(images, labels)`). A
        `StopOnNaN` callback is added unless one is given.
        """
        if not self.compiled:
            raise RuntimeError("Call gan.compile() (or use a kerasgan preset) before fit().")
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                "GAN.fit has no validation pass: a GAN's losses on held-out images do not "
                "measure sample quality. Received: validation_data or validation_split. "
                "Watch samples with kerasgan.callbacks.SampleGrid instead."
            )
        check_training_data(x if y is None else (x, np.asarray(y)), self.image_shape, self.num_classes)
        callbacks = list(callbacks or [])
        if not any(isinstance(c, StopOnNaN) for c in callbacks):
            callbacks.append(StopOnNaN())
        if not isinstance(x, np.ndarray) and not ops.is_tensor(x):
            # Datasets shuffle themselves; Keras warns if asked to.
            kwargs.setdefault("shuffle", False)
        return super().fit(x, y, callbacks=callbacks, **kwargs)

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError(
            "GAN.evaluate is not defined: a GAN's losses on held-out images do not measure "
            "sample quality. Generate with gan.generate(n) and score the samples, or watch "
            "them with kerasgan.callbacks.SampleGrid."
        )

    def sample_latents(self, batch_size):
        """Standard normal latents `(batch_size, latent_dim)` from the GAN's seed state."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    # The hooks below are what a variant (conditional, auxiliary classifier) changes;
    # the step itself is written once, in `alternating_step`.

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
        if self.loss_family.uses_label_smoothing:
            return self.loss_family.discriminator_loss(
                real_outputs, fake_outputs, label_smoothing=self.label_smoothing
            )
        return self.loss_family.discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs, labels=None):
        return self.loss_family.generator_loss(fake_outputs)

    def alternating_step(self, data):
        """One training step: `d_steps` discriminator updates, then a generator one.

        Backend-neutral; `kerasgan.backend.GANTrainer.train_step` calls it.
        """
        real_images, labels = self.unpack(data)
        real_images = ops.convert_to_tensor(real_images)
        batch_size = ops.shape(real_images)[0]
        for _ in range(self.d_steps):
            d_loss, d_logs = self._discriminator_update(real_images, labels, batch_size)
        g_loss = self._generator_update(labels, batch_size)
        if self.ema_generator is not None:
            self._update_ema()
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        for name, value in d_logs.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _with_instance_noise(self, images):
        # Gaussian noise on D's inputs, its std annealed linearly to 0 over
        # `instance_noise_steps` generator steps (Sonderby et al. 2017).
        if not self.instance_noise:
            return images
        progress = ops.cast(self.g_optimizer.iterations, "float32") / self.instance_noise_steps
        std = self.instance_noise * ops.maximum(0.0, 1.0 - progress)
        return images + std * keras.random.normal(ops.shape(images), seed=self.seed_generator)

    def _discriminate(self, images, labels):
        return self.discriminator(
            self.discriminator_inputs(self._with_instance_noise(images), labels), training=True
        )

    def _discriminator_update(self, real_images, labels, batch_size):
        latents = self.sample_latents(batch_size)
        fake_images = ops.stop_gradient(
            self.generator(self.generator_inputs(latents, labels), training=True)
        )
        if self.gradient_penalty_weight:
            weights = keras.random.uniform((batch_size,), seed=self.seed_generator)

        def loss_fn():
            real_outputs = self._discriminate(real_images, labels)
            fake_outputs = self._discriminate(fake_images, labels)
            loss = self.discriminator_loss(real_outputs, fake_outputs, labels)
            logs = {
                "real_score": ops.mean(self.loss_family.score(self.adversarial_outputs(real_outputs))),
                "fake_score": ops.mean(self.loss_family.score(self.adversarial_outputs(fake_outputs))),
            }
            if self.gradient_penalty_weight:
                penalty = losses.gradient_penalty(
                    lambda images: self.adversarial_outputs(
                        self.discriminator(self.discriminator_inputs(images, labels), training=True)
                    ),
                    real_images,
                    fake_images,
                    weights,
                )
                loss = loss + self.gradient_penalty_weight * penalty
                logs["gp"] = penalty
            return loss, logs

        variables = self.discriminator.trainable_variables
        loss, logs, gradients = backend.value_and_grad(loss_fn, variables)
        self.d_optimizer.apply_gradients(zip(gradients, variables))
        if self.clip_value is not None:
            # WGAN's weight clipping keeps the critic (roughly) Lipschitz.
            for variable in variables:
                variable.assign(ops.clip(variable, -self.clip_value, self.clip_value))
        return loss, logs

    def _generator_update(self, labels, batch_size):
        latents = self.sample_latents(batch_size)

        def loss_fn():
            fake_images = self.generator(self.generator_inputs(latents, labels), training=True)
            fake_outputs = self._discriminate(fake_images, labels)
            return self.generator_loss(fake_outputs, labels), None

        variables = self.generator.trainable_variables
        loss, _, gradients = backend.value_and_grad(loss_fn, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        return loss

    def _update_ema(self):
        # ema <- decay * ema + (1 - decay) * weight, BatchNorm statistics included.
        decay = self.ema_decay
        for average, weight in zip(self.ema_generator.weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * weight)

    # ---- generation and export ------------------------------------------------------

    def generate(self, n, seed=None, labels=None, batch_size=256):
        """Generates `n` images in [-1, 1] as a numpy array `(n, *image_shape)`.

        Latents come from numpy's generator seeded with `seed`, so a given seed
        gives the same latents on every backend.

        Args:
            n: int. Number of images.
            seed: int or None. Defaults to None (fresh latents each call).
            labels: int or int array `(n,)`, for conditional GANs only. Defaults to
                None (conditional GANs then cycle through the classes).
            batch_size: int. Images generated per forward pass. Defaults to 256.
        """
        latents = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        labels = self._labels_for(n, labels)
        return self.generate_from(latents.astype("float32"), labels, batch_size=batch_size)

    def _labels_for(self, n, labels):
        if labels is not None:
            raise ValueError(
                f"{type(self).__name__} is unconditional and takes no labels. Received: labels"
            )
        return None

    def generate_from(self, latents, labels=None, batch_size=256):
        """Generates one image per row of `latents` (and of `labels`), in batches, as numpy."""
        chunks = []
        for start in range(0, len(latents), batch_size):
            stop = start + batch_size
            inputs = self.generator_inputs(
                latents[start:stop], None if labels is None else labels[start:stop]
            )
            chunks.append(ops.convert_to_numpy(self.sampling_generator(inputs, training=False)))
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.image_shape), "float32")

    def export(self, filepath, format="tf_saved_model", verbose=True, **kwargs):
        """Exports the generator, as a SavedModel whose `serve` endpoint maps latents to images.

        Runs on the TensorFlow and JAX backends. Keras 3.15's export fails on
        the torch backend for these models, so there this raises with the way round:
        `.keras` files are backend-independent.
        """
        if keras.backend.backend() == "torch":
            raise NotImplementedError(
                "SavedModel export runs on the TensorFlow and JAX backends. Save the GAN "
                "with gan.save('gan.keras'), then export it with KERAS_BACKEND=tensorflow: "
                "keras.models.load_model('gan.keras').export(path)."
            )
        return self.sampling_generator.export(filepath, format=format, verbose=verbose, **kwargs)
