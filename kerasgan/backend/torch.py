"""PyTorch gradients: torch.autograd.grad on the variables that are updated."""

import torch
from keras import ops, tree


def value_and_grad(loss_fn, variables):
    loss, aux = loss_fn()
    tensors = [v.value for v in variables]
    # allow_unused: a variable that does not reach the loss gets a zero gradient.
    gradients = _zeros_for_unused(tensors, torch.autograd.grad(loss, tensors, allow_unused=True))
    return loss.detach(), _detached(aux), gradients


def _zeros_for_unused(tensors, gradients):
    return [torch.zeros_like(t) if g is None else g for t, g in zip(tensors, gradients)]


def _detached(aux):
    return tree.map_structure(lambda t: t.detach() if torch.is_tensor(t) else t, aux)


def vjp(fn, variables):
    outputs, aux = fn()
    tensors = [v.value for v in variables]

    def pullback(cotangents):
        return _zeros_for_unused(tensors, torch.autograd.grad(outputs, tensors, grad_outputs=cotangents, allow_unused=True))

    return outputs.detach(), _detached(aux), pullback


def value_and_input_grad(loss_fn, inputs):
    inputs = inputs.detach().requires_grad_(True)
    loss, aux = loss_fn(inputs)
    (gradient,) = _zeros_for_unused([inputs], torch.autograd.grad(loss, [inputs], allow_unused=True))
    return loss.detach(), _detached(aux), gradient


def input_gradients(fn, inputs):
    if not inputs.requires_grad:
        inputs = inputs.detach().requires_grad_(True)
    total = fn(inputs).sum()
    if not total.requires_grad:  # fn ignores its input
        return torch.zeros_like(inputs)
    (gradients,) = torch.autograd.grad(total, inputs, create_graph=True, allow_unused=True)
    return torch.zeros_like(inputs) if gradients is None else gradients


def apply_gradients(optimizer, gradients, variables):
    optimizer.apply_gradients(zip(gradients, variables))


# Keras 3.15 has no data parallelism for torch: one replica.
def replica_sum(value):
    return value


def cond(pred, true_fn, false_fn):
    return ops.cond(pred, true_fn, false_fn)


class AdversarialTrainer:
    """Keras's torch trainer runs a stateful, eager `train_step(data)`."""

    def train_step(self, data):
        return self.adversarial_step(data)
