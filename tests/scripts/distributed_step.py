"""One GAN step on 1 device and on 2 logical CPU replicas; prints the updates as JSON.

Run in its own process: logical devices must be configured before TensorFlow starts.
The generator ignores its latents (a learned constant image), so both runs see the
same fakes and the updates must match exactly when the loss is scaled per replica.
"""

import json
import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
from keras import layers, ops

from kerasgan import GAN

IMAGE_SHAPE = (4, 4, 1)


def build_gan():
    keras.utils.set_random_seed(1)
    latents = keras.Input((3,))
    constant = layers.Lambda(lambda z: ops.zeros_like(z[:, :1]))(latents)
    pixels = layers.Dense(16, activation="tanh", bias_initializer="random_normal")(constant)
    generator = keras.Model(latents, layers.Reshape(IMAGE_SHAPE)(pixels))
    images = keras.Input(IMAGE_SHAPE)
    logits = layers.Dense(1)(layers.Flatten()(images))
    discriminator = keras.Model(images, layers.Reshape(())(logits))
    gan = GAN(generator, discriminator, latent_dim=3, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5))
    return gan


def one_step(strategy):
    with strategy.scope():
        gan = build_gan()
    before = [keras.ops.convert_to_numpy(v) for v in gan.trainable_variables]
    real = np.random.default_rng(0).uniform(-1, 1, (8, *IMAGE_SHAPE)).astype("float32")
    gan.fit(tf.data.Dataset.from_tensor_slices(real).batch(8), epochs=1, verbose=0)
    after = [keras.ops.convert_to_numpy(v) for v in gan.trainable_variables]
    return [(a - b).ravel().tolist() for a, b in zip(after, before)]


replicas = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
result = {
    "num_replicas": replicas.num_replicas_in_sync,
    "one_device": one_step(tf.distribute.OneDeviceStrategy("/cpu:0")),
    "two_replicas": one_step(replicas),
}
print("RESULT " + json.dumps(result))
