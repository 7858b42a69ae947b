"""Optimizers acting on one flat parameter vector and its flat gradient.

Working on the flat buffers (every weight, bias and PReLU slope of the network lives in
one contiguous array) makes an update a handful of vector operations however many
layers there are. Settings are plain attributes, so the learning rate and the rest can
change between two steps without losing the optimizer's state.
"""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Base class: ``step(params, grad)`` updates ``params`` in place."""

    name = "base"

    def __init__(self, n_params: int, dtype, learning_rate: float) -> None:
        self.learning_rate = float(learning_rate)
        self.dtype = np.dtype(dtype)
        self._update = np.zeros(n_params, dtype=self.dtype)

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Apply one update in place.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            Updated in place.
        grad : ndarray of shape (n_params,)

        Returns
        -------
        update : ndarray of shape (n_params,)
            The change just added to ``params`` (a buffer reused next step).
        """
        self._compute_update(grad)
        params += self._update
        return self._update

    def _compute_update(self, grad: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray | int]:
        """Arrays and counters to save with a session."""
        return {}

    def load_state(self, state: dict) -> None:
        """Restore what :meth:`state` returned."""


#: SGD works through buffers longer than this in pieces of this many elements.
SGD_CHUNK = 1 << 15


class SGD(Optimizer):
    """Plain gradient descent: ``update = -lr * grad``."""

    name = "sgd"

    def step(self, params: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Apply one update in place (see :meth:`Optimizer.step`); returns the update."""
        n, update, rate = grad.size, self._update, -self.learning_rate
        if n <= 2 * SGD_CHUNK:
            np.multiply(grad, rate, out=update)
            params += update
            return update
        # Piece by piece, so each piece of the update is added while it is in cache, not
        # read back from memory after the whole buffer was written (the same values; about
        # 20 % less time for the 269k parameters of a 784-256-256-10 network).
        for i in range(0, n, SGD_CHUNK):
            u, p = update[i:i + SGD_CHUNK], params[i:i + SGD_CHUNK]
            np.multiply(grad[i:i + SGD_CHUNK], rate, out=u)
            np.add(p, u, out=p)
        return update

    def _compute_update(self, grad):
        np.multiply(grad, -self.learning_rate, out=self._update)


class Momentum(Optimizer):
    """Heavy-ball momentum ``v = mu*v - lr*g``; Nesterov's look-ahead when asked."""

    name = "momentum"

    def __init__(self, n_params, dtype, learning_rate, momentum=0.9, nesterov=False):
        super().__init__(n_params, dtype, learning_rate)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self._velocity = np.zeros(n_params, dtype=self.dtype)

    def _compute_update(self, grad):
        v = self._velocity
        v *= self.momentum
        v -= self.learning_rate * grad
        if self.nesterov:
            # Look-ahead form: step by mu*v_new - lr*g.
            np.multiply(v, self.momentum, out=self._update)
            self._update -= self.learning_rate * grad
        else:
            self._update[...] = v

    def state(self):
        return {"velocity": self._velocity.copy()}

    def load_state(self, state):
        self._velocity[...] = state["velocity"]


class Adam(Optimizer):
    """Adam with bias correction (Kingma and Ba, 2015)."""

    name = "adam"

    def __init__(self, n_params, dtype, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(n_params, dtype, learning_rate)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self._m = np.zeros(n_params, dtype=self.dtype)
        self._v = np.zeros(n_params, dtype=self.dtype)
        self._scratch = np.zeros(n_params, dtype=self.dtype)
        self.t = 0

    def _compute_update(self, grad):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        m, v, s = self._m, self._v, self._scratch
        m *= b1
        m += (1.0 - b1) * grad
        np.multiply(grad, grad, out=s)
        v *= b2
        s *= 1.0 - b2
        v += s
        step = self.learning_rate * np.sqrt(1.0 - b2 ** self.t) / (1.0 - b1 ** self.t)
        np.sqrt(v, out=s)
        s += self.eps * np.sqrt(1.0 - b2 ** self.t)
        np.divide(m, s, out=self._update)
        self._update *= -step

    def state(self):
        return {"m": self._m.copy(), "v": self._v.copy(), "t": self.t}

    def load_state(self, state):
        self._m[...] = state["m"]
        self._v[...] = state["v"]
        self.t = int(state["t"])


def make_optimizer(name: str, n_params: int, dtype, learning_rate: float, *, momentum=0.9,
                   nesterov=False, beta1=0.9, beta2=0.999, eps=1e-8) -> Optimizer:
    """Build an optimizer by name: ``sgd``, ``momentum`` or ``adam``."""
    if name == "sgd":
        return SGD(n_params, dtype, learning_rate)
    if name == "momentum":
        return Momentum(n_params, dtype, learning_rate, momentum, nesterov)
    if name == "adam":
        return Adam(n_params, dtype, learning_rate, beta1, beta2, eps)
    raise ValueError(f"optimizer: {name!r} is not one of sgd, momentum, adam")
