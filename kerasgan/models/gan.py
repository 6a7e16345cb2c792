"""The GAN model: alternating discriminator / generator updates, written once."""

import copy

import keras
import numpy as np
from keras import ops

from kerasgan import backend, losses
from kerasgan.models.guards import StopOnNaN, check_training_data


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
        self.loss_family = losses.get(loss)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim or generator.input_shape[-1])
        self.d_steps = d_steps
        self.loss_name = loss
        self.label_smoothing = float(label_smoothing)
        self.gradient_penalty_weight = float(gradient_penalty_weight)
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
    def metrics(self):
        return list(self.trackers.values())

    def call(self, latents, training=False):
        return self.generator(latents, training=training)

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

    def fit(self, x=None, *args, callbacks=None, **kwargs):
        """`keras.Model.fit`, after checking the first batch, and stopping on NaN losses.

        The data must yield images in [-1, 1] of the generator's output shape (or
        `(images, labels)`). A `StopOnNaN` callback is added unless one is given.
        """
        if not self.compiled:
            raise RuntimeError("Call gan.compile() (or use a kerasgan preset) before fit().")
        if kwargs.get("validation_data") is not None or kwargs.get("validation_split"):
            raise ValueError(
                "GAN.fit has no validation pass: a GAN's losses on held-out images do not "
                "measure sample quality. Received: validation_data or validation_split. "
                "Watch samples with kerasgan.callbacks.SampleGrid instead."
            )
        check_training_data(x, self.image_shape)
        callbacks = list(callbacks or [])
        if not any(isinstance(c, StopOnNaN) for c in callbacks):
            callbacks.append(StopOnNaN())
        if not isinstance(x, np.ndarray) and not ops.is_tensor(x):
            # Datasets shuffle themselves; Keras warns if asked to.
            kwargs.setdefault("shuffle", False)
        return super().fit(x, *args, callbacks=callbacks, **kwargs)

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError(
            "GAN.evaluate is not defined: a GAN's losses on held-out images do not measure "
            "sample quality. Generate with gan.generate(n) and score the samples, or watch "
            "them with kerasgan.callbacks.SampleGrid."
        )

    def sample_latents(self, batch_size):
        """Standard normal latents `(batch_size, latent_dim)` from the GAN's seed state."""
        return keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)

    def real_images_from(self, data):
        """The batch of real images in a training element (`images` or `(images, ...)`)."""
        return data[0] if isinstance(data, (tuple, list)) else data

    def discriminator_loss(self, real_outputs, fake_outputs):
        """The discriminator's loss before penalties."""
        if self.loss_family.uses_label_smoothing:
            return self.loss_family.discriminator_loss(
                real_outputs, fake_outputs, label_smoothing=self.label_smoothing
            )
        return self.loss_family.discriminator_loss(real_outputs, fake_outputs)

    def generator_loss(self, fake_outputs):
        return self.loss_family.generator_loss(fake_outputs)

    def alternating_step(self, data):
        """One training step: `d_steps` discriminator updates, then a generator one.

        Backend-neutral; `kerasgan.backend.GANTrainer.train_step` calls it.
        """
        real_images = ops.convert_to_tensor(self.real_images_from(data))
        batch_size = ops.shape(real_images)[0]
        for _ in range(self.d_steps):
            d_loss, d_logs = self._discriminator_update(real_images, batch_size)
        g_loss, _ = self._generator_update(batch_size)
        self.trackers["d_loss"].update_state(d_loss)
        self.trackers["g_loss"].update_state(g_loss)
        for name, value in d_logs.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}

    def _discriminator_update(self, real_images, batch_size):
        fake_images = ops.stop_gradient(
            self.generator(self.sample_latents(batch_size), training=True)
        )
        if self.gradient_penalty_weight:
            weights = keras.random.uniform((batch_size,), seed=self.seed_generator)

        def loss_fn():
            real_outputs = self.discriminator(real_images, training=True)
            fake_outputs = self.discriminator(fake_images, training=True)
            loss = self.discriminator_loss(real_outputs, fake_outputs)
            logs = {
                "real_score": ops.mean(self.loss_family.score(real_outputs)),
                "fake_score": ops.mean(self.loss_family.score(fake_outputs)),
            }
            if self.gradient_penalty_weight:
                penalty = losses.gradient_penalty(
                    lambda images: self.discriminator(images, training=True),
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
        return loss, logs

    def _generator_update(self, batch_size):
        latents = self.sample_latents(batch_size)

        def loss_fn():
            fake_outputs = self.discriminator(self.generator(latents, training=True), training=True)
            return self.generator_loss(fake_outputs), fake_outputs

        variables = self.generator.trainable_variables
        loss, fake_outputs, gradients = backend.value_and_grad(loss_fn, variables)
        self.g_optimizer.apply_gradients(zip(gradients, variables))
        return loss, fake_outputs

    # ---- generation and export ------------------------------------------------------

    def generate(self, n, seed=None, batch_size=256):
        """Generates `n` images in [-1, 1] as a numpy array `(n, *image_shape)`.

        Latents come from numpy's generator seeded with `seed`, so a given seed
        gives the same latents on every backend.

        Args:
            n: int. Number of images.
            seed: int or None. Defaults to None (fresh latents each call).
            batch_size: int. Images generated per forward pass. Defaults to 256.
        """
        latents = np.random.default_rng(seed).standard_normal((n, self.latent_dim))
        return self.generate_from(latents.astype("float32"), batch_size=batch_size)

    def generate_from(self, latents, batch_size=256):
        """Generates one image per row of `latents`, in batches, as numpy."""
        chunks = [
            ops.convert_to_numpy(self.generator(latents[i : i + batch_size], training=False))
            for i in range(0, len(latents), batch_size)
        ]
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
        return self.generator.export(filepath, format=format, verbose=verbose, **kwargs)
