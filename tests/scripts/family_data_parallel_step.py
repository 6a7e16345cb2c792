"""A StyleGAN with ADA and a CycleGAN with its image pools, trained two steps on one
device and data-parallel on two (argv[1]: "tensorflow", MirroredStrategy on 2 logical
CPUs, or "jax", `keras.distribution.DataParallel` on 2 virtual CPUs); prints JSON.

Run in its own process: the devices are set before the framework starts. Each replica
draws its own augmentations, pool choices and noise, so the two runs differ in their
numbers; what must hold is that the state each model keeps beside its weights (ADA's p,
the pools and their counts) is updated under data parallelism as on one device, and is
the same on every replica.
"""

import json
import os
import sys

BACKEND = sys.argv[1]
os.environ["KERAS_BACKEND"] = BACKEND
if BACKEND == "jax":
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()
else:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras
import numpy as np

import kerasgan
from kerasgan.layers import ADA

BATCH = 8


def per_device(variable):
    """The variable's value on each device (replica), as numpy."""
    if BACKEND == "jax":
        return [np.asarray(shard.data) for shard in variable.value.addressable_shards]
    value = variable.value
    values = getattr(value, "values", None) or (value,)
    return [np.asarray(v.numpy()) for v in values]


def state(variable):
    values = per_device(variable)
    return {"value": values[0].ravel().tolist()[:4], "abs_mean": float(np.abs(values[0]).mean()), "devices": len(values), "same_on_every_device": all(np.array_equal(values[0], v) for v in values)}


def run(scope):
    rng = np.random.default_rng(0)
    with scope():
        # speed 64: p moves by 8 / 64 a step.
        stylegan = kerasgan.presets.stylegan(image_shape=(16, 16, 3), channel_base=64, channel_max=16, augment=ADA(target=0.6, speed=64), seed=0)
        cyclegan = kerasgan.presets.cyclegan(image_shape=(16, 16, 3), base_filters=4, seed=0, pool_size=4)
        # From the middle, p can move either way.
        stylegan.augmenter.probability.assign(0.5)
    images = rng.uniform(-1, 1, (2 * BATCH, 16, 16, 3)).astype("float32")
    # One step an epoch: the history holds each step's p (before its adjustment).
    style_logs = stylegan.fit(images[:BATCH], batch_size=BATCH, epochs=3, verbose=0).history
    cycle_logs = cyclegan.fit(images, images[::-1], batch_size=BATCH, epochs=1, verbose=0).history
    pools = [layer for layer in cyclegan._flatten_layers() if isinstance(layer, kerasgan.layers.ImagePool)]
    return {
        "stylegan_losses": {k: [float(x) for x in v] for k, v in style_logs.items()},
        "cyclegan_losses": {k: [float(x) for x in v] for k, v in cycle_logs.items()},
        "augment_p": state(stylegan.augmenter.probability),
        "pool_counts": [state(pool.count) for pool in pools],
        "pool_images": [state(pool.images) for pool in pools],
    }


if BACKEND == "jax":
    import contextlib

    import jax

    one = run(contextlib.nullcontext)
    keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
    two = run(contextlib.nullcontext)
else:
    one = run(tf.distribute.OneDeviceStrategy("/cpu:0").scope)
    two = run(tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]).scope)
print("RESULT " + json.dumps({"one_device": one, "two_devices": two}), flush=True)
