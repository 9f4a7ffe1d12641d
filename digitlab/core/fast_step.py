"""The trainer's step without autograd: a hand-written forward and backward pass for its MLPs.

At batch 64 a step of these small nets is a handful of small matmuls; autograd adds as much
again of bookkeeping (graph nodes, fresh gradient tensors, the optimiser's Python). `FastStep`
does the same arithmetic into buffers it keeps:

- layers run feature-major (features × batch): MKL multiplies a 10-row weight matrix by a batch
  about twice as fast as the batch by its transpose, and the gradients come out contiguous;
- the inputs may come as the images' bytes (0–255 as floats): their 1/255, like the mean's 1/B,
  rides in the matmuls' alpha instead of a pass over the batch;
- the gradient of the mean cross-entropy (plus the loop's L1 term, as `core.training` adds it)
  lands in each parameter's `.grad`;
- on a CPU the optimiser step calls torch's own fused Adam / SGD kernel on the optimiser's own
  state, so its `param_groups` (live settings, the cosine schedule) rule it as they rule
  `step()`, which it falls back to wherever the two could differ (the first step, a momentum
  newly set, other optimisers or devices).

Weight decay is the optimiser's (L2 added to the gradient), as in the autograd loop. Autograd is
the reference: `tests/core/test_fast_step.py` holds the two together (1e-7 in float64 step by
step; 1e-6 on float32 gradients, 1e-5 on float32 SGD runs).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from digitlab.core.model import MLP

_aten = torch.ops.aten
# In place on a layer's output; None: the identity.
_FORWARD: dict[str, Callable[[torch.Tensor], torch.Tensor] | None] = {
    "relu": torch.relu_,
    "tanh": torch.tanh_,
    "sigmoid": torch.sigmoid_,
    "identity": None,
}
# The gradient through the activation from its output, as autograd computes it.
_BACKWARD: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None] = {
    "relu": lambda grad, out: _aten.threshold_backward(grad, out, 0.0),
    "tanh": _aten.tanh_backward,
    "sigmoid": _aten.sigmoid_backward,
    "identity": None,
}


def covers(model: nn.Module) -> bool:
    """True for the nets `core.model.MLP` builds (Linear layers, one known activation, float32;
    float64 too, where tests hold it to autograd without float32's rounding): anything else
    trains with autograd."""
    dtypes = {p.dtype for p in model.parameters()}
    return (
        type(model) is MLP
        and model.spec.activation in _FORWARD
        and all(type(layer) is nn.Linear and layer.bias is not None for layer in model.layers)
        and (dtypes == {torch.float32} or dtypes == {torch.float64})
    )


@torch.no_grad()
def predicted_classes(model: MLP, images: torch.Tensor, scale: float = 1.0) -> torch.Tensor:
    """The class `model` (one `covers` admits) gives each of `scale` × `images` (N, inputs),
    computed feature-major as the step is: evaluating the test split so ran twice as fast as
    `model(images)` for 784→10."""
    out, alpha, act = images.t(), scale, _FORWARD[model.spec.activation]
    for layer in model.layers[:-1]:
        out = torch.addmm(layer.bias.view(-1, 1), layer.weight, out, alpha=alpha)
        if act is not None:
            act(out)
        alpha = 1.0
    last = model.layers[-1]
    logits = torch.addmm(last.bias.view(-1, 1), last.weight, out, alpha=alpha)
    return logits.max(0).indices  # max(0).indices: argmax(0) is slower on a (classes, N) matrix


class FastStep:
    """One training step of an `MLP` (see the module's docstring); `step` per batch."""

    def __init__(self, model: MLP, optimizer: torch.optim.Optimizer) -> None:
        if not covers(model):
            raise ValueError("FastStep trains core.model.MLP nets only")
        layers = list(model.layers)
        self.params = [p for layer in layers for p in (layer.weight, layer.bias)]
        for p in self.params:  # written in place by every step: never None, never reallocated
            p.grad = torch.zeros_like(p)
        # Detached views: the arithmetic builds no graph, the in-place update needs no no_grad.
        self.weights = [layer.weight.detach() for layer in layers]
        self.columns = [layer.bias.detach().view(-1, 1) for layer in layers]  # broadcast on B
        self.grad_w = [layer.weight.grad for layer in layers]
        self.grad_b = [layer.bias.grad for layer in layers]
        self.forward_act = _FORWARD[model.spec.activation]
        self.backward_act = _BACKWARD[model.spec.activation]
        self.hidden = model.spec.hidden
        self.optimizer = optimizer
        self._update = _optimizer_update(optimizer, [p.detach() for p in self.params])
        self._buffers: dict[int, list[torch.Tensor]] = {}
        self.onehot: torch.Tensor | None = None

    def begin_epoch(self, targets: torch.Tensor) -> None:
        """The labels of the epoch's samples in the order they train: one-hot, feature-major."""
        last = self.weights[-1]
        onehot = torch.zeros(last.shape[0], len(targets), device=targets.device, dtype=last.dtype)
        self.onehot = onehot.scatter_(0, targets.view(1, -1), 1.0)

    def _buffers_of(self, size: int) -> list[torch.Tensor]:
        """The hidden layers' (units, size) outputs, then a (size,) vector of ones."""
        buffers = self._buffers.get(size)
        if buffers is None:
            first = self.weights[0]
            buffers = [first.new_empty((h, size)) for h in self.hidden] + [first.new_ones(size)]
            self._buffers[size] = buffers
        return buffers

    def step(
        self, batch: torch.Tensor, logits: torch.Tensor, start: int, l1: float, scale: float = 1.0
    ) -> None:
        """Train on `scale` × `batch` (B, inputs), the samples at `start` of the epoch's order:
        forward into `logits` (classes, B), backward into the parameters' `.grad`, then the
        optimiser step. `scale` (1/255 for bytes) and the mean's 1/B ride in the matmuls."""
        size = batch.shape[0]
        *hidden, ones = self._buffers_of(size)
        inputs = [batch.t()]
        weights, columns, act = self.weights, self.columns, self.forward_act
        alpha = scale  # the first layer's inputs are scaled, the others are not
        for weight, column, out in zip(weights, columns, hidden):
            torch.addmm(column, weight, inputs[-1], alpha=alpha, out=out)
            if act is not None:
                act(out)
            inputs.append(out)
            alpha = 1.0
        torch.addmm(columns[-1], weights[-1], inputs[-1], alpha=alpha, out=logits)
        assert self.onehot is not None, "begin_epoch first"
        grad = torch.softmax(logits, 0)
        grad.sub_(self.onehot.narrow(1, start, size))  # B × d(mean CE)/d logits
        mean = 1.0 / size
        for i in range(len(weights) - 1, -1, -1):
            grad_w, grad_b = self.grad_w[i], self.grad_b[i]
            source, alpha = (inputs[i].t(), mean) if i else (batch, mean * scale)
            torch.addmm(grad_w, grad, source, beta=0, alpha=alpha, out=grad_w)
            torch.addmv(grad_b, grad, ones, beta=0, alpha=mean, out=grad_b)
            if i:
                grad = torch.mm(weights[i].t(), grad)
                if self.backward_act is not None:
                    grad = self.backward_act(grad, inputs[i])
        if l1:  # d(l1 · Σ|W|)/dW, with sign(0) = 0 as autograd's abs
            for weight, grad_w in zip(weights, self.grad_w):
                grad_w.add_(torch.sign(weight), alpha=l1)
        self._update()


def _optimizer_update(optimizer: torch.optim.Optimizer, params: list[torch.Tensor]) -> Callable:
    """The optimiser step on gradients already in `.grad`: the fused kernel where it is the one
    `optimizer.step()` would call with the same state, else `optimizer.step()` itself."""
    group = optimizer.param_groups[0]
    device = params[0].device.type  # CPU only: the kernels' calls elsewhere are untested here
    if len(optimizer.param_groups) != 1 or not group.get("fused") or device != "cpu":
        return optimizer.step
    originals = group["params"]
    grads = [p.grad for p in originals]
    if isinstance(optimizer, torch.optim.Adam) and hasattr(torch, "_fused_adam_"):
        if any(group[k] for k in ("amsgrad", "maximize", "capturable", "differentiable")) or (
            group.get("decoupled_weight_decay")
        ):
            return optimizer.step
        return _AdamUpdate(optimizer, params, grads)
    if isinstance(optimizer, torch.optim.SGD) and hasattr(torch, "_fused_sgd_"):
        if group["maximize"] or group["differentiable"]:
            return optimizer.step
        return _SgdUpdate(optimizer, params, grads)
    return optimizer.step


class _AdamUpdate:
    """`Adam(fused=True).step()` without its Python: after the first step its state exists."""

    def __init__(self, optimizer: torch.optim.Adam, params: list, grads: list) -> None:
        self.optimizer, self.params, self.grads = optimizer, params, grads
        self.group = optimizer.param_groups[0]
        self.state: tuple[list, list, list] | None = None
        self.one = torch.ones(())  # replaced by a 1 of the step counts' dtype at the first step

    def __call__(self) -> None:
        if self.state is None:
            self.optimizer.step()  # creates the state exactly as torch does
            states = [self.optimizer.state[p] for p in self.group["params"]]
            self.state = tuple([s[k] for s in states] for k in ("exp_avg", "exp_avg_sq", "step"))
            self.one = torch.ones_like(self.state[2][0])  # a step count's 1, as a tensor
            return
        group = self.group
        exp_avgs, exp_avg_sqs, steps = self.state
        beta1, beta2 = group["betas"]
        for step in steps:  # in a step, a tensor one: _foreach_add_(steps, 1) took 10 µs more
            step.add_(self.one)
        torch._fused_adam_(
            self.params, self.grads, exp_avgs, exp_avg_sqs, [], steps,
            lr=group["lr"], beta1=beta1, beta2=beta2, weight_decay=group["weight_decay"],
            eps=group["eps"], amsgrad=False, maximize=False,
        )  # fmt: skip


class _SgdUpdate:
    """`SGD(fused=True).step()` without its Python, once momentum buffers exist (or no momentum)."""

    def __init__(self, optimizer: torch.optim.SGD, params: list, grads: list) -> None:
        self.optimizer, self.params, self.grads = optimizer, params, grads
        self.group = optimizer.param_groups[0]
        self.started = False  # the first step is step()'s: a scheduler checks that it ran

    def __call__(self) -> None:
        group = self.group
        momentum = group["momentum"]
        buffers: list = []
        if momentum:
            state = self.optimizer.state
            buffers = [state[p].get("momentum_buffer") for p in group["params"]]
        if not self.started or any(b is None for b in buffers):
            self.optimizer.step()  # also the first step with momentum: torch makes the buffers
            self.started = True
            return
        torch._fused_sgd_(
            self.params, self.grads, buffers, weight_decay=group["weight_decay"],
            momentum=momentum, lr=group["lr"], dampening=group["dampening"],
            nesterov=group["nesterov"], maximize=False, is_first_step=False,
        )  # fmt: skip
