"""A history of generated images for the discriminator (Shrivastava et al. 2017)."""

import keras
from keras import ops

from kerasgan import backend


@keras.saving.register_keras_serializable(package="kerasgan")
class ImagePool(keras.layers.Layer):
    """Keeps the last `pool_size` generated images and mixes old ones into each batch.

    While the pool fills, images pass through and are stored. Once it is full, each
    image is, with probability 1/2, swapped with a random stored one (the stored one is
    returned, the new one takes its place), else passed through: the discriminator
    sees a history of generators, which damps oscillation (CycleGAN uses 50 images).
    Within one batch (of at most `pool_size` images), swapped images take distinct slots. The pool is a
    non-trainable weight, so it is saved with the model and resumes with it.

    Args:
        pool_size: int. Images kept. 0 turns the pool off. Defaults to 50.
        image_shape: tuple. `(height, width, channels)` of one image.
        seed: int or None. Seeds the choices. Defaults to None.

    Reference:
        Shrivastava et al. 2017, "Learning from Simulated and Unsupervised Images
        through Adversarial Training"; Zhu et al. 2017 (CycleGAN).
    """

    def __init__(self, pool_size=50, image_shape=None, seed=None, **kwargs):
        super().__init__(trainable=False, **kwargs)
        self.pool_size = int(pool_size)
        self.image_shape = tuple(image_shape)
        self.seed = seed
        self.seed_generator = backend.seed_generator(seed)
        self.images = self.add_weight(
            name="images", shape=(max(self.pool_size, 1), *self.image_shape), initializer="zeros", trainable=False
        )
        self.count = self.add_weight(name="count", shape=(), initializer="zeros", dtype="int32", trainable=False)
        self.built = True

    def call(self, images):
        if self.pool_size == 0:
            return images
        batch_size = ops.shape(images)[0]
        position = ops.arange(batch_size, dtype="int32")
        # Slot of each image: the next free ones while filling, else distinct random ones
        # among the slots filled before this batch (random keys, filled slots sorted first).
        filling = self.count + position < self.pool_size
        slot_ids = ops.arange(self.pool_size, dtype="int32")
        keys = keras.random.uniform((self.pool_size,), seed=self.seed_generator) + 2.0 * ops.cast(
            slot_ids >= self.count, "float32"
        )
        filled_in_random_order = ops.cast(ops.argsort(keys), "int32")
        random_slots = ops.take(filled_in_random_order, position % ops.maximum(self.count, 1))
        slots = ops.where(filling, self.count + position, random_slots)
        swap = ops.logical_and(
            ops.logical_and(ops.logical_not(filling), self.count > 0),
            keras.random.uniform((batch_size,), seed=self.seed_generator) < 0.5,
        )
        stored = ops.take(self.images, slots, axis=0)
        broadcast = (-1, 1, 1, 1)
        write = ops.reshape(ops.logical_or(filling, swap), broadcast)
        self.images.assign(
            ops.scatter_update(self.images, ops.expand_dims(slots, 1), ops.where(write, images, stored))
        )
        self.count.assign(ops.minimum(self.count + batch_size, self.pool_size))
        return ops.where(ops.reshape(swap, broadcast), stored, images)

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "image_shape": self.image_shape, "seed": self.seed}
