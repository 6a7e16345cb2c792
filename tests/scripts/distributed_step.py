"""One GAN step on 1 device and on 2 logical CPU replicas; prints the updates as JSON.

Run in its own process: logical devices must be configured before TensorFlow starts.
The toy GAN (`toy_gan.py`) sees the same fakes in both runs, so the updates must
match exactly when the loss is scaled per replica.
"""

import json
import os

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
from toy_gan import GLOBAL_BATCH, build_gan, real_images, update


def one_step(strategy):
    with strategy.scope():
        gan = build_gan()
    before = [keras.ops.convert_to_numpy(v) for v in gan.trainable_variables]
    gan.fit(tf.data.Dataset.from_tensor_slices(real_images()).batch(GLOBAL_BATCH), epochs=1, verbose=0)
    return update(before, [keras.ops.convert_to_numpy(v) for v in gan.trainable_variables])


replicas = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
result = {
    "num_replicas": replicas.num_replicas_in_sync,
    "one_device": one_step(tf.distribute.OneDeviceStrategy("/cpu:0")),
    "two_replicas": one_step(replicas),
}
print("RESULT " + json.dumps(result))
