"""The fast kernels equal their plain formulas, work in place and do not allocate."""

import threading
import tracemalloc

import numpy as np
import pytest

from relu_viz.core.kernels import relu_family as kernels

DTYPES = [np.float32, np.float64]
# 0, 1, small, around the flat/blocked switch (2 * BLOCK), blocked with a tail, 2-D
SHAPES = [(0,), (1,), (1000,), (32768,), (32769,), (70001,), (300, 257)]


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3).astype(dtype)
    if x.size > 4:
        x.flat[:4] = [0.0, -0.0, 1e-30, -1e-30]
    return x


def layouts(x):
    """The array as given, Fortran-ordered, and a strided (non-contiguous) view."""
    big = np.empty((2,) + x.shape, x.dtype)
    big[0] = x
    yield x
    yield np.asfortranarray(x)
    yield big[0] if x.ndim > 1 else np.repeat(x, 2)[::2]


def plain(name, x, alpha=None, g=None):
    """Reference formulas, evaluated independently in float64."""
    x64 = x.astype(np.float64)
    if name == "relu":
        return np.where(x64 > 0, x64, 0.0)
    if name == "leaky":
        return np.where(x64 > 0, x64, alpha * x64)
    if name == "elu":
        return np.where(x64 > 0, x64, alpha * np.expm1(np.minimum(x64, 0)))
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-np.clip(x64, -700, 700)))
    if name == "tanh":
        return np.tanh(x64)
    raise KeyError(name)


def close(a, ref, dtype, absolute=False):
    """Relative closeness; ``absolute`` adds 1 ulp of 1.0 for the tanh-form sigmoid."""
    rtol = 2e-6 if dtype == np.float32 else 1e-13
    atol = np.finfo(dtype).eps if absolute else rtol * 1e-2
    np.testing.assert_allclose(a, ref.astype(dtype), rtol=rtol, atol=atol)


# -- forward ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_forward_kernels_equal_plain_formulas(shape, dtype):
    for x in layouts(data(shape, dtype)):
        assert np.array_equal(kernels.relu(x), plain("relu", x))
        for alpha in (0.0, 0.01, 1.0, 2.5, -0.3):
            close(kernels.leaky_relu(x, alpha), plain("leaky", x, alpha), dtype)
        for alpha in (1.0, 0.4, 2.5):
            close(kernels.elu(x, alpha), plain("elu", x, alpha), dtype)
        close(kernels.sigmoid(x), plain("sigmoid", x), dtype, absolute=True)
        close(kernels.tanh(x), plain("tanh", x), dtype)
        assert kernels.relu(x).dtype == dtype and kernels.relu(x).shape == x.shape
        same_layout = np.empty_like(x)  # F-ordered out for F-ordered x: the 1-D fast path
        assert kernels.relu(x, same_layout) is same_layout
        assert np.array_equal(same_layout, plain("relu", x))
        close(kernels.elu(x, 0.5, same_layout), plain("elu", x, 0.5), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_mask_and_forward_with_mask(shape, dtype):
    for x in layouts(data(shape, dtype)):
        mask = kernels.relu_mask(x)
        assert mask.dtype == kernels.mask_dtype(dtype) and mask.itemsize == x.itemsize
        assert np.array_equal(mask, (x > 0).astype(mask.dtype))
        y, m2 = kernels.relu_forward_with_mask(x)
        assert np.array_equal(y, plain("relu", x)) and np.array_equal(m2, mask)
        assert not np.signbit(y).any()  # -0.0 maps to +0.0


# -- backward ---------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_backward_kernels_equal_plain_formulas(shape, dtype):
    x, g = data(shape, dtype), data(shape, dtype, seed=1)
    g64 = g.astype(np.float64)
    mask = kernels.relu_mask(x)
    assert np.array_equal(kernels.relu_backward(g, mask), g * (x > 0))
    assert np.array_equal(kernels.relu_backward(g, x > 0), g * (x > 0))  # bool mask works
    for alpha in (0.0, 0.01, 1.0, 2.5, -0.3):
        close(kernels.leaky_relu_backward(g, x, alpha),
              g64 * np.where(x > 0, 1.0, alpha), dtype)
    for alpha in (1.0, 0.4, 2.5):
        y = kernels.elu(x, alpha)
        ref = g64 * np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0).astype(np.float64)))
        eps = np.finfo(dtype).eps
        np.testing.assert_allclose(kernels.elu_backward(g, y, alpha), ref.astype(dtype),
                                   rtol=4 * eps, atol=4 * eps * alpha * np.abs(g64).max(initial=0))
    # backward from the output: the reference uses the same (rounded) output values
    s, t = plain("sigmoid", x).astype(dtype), plain("tanh", x).astype(dtype)
    s64, t64 = s.astype(np.float64), t.astype(np.float64)
    close(kernels.sigmoid_backward(g, s), g64 * s64 * (1 - s64), dtype)
    close(kernels.tanh_backward(g, t), g64 * (1 - t64) * (1 + t64), dtype)


def test_kink_values_at_zero():
    x = np.array([0.0, -0.0, 1.0, -1.0])
    g = np.ones(4)
    assert np.array_equal(kernels.relu_backward(g, kernels.relu_mask(x)), [0, 0, 1, 0])
    assert np.array_equal(kernels.leaky_relu_backward(g, x, 0.1), [0.1, 0.1, 1, 0.1])
    assert np.array_equal(kernels.leaky_relu_backward(g, x, 3.0), [3.0, 3.0, 1, 3.0])
    y = kernels.elu(x, 0.5)
    assert np.allclose(kernels.elu_backward(g, y, 0.5), [0.5, 0.5, 1, 0.5 * np.exp(-1)])


def test_masked_gradient_is_zero_even_for_inf_grad():
    x = np.array([-1.0, 2.0], np.float32)
    g = np.array([np.inf, 3.0], np.float32)
    assert np.array_equal(kernels.relu_backward(g, kernels.relu_mask(x)), [0.0, 3.0])


def test_extremes_give_no_nan():
    x = np.array([-np.inf, -1e30, 1e30, np.inf], np.float32)
    for out in (kernels.relu(x), kernels.leaky_relu(x, 0.0), kernels.leaky_relu(x, 0.1),
                kernels.elu(x), kernels.sigmoid(x), kernels.tanh(x)):
        assert not np.isnan(out).any()
    assert np.array_equal(kernels.sigmoid(x), [0, 0, 1, 1])


# -- in place, out=, no allocation -----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1000,), (70001,), (300, 257)])
def test_in_place_variants_are_in_place(shape, dtype):
    x = data(shape, dtype)
    ref = plain("relu", x)
    buf = x.copy()
    assert kernels.relu_inplace(buf) is buf and np.array_equal(buf, ref)
    for fn, args, expected in [
        (kernels.relu, (), plain("relu", x)), (kernels.leaky_relu, (0.2,), plain("leaky", x, 0.2)),
        (kernels.elu, (0.7,), plain("elu", x, 0.7)), (kernels.sigmoid, (), plain("sigmoid", x)),
        (kernels.tanh, (), plain("tanh", x)),
    ]:
        buf = x.copy()
        res = fn(buf, *args, out=buf)
        assert res is buf
        close(buf, expected, dtype, absolute=fn is kernels.sigmoid)
    g = data(shape, dtype, seed=2)
    buf = g.copy()
    assert kernels.relu_backward(buf, kernels.relu_mask(x), out=buf) is buf
    assert np.array_equal(buf, g * (x > 0))
    buf = g.copy()
    assert kernels.leaky_relu_backward(buf, x, 0.2, out=buf) is buf
    close(buf, g.astype(np.float64) * np.where(x > 0, 1.0, 0.2), dtype)
    y, m = np.empty_like(x), np.empty(x.shape, kernels.mask_dtype(dtype))
    res = kernels.relu_forward_with_mask(x, y, m)
    assert res[0] is y and res[1] is m and np.shares_memory(res[0], y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_no_allocation_when_out_is_given(dtype):
    n = 1_000_003  # ~4-8 MB: any full-size temporary would show in tracemalloc
    x, g = data((n,), dtype), data((n,), dtype, seed=1)
    out, mask = np.empty_like(x), np.empty(n, kernels.mask_dtype(dtype))
    calls = [
        lambda: kernels.relu(x, out), lambda: kernels.relu_inplace(out),
        lambda: kernels.relu_mask(x, mask), lambda: kernels.relu_forward_with_mask(x, out, mask),
        lambda: kernels.relu_backward(g, mask, out), lambda: kernels.leaky_relu(x, 0.1, out),
        lambda: kernels.leaky_relu_backward(g, x, 0.1, out), lambda: kernels.elu(x, 1.0, out),
        lambda: kernels.elu_backward(g, out, 2.0, out), lambda: kernels.sigmoid(x, out),
        lambda: kernels.sigmoid_backward(g, out, out), lambda: kernels.tanh(x, out),
        lambda: kernels.tanh_backward(g, out, out),
    ]
    for call in calls:
        call()  # warm up the cached constants and scratch blocks
    tracemalloc.start()
    try:
        for call in calls:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            call()
            assert tracemalloc.get_traced_memory()[1] - before < x.nbytes // 8, call
    finally:
        tracemalloc.stop()


def test_bad_out_is_rejected():
    x = np.zeros(10)
    with pytest.raises(ValueError):
        kernels.relu(x, np.empty(9))
    with pytest.raises(ValueError):
        kernels.relu(x, np.empty(10, np.float32))
    big = np.arange(100_001, dtype=np.float64) - 50_000
    with pytest.raises(ValueError):  # partial overlap of a large (chunked) array
        kernels.leaky_relu(big[1:], 0.5, big[:-1])
    small = np.arange(11, dtype=np.float64) - 5  # small: one ufunc per pass, NumPy copes
    expected = np.where(small[1:] > 0, small[1:], 0.5 * small[1:])
    assert np.array_equal(kernels.leaky_relu(small[1:], 0.5, small[:-1]), expected)
    with pytest.raises(ValueError):
        kernels.relu_backward(x, np.zeros(9, np.int64))
    with pytest.raises(TypeError):
        kernels.relu_mask(np.zeros(3, np.complex128))


def test_threads_do_not_share_scratch():
    x = data((200_000,), np.float32)
    g = data((200_000,), np.float32, seed=1)
    alphas = (0.3, 0.7, 2.0)
    refs = {a: kernels.leaky_relu_backward(g, x, a) for a in alphas}
    wrong = []

    def work(alpha):
        out = np.empty_like(g)
        for _ in range(40):
            kernels.leaky_relu_backward(g, x, alpha, out)
            wrong.append(not np.array_equal(out, refs[alpha]))

    threads = [threading.Thread(target=work, args=(a,)) for a in alphas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wrong) == 40 * len(alphas) and not any(wrong)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (300, 257)])
def test_plans_follow_the_current_buffer_contents(shape, dtype):
    x, g = data(shape, dtype), data(shape, dtype, seed=1)
    out, mask = np.empty_like(x), np.empty(shape, kernels.mask_dtype(dtype))
    grad_out = np.empty_like(g)
    forward = kernels.relu_forward_with_mask_plan(x, out, mask)
    backward = kernels.relu_backward_plan(g, mask, grad_out)
    for seed in (2, 3):  # new contents in the same buffers, as in training steps
        x[...] = data(shape, dtype, seed)
        forward()
        backward()
        assert np.array_equal(out, plain("relu", x)) and np.array_equal(mask, x > 0)
        assert np.array_equal(grad_out, g * (x > 0))
    in_place = kernels.relu_backward_plan(g, mask, g)
    expected = g * (x > 0)
    in_place()
    assert np.array_equal(g, expected)


def test_kernel_bench_runs_and_reports(tmp_path, capsys):
    from relu_viz.bench.kernels import run_kernel_bench

    messages = []
    path = tmp_path / "bench.json"
    res = run_kernel_bench(sizes=[1000, 100_000], repeats=2, json_path=path,
                           progress=messages.append)
    assert len(messages) == 2 and path.exists()
    copy = [r for r in res["results"] if r["variant"] == "np.copyto (ceiling)"]
    assert [r["x_copy"] for r in copy] == [1.0, 1.0]
    assert {t["size"] for t in res["targets"]} == {100_000}
    assert all(r["gbps"] > 0 and r["median_s"] > 0 for r in res["results"])
    printed = capsys.readouterr().out
    assert "relu (kernels)" in printed and ("PASS" in printed or "FAIL" in printed)
    assert "OPENBLAS_CORETYPE" in printed
