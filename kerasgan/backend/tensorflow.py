"""TensorFlow gradients: GradientTape, with the tf.distribute loss scaling."""

import tensorflow as tf
from keras import ops


def value_and_grad(loss_fn, variables):
    with tf.GradientTape() as tape:
        loss, aux = loss_fn()
        # Keras optimizers sum gradients over replicas: scale so that N replicas
        # give the same update as one device on the whole batch.
        scaled_loss = loss / tf.distribute.get_strategy().num_replicas_in_sync
    values = [v.value for v in variables]
    gradients = tape.gradient(
        scaled_loss, values, unconnected_gradients=tf.UnconnectedGradients.ZERO
    )
    return loss, aux, gradients


def vjp(fn, variables):
    with tf.GradientTape() as tape:
        outputs, aux = fn()
    values = [v.value for v in variables]

    def pullback(cotangents):
        return tape.gradient(outputs, values, output_gradients=cotangents, unconnected_gradients=tf.UnconnectedGradients.ZERO)

    return tf.stop_gradient(outputs), aux, pullback


def value_and_input_grad(loss_fn, inputs):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        loss, aux = loss_fn(inputs)
        scaled_loss = loss / tf.distribute.get_strategy().num_replicas_in_sync
    return loss, aux, tape.gradient(scaled_loss, inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def input_gradients(fn, inputs):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        total = tf.reduce_sum(fn(inputs))
    return tape.gradient(total, inputs, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def apply_gradients(optimizer, gradients, variables):
    optimizer.apply_gradients(zip(gradients, variables))


def cond(pred, true_fn, false_fn):
    return ops.cond(pred, true_fn, false_fn)


def replica_sum(value):
    # In a tf.distribute step each replica sees its share of the batch: a sum over the
    # whole batch is the sum of the replicas' (all-reduced, the same on each).
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    return context.all_reduce(tf.distribute.ReduceOp.SUM, value)


class AdversarialTrainer:
    """Keras's TensorFlow trainer already runs a stateful `train_step(data)`."""

    def train_step(self, data):
        logs = self.adversarial_step(data)
        strategy = tf.distribute.get_strategy()
        if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and (
            strategy.num_replicas_in_sync > len(strategy.extended.worker_devices)
        ):
            # Several workers: Keras 3.15 averages fit's logs over them with
            # strategy.reduce("MEAN", log, axis=0), which fails on a scalar
            # (tensorflow/tensorflow#72388). An axis of length one gives the mean.
            logs = {name: tf.reshape(value, [1]) for name, value in logs.items()}
        return logs
