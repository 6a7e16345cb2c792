"""JAX gradients: a jitted, stateless step that carries every optimizer's state.

Keras's JAX trainer jits `train_step(state, data)` where `state` holds the model's
variables and ONE optimizer's variables. A kerasgan model has several optimizers, so
`AdversarialTrainer` puts all their variables in the optimizer slot of that state, then
runs the model's ordinary, stateful `adversarial_step` inside a `keras.StatelessScope`
mapping every variable to its value in the state. Variable reads see the traced values
and assignments (optimizer updates, BatchNorm statistics, seed state, metrics) are
recorded in the scope, from which the new state is read back.

Keras has no public API for a trainer with several optimizers, so this module touches
Keras internals; each is named, with its check, in `kerasgan.backend.internals`.
"""

import jax
from keras import StatelessScope
from keras.src.backend.common.stateless_scope import get_stateless_scope
from keras.src.backend.jax.trainer import JAXTrainer

def _call_in_scope(fn, mapping):
    """Runs `fn()` in a StatelessScope over `mapping` (variable id -> value).

    A nested scope sees only its own mapping, so `mapping` must hold every value
    `fn` reads. Returns `fn`'s result and the entries it wrote (BatchNorm moving
    statistics, seed state), for the caller to hand back to the outer scope.
    """
    scope = StatelessScope()
    scope.state_mapping = dict(mapping)
    with scope:
        result = fn()
    written = {key: value for key, value in scope.state_mapping.items() if value is not mapping.get(key)}
    return result, written


def value_and_grad(loss_fn, variables):
    outer = get_stateless_scope()
    if outer is None:
        raise RuntimeError(
            "kerasgan's JAX value_and_grad runs inside AdversarialTrainer.train_step's "
            "StatelessScope. Call it from a loss method of a kerasgan model during fit()."
        )
    ids = [id(v) for v in variables]

    def differentiable_loss(values):
        mapping = {**outer.state_mapping, **dict(zip(ids, values))}
        (loss, aux), written = _call_in_scope(loss_fn, mapping)
        return loss, (aux, written)

    values = [outer.state_mapping[i] for i in ids]
    (loss, (aux, written)), gradients = jax.value_and_grad(
        differentiable_loss, has_aux=True
    )(values)
    outer.state_mapping.update(written)
    return loss, aux, gradients


def vjp(fn, variables):
    outer = get_stateless_scope()
    ids = [id(v) for v in variables]

    def forward(values):
        (outputs, aux), written = _call_in_scope(fn, {**outer.state_mapping, **dict(zip(ids, values))})
        return outputs, (aux, written)

    outputs, pullback, (aux, written) = jax.vjp(forward, [outer.state_mapping[i] for i in ids], has_aux=True)
    outer.state_mapping.update(written)
    return outputs, aux, lambda cotangents: pullback(cotangents)[0]


def value_and_input_grad(loss_fn, inputs):
    outer = get_stateless_scope()
    mapping = dict(outer.state_mapping)

    def differentiable_loss(tensor):
        (loss, aux), written = _call_in_scope(lambda: loss_fn(tensor), mapping)
        return loss, (aux, written)

    (loss, (aux, written)), gradient = jax.value_and_grad(differentiable_loss, has_aux=True)(inputs)
    outer.state_mapping.update(written)
    return loss, aux, gradient


def input_gradients(fn, inputs):
    outer = get_stateless_scope()
    mapping = dict(outer.state_mapping) if outer else {}

    def total(values):
        return _call_in_scope(lambda: fn(values).sum(), mapping)

    # What `fn` writes comes back as aux, so it is kept, as on the other backends,
    # without leaking a tracer.
    gradients, written = jax.grad(total, has_aux=True)(inputs)
    if outer is not None:
        outer.state_mapping.update(written)
    return gradients


def apply_gradients(optimizer, gradients, variables):
    # A LossScaleOptimizer skips a step with non-finite gradients through a cond whose
    # branches assign variables; traced in the step's StatelessScope, those values would
    # leak out of lax.cond. `stateless_apply` returns the new values instead, as in
    # Keras's own JAX trainer. The optimizer was built on `variables`, in this order
    # (`AdversarialModel.compile`).
    scope = get_stateless_scope()
    optimizer_state = [scope.get_current_value(v) for v in optimizer.variables]
    values = [scope.get_current_value(v) for v in variables]
    new_values, new_optimizer_state = optimizer.stateless_apply(optimizer_state, gradients, values)
    for variable, value in zip([*variables, *optimizer.variables], [*new_values, *new_optimizer_state]):
        variable.assign(value)


# XLA's sharded jit computes on the global batch: its statistics are already global.
def replica_sum(value):
    return value


def cond(pred, true_fn, false_fn):
    outer = get_stateless_scope()
    if outer is None:
        return jax.lax.cond(pred, true_fn, false_fn)
    mapping = dict(outer.state_mapping)
    # The state either branch writes (seed state, BatchNorm statistics) becomes an
    # output of the cond, so no value traced inside a branch leaks out of it.
    _, true_written = jax.eval_shape(lambda: _call_in_scope(true_fn, mapping))
    _, false_written = jax.eval_shape(lambda: _call_in_scope(false_fn, mapping))
    keys = list(dict.fromkeys([*true_written, *false_written]))

    def branch(fn):
        def run():
            result, written = _call_in_scope(fn, mapping)
            return result, [written.get(key, mapping[key]) for key in keys]

        return run

    result, values = jax.lax.cond(pred, branch(true_fn), branch(false_fn))
    outer.state_mapping.update(zip(keys, values))
    return result


class AdversarialTrainer:
    """Adapts Keras's JAX trainer to a model with one optimizer per update."""

    def _optimizers_variables(self):
        return [v for optimizer in self.optimizers_by_name().values() for v in optimizer.variables]

    def train_step(self, state, data):
        trainable, non_trainable, optimizers_values, metrics_values = state
        variables = (
            self.trainable_variables
            + self.non_trainable_variables
            + self._optimizers_variables()
            + self.metrics_variables
        )
        values = (
            list(trainable)
            + list(non_trainable)
            + list(optimizers_values)
            + list(metrics_values)
        )
        with StatelessScope(state_mapping=list(zip(variables, values))) as scope:
            logs = self.adversarial_step(data)
        new_values = [scope.get_current_value(v) for v in variables]
        sizes = [len(trainable), len(non_trainable), len(optimizers_values)]
        first, second, third = sizes[0], sizes[0] + sizes[1], sum(sizes)
        new_state = (
            new_values[:first],
            new_values[first:second],
            new_values[second:third],
            new_values[third:],
        )
        return logs, new_state

    # Keras's JAX trainer reads and writes `self.optimizer.variables` in the
    # methods below; a kerasgan model has several optimizers in their place.

    def _get_jax_state(
        self,
        trainable_variables=False,
        non_trainable_variables=False,
        optimizer_variables=False,
        metrics_variables=False,
        purge_model_variables=False,
    ):
        state = list(
            super()._get_jax_state(
                trainable_variables=trainable_variables,
                non_trainable_variables=non_trainable_variables,
                metrics_variables=metrics_variables,
                purge_model_variables=purge_model_variables,
            )
        )
        if optimizer_variables:
            # The optimizer slot follows the model's variables. The optimizers' own
            # copies are kept (not purged): jax_state_sync writes them back.
            slot = int(trainable_variables) + int(non_trainable_variables)
            state.insert(slot, [v.value for v in self._optimizers_variables()])
        return tuple(state)

    def jax_state_sync(self):
        state = getattr(self, "_jax_state", None)
        if state and not self._jax_state_synced and state.get("optimizer_variables"):
            for variable, value in zip(
                self._optimizers_variables(), state["optimizer_variables"]
            ):
                variable.assign(value)
            self._jax_state = dict(state, optimizer_variables=None)
        super().jax_state_sync()

    def _get_state_sharding_spec(self):
        trainable, non_trainable, _, metrics = super()._get_state_sharding_spec()
        optimizers = [v.value.sharding for v in self._optimizers_variables()]
        return trainable, non_trainable, optimizers, metrics
