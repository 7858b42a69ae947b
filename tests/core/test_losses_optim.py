"""Losses against naive formulas and central differences; optimizers against reference loops."""

import numpy as np
import pytest

from relu_viz.core import losses
from relu_viz.core.init import init_weights
from relu_viz.core.init import names as init_names
from relu_viz.core.optim import make_optimizer

rng = np.random.default_rng(0)


def central_diff(f, z, eps=1e-6):
    g = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        old = z[idx]
        z[idx] = old + eps
        up = f(z)
        z[idx] = old - eps
        down = f(z)
        z[idx] = old
        g[idx] = (up - down) / (2 * eps)
    return g


def test_bce_matches_naive_formula_and_its_gradient():
    z = rng.standard_normal((6, 1)) * 3
    y = (rng.random((6, 1)) > 0.5).astype(float)
    p = 1 / (1 + np.exp(-z))
    naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    loss, grad = losses.bce_with_logits(z.copy(), y)
    assert loss == pytest.approx(naive, rel=1e-12)
    np.testing.assert_allclose(grad, central_diff(lambda q: losses.bce_with_logits(q, y)[0], z),
                               rtol=1e-6, atol=1e-9)


def test_softmax_cross_entropy_matches_naive_formula_and_its_gradient():
    z = rng.standard_normal((5, 3)) * 2
    y = np.eye(3)[[0, 2, 1, 1, 0]]
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    naive = -np.mean(np.log((p * y).sum(axis=1)))
    loss, grad = losses.softmax_cross_entropy(z.copy(), y)
    assert loss == pytest.approx(naive, rel=1e-12)
    f = lambda q: losses.softmax_cross_entropy(q, y)[0]  # noqa: E731
    np.testing.assert_allclose(grad, central_diff(f, z), rtol=1e-6, atol=1e-9)


def test_mse_is_half_mean_of_squared_error():
    a, y = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    loss, grad = losses.mse(a.copy(), y)
    assert loss == pytest.approx(0.5 * np.sum((a - y) ** 2) / 4)
    np.testing.assert_allclose(grad, (a - y) / 4)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_losses_are_stable_at_huge_logits(dtype):
    z = np.array([[1e4], [-1e4], [3e38 if dtype == np.float32 else 1e300]], dtype=dtype)
    y = np.array([[0.0], [1.0], [1.0]], dtype=dtype)
    loss, grad = losses.bce_with_logits(z, y)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    assert loss == pytest.approx((1e4 + 1e4 + 0) / 3, rel=1e-5)
    zz = np.array([[1e4, -1e4, 0.0], [0.0, 0.0, 1e4]], dtype=dtype)
    loss, grad = losses.softmax_cross_entropy(zz, np.eye(3, dtype=dtype)[[1, 2]])
    assert loss == pytest.approx(2e4 / 2, rel=1e-5) and np.all(np.isfinite(grad))


def reference_adam(p, grads, lr, b1=0.9, b2=0.999, eps=1e-8):
    m = np.zeros_like(p)
    v = np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def reference_momentum(p, grads, lr, mu, nesterov):
    v = np.zeros_like(p)
    for g in grads:
        v = mu * v + g
        p = p - lr * (g + mu * v if nesterov else v)
    return p


@pytest.mark.parametrize("name,kwargs,reference", [
    ("sgd", {}, lambda p, gs, lr: p - lr * np.sum(gs, axis=0)),
    ("adam", {}, reference_adam),
    ("momentum", {"momentum": 0.8}, lambda p, gs, lr: reference_momentum(p, gs, lr, 0.8, False)),
    ("momentum", {"momentum": 0.8, "nesterov": True},
     lambda p, gs, lr: reference_momentum(p, gs, lr, 0.8, True)),
])
def test_optimizers_match_reference_loops(name, kwargs, reference):
    p0 = rng.standard_normal(7)
    grads = [rng.standard_normal(7) for _ in range(5)]
    opt = make_optimizer(name, 7, np.float64, 0.05, **kwargs)
    p = p0.copy()
    for g in grads:
        opt.step(p, g)
    np.testing.assert_allclose(p, reference(p0.copy(), grads, 0.05), rtol=1e-12)


def test_learning_rate_changes_between_steps_keep_state():
    opt = make_optimizer("adam", 3, np.float64, 0.1)
    p = np.zeros(3)
    opt.step(p, np.ones(3))
    opt.learning_rate = 0.01
    opt.step(p, np.ones(3))
    assert opt.t == 2
    np.testing.assert_allclose(p, -0.11 * np.ones(3), rtol=1e-6)


def test_unknown_optimizer():
    with pytest.raises(ValueError, match="rmsprop"):
        make_optimizer("rmsprop", 3, np.float64, 0.1)


@pytest.mark.parametrize("name", init_names())
def test_initialisers_have_the_documented_spread(name):
    w = init_weights(name, 400, 300, np.random.default_rng(0), dtype=np.float64)
    expected = {"he_normal": np.sqrt(2 / 400), "he_uniform": np.sqrt(2 / 400),
                "xavier_normal": np.sqrt(2 / 700), "xavier_uniform": np.sqrt(2 / 700),
                "lecun_normal": np.sqrt(1 / 400), "normal": 1.0,
                "uniform": 1 / np.sqrt(3), "zeros": 0.0}[name]
    assert w.shape == (400, 300)
    assert w.std() == pytest.approx(expected, rel=0.02, abs=1e-12)


def test_init_scale_and_unknown_name():
    w = init_weights("normal", 100, 100, np.random.default_rng(0), scale=0.01)
    assert w.std() == pytest.approx(0.01, rel=0.05) and w.dtype == np.float32
    with pytest.raises(ValueError, match="glorot"):
        init_weights("glorot", 2, 2, np.random.default_rng(0))
