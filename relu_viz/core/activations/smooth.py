"""The smooth activations: GELU (tanh approximation), SiLU, Mish, softplus, sigmoid, tanh.

Every formula is written to stay finite without warnings for any input, including
+-1e30 and +-inf in float32: the sigmoid is ``0.5 * tanh(0.5 z) + 0.5``, softplus is
``max(z, 0) + log1p(exp(-|z|))``, and wherever ``z`` multiplies a factor that is exactly 0
or 1 beyond ``|z| > BIG`` (where ``inf * 0`` would make NaN) ``z`` is clipped to
``[-BIG, BIG]``, which leaves every finite result unchanged.
"""

from __future__ import annotations

import math

import numpy as np

from relu_viz.core.activations.base import BIG, Activation
from relu_viz.core.kernels import relu_family as kernels

GELU_K = math.sqrt(2.0 / math.pi)
GELU_C = 0.044715


def _sigmoid(z, out) -> np.ndarray:
    """``0.5 * tanh(0.5 z) + 0.5`` into ``out`` (never overflows)."""
    np.multiply(z, 0.5, out=out)
    np.tanh(out, out=out)
    np.multiply(out, 0.5, out=out)
    return np.add(out, 0.5, out=out)


def _softplus(z, out, scratch) -> np.ndarray:
    """``max(z, 0) + log1p(exp(-|z|))`` into ``out`` (``out``, ``scratch``, ``z`` distinct)."""
    np.abs(z, out=out)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    return np.add(out, np.maximum(z, 0, out=scratch), out=out)


def _one_minus_sq(t, out, scratch) -> np.ndarray:
    """``(1 - t) * (1 + t)`` into ``out`` (accurate near |t| = 1; all three distinct)."""
    np.subtract(1.0, t, out=out)
    return np.multiply(out, np.add(1.0, t, out=scratch), out=out)


class GELU(Activation):
    """GELU with the tanh approximation ``0.5 z (1 + tanh(k (z + c z^3)))``."""

    name = "gelu"
    zero_gradient_note = "f'(z) -> 0 as z -> -inf; f' is slightly negative near z = -0.75."

    def _formula(self):
        return ("f(z) = 0.5*z*(1 + tanh(u)),  u = sqrt(2/pi)*(z + 0.044715*z^3)\n"
                "f'(z) = 0.5*(1 + tanh(u))\n"
                "        + 0.5*z*(1 - tanh(u)^2)*sqrt(2/pi)*(1 + 3*0.044715*z^2)\n"
                "(tanh approximation of z*Phi(z); max error vs the erf form ~ 5e-4)")

    @staticmethod
    def _tanh_u(z, u, t) -> None:
        """``u`` = clipped z, ``t`` = tanh(k (u + c u^3))."""
        np.clip(z, -BIG, BIG, out=u)
        np.multiply(u, u, out=t)
        np.multiply(t, GELU_C, out=t)
        np.add(t, 1.0, out=t)
        np.multiply(t, u, out=t)
        np.multiply(t, GELU_K, out=t)
        np.tanh(t, out=t)

    def _fwd(self, z, out, tmp):
        u, t = tmp(0), tmp(1)
        self._tanh_u(z, u, t)
        np.add(t, 1.0, out=t)
        np.maximum(z, -BIG, out=out)  # keeps +inf; -inf * 0 would be NaN
        np.multiply(out, t, out=out)
        np.multiply(out, 0.5, out=out)

    def _der(self, z, out, tmp):
        u, t = tmp(0), tmp(1)
        self._tanh_u(z, u, t)
        np.multiply(u, u, out=out)
        np.multiply(out, 3.0 * GELU_C * GELU_K, out=out)
        np.add(out, GELU_K, out=out)  # du/dz
        np.multiply(out, u, out=out)
        np.multiply(out, _one_minus_sq(t, u, tmp(2)), out=out)  # u is free again
        np.add(out, 1.0, out=out)
        np.add(out, t, out=out)
        np.multiply(out, 0.5, out=out)


class SiLU(Activation):
    """SiLU / swish, ``z * sigmoid(z)``."""

    name = "silu"
    zero_gradient_note = "f'(z) -> 0 as z -> -inf; f' is slightly negative for z < -1.28."

    def _formula(self):
        return "f(z) = z*s(z),  s(z) = 1/(1 + exp(-z))\nf'(z) = s(z)*(1 + z*(1 - s(z)))"

    def _fwd(self, z, out, tmp):
        s = _sigmoid(z, tmp(0))
        np.maximum(z, -BIG, out=out)
        np.multiply(out, s, out=out)

    def _der(self, z, out, tmp):
        s, u = _sigmoid(z, tmp(0)), tmp(1)
        np.subtract(1.0, s, out=out)
        np.clip(z, -BIG, BIG, out=u)
        np.multiply(out, u, out=out)
        np.add(out, 1.0, out=out)
        np.multiply(out, s, out=out)


class Mish(Activation):
    """Mish, ``z * tanh(softplus(z))``."""

    name = "mish"
    zero_gradient_note = "f'(z) -> 0 as z -> -inf; f' is slightly negative for z < -1.19."

    def _formula(self):
        return ("f(z) = z*tanh(sp(z)),  sp(z) = log(1 + exp(z))\n"
                "f'(z) = tanh(sp(z)) + z*(1 - tanh(sp(z))^2)*s(z),  s(z) = 1/(1 + exp(-z))")

    def _fwd(self, z, out, tmp):
        t = np.tanh(_softplus(z, tmp(0), tmp(1)), out=tmp(0))
        np.maximum(z, -BIG, out=out)
        np.multiply(out, t, out=out)

    def _der(self, z, out, tmp):
        t, u = tmp(0), tmp(1)
        np.tanh(_softplus(z, t, u), out=t)
        _one_minus_sq(t, out, u)
        np.multiply(out, _sigmoid(z, u), out=out)
        np.clip(z, -BIG, BIG, out=u)
        np.multiply(out, u, out=out)
        np.add(out, t, out=out)


class Softplus(Activation):
    """Softplus, ``log(1 + exp(z))``."""

    name = "softplus"
    zero_gradient_note = "f'(z) = sigmoid(z) -> 0 as z -> -inf; never exactly 0 for moderate z."

    def _formula(self):
        return "f(z) = log(1 + exp(z))\nf'(z) = 1/(1 + exp(-z))"

    def _fwd(self, z, out, tmp):
        _softplus(z, out, tmp(0))

    def _der(self, z, out, tmp):
        _sigmoid(z, out)


class Sigmoid(Activation):
    """Logistic sigmoid, ``1 / (1 + exp(-z))`` computed as ``0.5 tanh(0.5 z) + 0.5``."""

    name = "sigmoid"
    zero_gradient_note = ("f'(z) = s(z)*(1 - s(z)) <= 0.25: saturates (vanishing gradient) "
                          "for large |z|.")

    def _formula(self):
        return "f(z) = 1/(1 + exp(-z)) = 0.5*tanh(z/2) + 0.5\nf'(z) = f(z)*(1 - f(z))"

    def _fwd(self, z, out, tmp):
        kernels.sigmoid(z, out)

    def _der(self, z, out, tmp):
        s = kernels.sigmoid(z, tmp(0))
        np.subtract(1.0, s, out=out)
        np.multiply(out, s, out=out)

    def backward_train(self, delta, z, a, cache, out):
        kernels.sigmoid_backward(delta, a, out)


class Tanh(Activation):
    """Hyperbolic tangent."""

    name = "tanh"
    zero_gradient_note = "f'(z) = 1 - tanh(z)^2: saturates (vanishing gradient) for large |z|."

    def _formula(self):
        return "f(z) = tanh(z)\nf'(z) = 1 - tanh(z)^2"

    def _fwd(self, z, out, tmp):
        np.tanh(z, out=out)

    def _der(self, z, out, tmp):
        _one_minus_sq(np.tanh(z, out=tmp(0)), out, tmp(1))

    def backward_train(self, delta, z, a, cache, out):
        kernels.tanh_backward(delta, a, out)
