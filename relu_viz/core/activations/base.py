"""The :class:`Activation` base class shared by every registered activation.

An activation is a pure function of the pre-activation ``z``. Subclasses implement
``_fwd(z, out, tmp)`` and ``_der(z, out, tmp)``, where ``tmp(i)`` hands out the i-th
scratch array shaped like ``z``: fresh arrays on the plotting path, arrays reused from
the caller's per-layer ``cache`` on the training path. Subclasses with faster training
forms (kept masks, output-based derivatives) override ``forward_train``/``backward_train``.
"""

from __future__ import annotations

import numpy as np

from relu_viz.core.kernels.blocks import as_float, check_out

BIG = 1e3  # |z| beyond which every smooth activation here is exactly 0, z or saturated


def buffer(cache: dict, key: str, like: np.ndarray, dtype=None) -> np.ndarray:
    """Array ``cache[key]`` shaped like ``like``, reused when shape and dtype match.

    Parameters
    ----------
    cache : dict
        The caller's per-layer scratch store.
    key : str
    like : ndarray of shape (...)
    dtype : dtype, optional
        Defaults to ``like.dtype``.

    Returns
    -------
    buf : ndarray of the shape of ``like``
    """
    dtype = like.dtype if dtype is None else np.dtype(dtype)
    buf = cache.get(key)
    if buf is None or buf.shape != like.shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(like.shape, dtype)
    return buf


def _fresh(z):
    return lambda i: np.empty_like(z)


def _cached(cache, z):
    return lambda i: buffer(cache, f"tmp{i}", z)


class Activation:
    """An activation function ``f`` with its derivative ``f'`` (of the pre-activation).

    Parameters
    ----------
    **params
        Validated parameters (see ``activations.DEFAULT_PARAMS``).

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"leaky_relu"``.
    params : dict
        A copy of the parameters.
    formula : str
        Plain-text formula and derivative for tooltips, with the kink convention.
    learnable : bool
        True only for PReLU (its slope is trained).
    zero_gradient_note : str
        Where the gradient vanishes (dead units, saturation), for tooltips.
    """

    name = ""
    learnable = False
    zero_gradient_note = ""

    def __init__(self, **params):
        self.params = dict(params)

    @property
    def formula(self) -> str:
        """Plain-text formula of f and f' with the current parameters."""
        return self._formula()

    def _formula(self) -> str:
        raise NotImplementedError

    def _fwd(self, z, out, tmp) -> None:
        raise NotImplementedError

    def _der(self, z, out, tmp) -> None:
        raise NotImplementedError

    # -- pure functions ----------------------------------------------------------------
    def forward(self, z, out=None) -> np.ndarray:
        """``f(z)``.

        Parameters
        ----------
        z : array_like of any shape
            Float arrays keep their dtype; other input becomes float64.
        out : ndarray of the shape and dtype of ``z``, optional
            Written and returned (may be ``z`` itself).

        Returns
        -------
        a : ndarray of the shape and dtype of ``z``
        """
        return self._pure(self._fwd, z, out)

    def derivative(self, z, out=None) -> np.ndarray:
        """``f'(z)`` (at a kink, the left derivative: ``ReLU'(0) = 0``).

        Parameters
        ----------
        z : array_like of any shape
        out : ndarray of the shape and dtype of ``z``, optional

        Returns
        -------
        d : ndarray of the shape and dtype of ``z``
        """
        return self._pure(self._der, z, out)

    def _pure(self, fn, z, out):
        z = as_float(z)
        out = check_out(z, out)
        if np.may_share_memory(out, z):  # the formulas read z after writing out
            res = np.empty_like(z)
            fn(z, res, _fresh(z))
            np.copyto(out, res)
            return out
        fn(z, out, _fresh(z))
        return out

    def active_mask(self, z) -> np.ndarray:
        """Bool ndarray of the shape of ``z``: True where ``f'(z) != 0``."""
        return self.derivative(z) != 0

    # -- training fast path ------------------------------------------------------------
    def forward_train(self, z: np.ndarray, out: np.ndarray, cache: dict) -> None:
        """Write ``f(z)`` into ``out``; may keep per-layer scratch in ``cache``.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_units)
            (Any shape works.) Must not overlap ``out``.
        out : ndarray of the shape and dtype of ``z``
        cache : dict
            Owned by the caller, one per layer; arrays in it are reused between steps.
        """
        self._fwd(z, out, _cached(cache, z))

    def backward_train(self, delta, z, a, cache: dict, out) -> None:
        """Write ``delta * f'(z)`` into ``out`` (which may be ``delta`` itself).

        Parameters
        ----------
        delta : ndarray of shape (n_samples, n_units)
            dL/da for this layer.
        z : ndarray of the same shape
            The pre-activations given to the latest ``forward_train`` with ``cache``.
        a : ndarray of the same shape
            The output that ``forward_train`` wrote.
        cache : dict
            The same per-layer dict given to ``forward_train``.
        out : ndarray of the same shape and dtype
            Receives dL/dz; may be ``delta``.
        """
        d = buffer(cache, "d", z)
        self._der(z, d, _cached(cache, z))
        np.multiply(delta, d, out=out)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"Activation({self.name!r}{', ' if args else ''}{args})"
