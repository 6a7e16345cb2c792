"""StyleGAN: a GAN whose generator maps latents to styles, with style mixing and truncation."""

import keras
import numpy as np
from keras import ops

from kerasgan import backend
from kerasgan.export import export_network
from kerasgan.families.stylegan.networks import noise_shapes, with_noise, with_noise_maps
from kerasgan.models.gan import GAN
from kerasgan.projection import Renderer

# What kerasgan.models gathers from this family (kerasgan.families.public).
__all__ = ["StyleGAN", "StyleGenerator"]


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGenerator(keras.Model):
    """A style-based generator: `mapping` (z -> w), then `synthesis` (styles -> images).

    In training it tracks the average w (for the truncation trick) and mixes styles:
    with probability `mixing_probability` a sample's styles switch, at a random
    crossover layer, to the w of a second latent (style mixing regularisation,
    Karras et al. 2019). `generator(latents, truncation=psi)` moves every w toward the
    average: `w_avg + psi * (w - w_avg)`; `noise_mode` ("random", the default, "const"
    or "none") chooses the per-pixel noise, as in stylegan2-ada-pytorch. Outside
    training, images come out clipped to [-1, 1].

    Args:
        mapping: keras.Model. `(batch, latent_dim)` -> `(batch, w_dim)`.
        synthesis: keras.Model. `(batch, num_styles, w_dim)` -> images.
        mixing_probability: float. Defaults to 0.9 (StyleGAN2's).
        w_avg_beta: float. Decay of the moving average of w. Defaults to 0.995.
        seed: int or None. Seeds the mixing draws. Defaults to None.

    Reference:
        Karras, Laine and Aila 2019, "A Style-Based Generator Architecture for Generative
        Adversarial Networks".
    """

    def __init__(self, mapping, synthesis, mixing_probability=0.9, w_avg_beta=0.995, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= mixing_probability <= 1.0 or not 0.0 <= w_avg_beta < 1.0:
            raise ValueError(
                "Expected mixing_probability in [0, 1] and w_avg_beta in [0, 1). Received: "
                f"mixing_probability={mixing_probability!r}, w_avg_beta={w_avg_beta!r}"
            )
        w_dim = mapping.output_shape[-1]
        num_styles, synthesis_w_dim = synthesis.input_shape[1:]
        if synthesis_w_dim != w_dim:
            raise ValueError(
                f"Expected the synthesis network to take styles of size {w_dim}, the mapping "
                f"network's output. Received: styles of size {synthesis_w_dim}."
            )
        self.mapping = mapping
        self.synthesis = synthesis
        self.latent_dim = mapping.input_shape[-1]
        self.w_dim = w_dim
        self.num_styles = num_styles
        self.mixing_probability = float(mixing_probability)
        self.w_avg_beta = float(w_avg_beta)
        self.seed = seed
        self.seed_generator = backend.seed_generator(seed)
        self.w_avg = self.add_weight(shape=(w_dim,), initializer="zeros", trainable=False, name="w_avg")
        self.built = True

    def broadcast(self, w):
        """`(batch, w_dim)` -> the same w for every style, `(batch, num_styles, w_dim)`."""
        return ops.repeat(ops.expand_dims(w, 1), self.num_styles, axis=1)

    def mix(self, styles, mixing_styles, crossover):
        """Styles from `styles` before layer `crossover` (per sample), from
        `mixing_styles` from it on. All `(batch, num_styles, w_dim)`; crossover `(batch,)`."""
        before = ops.arange(self.num_styles)[None, :] < ops.reshape(crossover, (-1, 1))
        return ops.where(before[:, :, None], styles, mixing_styles)

    def truncate(self, styles, truncation):
        """`w_avg + truncation * (styles - w_avg)`."""
        if truncation == 1.0:
            return styles
        w_avg = ops.cast(self.w_avg, styles.dtype)
        return w_avg + truncation * (styles - w_avg)

    def call(self, latents, training=False, truncation=1.0, noise_mode="random"):
        w = self.mapping(latents, training=training)
        styles = self.broadcast(w)
        if training:
            batch_mean = ops.mean(ops.cast(w, "float32"), axis=0)
            self.w_avg.assign(batch_mean + self.w_avg_beta * (self.w_avg - batch_mean))
            if self.mixing_probability > 0:
                styles = self._mix_randomly(latents, styles, training)
        synthesis = with_noise(self.synthesis, noise_mode)
        images = synthesis(self.truncate(styles, truncation), training=training)
        # The synthesis output is linear; images leave it clipped to [-1, 1], as
        # StyleGAN2 clips when it writes them. Training shows D the raw output.
        return images if training else ops.clip(images, -1.0, 1.0)

    def _mix_randomly(self, latents, styles, training):
        batch = ops.shape(latents)[0]
        other = self.mapping(keras.random.normal(ops.shape(latents), seed=self.seed_generator), training=training)
        layer = ops.cast(
            keras.random.randint((batch,), 1, self.num_styles, seed=self.seed_generator), "int32"
        )
        chosen = keras.random.uniform((batch,), seed=self.seed_generator) < self.mixing_probability
        crossover = ops.where(chosen, layer, self.num_styles)
        return self.mix(styles, self.broadcast(ops.cast(other, styles.dtype)), crossover)

    def get_config(self):
        return {
            **super().get_config(),
            "mapping": keras.saving.serialize_keras_object(self.mapping),
            "synthesis": keras.saving.serialize_keras_object(self.synthesis),
            "mixing_probability": self.mixing_probability,
            "w_avg_beta": self.w_avg_beta,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("mapping", "synthesis"):
            config[name] = keras.saving.deserialize_keras_object(config[name])
        return cls(**config)

    def compute_output_shape(self, input_shape):
        return self.synthesis.output_shape

    # A subclassed model has no symbolic shapes of its own; a GAN reads these.
    @property
    def input_shape(self):
        return self.mapping.input_shape

    @property
    def output_shape(self):
        return self.synthesis.output_shape


@keras.saving.register_keras_serializable(package="kerasgan")
class StyleGAN(GAN):
    """StyleGAN2 at small resolution: a `StyleGenerator`, non-saturating loss with lazy R1.

    A `kerasgan.GAN` whose generator is a `StyleGenerator`; every option of `GAN`
    applies (the preset turns on R1 every 16 D updates, an EMA generator and ADA).
    `generate(n, seed, truncation=psi)` applies the truncation trick with the average
    w tracked in training; `style_mix(latents, mixing_latents, crossover)` renders the
    styles of one latent before a layer and of another from it on.

    Args:
        generator: StyleGenerator.
        discriminator: keras.Model. Images -> one logit each.
        **kwargs: the options of `kerasgan.models.GAN`.

    Example:

    ```python
    gan = kerasgan.presets.stylegan(image_shape=(32, 32, 3))
    gan.fit(kerasgan.datasets.load("emoji", image_size=32, batch_size=32), epochs=1)
    images = gan.generate(16, seed=0, truncation=0.7)
    ```

    Reference:
        Karras et al. 2020, "Analyzing and Improving the Image Quality of StyleGAN".
    """

    SAMPLING_OPTIONS = ("truncation", "noise_mode")

    def __init__(self, generator, discriminator, **kwargs):
        if not isinstance(generator, StyleGenerator):
            raise TypeError(
                f"Expected a kerasgan StyleGenerator as the generator. Received: {type(generator).__name__}."
            )
        kwargs.setdefault("latent_dim", generator.latent_dim)
        super().__init__(generator, discriminator, **kwargs)

    def _update_ema(self):
        super()._update_ema()
        # The average w is itself a moving average: copied, not averaged again, as
        # StyleGAN2-ADA copies buffers into G_ema, so truncation centres on the current one.
        if self.ema_generator is not None:
            self.ema_generator.w_avg.assign(self.generator.w_avg)

    def serving_model(self, truncation=1.0, noise_mode="const"):
        """A functional model `latents -> images` of the sampling generator, for `export`:
        by default with the fixed noise maps, so that a latent gives one image."""
        latents = keras.Input((self.latent_dim,), name="latents")
        images = self.sampling_generator(latents, truncation=truncation, noise_mode=noise_mode)
        return keras.Model(latents, images, name="stylegan_generator")

    def export(self, filepath, format="tf_saved_model", verbose=True, truncation=1.0, noise_mode="const", **kwargs):
        """Exports `latents -> images` (`kerasgan.AdversarialModel.export`) with the
        truncation and noise of `generate(..., truncation=, noise_mode=)`. "const" noise,
        the default, serves the image `generate_from(latents, noise_mode="const")` gives;
        "random" noise exports to a SavedModel only (ONNX and LiteRT have no random ops
        for it)."""
        if noise_mode == "random" and format != "tf_saved_model":
            raise ValueError(
                f"A {format} export cannot draw random noise: use noise_mode='const' (fixed maps, "
                "the default) or 'none'. Received: noise_mode='random'"
            )
        return export_network(self.serving_model(truncation, noise_mode), filepath, format, verbose, **kwargs)

    def generate_from_w(self, w, noise=None, batch_size=256):
        """Images in [-1, 1] (numpy) from w: `(n, w_dim)`, or `(n, num_styles, w_dim)` for
        one per layer (W+), as `project` returns them. `noise`: the projection's noise
        maps ({layer name: `(n, H, W, 1)`}); None uses the fixed "const" maps."""
        generator = self.sampling_generator
        w = np.asarray(w, "float32")
        if w.shape[1:] not in [(generator.w_dim,), (generator.num_styles, generator.w_dim)]:
            raise ValueError(
                f"Expected w of shape (n, {generator.w_dim}) or (n, {generator.num_styles}, {generator.w_dim}). "
                f"Received: {w.shape}"
            )
        chunks = []
        for start in range(0, len(w), batch_size):
            styles = w[start : start + batch_size]
            styles = generator.broadcast(ops.convert_to_tensor(styles)) if styles.ndim == 2 else styles
            if noise is None:
                synthesis = with_noise(generator.synthesis, "const")
            else:
                synthesis = with_noise_maps(generator.synthesis, {name: maps[start : start + batch_size] for name, maps in noise.items()})
            chunks.append(ops.convert_to_numpy(ops.clip(ops.cast(synthesis(styles, training=False), "float32"), -1.0, 1.0)))
        return np.concatenate(chunks) if chunks else np.zeros((0, *self.image_shape), "float32")

    PROJECTION_SPACES = ("w", "w+")

    def projection_start(self, space):
        # StyleGAN2's projector: the mean and spread of 10,000 mapped latents (seed 123).
        latents = np.random.default_rng(123).standard_normal((10_000, self.latent_dim)).astype("float32")
        w = self.sampling_generator.mapping.predict(latents, batch_size=1000, verbose=0).astype("float32")
        w_avg = w.mean(axis=0)
        spread = float(np.sqrt(np.sum(np.square(w - w_avg)) / len(w)))
        return (w_avg if space == "w" else np.tile(w_avg, (self.sampling_generator.num_styles, 1))), spread

    def projection_noise_shapes(self, space):
        return noise_shapes(self.sampling_generator.synthesis)

    def projection_renderer(self, space, noise_maps, labels):
        generator = self.sampling_generator
        synthesis = with_noise_maps(generator.synthesis, noise_maps)

        def render(latents):
            return synthesis(generator.broadcast(latents) if space == "w" else latents, training=False)

        return Renderer(render, [synthesis])

    def style_mix(self, latents, mixing_latents, crossover, truncation=1.0):
        """Images with the styles of `latents` before layer `crossover` and of
        `mixing_latents` from it on (numpy; coarse layers first)."""
        generator = self.sampling_generator
        styles = generator.broadcast(generator.mapping(ops.convert_to_tensor(latents, "float32")))
        mixing = generator.broadcast(generator.mapping(ops.convert_to_tensor(mixing_latents, "float32")))
        crossover = ops.full((len(latents),), crossover, "int32")
        mixed = generator.truncate(generator.mix(styles, mixing, crossover), truncation)
        return ops.convert_to_numpy(ops.clip(generator.synthesis(mixed), -1.0, 1.0))
