"""Projection of real images into a generator's latent space, by optimisation.

StyleGAN2's projector (Karras et al. 2020, "Analyzing and Improving the Image Quality of
StyleGAN", section 5; stylegan2-ada-pytorch's projector.py), for any kerasgan GAN: each
image's latent starts at the latents' mean (z = 0; StyleGAN: the average w of 10,000
mapped latents) and is optimised with Adam at 0.1, ramped up over the first 5% of the
steps and down (cosine) over the last 25%, with Gaussian noise on it that fades over the
first 75% (scaled by the latents' spread). A StyleGAN's per-pixel noise maps are
optimised too, standardised, with the projector's regulariser against structure in them
(the maps would otherwise learn the image). The loss is a perceptual distance
(`kerasgan.metrics.perceptual.PerceptualDistance`: the FID Inception network's feature
maps, since LPIPS's VGG weights are not available offline) plus the pixels' mean squared
error.

The optimisation is a small `keras.Model` whose only trainable weights are the latents
(and noise maps), trained with `fit`: the same on TensorFlow, JAX and PyTorch, with
Keras's progress bar.
"""

import dataclasses

import keras
import numpy as np
from keras import ops

from kerasgan.guards import check_images
from kerasgan.layers.modulated import standardised_noise
from kerasgan.schedules import RampUpCosineDown

__all__ = ["Projection", "Renderer", "project"]

LATENT_NOISE = 0.05  # the noise on the latent at the start, in units of the latents' spread
LATENT_NOISE_STEPS = 0.75  # the fraction of the steps it fades over
NOISE_REGULARISATION = 1e5  # StyleGAN2's weight of the noise maps' regulariser


@dataclasses.dataclass
class Projection:
    """What `project` found, as numpy arrays, one row per image.

    Attributes:
        space: str. "z", "w" or "w+".
        latents: `(n, latent_dim)` for "z", `(n, w_dim)` for "w", `(n, num_styles, w_dim)`
            for "w+".
        images: the reconstructions, `(n, *image_shape)` in [-1, 1].
        noise: {layer name: `(n, H, W, 1)` standardised noise map} of a StyleGAN; {} else.
        pixel_error: `(n,)` mean squared error of each reconstruction, images in [-1, 1].
        perceptual_distance: `(n,)` of each reconstruction, or None without the term.
    """

    space: str
    latents: np.ndarray
    images: np.ndarray
    noise: dict
    pixel_error: np.ndarray
    perceptual_distance: np.ndarray = None


class Renderer(keras.layers.Layer):
    """`render(latents) -> images`, a model's hook for projection (`projection_renderer`),
    with the `networks` it runs tracked, so that every backend's trainer carries their
    weights."""

    def __init__(self, render, networks, **kwargs):
        super().__init__(**kwargs)
        self.render = render
        self.networks = list(networks)

    def call(self, latents):
        return self.render(latents)


class _SameBatch(keras.utils.PyDataset):
    """The target images, as every one of `steps` batches."""

    def __init__(self, images, steps):
        super().__init__()
        self.images, self.steps = images, steps

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        return self.images


def _noise_regularisation(maps):
    """StyleGAN2's: the squared correlation of each map with itself shifted by a pixel,
    across and down, at every scale down to 8 px, summed (per image)."""
    total = 0.0
    for noise in maps:
        noise = ops.convert_to_tensor(noise)
        while True:
            total += ops.sum(ops.square(ops.mean(noise * ops.roll(noise, 1, axis=2), axis=(1, 2, 3))))
            total += ops.sum(ops.square(ops.mean(noise * ops.roll(noise, 1, axis=1), axis=(1, 2, 3))))
            batch, height, width, _ = noise.shape
            if height <= 8:
                break
            noise = ops.mean(ops.reshape(noise, (-1, height // 2, 2, width // 2, 2, 1)), axis=(2, 4))
    return total


class _Projector(keras.Model):
    """The latents (and noise maps) of `n` images as the only weights `fit` updates, in
    front of the model's frozen generator."""

    def __init__(self, model, space, start, targets, labels, perceptual, pixel_weight, perceptual_weight, steps, seed):
        super().__init__(name="projector")
        n = len(targets)
        start, self.latent_spread = start
        self.latents = self.add_weight(
            shape=(n, *start.shape), initializer=keras.initializers.Constant(np.broadcast_to(start, (n, *start.shape))), name="latents"
        )
        rng = np.random.default_rng(seed)
        self.noise_maps = {
            name: self.add_weight(
                shape=(n, height, width, 1),
                initializer=keras.initializers.Constant(rng.standard_normal((n, height, width, 1)).astype("float32")),
                name=f"noise_{name}",
            )
            for name, (height, width) in model.projection_noise_shapes(space).items()
        }
        self._optimised = [self.latents, *self.noise_maps.values()]
        # Tracked, so that every backend's trainer carries the networks' weights as state.
        self.renderer = model.projection_renderer(space, self.noise_maps, labels)
        self.perceptual = perceptual
        self.perceptual_network = perceptual.network if perceptual else None
        self.target_features = (
            [self.add_weight(shape=f.shape, initializer=keras.initializers.Constant(ops.convert_to_numpy(f)), trainable=False, name="target_features")
             for f in perceptual.features(targets)]
            if perceptual else []
        )
        self.pixel_weight, self.perceptual_weight, self.steps = pixel_weight, perceptual_weight, steps
        self.seed_generator = keras.random.SeedGenerator(seed)
        # The step count of the latents' noise: state of the model's own (on JAX the
        # forward pass cannot read the optimizer's).
        self.step = self.add_weight(shape=(), initializer="zeros", trainable=False, name="step")

    # Only the latents and noise maps are trained: the generator's own weights keep their
    # `trainable` flags (its owner trains them) but are state here.
    @property
    def trainable_variables(self):
        return list(self._optimised)

    @property
    def trainable_weights(self):
        return list(self._optimised)

    @property
    def non_trainable_variables(self):
        optimised = {id(v) for v in self._optimised}
        return [v for v in self.variables if id(v) not in optimised]

    @property
    def non_trainable_weights(self):
        optimised = {id(v) for v in self._optimised}
        return [v for v in self.weights if id(v) not in optimised]

    def call(self, targets, training=False):
        latents = ops.convert_to_tensor(self.latents)
        if training:
            progress = ops.convert_to_tensor(self.step) / self.steps
            self.step.assign(self.step + 1.0)
            fade = ops.square(ops.maximum(0.0, 1.0 - progress / LATENT_NOISE_STEPS))
            noise = keras.random.normal(ops.shape(latents), seed=self.seed_generator)
            latents = latents + noise * (self.latent_spread * LATENT_NOISE * fade)
        return self.renderer(latents)

    def distances(self, targets, images):
        """(pixel error, perceptual distance) of each image, `(n,)` each."""
        pixel = ops.mean(ops.square(ops.cast(images, "float32") - ops.cast(targets, "float32")), axis=(1, 2, 3))
        if not self.perceptual:
            return pixel, None
        return pixel, self.perceptual.between_features(self.target_features, self.perceptual.features(images))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        pixel, perceptual = self.distances(x, y_pred)
        loss = self.pixel_weight * ops.sum(pixel)
        if perceptual is not None:
            loss += self.perceptual_weight * ops.sum(perceptual)
        if self.noise_maps:
            maps = [standardised_noise(m) for m in self.noise_maps.values()]
            loss += NOISE_REGULARISATION * _noise_regularisation(maps)
        return loss


def project(
    model,
    images,
    space,
    labels=None,
    steps=1000,
    learning_rate=0.1,
    pixel_weight=1.0,
    perceptual_weight=1.0,
    batch_size=16,
    seed=0,
    verbose="auto",
):
    """Projects `images` into `model`'s latent space `space` (`model.PROJECTION_SPACES`).

    `GAN.project` and `StyleGAN.project` call it; see them for the arguments. The images
    are optimised `batch_size` at a time, each with its own latent.
    """
    if not model.PROJECTION_SPACES:
        raise ValueError(f"A {type(model).__name__} has no latent space that projection supports (it projects images).")
    if space not in model.PROJECTION_SPACES:
        raise ValueError(f"{type(model).__name__} projects into {model.PROJECTION_SPACES}. Received: space={space!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"Expected steps, the optimisation steps, to be an int >= 1. Received: steps={steps!r}")
    if pixel_weight < 0 or perceptual_weight < 0 or pixel_weight + perceptual_weight == 0:
        raise ValueError(
            "Expected pixel_weight and perceptual_weight >= 0, not both 0. Received: "
            f"pixel_weight={pixel_weight!r}, perceptual_weight={perceptual_weight!r}"
        )
    images = np.asarray(images)
    if images.ndim == 0 or len(images) == 0:
        raise ValueError(f"Expected a batch of at least one image to project. Received: shape {images.shape}")
    check_images(images, model.image_shape, what="images to project", network="the generator's output")
    if images.dtype == np.uint8:
        images = images.astype("float32") / 127.5 - 1.0
    images = images.astype("float32")
    labels = model.projection_labels(labels, len(images))
    perceptual = None
    if perceptual_weight > 0:
        from kerasgan.metrics.perceptual import PerceptualDistance

        perceptual = PerceptualDistance(model.image_shape)

    latent_start = model.projection_start(space)
    parts = []
    for start in range(0, len(images), batch_size):
        chunk = slice(start, start + batch_size)
        projector = _Projector(
            model, space, latent_start, images[chunk], None if labels is None else labels[chunk], perceptual,
            pixel_weight, perceptual_weight, steps, seed + start,
        )
        projector.compile(optimizer=keras.optimizers.Adam(RampUpCosineDown(learning_rate, steps), beta_1=0.9, beta_2=0.999))
        projector.fit(_SameBatch(images[chunk], steps), epochs=1, verbose=verbose)
        # Scored as returned: clipped to [-1, 1], as images are written.
        reconstructions = ops.clip(ops.cast(projector(images[chunk], training=False), "float32"), -1.0, 1.0)
        pixel, distance = projector.distances(images[chunk], reconstructions)
        parts.append(
            {
                "latents": ops.convert_to_numpy(projector.latents),
                "images": ops.convert_to_numpy(reconstructions),
                "noise": {name: ops.convert_to_numpy(standardised_noise(m)) for name, m in projector.noise_maps.items()},
                "pixel_error": ops.convert_to_numpy(pixel),
                "perceptual_distance": None if distance is None else ops.convert_to_numpy(distance),
            }
        )
    return Projection(
        space=space,
        latents=np.concatenate([p["latents"] for p in parts]),
        images=np.concatenate([p["images"] for p in parts]),
        noise={name: np.concatenate([p["noise"][name] for p in parts]) for name in parts[0]["noise"]},
        pixel_error=np.concatenate([p["pixel_error"] for p in parts]),
        perceptual_distance=None if perceptual is None else np.concatenate([p["perceptual_distance"] for p in parts]),
    )
