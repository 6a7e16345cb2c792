"""One GAN step under MultiWorkerMirroredStrategy, or on one device; prints JSON.

Usage: `python multi_worker_step.py worker` (with TF_CONFIG set, one process per
worker) or `python multi_worker_step.py reference` (one device, no TF_CONFIG).
`tests/test_distribute.py` starts two workers and the reference and compares them.

The toy GAN (`toy_gan.py`) sees the same fakes in every run and its SGD update is
linear in the gradient: two workers of one replica each must give the update one
device gives on the whole global batch.

Data: every worker builds the same dataset of the GLOBAL batch (8 images) and Keras
hands it to `strategy.experimental_distribute_dataset`, which splits each global
batch into per-replica batches of 4 and, with `AutoShardPolicy.DATA`, gives worker i
the i-th of them. So the two workers together see exactly the one-device batch. (The
default AUTO policy tries FILE sharding and falls back to DATA, the same split here;
a dataset read from several files would be split by file instead.) The script also
prints the images each worker received, so the test checks this split directly.
"""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf

MODE = sys.argv[1]
if MODE == "worker":
    # Created first: the strategy configures TensorFlow's collective ops, which
    # must happen before any other TensorFlow op runs. A dead peer fails the
    # collectives after the timeout instead of hanging.
    strategy = tf.distribute.MultiWorkerMirroredStrategy(
        communication_options=tf.distribute.experimental.CommunicationOptions(timeout_seconds=60)
    )
elif MODE == "reference":
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
else:
    raise SystemExit(f"Expected 'worker' or 'reference'. Received: {MODE!r}")

import keras
import numpy as np
from toy_gan import GLOBAL_BATCH, build_gan, real_images, update

import kerasgan


def global_batches(images, batch_size):
    """The same dataset of global batches on every worker, sharded by element."""
    dataset = tf.data.Dataset.from_tensor_slices(images).batch(batch_size)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def numpy(variables):
    return [keras.ops.convert_to_numpy(v) for v in variables]


dataset = global_batches(real_images(), GLOBAL_BATCH)

# The images this worker's replica receives from the distributed dataset.
seen = []
for batch in strategy.experimental_distribute_dataset(dataset):
    for local in strategy.experimental_local_results(batch):
        seen += np.asarray(local).reshape(len(local), -1).tolist()

with strategy.scope():
    gan = build_gan()
before = numpy(gan.trainable_variables)
gan.fit(dataset, epochs=1, verbose=0)
after = numpy(gan.trainable_variables)

# A real preset (BatchNorm, Adam, the default losses): two steps run, and the
# mirrored weights stay the same on every worker (the test compares them).
# BatchNorm normalises each worker's batch of 4 on its own, so unlike the toy GAN the
# preset's update differs from one device's on the batch of 8.
with strategy.scope():
    preset = kerasgan.presets.dcgan(image_shape=(16, 16, 1), latent_dim=8, base_filters=4, seed=0)
digits = np.random.default_rng(1).uniform(-1, 1, (2 * GLOBAL_BATCH, 16, 16, 1)).astype("float32")
history = preset.fit(global_batches(digits, GLOBAL_BATCH), epochs=1, verbose=0)

result = {
    "num_replicas": strategy.num_replicas_in_sync,
    "seen": seen,
    "update": update(before, after),
    "preset_losses": {k: float(v[-1]) for k, v in history.history.items()},
    # The trainable variables are mirrored; BatchNorm's moving statistics are not
    # (each worker keeps its own, of its own batches).
    "preset_weight_sums": [float(v.sum()) for v in numpy(preset.trainable_variables)],
}
print("RESULT " + json.dumps(result), flush=True)
