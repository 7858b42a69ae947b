"""The whole network's gradients against central differences, and one step by hand."""

import numpy as np
import pytest

from relu_viz.core import MLP, activations

ACTS = activations.names()


def numeric_gradient(model, X, y, l1=0.0, l2=0.0, eps=1e-6):
    """Central differences of the loss with respect to every flat parameter."""
    grad = np.empty(model.n_params)
    for k in range(model.n_params):
        old = model.params[k]
        model.params[k] = old + eps
        up, _ = model.loss_and_grads(X, y, l1, l2)
        model.params[k] = old - eps
        down, _ = model.loss_and_grads(X, y, l1, l2)
        model.params[k] = old
        grad[k] = (up - down) / (2 * eps)
    return grad


def check(model, X, y, l1=0.0, l2=0.0):
    _, grads = model.loss_and_grads(X, y, l1, l2)
    analytic = grads.flat.copy()
    numeric = numeric_gradient(model, X, y, l1, l2)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def away_from_kinks(model, X, margin=1e-3):
    """True when no pre-activation sits within ``margin`` of 0 or 6 (ReLU, ReLU6 kinks)."""
    model.forward(X)
    return all(np.min(np.abs(z)) > margin and np.min(np.abs(z - 6)) > margin
               for z in model.zs[:-1])


def data(task, n=7, n_in=3, k=3, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in))
    if task == "regression":
        y = rng.standard_normal((n, 2))
    elif task == "binary":
        y = (rng.random((n, 1)) > 0.5).astype(float)
    else:
        y = rng.integers(0, k, size=n)
    return X, y


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss,output,n_out,task", [
    ("mse", "linear", 2, "regression"),
    ("bce", "sigmoid", 1, "binary"),
    ("cross_entropy", "softmax", 3, "multiclass"),
])
def test_mlp_gradient_matches_central_differences(act, loss, output, n_out, task):
    X, y = data(task)
    model = MLP([3, 5, 4, n_out], activation=act, output=output, loss=loss,
                dtype=np.float64, seed=3, bias_init=0.1)
    assert away_from_kinks(model, X)
    check(model, X, y)


@pytest.mark.parametrize("output", ["relu", "softplus", "sigmoid"])
def test_mse_through_an_output_activation(output):
    X, y = data("regression")
    y = np.abs(y)
    model = MLP([3, 6, 2], activation="tanh", output=output, loss="mse",
                dtype=np.float64, seed=5, bias_init=0.3)
    model.forward(X)
    assert np.min(np.abs(model.zs[-1])) > 1e-3
    check(model, X, y)


def test_penalties_enter_loss_and_gradient():
    X, y = data("regression")
    model = MLP([3, 4, 2], activation="tanh", dtype=np.float64, seed=2)
    check(model, X, y, l1=0.01, l2=0.1)
    plain, _ = model.loss_and_grads(X, y)
    penalised, _ = model.loss_and_grads(X, y, l1=0.0, l2=0.1)
    expected = 0.05 * sum(float((w ** 2).sum()) for w in model.weights)
    assert penalised - plain == pytest.approx(expected, rel=1e-12)


def test_mixed_activations_and_prelu_slopes_get_gradients():
    X, y = data("multiclass")
    model = MLP([3, 5, 5, 4, 3], activation=["prelu", "elu", "prelu"], output="softmax",
                loss="cross_entropy", dtype=np.float64, seed=4)
    assert [i for i, s in enumerate(model.slopes()) if np.isfinite(s)] == [0, 2]
    assert model.slopes()[0] == pytest.approx(0.25)
    check(model, X, y)
    _, grads = model.loss_and_grads(X, y)
    assert grads.slopes[0] is not None and grads.slopes[0][0] != 0.0
    assert grads.slopes[1] is None


def test_weights_are_views_of_the_flat_buffer():
    model = MLP([2, 3, 1], seed=0)
    model.params[:] = 0.0
    assert not model.weights[0].any() and not model.biases[1].any()
    model.weights[1][0, 0] = 7.0
    assert 7.0 in model.params
    assert model.weights[0].shape == (2, 3) and model.weights[1].shape == (3, 1)


def test_one_hand_worked_sgd_step():
    """A 1-2-1 ReLU net, MSE, one SGD step, every number worked out by hand."""
    from relu_viz.core.optim import SGD

    model = MLP([1, 2, 1], activation="relu", dtype=np.float64, init="zeros")
    model.weights[0][...] = [[1.0, -1.0]]
    model.biases[0][...] = [0.5, 0.5]
    model.weights[1][...] = [[2.0], [3.0]]
    model.biases[1][...] = [0.1]
    X, y = np.array([[2.0]]), np.array([[1.0]])
    # z1 = 2*[1, -1] + [0.5, 0.5] = [2.5, -1.5]; a1 = relu(z1) = [2.5, 0]
    # out = 2*2.5 + 3*0 + 0.1 = 5.1; loss = 0.5 * (5.1 - 1)^2 = 0.5 * 16.81 = 8.405
    loss, g = model.loss_and_grads(X, y)
    assert loss == pytest.approx(8.405)
    # dL/dout = 4.1; dW2 = a1^T * 4.1 = [[10.25], [0]]; db2 = 4.1
    np.testing.assert_allclose(g.weights[1], [[10.25], [0.0]])
    np.testing.assert_allclose(g.biases[1], [4.1])
    # dL/da1 = 4.1 * [2, 3] = [8.2, 12.3]; ReLU'(z1) = [1, 0] -> dL/dz1 = [8.2, 0]
    # dW1 = x^T * dz1 = 2 * [8.2, 0] = [16.4, 0]; db1 = [8.2, 0]
    np.testing.assert_allclose(g.weights[0], [[16.4, 0.0]])
    np.testing.assert_allclose(g.biases[0], [8.2, 0.0])
    # SGD with lr 0.1: W1 = [1 - 1.64, -1] = [-0.64, -1]; b2 = 0.1 - 0.41 = -0.31
    SGD(model.n_params, np.float64, 0.1).step(model.params, model.grad)
    np.testing.assert_allclose(model.weights[0], [[-0.64, -1.0]])
    np.testing.assert_allclose(model.biases[1], [-0.31])
    np.testing.assert_allclose(model.weights[1], [[2.0 - 1.025], [3.0]])


def test_float32_forward_stays_float32():
    model = MLP([2, 8, 8, 1], activation="gelu", seed=0)
    out = model.forward(np.ones((4, 2)))
    assert out.dtype == np.float32 and model.params.dtype == np.float32
    assert all(z.dtype == np.float32 for z in model.zs)


@pytest.mark.parametrize("kwargs,match", [
    ({"layer_sizes": [3]}, "layer_sizes"),
    ({"layer_sizes": [3, 0, 1]}, "layer_sizes"),
    ({"layer_sizes": [3, 4, 1], "activation": ["relu", "tanh"]}, "activation"),
    ({"layer_sizes": [3, 4, 1], "loss": "bce", "output": "linear"}, "sigmoid"),
    ({"layer_sizes": [3, 4, 2], "loss": "mse", "output": "softmax"}, "softmax"),
    ({"layer_sizes": [3, 4, 1], "activation": "swish2"}, "swish2"),
])
def test_bad_model_arguments_raise_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(**kwargs)


@pytest.mark.parametrize("loss,output,n_out,task", [
    ("mse", "linear", 2, "regression"),
    ("mse", "softplus", 2, "regression"),
    ("bce", "sigmoid", 1, "binary"),
    ("cross_entropy", "softmax", 3, "multiclass"),
])
def test_fused_losses_equal_the_reference_losses(loss, output, n_out, task):
    """The training path reuses the forward's output non-linearity; same numbers."""
    from relu_viz.core import losses

    X, y = data(task, n=9)
    if task == "regression":
        y = np.abs(y)
    model = MLP([3, 6, n_out], activation="relu", output=output, loss=loss,
                dtype=np.float64, seed=2)
    value, _ = model.loss_and_grads(X, y)
    z, out = model.zs[-1].copy(), model.activations[-1].copy()
    target = model.encode_targets(y)
    if loss == "cross_entropy":
        ref, _ = losses.softmax_cross_entropy(z, target)
        np.testing.assert_allclose(out, losses.softmax(z), rtol=1e-14)
    elif loss == "bce":
        ref, _ = losses.bce_with_logits(z, target)
    else:
        ref, _ = losses.mse(out, target)
    assert value == pytest.approx(ref, rel=1e-13)
    np.testing.assert_allclose(model.predict(X), out, rtol=1e-13)


def test_alternating_batch_sizes_keep_their_own_buffers():
    X, y = data("multiclass", n=12)
    model = MLP([3, 5, 3], output="softmax", dtype=np.float64, seed=1)
    big, _ = model.loss_and_grads(X, y)
    g_big = model.grad.copy()
    small, _ = model.loss_and_grads(X[:5], y[:5])
    g_small = model.grad.copy()
    assert model.loss_and_grads(X, y)[0] == big
    np.testing.assert_array_equal(model.grad, g_big)
    assert model.loss_and_grads(X[:5], y[:5])[0] == small
    np.testing.assert_array_equal(model.grad, g_small)


def test_sums_recorded_by_the_passes():
    X, y = data("multiclass", n=11)
    model = MLP([3, 6, 5, 3], activation=["relu", "tanh"], output="softmax",
                dtype=np.float64, seed=5, bias_init=-0.2)
    model.record_outputs, model.record_gradients = True, 2
    model.loss_and_grads(X, y, l2=0.01)
    assert model.recorded_outputs and model.recorded_gradients == 2
    for i, (a, gw, gb) in enumerate(zip(model.activations, model.grad_weights,
                                        model.grad_biases)):
        np.testing.assert_allclose(model.output_sums[i],
                                   [a.sum(), (a * a).sum(), np.count_nonzero(a)], rtol=1e-12)
        np.testing.assert_allclose(model.grad_sums[i],
                                   [(gw * gw).sum(), (gb * gb).sum(), np.abs(gw).sum()],
                                   rtol=1e-12)
    model.forward(X)  # a forward pass: the recorded gradient sums are stale
    assert model.recorded_gradients == 0
    model.record_outputs = False
    model.forward(X)
    assert not model.recorded_outputs


@pytest.mark.parametrize("n", [10, 65536, 65537, 269_322])
def test_sgd_in_pieces_equals_the_one_pass_formula(n):
    from relu_viz.core.optim import SGD

    rng = np.random.default_rng(n)
    p = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    expected_update = g * np.float32(-0.01)
    expected = p + expected_update
    update = SGD(n, np.float32, 0.01).step(p, g)
    np.testing.assert_array_equal(update, expected_update)
    np.testing.assert_array_equal(p, expected)
