"""JAX: one GAN step with DataParallel over two processes, or on one device; prints JSON.

Usage: `python jax_multi_process_step.py process ID COORDINATOR DIRECTORY` (one per
process, ID 0 and 1, COORDINATOR a `host:port` for process 0 to listen on), or
`python jax_multi_process_step.py reference`. Each process has one CPU device; with
`keras.distribution.initialize` (which calls `jax.distributed.initialize`) the two
processes form one mesh of two devices, as several hosts would (on CPU the
collectives go through Gloo).

Data: every process builds the same `tf.data` dataset of the GLOBAL batch (8 images);
in a multi-process DataParallel Keras rebatches it to 4 and gives process i the i-th
batch of 4 (`Distribution.distribute_dataset`), so together they see the one-device
batch. The toy GAN (`toy_gan.py`) makes the updates comparable.

Saving: every process calls `save` (each into DIRECTORY/process{ID}.keras). It reads
the variables' values from the two-process arrays, which takes both processes:
`save` on process 0 alone waits for the other one forever.
"""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "jax"

import keras

MODE = sys.argv[1]
if MODE == "process":
    # Before any other JAX call: the processes join one cluster.
    keras.distribution.initialize(job_addresses=sys.argv[3], num_processes=2, process_id=int(sys.argv[2]))
    keras.distribution.set_distribution(keras.distribution.DataParallel())
elif MODE != "reference":
    raise SystemExit(f"Expected 'process' or 'reference'. Received: {MODE!r}")

import jax
import numpy as np
import tensorflow as tf
from toy_gan import GLOBAL_BATCH, build_gan, real_images, update


def local_values(variables):
    # In a multi-process mesh a variable's value is a global array: read this
    # process's replica.
    return [np.asarray(v.value.addressable_data(0)) for v in variables]


gan = build_gan()
before = local_values(gan.trainable_variables)
gan.fit(tf.data.Dataset.from_tensor_slices(real_images()).batch(GLOBAL_BATCH), epochs=1, verbose=0)
result = {
    "process_count": jax.process_count(),
    "num_devices": len(jax.devices()),
    "local_devices": len(jax.local_devices()),
    "update": update(before, local_values(gan.trainable_variables)),
}
if MODE == "process":
    gan.save(os.path.join(sys.argv[4], f"process{jax.process_index()}.keras"))
print("RESULT " + json.dumps(result), flush=True)
