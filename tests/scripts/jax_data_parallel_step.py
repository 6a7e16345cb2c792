"""JAX: one GAN step on one device and under DataParallel on 2 CPU devices; prints JSON.

Run in its own process: XLA must split the host CPU into two devices before JAX
starts. The toy GAN (`toy_gan.py`) sees the same fakes in both runs and its SGD
update is linear in the gradient: the data-parallel step (each device computing on
half the batch, XLA's sharded jit averaging the gradients) must match one device's.

Each run also trains a real preset (DCGAN: BatchNorm, Adam) for two steps. The script
reports where every variable lives (the networks', every optimizer's, the metrics') and
how the real images are laid out inside the jitted step.
"""

import json
import os

os.environ["KERAS_BACKEND"] = "jax"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=2").strip()

import jax
import keras
import numpy as np
from toy_gan import GLOBAL_BATCH, build_gan, real_images, update

import kerasgan
from kerasgan import GAN


def numpy(variables):
    return [np.asarray(keras.ops.convert_to_numpy(v)) for v in variables]


def placement(variables):
    """`[devices, replicated]`: the device counts of the variables' values, and whether
    every value is whole on each of its devices."""
    shardings = [v.value.sharding for v in variables]
    return [sorted({len(s.device_set) for s in shardings}), all(s.is_fully_replicated for s in shardings)]


# How the real images are laid out inside the jitted step: split over the batch axis?
batch_layouts = []
prepare_batch = GAN.prepare_batch


def recording_prepare_batch(self, data):
    batch = prepare_batch(self, data)
    images = batch["real_images"]

    def record(sharding, shape=tuple(images.shape)):
        batch_layouts.append({"devices": len(sharding.device_set), "shape": shape, "shard": sharding.shard_shape(shape)})

    jax.debug.inspect_array_sharding(images, callback=record)
    return batch


GAN.prepare_batch = recording_prepare_batch


def run():
    """The toy GAN's one-step update, and a DCGAN preset's weights after two steps."""
    gan = build_gan()
    before = numpy(gan.trainable_variables)
    gan.fit(real_images(), batch_size=GLOBAL_BATCH, epochs=1, verbose=0)
    toy_update = update(before, numpy(gan.trainable_variables))

    preset = kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
    digits = np.random.default_rng(1).uniform(-1, 1, (2 * GLOBAL_BATCH, 16, 16, 1)).astype("float32")
    history = preset.fit(digits, batch_size=GLOBAL_BATCH, epochs=1, verbose=0)
    return {
        "update": toy_update,
        "preset_weights": [w.ravel().tolist() for w in numpy(preset.weights)],
        "preset_losses": {name: float(values[-1]) for name, values in history.history.items()},
        "placement": {
            "trainable": placement(gan.trainable_variables),
            "optimizers": placement(gan._optimizers_variables()),
            "metrics": placement(gan.metrics_variables),
            "preset_trainable": placement(preset.trainable_variables),
            "preset_non_trainable": placement(preset.non_trainable_variables),
            "preset_optimizers": placement(preset._optimizers_variables()),
            "preset_metrics": placement(preset.metrics_variables),
        },
    }


one_device = run()
one_device["batch_layouts"], batch_layouts[:] = list(batch_layouts), []

keras.distribution.set_distribution(keras.distribution.DataParallel(devices=jax.devices()))
two_devices = run()
two_devices["batch_layouts"] = list(batch_layouts)

result = {"num_devices": len(jax.devices()), "one_device": one_device, "two_devices": two_devices}
print("RESULT " + json.dumps(result), flush=True)
