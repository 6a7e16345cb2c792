"""3D-GAN: a GAN on voxel occupancies, with the paper's adaptive discriminator update."""

import keras
from keras import ops

from kerasgan.engine import Update
from kerasgan.models.gan import GAN
from kerasgan.guards import check_training_data, first_batch

# What kerasgan.models gathers from this family (kerasgan.families.public).
__all__ = ["GAN3D"]


@keras.saving.register_keras_serializable(package="kerasgan")
class GAN3D(GAN):
    """A GAN on voxel grids (Wu et al. 2016): latents -> occupancies in [0, 1].

    Training data are float occupancies in [0, 1] of shape `(batch, D, H, W, 1)`
    (`kerasgan.datasets.load_voxels`). With `d_accuracy_threshold`, the discriminator
    is not updated on a step where its accuracy on that step's real and generated
    batch exceeds the threshold (the paper's 80%), so it does not overpower the
    generator early; `d_skipped` logs the fraction of skipped updates and
    `d_accuracy` the accuracy. `generate(n)` returns `(n, D, H, W, 1)` occupancies.

    Args:
        generator: keras.Model. Latents -> occupancies in [0, 1] (sigmoid output).
        discriminator: keras.Model. Occupancies -> one logit each.
        d_accuracy_threshold: float or None. Defaults to 0.8.
        **kwargs: the options of `kerasgan.models.GAN` (a cross-entropy loss: the
            accuracy reads the logits' sign).

    Example:

    ```python
    gan = kerasgan.presets.gan3d()
    gan.fit(kerasgan.datasets.load_voxels("furniture", batch_size=32), epochs=1)
    voxels = gan.generate(4)  # (4, 32, 32, 32, 1) in [0, 1]
    ```

    Reference:
        Wu, Zhang, Xue, Freeman and Tenenbaum 2016, "Learning a Probabilistic Latent
        Space of Object Shapes via 3D Generative-Adversarial Modeling".
    """

    OUTPUTS = "voxels"
    # Projection judges images (pixels and a perceptual network), not voxel grids.
    PROJECTION_SPACES = ()

    def __init__(self, generator, discriminator, d_accuracy_threshold=0.8, **kwargs):
        if d_accuracy_threshold is not None and not 0.5 < d_accuracy_threshold <= 1.0:
            raise ValueError(
                "Expected d_accuracy_threshold in (0.5, 1] or None. "
                f"Received: d_accuracy_threshold={d_accuracy_threshold!r}"
            )
        self.d_accuracy_threshold = None if d_accuracy_threshold is None else float(d_accuracy_threshold)
        super().__init__(generator, discriminator, **kwargs)
        if self.loss_name not in ("non_saturating", "minimax"):
            raise ValueError(
                "GAN3D reads the discriminator's accuracy from the sign of its logits: expected "
                f"loss 'non_saturating' or 'minimax'. Received: loss={self.loss_name!r}"
            )
        self.track([*self.trackers, "d_accuracy"] + (["d_skipped"] if self.d_accuracy_threshold is not None else []))

    def update_order(self):
        if self.d_accuracy_threshold is None:
            return super().update_order()
        adaptive = Update(*self.D_UPDATE[:4], skip="d_skipped")
        return [(adaptive, self.d_steps), (self.generator_update(), 1)]

    def after_update(self, update, batch):
        # The adaptive update is the D update with a skip flag.
        super().after_update(self.D_UPDATE if update.loss == self.D_UPDATE.loss else update, batch)

    def discriminator_logs(self, real_outputs, fake_outputs):
        logs = super().discriminator_logs(real_outputs, fake_outputs)
        accuracy = 0.5 * (
            ops.mean(ops.cast(real_outputs > 0, "float32")) + ops.mean(ops.cast(fake_outputs < 0, "float32"))
        )
        logs["d_accuracy"] = accuracy
        if self.d_accuracy_threshold is not None:
            logs["d_skipped"] = ops.cast(accuracy > self.d_accuracy_threshold, "float32")
        return logs

    def get_config(self):
        return {**super().get_config(), "d_accuracy_threshold": self.d_accuracy_threshold}

    @property
    def voxel_shape(self):
        """The shape of one generated voxel grid, `(D, H, W, 1)`."""
        return self.image_shape

    def check_data(self, data):
        check_training_data(data, self.image_shape, signed=False)  # occupancies: [0, 1]
        batch = first_batch(data)
        if batch is not None:
            voxels = ops.convert_to_numpy(batch[0] if isinstance(batch, (tuple, list)) else batch)
            if voxels.min() < 0:
                raise ValueError(
                    f"Expected voxel occupancies in [0, 1]. Received: values down to {voxels.min():g}. "
                    "Load shapes with kerasgan.datasets.load_voxels or from_voxel_arrays."
                )

    def preview(self, num_images=16, seed=0, examples=None):
        """`(voxels, None)`: sample grids render them as shaded views."""
        return self.generate(num_images, seed=seed), None

