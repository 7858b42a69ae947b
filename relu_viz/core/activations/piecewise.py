"""The piecewise activations: ReLU, leaky ReLU, PReLU, ELU, SELU, ReLU6 and linear.

At a kink the derivative is the left one: ``ReLU'(0) = 0``, ``LeakyReLU'(0) = alpha``,
``ELU'(0) = alpha``, ``ReLU6'(0) = ReLU6'(6) = 0``. Use ``activations.get`` to build them.
"""

from __future__ import annotations

import numpy as np

from relu_viz.core.activations.base import Activation, buffer
from relu_viz.core.kernels import relu_family as kernels

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _blend_one_above_zero(z, out, tmp) -> None:
    """Set ``out`` to 1 where ``z > 0``, keep it elsewhere (exact 0/1-weight blend)."""
    above, below = tmp(0), tmp(1)
    np.greater(z, 0, out=above)
    np.subtract(1.0, above, out=below)
    np.multiply(out, below, out=out)
    np.add(out, above, out=out)


class ReLU(Activation):
    """``max(0, z)``; backward uses the integer mask kept by ``forward_train``."""

    name = "relu"
    zero_gradient_note = "f'(z) = 0 for z <= 0: a unit with z <= 0 on every sample is dead."

    def _formula(self):
        return "f(z) = max(0, z)\nf'(z) = 1 if z > 0 else 0 (f'(0) = 0)"

    def _fwd(self, z, out, tmp):
        kernels.relu(z, out)

    def _der(self, z, out, tmp):
        np.greater(z, 0, out=out)

    def active_mask(self, z):
        return np.greater(z, 0)

    def forward_train(self, z, out, cache):
        plan = cache.get("relu_fwd")
        if plan is None or plan[0] is not z or plan[1] is not out or plan[2] != z.shape:
            mask = buffer(cache, "mask", z, kernels.mask_dtype(z.dtype))
            run = kernels.relu_forward_with_mask_plan(z, out, mask)
            plan = cache["relu_fwd"] = (z, out, z.shape, mask, run)
        plan[4]()

    def backward_train(self, delta, z, a, cache, out):
        fwd = cache.get("relu_fwd")
        if fwd is None or fwd[0] is not z or fwd[2] != z.shape:
            kernels.relu_backward(delta, kernels.relu_mask(z), out)  # no forward_train on z
            return
        plan = cache.get("relu_bwd")
        if (plan is None or plan[0] is not delta or plan[1] is not out
                or plan[2] is not fwd[3] or plan[3] != delta.shape):
            run = kernels.relu_backward_plan(delta, fwd[3], out)
            plan = cache["relu_bwd"] = (delta, out, fwd[3], delta.shape, run)
        plan[4]()


class LeakyReLU(Activation):
    """``z if z > 0 else alpha * z``."""

    name = "leaky_relu"
    zero_gradient_note = "f'(z) = alpha for z <= 0, so units keep a gradient unless alpha = 0."

    def _slope(self) -> float:
        return float(self.params["alpha"])

    def _formula(self):
        a = f"{self._slope():g}"
        return (f"f(z) = z if z > 0 else {a}*z\n"
                f"f'(z) = 1 if z > 0 else {a} (f'(0) = {a})")

    def _fwd(self, z, out, tmp):
        kernels.leaky_relu(z, self._slope(), out)

    def _der(self, z, out, tmp):
        out.fill(1.0)
        kernels.leaky_relu_backward(out, z, self._slope(), out)

    def active_mask(self, z):
        z = np.asarray(z)
        return np.greater(z, 0) if self._slope() == 0 else ~np.isnan(z)

    def backward_train(self, delta, z, a, cache, out):
        kernels.leaky_relu_backward(delta, z, self._slope(), out)


class PReLU(LeakyReLU):
    """Leaky ReLU whose slope is learned.

    ``slope`` is an ndarray of shape (1,); the MLP replaces it with a view into its flat
    parameter buffer, so the value is read at every call and never cached.
    """

    name = "prelu"
    learnable = True
    zero_gradient_note = "f'(z) = slope for z <= 0; the slope itself is trained."

    def __init__(self, **params):
        super().__init__(**params)
        self.slope = np.array([float(params["alpha"])])

    def _slope(self) -> float:
        return float(self.slope[0])

    def _formula(self):
        return ("f(z) = z if z > 0 else a*z   (a learned, now "
                f"{self._slope():g})\nf'(z) = 1 if z > 0 else a (f'(0) = a)\n"
                "dL/da = sum(delta * min(z, 0))")

    def __repr__(self):
        return f"Activation('prelu', alpha={self.params['alpha']!r}, slope={self._slope()!r})"

    def slope_grad(self, delta, z) -> float:
        """Gradient of the loss wrt the slope.

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_units)
            dL/da for this layer.
        z : ndarray of the same shape
            Pre-activations.

        Returns
        -------
        float
            ``sum(delta * min(z, 0))``.
        """
        return float(np.vdot(delta, np.minimum(z, 0)))


class ELU(Activation):
    """``z if z > 0 else alpha * (exp(z) - 1)``, alpha > 0."""

    name = "elu"
    zero_gradient_note = "f'(z) = alpha*exp(z) for z <= 0: small but never 0 for finite z."

    def _formula(self):
        a = f"{float(self.params['alpha']):g}"
        return (f"f(z) = z if z > 0 else {a}*(exp(z) - 1)\n"
                f"f'(z) = 1 if z > 0 else {a}*exp(z) (f'(0) = {a})")

    def _fwd(self, z, out, tmp):
        kernels.elu(z, float(self.params["alpha"]), out)

    def _der(self, z, out, tmp):
        np.minimum(z, 0, out=out)
        np.exp(out, out=out)
        np.multiply(out, float(self.params["alpha"]), out=out)
        _blend_one_above_zero(z, out, tmp)

    def backward_train(self, delta, z, a, cache, out):
        kernels.elu_backward(delta, a, float(self.params["alpha"]), out)


class SELU(Activation):
    """``scale * ELU_alpha(z)`` with the self-normalising constants."""

    name = "selu"
    zero_gradient_note = "f'(z) = scale*alpha*exp(z) for z <= 0: never 0 for finite z."

    def _formula(self):
        return ("f(z) = s*z if z > 0 else s*a*(exp(z) - 1)\n"
                "f'(z) = s if z > 0 else s*a*exp(z) (f'(0) = s*a)\n"
                f"s = {SELU_SCALE:.10f}, a = {SELU_ALPHA:.10f}")

    def _fwd(self, z, out, tmp):
        kernels.elu(z, SELU_ALPHA, out)
        np.multiply(out, SELU_SCALE, out=out)

    def _der(self, z, out, tmp):
        np.minimum(z, 0, out=out)
        np.exp(out, out=out)
        np.multiply(out, SELU_ALPHA, out=out)
        _blend_one_above_zero(z, out, tmp)
        np.multiply(out, SELU_SCALE, out=out)


class ReLU6(Activation):
    """``min(max(0, z), 6)``."""

    name = "relu6"
    zero_gradient_note = "f'(z) = 0 for z <= 0 and for z >= 6: units die below and saturate above."

    def _formula(self):
        return "f(z) = min(max(0, z), 6)\nf'(z) = 1 if 0 < z < 6 else 0 (f'(0) = f'(6) = 0)"

    def _fwd(self, z, out, tmp):
        np.minimum(kernels.relu(z, out), 6.0, out=out)

    def _der(self, z, out, tmp):
        np.copyto(out, self.active_mask(z))

    def active_mask(self, z):
        z = np.asarray(z)
        return (z > 0) & (z < 6)


class Linear(Activation):
    """Identity, ``f(z) = z``."""

    name = "linear"
    zero_gradient_note = "f'(z) = 1 everywhere: no dead units, but no non-linearity either."

    def _formula(self):
        return "f(z) = z\nf'(z) = 1"

    def _fwd(self, z, out, tmp):
        np.copyto(out, z)

    def _der(self, z, out, tmp):
        out.fill(1.0)

    def active_mask(self, z):
        return ~np.isnan(np.asarray(z))

    def backward_train(self, delta, z, a, cache, out):
        if out is not delta:
            np.copyto(out, delta)
