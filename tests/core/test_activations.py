"""The activation registry: values, derivatives, stability, training path, parameters.

Expected values come from independent formulas (math module, hand-written limits),
never from the code under test.
"""

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from relu_viz.core import activations

NAMES = ["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "softplus",
         "relu6", "sigmoid", "tanh", "linear"]
KINKS = {"relu": [0.0], "leaky_relu": [0.0], "prelu": [0.0], "elu": [0.0], "selu": [0.0],
         "relu6": [0.0, 6.0]}
# (name, params, prelu slope or None): defaults plus non-default parameters
CASES = [(n, {}, None) for n in NAMES] + [
    ("leaky_relu", {"alpha": 0.2}, None), ("leaky_relu", {"alpha": 3.0}, None),
    ("leaky_relu", {"alpha": 0.0}, None), ("elu", {"alpha": 0.5}, None),
    ("elu", {"alpha": 2.5}, None), ("prelu", {}, 0.7), ("prelu", {}, -0.3),
]
IDS = [f"{n}-{p}-{s}" for n, p, s in CASES]
SELU_L, SELU_A = 1.0507009873554805, 1.6732632423543772


def make(name, params, slope):
    act = activations.get(name, **params)
    if slope is not None:
        act.slope = np.array([slope])
    return act


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def gelu_tanh(v):
    return 0.5 * v * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (v + 0.044715 * v ** 3)))


# -- registry ---------------------------------------------------------------------------
def test_registry_lists_exactly_the_13_names_in_order():
    assert activations.names() == NAMES
    assert set(activations.DEFAULT_PARAMS) == set(NAMES)
    assert activations.DEFAULT_PARAMS["leaky_relu"] == {"alpha": 0.01}
    assert activations.DEFAULT_PARAMS["prelu"] == {"alpha": 0.25}
    assert activations.DEFAULT_PARAMS["elu"] == {"alpha": 1.0}


def test_metadata_display_names_formulas_learnable_repr():
    assert activations.display_name("leaky_relu") == "Leaky ReLU"
    assert "tanh" in activations.display_name("gelu")
    for name in NAMES:
        act = activations.get(name)
        assert act.name == name
        assert "f(z)" in act.formula and "f'(z)" in act.formula
        assert act.learnable == (name == "prelu")
        assert name in repr(act)
        assert isinstance(act.zero_gradient_note, str)
    assert "f'(0) = 0" in activations.get("relu").formula
    assert "alpha=0.3" in repr(activations.get("leaky_relu", alpha=0.3))


def test_params_are_a_copy():
    act = activations.get("elu", alpha=2.0)
    act.params["alpha"] = 5.0
    assert activations.get("elu", alpha=2.0).params == {"alpha": 2.0}
    assert activations.DEFAULT_PARAMS["elu"] == {"alpha": 1.0}


@pytest.mark.parametrize("name, params, needle", [
    ("relu7", {}, "relu7"), ("Relu", {}, "leaky_relu"), ("relu", {"alpha": 0.1}, "alpha"),
    ("leaky_relu", {"beta": 1}, "beta"), ("leaky_relu", {"alpha": -0.1}, ">= 0"),
    ("leaky_relu", {"alpha": float("nan")}, "alpha"), ("leaky_relu", {"alpha": math.inf}, "alpha"),
    ("leaky_relu", {"alpha": "0.1"}, "alpha"), ("leaky_relu", {"alpha": True}, "alpha"),
    ("elu", {"alpha": 0.0}, "> 0"), ("prelu", {"alpha": math.inf}, "alpha"),
])
def test_bad_names_and_params_raise_value_error(name, params, needle):
    with pytest.raises(ValueError) as info:
        activations.get(name, **params)
    assert needle in str(info.value)
    assert name in str(info.value)


def test_display_name_of_unknown_raises():
    with pytest.raises(ValueError, match="nope"):
        activations.display_name("nope")


# -- derivatives --------------------------------------------------------------------------
@pytest.mark.parametrize("name, params, slope", CASES, ids=IDS)
def test_derivative_matches_central_difference(name, params, slope):
    act = make(name, params, slope)
    z = np.linspace(-8.0, 8.0, 321)
    for kink in KINKS.get(name, []):
        z = z[np.abs(z - kink) >= 1e-3]
    eps = 1e-6
    numeric = (act.forward(z + eps) - act.forward(z - eps)) / (2 * eps)
    np.testing.assert_allclose(act.derivative(z), numeric, rtol=1e-6, atol=1e-7)


def test_kink_convention_is_the_left_derivative():
    zero = np.array([0.0, -0.0])
    assert np.array_equal(activations.get("relu").derivative(zero), [0.0, 0.0])
    assert np.array_equal(activations.get("relu6").derivative(np.array([0.0, 6.0])), [0, 0])
    assert np.allclose(activations.get("leaky_relu", alpha=0.2).derivative(zero), 0.2)
    assert np.allclose(activations.get("elu", alpha=0.5).derivative(zero), 0.5)
    assert np.allclose(activations.get("selu").derivative(zero), SELU_L * SELU_A)
    relu, cache = activations.get("relu"), {}
    z, a = np.array([[0.0, -0.0, 1e-300]]), np.empty((1, 3))
    relu.forward_train(z, a, cache)
    out = np.ones((1, 3))
    relu.backward_train(out, z, a, cache, out)
    assert np.array_equal(out, [[0.0, 0.0, 1.0]])


# -- known values from independent formulas ---------------------------------------------
def test_known_values():
    z = np.array([-2.0, -1.0, 0.5, 1.0, 3.0])

    def check(name, ref, **params):
        expected = [ref(v) for v in z]
        np.testing.assert_allclose(activations.get(name, **params).forward(z), expected,
                                   rtol=1e-12, atol=1e-15)

    check("relu", lambda v: v if v > 0 else 0.0)
    check("leaky_relu", lambda v: v if v > 0 else 0.1 * v, alpha=0.1)
    check("prelu", lambda v: v if v > 0 else 0.25 * v)
    check("elu", lambda v: v if v > 0 else 2.0 * (math.exp(v) - 1), alpha=2.0)
    check("selu", lambda v: SELU_L * (v if v > 0 else SELU_A * (math.exp(v) - 1)))
    check("gelu", gelu_tanh)
    check("silu", lambda v: v * sig(v))
    check("mish", lambda v: v * math.tanh(math.log1p(math.exp(v))))
    check("softplus", lambda v: math.log1p(math.exp(v)))
    check("relu6", lambda v: min(max(v, 0.0), 6.0))
    check("sigmoid", sig)
    check("tanh", math.tanh)
    check("linear", lambda v: v)
    one = np.array([1.0])
    assert activations.get("selu").forward(one)[0] == pytest.approx(1.0507009873554805)
    assert activations.get("gelu").forward(one)[0] == pytest.approx(0.8412, abs=1e-4)
    assert activations.get("mish").forward(one)[0] == pytest.approx(0.8651, abs=1e-4)
    assert activations.get("silu").forward(one)[0] == pytest.approx(1 / (1 + math.exp(-1)))


def test_gelu_tanh_approximation_is_close_to_the_erf_form():
    z = np.linspace(-6, 6, 241)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in z])
    assert np.max(np.abs(activations.get("gelu").forward(z) - exact)) < 1e-3


# -- dtypes and stability ---------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, params, slope", CASES, ids=IDS)
def test_dtype_is_preserved(name, params, slope, dtype):
    act = make(name, params, slope)
    z = np.linspace(-3, 3, 24, dtype=dtype).reshape(4, 6)
    assert act.forward(z).dtype == dtype
    assert act.derivative(z).dtype == dtype
    a, d, cache = np.empty_like(z), np.ones_like(z), {}
    act.forward_train(z, a, cache)
    act.backward_train(d, z, a, cache, d)
    assert a.dtype == dtype and d.dtype == dtype
    assert act.forward(z.tolist()).dtype == np.float64  # non-arrays become float64
    assert act.derivative(np.arange(3)).dtype == np.float64


EXTREMES = [-np.inf, -1e30, -1e4, 1e4, 1e30, np.inf]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, params, slope", CASES, ids=IDS)
def test_stable_at_extremes_without_warnings(name, params, slope, dtype):
    act = make(name, params, slope)
    z = np.array(EXTREMES, dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        f, d = act.forward(z), act.derivative(z)
        a, g, cache = np.empty_like(z), np.ones_like(z), {}
        act.forward_train(z, a, cache)
        act.backward_train(g, z, a, cache, g)
    for arr in (f, d, a, g):
        assert not np.isnan(arr).any(), (name, arr)
    np.testing.assert_array_equal(a, f)


def test_limits_at_extremes():
    big = np.array([-1e4, 1e4])
    for dtype in (np.float32, np.float64):
        z = big.astype(dtype)
        inf = np.array([-np.inf, np.inf], dtype=dtype)
        assert np.array_equal(activations.get("sigmoid").forward(z), [0.0, 1.0])
        assert np.array_equal(activations.get("softplus").forward(z), [0.0, 1e4])
        assert np.array_equal(activations.get("softplus").forward(inf), [0.0, np.inf])
        assert np.array_equal(activations.get("tanh").forward(inf), [-1.0, 1.0])
        for name in ("silu", "gelu", "mish"):
            f = activations.get(name).forward(inf)
            assert f[0] == 0 and f[1] == np.inf, name
            assert np.array_equal(activations.get(name).derivative(inf), [0.0, 1.0]), name
        assert np.array_equal(activations.get("relu6").forward(inf), [0.0, 6.0])
        assert activations.get("elu", alpha=0.5).forward(inf)[0] == pytest.approx(-0.5)
        assert activations.get("selu").forward(inf)[0] == pytest.approx(-SELU_L * SELU_A,
                                                                         rel=1e-6)
        assert np.array_equal(activations.get("sigmoid").derivative(inf), [0.0, 0.0])
        lk = activations.get("leaky_relu", alpha=0.5).forward(np.array([-1e30], dtype))
        assert lk[0] == pytest.approx(-5e29, rel=1e-6)


# -- training path ----------------------------------------------------------------------
def tolerances(name, params, dtype):
    if dtype == np.float32:
        return 2e-5, 1e-6
    # ELU's backward uses y + alpha = alpha * exp(z): absolute error ~ ulp(alpha)
    return 1e-12, 4e-16 * max(1.0, params.get("alpha", SELU_A))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, params, slope", CASES, ids=IDS)
def test_train_path_equals_pure_functions_and_works_in_place(name, params, slope, dtype):
    act = make(name, params, slope)
    rng = np.random.default_rng(7)
    z = (rng.standard_normal((33, 17)) * 4).astype(dtype)
    z[0, :3] = [0.0, 6.0, -0.0]
    delta = rng.standard_normal(z.shape).astype(dtype)
    a, cache = np.empty_like(z), {}
    act.forward_train(z, a, cache)
    rtol, atol = tolerances(name, params, dtype)
    np.testing.assert_allclose(a, act.forward(z), rtol=rtol, atol=atol)
    expected = delta * act.derivative(z)
    out = np.empty_like(z)
    act.backward_train(delta, z, a, cache, out)
    np.testing.assert_allclose(out, expected, rtol=rtol, atol=atol)
    in_place = delta.copy()
    act.backward_train(in_place, z, a, cache, in_place)
    np.testing.assert_allclose(in_place, expected, rtol=rtol, atol=atol)
    kept = {k: id(v) for k, v in cache.items() if isinstance(v, np.ndarray)}
    act.forward_train(z, a, cache)
    act.backward_train(in_place, z, a, cache, in_place)
    assert {k: id(v) for k, v in cache.items() if isinstance(v, np.ndarray)} == kept


def test_relu_backward_uses_the_mask_of_the_latest_forward():
    relu, cache = activations.get("relu"), {}
    z1 = np.array([[1.0, -1.0]])
    a = np.empty_like(z1)
    relu.forward_train(z1, a, cache)
    z2 = np.array([[-1.0, 1.0]])  # a different buffer: the kept mask must not be used
    out = np.ones_like(z2)
    relu.backward_train(np.ones_like(z2), z2, a, cache, out)
    assert np.array_equal(out, [[0.0, 1.0]])


# -- active mask, PReLU --------------------------------------------------------------------
def test_active_mask():
    z = np.array([-1.0, 0.0, 1e-6, 5.9, 6.0, 7.0])
    assert np.array_equal(activations.get("relu").active_mask(z), z > 0)
    assert np.array_equal(activations.get("relu6").active_mask(z), (z > 0) & (z < 6))
    assert activations.get("leaky_relu").active_mask(z).all()
    assert np.array_equal(activations.get("leaky_relu", alpha=0.0).active_mask(z), z > 0)
    for name in ("linear", "sigmoid", "elu", "softplus"):
        assert activations.get(name).active_mask(z).all(), name
    assert activations.get("relu").active_mask(z).dtype == bool


def test_prelu_reads_the_slope_through_a_replaced_view():
    act = activations.get("prelu", alpha=0.5)
    assert act.slope.shape == (1,) and act.slope[0] == 0.5
    backing = np.array([9.0, 0.5, 7.0])
    act.slope = backing[1:2]
    z = np.array([-2.0, 3.0])
    assert np.array_equal(act.forward(z), [-1.0, 3.0])
    backing[1] = 0.1
    assert np.allclose(act.forward(z), [-0.2, 3.0])
    assert np.allclose(act.derivative(z), [0.1, 1.0])
    a, cache, d = np.empty((1, 2)), {}, np.ones((1, 2))
    act.forward_train(z[None], a, cache)
    act.backward_train(d, z[None], a, cache, d)
    assert np.allclose(a, [[-0.2, 3.0]]) and np.allclose(d, [[0.1, 1.0]])


@pytest.mark.parametrize("slope", [0.25, -0.4, 1.7])
def test_prelu_slope_grad_matches_central_difference(slope):
    rng = np.random.default_rng(3)
    z, delta = rng.standard_normal((20, 5)), rng.standard_normal((20, 5))
    act = activations.get("prelu")

    def loss(s):
        act.slope = np.array([s])
        return float(np.sum(delta * act.forward(z)))

    h = 1e-6
    numeric = (loss(slope + h) - loss(slope - h)) / (2 * h)
    act.slope = np.array([slope])
    assert act.slope_grad(delta, z) == pytest.approx(numeric, rel=1e-7, abs=1e-9)


# -- properties -------------------------------------------------------------------------
float_arrays = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64]), shape=hnp.array_shapes(max_dims=2),
    elements=st.floats(-1e6, 1e6, width=32))


@settings(max_examples=60, deadline=None)
@given(float_arrays)
def test_relu_is_max_of_zero_and_x_and_its_derivative_is_0_or_1(x):
    relu = activations.get("relu")
    assert np.array_equal(relu.forward(x), np.where(x > 0, x, 0).astype(x.dtype))
    assert set(np.unique(relu.derivative(x))) <= {0.0, 1.0}


@settings(max_examples=60, deadline=None)
@given(float_arrays, st.floats(0.0, 1.0))
def test_leaky_relu_is_monotone(x, alpha):
    f = activations.get("leaky_relu", alpha=alpha).forward(np.sort(x, axis=None))
    assert np.all(np.diff(f) >= 0)


@settings(max_examples=60, deadline=None)
@given(float_arrays)
def test_sigmoid_and_tanh_stay_in_range(x):
    s = activations.get("sigmoid").forward(x)
    t = activations.get("tanh").forward(x)
    assert np.all((s >= 0) & (s <= 1)) and np.all((t >= -1) & (t <= 1))


def test_core_activations_import_without_qt():
    code = ("import sys; sys.modules['PyQt6'] = None; sys.modules['pyqtgraph'] = None\n"
            "from relu_viz.core import activations, kernels\n"
            "import numpy as np\n"
            "print(activations.get('relu').forward(np.array([-1.0, 2.0])).tolist())")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert res.stdout.strip() == "[0.0, 2.0]"
