"""Class-conditional GANs: the same training step, with labels for both networks."""

import keras
import numpy as np
from keras import ops

from kerasgan import losses
from kerasgan.models.gan import GAN


@keras.saving.register_keras_serializable(package="kerasgan")
class ConditionalGAN(GAN):
    """A class-conditional GAN (Mirza and Osindero 2014).

    The generator takes `[latents, labels]` and the discriminator `[images, labels]`
    (for example a projection discriminator). Training data yield `(images, labels)`
    with int labels in [0, num_classes); each batch's fakes are drawn with the real
    batch's labels. `gan((latents, labels))` and `generate(n, labels=...)` generate.

    Args:
        generator: keras.Model. `[latents, labels] -> images`.
        discriminator: keras.Model. `[images, labels] -> one output per image`.
        num_classes: int. Number of classes.
        **kwargs: the options of `kerasgan.models.GAN`.

    Example:

    ```python
    from kerasgan.networks import dcgan_discriminator, dcgan_generator

    gan = ConditionalGAN(
        dcgan_generator(num_classes=10), dcgan_discriminator(num_classes=10), num_classes=10
    )
    gan.compile()
    gan.fit(kerasgan.datasets.load("mnist_sample", labels=True), epochs=1)
    sevens = gan.generate(8, labels=7)
    ```

    Reference:
        Mirza and Osindero 2014, "Conditional Generative Adversarial Nets";
        Miyato and Koyama 2018, "cGANs with Projection Discriminator".
    """

    SAMPLING_OPTIONS = ("labels",)

    def __init__(self, generator, discriminator, num_classes, **kwargs):
        super().__init__(generator, discriminator, **kwargs)
        if not isinstance(num_classes, int) or num_classes < 2:
            raise ValueError(f"Expected num_classes to be an int >= 2. Received: num_classes={num_classes!r}")
        self._num_classes = num_classes

    @property
    def num_classes(self):
        return self._num_classes

    def unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise ValueError(
                "A conditional GAN trains on (images, labels). Received: images without "
                "labels. Load them with kerasgan.datasets.load(name, labels=True)."
            )
        return data[0], ops.cast(data[1], "int32")

    def generator_inputs(self, latents, labels):
        return [latents, labels]

    def discriminator_inputs(self, images, labels):
        return [images, labels]

    def call(self, inputs, training=False):
        latents, labels = inputs
        return self.sampling_generator([latents, labels], training=training)

    def _labels_for(self, n, labels):
        if labels is None:
            return np.arange(n, dtype="int32") % self.num_classes
        labels = np.asarray(labels, dtype="int32")
        if labels.ndim == 0:
            labels = np.full((n,), labels, dtype="int32")
        if labels.shape != (n,):
            raise ValueError(
                f"Expected one label per image, shape ({n},), or a single label. "
                f"Received: labels of shape {labels.shape}"
            )
        if labels.min() < 0 or labels.max() >= self.num_classes:
            raise ValueError(
                f"Expected labels in [0, {self.num_classes}). Received: labels in "
                f"[{labels.min()}, {labels.max()}]"
            )
        return labels

    def interpolate_classes(self, start, end, steps=8, rows=4, seed=None):
        """Class walks: each row keeps one latent and blends class `start` into class `end`.

        The generator's label embedding is interpolated linearly, from `start`'s row of
        its embedding table to `end`'s, so the images in between come from conditions
        that no label names. Returns `(rows * steps, *image_shape)` images in [-1, 1].

        Needs a generator that embeds its labels with one `keras.layers.Embedding`, as
        kerasgan's networks do.

        Args:
            start: int. The class of the first column.
            end: int. The class of the last column.
            steps: int. Images per walk, ends included. Defaults to 8.
            rows: int. Number of walks, each with its own latent. Defaults to 4.
            seed: int or None. Seeds the latents. Defaults to None.
        """
        if steps < 2 or rows < 1:
            raise ValueError(f"Expected steps >= 2 and rows >= 1. Received: steps={steps}, rows={rows}")
        self._labels_for(2, [start, end])
        generator = self.sampling_generator
        embeddings = [layer for layer in generator.layers if isinstance(layer, keras.layers.Embedding)]
        if len(embeddings) != 1:
            raise NotImplementedError(
                "Class interpolation blends the generator's label embedding: it needs a generator "
                f"with one keras.layers.Embedding. Received: {generator.name!r} with {len(embeddings)}."
            )
        (embedding,) = embeddings
        table = ops.convert_to_numpy(embedding.embeddings)
        t = np.linspace(0.0, 1.0, steps)[:, None]
        blended = (1 - t) * table[start] + t * table[end]

        # A copy of the generator whose table has the blends as extra classes
        # (a copy: rewiring the generator's own layers would change its saved graph).
        def with_blends(layer):
            config = layer.get_config()
            if layer is embedding:
                config["input_dim"] = len(table) + steps
            return layer.__class__.from_config(config)

        walker = keras.models.clone_model(generator, clone_function=with_blends)
        for source, target in zip(generator.layers, walker.layers):
            weights = source.get_weights()
            if source is embedding:
                weights = [np.concatenate([table, blended]).astype(table.dtype)]
            target.set_weights(weights)
        latents = np.random.default_rng(seed).standard_normal((rows, self.latent_dim)).astype("float32")
        labels = np.tile(np.arange(len(table), len(table) + steps, dtype="int32"), rows)
        images = walker([ops.convert_to_tensor(np.repeat(latents, steps, axis=0)), ops.convert_to_tensor(labels)], training=False)
        return ops.convert_to_numpy(ops.cast(images, "float32"))

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes}


@keras.saving.register_keras_serializable(package="kerasgan")
class ACGAN(ConditionalGAN):
    """Auxiliary-classifier GAN (Odena et al. 2017).

    The discriminator sees images only and outputs `[logit, class_logits]`; both
    networks add the cross-entropy of the class logits (on real and generated images
    for the discriminator, on generated ones for the generator) to their loss.

    Args:
        generator: keras.Model. `[latents, labels] -> images`.
        discriminator: keras.Model. `images -> [logit, class_logits]`, such as
            `kerasgan.networks.acgan_discriminator`.
        num_classes: int.
        class_loss_weight: float. Weight of the classification terms. Defaults to 1.
        **kwargs: the options of `kerasgan.models.GAN`.

    Reference:
        Odena, Olah and Shlens 2017, "Conditional Image Synthesis with Auxiliary
        Classifier GANs".
    """

    def __init__(self, generator, discriminator, num_classes, class_loss_weight=1.0, **kwargs):
        super().__init__(generator, discriminator, num_classes, **kwargs)
        self.class_loss_weight = float(class_loss_weight)

    def discriminator_inputs(self, images, labels):
        return images

    def adversarial_outputs(self, outputs):
        return outputs[0]

    def discriminator_loss(self, real_outputs, fake_outputs, labels=None):
        adversarial = super().discriminator_loss(real_outputs[0], fake_outputs[0])
        classification = losses.auxiliary_classifier_loss(
            labels, real_outputs[1]
        ) + losses.auxiliary_classifier_loss(labels, fake_outputs[1])
        return adversarial + self.class_loss_weight * classification

    def generator_loss(self, fake_outputs, labels=None, real_outputs=None):
        adversarial = super().generator_loss(fake_outputs[0], real_outputs=None if real_outputs is None else real_outputs[0])
        return adversarial + self.class_loss_weight * losses.auxiliary_classifier_loss(
            labels, fake_outputs[1]
        )

    def get_config(self):
        return {**super().get_config(), "class_loss_weight": self.class_loss_weight}
