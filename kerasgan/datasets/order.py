"""The order of the data, as a pure function of (seed, epoch), so that a resumed run
sees the same batches as an uninterrupted one.

tf.data's `shuffle(seed=s, reshuffle_each_iteration=True)` orders its k-th pass by how
many passes that dataset object has made in this process: a run resumed in a new
process at epoch k would see epoch 0's order again. Here each pass takes its epoch
number from a counter (a `tf.Variable`) and seeds every random choice of the pass
(shuffles, flips) with `(seed, epoch)`. The counter counts passes by itself, so a
dataset iterated by hand is reshuffled each time as before; `AdversarialModel.fit`
adds `EpochOrder`, which sets it to Keras's epoch as each epoch begins, so epoch k
has one order whether the run began at 0 or was resumed at k (`kerasgan train
--resume`, `initial_epoch`, `keras.callbacks.BackupAndRestore`).

Every loader of `kerasgan.datasets` that shuffles or draws at random does it through
`shuffle` or `per_epoch`.
"""

import sys

import keras

from kerasgan.datasets.pixels import tensorflow as _tf

# The attribute of the dataset object `per_epoch` returns that holds its counter.
_COUNTER = "_kerasgan_epoch_counter"


def _base_seed(seed):
    tf = _tf()
    if seed is None:
        # As tf.data's own unseeded shuffle: different every time unless a global
        # seed is set (`keras.utils.set_random_seed`).
        return tf.random.uniform([], maxval=2**31 - 1, dtype=tf.int64)
    return tf.constant(seed, tf.int64)


def per_epoch(build, seed=None):
    """A dataset whose pass for epoch e is `build(pass_seed)`, `pass_seed` a pure
    function of `(seed, e)`.

    Args:
        build: function of a scalar int64 tensor (a seed in [0, 2**31)) returning a
            `tf.data.Dataset`: one epoch's data. Its random choices (`shuffle`,
            `Dataset.random`) must be seeded from its argument alone.
        seed: int or None. Defaults to None (a random seed, or the global one).

    Returns:
        A `tf.data.Dataset` with `build`'s elements and cardinality. Its first pass is
        epoch 0; each pass starts the next, unless `set_epoch` says which.
    """
    tf = _tf()
    base = _base_seed(seed)
    with tf.init_scope(), tf.device("/cpu:0"):
        counter = tf.Variable(0, dtype=tf.int64, trainable=False, name="epoch")

    def start_pass(_):
        return counter.assign_add(1) - 1

    def one_epoch(epoch):
        # The pass's random ops follow `pass_seed` alone, not the global seed as well:
        # a preset may have set that to anything by now, and tf.data cannot combine a
        # global seed of 0 with a tensor seed.
        tf.compat.v1.get_default_graph().seed = None
        pass_seed = tf.random.stateless_uniform(
            [], seed=tf.stack([base, epoch]), minval=0, maxval=2**31 - 1, dtype=tf.int64
        )
        return build(pass_seed)

    dataset = tf.data.Dataset.from_tensors(tf.constant(0, tf.int64)).map(start_pass).flat_map(one_epoch)
    # flat_map hides the cardinality, which Keras's progress bar and `kerasgan train`
    # read: it is the same for every seed.
    cardinality = int(build(tf.constant(0, tf.int64)).cardinality())
    if cardinality >= 0:
        dataset = dataset.apply(tf.data.experimental.assert_cardinality(cardinality))
    setattr(dataset, _COUNTER, counter)
    return dataset


def shuffle(dataset, buffer_size, seed=None):
    """`dataset.shuffle(buffer_size, seed)`, reshuffled each epoch by `(seed, epoch)`."""
    return per_epoch(lambda pass_seed: dataset.shuffle(buffer_size, seed=pass_seed), seed)


def epoch_counters(dataset):
    """The counters of the `per_epoch` datasets that `dataset` is built from (through
    `map`, `batch`, `take`, `zip`, ...): empty for data of another kind."""
    if "tensorflow" not in sys.modules:  # then no tf.data dataset exists
        return []
    tf = _tf()
    counters, pending = [], [dataset]
    while pending:
        data = pending.pop()
        if not isinstance(data, tf.data.Dataset):
            continue
        if hasattr(data, _COUNTER):
            counters.append(getattr(data, _COUNTER))
        pending.extend(data._inputs())  # the datasets each transformation was applied to
    return counters


def set_epoch(dataset, epoch):
    """Makes the next pass over `dataset` the one of epoch `epoch` (from 0). Returns the
    number of counters set: 0 where `dataset` was not built with `per_epoch`."""
    counters = epoch_counters(dataset)
    for counter in counters:
        counter.assign(epoch)
    return len(counters)


class EpochOrder(keras.callbacks.Callback):
    """Gives each epoch of `fit` its own order of `dataset`, whatever epoch it began at.

    `AdversarialModel.fit` adds it for a dataset built by `kerasgan.datasets`. Keras
    starts each epoch's pass over the dataset after `on_epoch_begin`. Exact when an
    epoch is whole passes over the dataset (`fit` without `steps_per_epoch`, or
    `dataset.take(steps)`).
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset

    def on_epoch_begin(self, epoch, logs=None):
        set_epoch(self.dataset, epoch)
