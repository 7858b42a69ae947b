"""Weight initialisers: name -> a function drawing W of shape (n_in, n_out)."""

from __future__ import annotations

import numpy as np

#: Standard deviation (normal) or limit (uniform) of each scheme, from fan-in and fan-out.
_SCHEMES = {
    "he_normal": ("normal", lambda fi, fo: np.sqrt(2.0 / fi)),
    "he_uniform": ("uniform", lambda fi, fo: np.sqrt(6.0 / fi)),
    "xavier_normal": ("normal", lambda fi, fo: np.sqrt(2.0 / (fi + fo))),
    "xavier_uniform": ("uniform", lambda fi, fo: np.sqrt(6.0 / (fi + fo))),
    "lecun_normal": ("normal", lambda fi, fo: np.sqrt(1.0 / fi)),
    "normal": ("normal", lambda fi, fo: 1.0),
    "uniform": ("uniform", lambda fi, fo: 1.0),
    "zeros": ("zeros", lambda fi, fo: 0.0),
}


def names() -> list[str]:
    """Names of the available initialisers."""
    return list(_SCHEMES)


def init_weights(name: str, n_in: int, n_out: int, rng: np.random.Generator,
                 scale: float = 1.0, dtype=np.float32) -> np.ndarray:
    """Draw one weight matrix.

    Parameters
    ----------
    name : str
        One of :func:`names`.
    n_in, n_out : int
        Fan-in and fan-out.
    rng : numpy.random.Generator
        The run's generator (drawn from in layer order, so runs are reproducible).
    scale : float
        Multiplies the scheme's spread; for ``normal`` it is the standard deviation
        and for ``uniform`` the limit.
    dtype : numpy dtype

    Returns
    -------
    W : ndarray of shape (n_in, n_out)
    """
    if name not in _SCHEMES:
        raise ValueError(f"init: {name!r} is not one of {', '.join(_SCHEMES)}")
    kind, spread = _SCHEMES[name]
    width = scale * spread(n_in, n_out)
    if kind == "normal":
        w = rng.standard_normal((n_in, n_out)) * width
    elif kind == "uniform":
        w = rng.uniform(-width, width, size=(n_in, n_out))
    else:
        w = np.zeros((n_in, n_out))
    return w.astype(dtype, copy=False)
