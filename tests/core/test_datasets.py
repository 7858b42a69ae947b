"""Tests for relu_viz.core.data and relu_viz.core.data.csv_file."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from relu_viz.core import data as ds
from relu_viz.core.data import csv_file as csv_data

ALL = ["circle", "xor", "gaussian", "spiral", "moons", "spiral3", "blobs",
       "sine", "abs", "step", "plane", "multigauss"]
BINARY = ALL[:5]
MULTICLASS = ["spiral3", "blobs"]
REGRESSION = ALL[7:]
ONE_D = ["sine", "abs", "step"]


def classes(d):
    """Integer labels of train and test, shape (n,)."""
    y = np.concatenate([d.y_train, d.y_test])
    return y.reshape(-1).astype(np.int64) if d.task == "binary" else y


def inputs(d):
    return np.concatenate([d.X_train, d.X_test])


def targets(d):
    return np.concatenate([d.y_train, d.y_test])


# ----------------------------------------------------------------------------- registry

def test_names_in_documented_order_with_tasks():
    assert ds.names() == ALL
    assert list(ds.NAMES) == ALL
    assert {n for n, t in ds.NAMES.items() if t == "binary"} == set(BINARY)
    assert {n for n, t in ds.NAMES.items() if t == "multiclass"} == set(MULTICLASS)
    assert {n for n, t in ds.NAMES.items() if t == "regression"} == set(REGRESSION)


def test_every_name_has_a_generator_of_its_kind():
    from relu_viz.core.data import shapes
    assert set(shapes.GENERATORS) == set(ALL)
    assert set(shapes.CLASSIFICATION) == set(BINARY) | set(MULTICLASS)
    assert set(shapes.REGRESSION) == set(REGRESSION)


def test_titles_and_descriptions_cover_every_name():
    assert list(ds.TITLES) == ALL and list(ds.DESCRIPTIONS) == ALL
    assert ds.TITLES["circle"] == "Circle"
    assert ds.TITLES["xor"] == "XOR"
    assert ds.TITLES["spiral3"] == "3-class spiral"
    for text in [*ds.TITLES.values(), *ds.DESCRIPTIONS.values()]:
        assert isinstance(text, str) and text.strip() and "\n" not in text


# ----------------------------------------------------------------------------- shapes and dtypes

@pytest.mark.parametrize("name", ALL)
def test_shapes_dtypes_and_task(name):
    d = ds.make(name, n_samples=500, train_ratio=0.8, seed=1)
    n_features = 1 if name in ONE_D else 2
    assert d.name == name and d.task == ds.NAMES[name]
    assert (d.n_train, d.n_test, d.n_features) == (400, 100, n_features)
    assert d.X_train.shape == (400, n_features) and d.X_test.shape == (100, n_features)
    assert d.X_train.dtype == d.X_test.dtype == np.float64
    if d.task == "multiclass":
        assert d.y_train.shape == (400,) and d.y_test.shape == (100,)
        assert d.y_train.dtype == np.int64
        assert (d.n_classes, d.n_outputs) == (3, 3)
    else:
        assert d.y_train.shape == (400, 1) and d.y_test.shape == (100, 1)
        assert d.y_train.dtype == np.float64
        assert d.n_outputs == 1
        assert d.n_classes == (2 if d.task == "binary" else 0)
    assert np.isfinite(inputs(d)).all() and np.isfinite(targets(d)).all()
    assert d.class_values == () and d.feature_mean is None and d.feature_std is None
    assert name in repr(d) and len(repr(d)) < 200


@pytest.mark.parametrize("name", BINARY + MULTICLASS)
@pytest.mark.parametrize("n", [500, 501, 12, 13])
def test_labels_in_range_and_balanced(name, n):
    d = ds.make(name, n_samples=n, seed=4)
    y = classes(d)
    if d.task == "binary":
        assert set(np.unique(np.concatenate([d.y_train, d.y_test]))) <= {0.0, 1.0}
    counts = np.bincount(y, minlength=d.n_classes)
    assert len(counts) == d.n_classes
    assert counts.max() - counts.min() <= 1 and counts.sum() == n


@pytest.mark.parametrize("n, ratio, n_train", [(500, 0.8, 400), (101, 0.5, 51), (10, 0.05, 1),
                                               (10, 0.94, 9), (1000, 0.333, 333)])
def test_split_sizes_round_half_up(n, ratio, n_train):
    d = ds.make("circle", n_samples=n, train_ratio=ratio)
    assert (d.n_train, d.n_test) == (n_train, n - n_train)


# ----------------------------------------------------------------------------- determinism

@pytest.mark.parametrize("name", ALL)
def test_same_arguments_give_identical_arrays(name):
    a = ds.make(name, n_samples=300, noise=0.2, seed=7)
    b = ds.make(name, n_samples=300, noise=0.2, seed=7)
    for field in ("X_train", "y_train", "X_test", "y_test"):
        x, y = getattr(a, field), getattr(b, field)
        assert x.dtype == y.dtype and x.shape == y.shape and x.tobytes() == y.tobytes()
    c = ds.make(name, n_samples=300, noise=0.2, seed=8)
    assert not np.array_equal(a.X_train, c.X_train)


@pytest.mark.parametrize("name", ["spiral", "sine", "blobs"])
def test_rng_overrides_seed(name):
    a = ds.make(name, seed=11)
    b = ds.make(name, seed=3, rng=np.random.default_rng(11))
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    rng = np.random.default_rng(11)
    ds.make(name, rng=rng)
    # the generator is advanced in place: a second draw differs
    assert not np.array_equal(ds.make(name, rng=rng).X_train, a.X_train)


@pytest.mark.parametrize("name", BINARY + MULTICLASS)
def test_noise_jitters_inputs_linearly_and_keeps_labels(name):
    sets = {s: ds.make(name, n_samples=400, noise=s, seed=2) for s in (0.0, 0.1, 0.3)}
    clean = sets[0.0]
    for s in (0.1, 0.3):
        assert np.array_equal(classes(sets[s]), classes(clean))
    d1 = inputs(sets[0.1]) - inputs(clean)
    d3 = inputs(sets[0.3]) - inputs(clean)
    assert np.allclose(d3, 3 * d1, atol=1e-12)
    assert abs(d1.std() - 0.1) < 0.01  # noise is a std in units of the data scale (1)


@pytest.mark.parametrize("name", REGRESSION)
def test_noise_jitters_targets_only(name):
    clean = ds.make(name, n_samples=40_000, noise=0.0, seed=5)
    noisy = ds.make(name, n_samples=40_000, noise=0.25, seed=5)
    assert np.array_equal(inputs(clean), inputs(noisy))
    residual = targets(noisy) - targets(clean)
    assert abs(residual.std() - 0.25) < 0.01 and abs(residual.mean()) < 0.01


@pytest.mark.parametrize("name", ["moons", "plane"])
def test_train_ratio_only_moves_the_cut(name):
    a = ds.make(name, n_samples=200, train_ratio=0.3, seed=9)
    b = ds.make(name, n_samples=200, train_ratio=0.9, seed=9)
    assert np.array_equal(inputs(a), inputs(b)) and np.array_equal(targets(a), targets(b))


def test_split_is_shuffled():
    d = ds.make("circle", n_samples=1000, noise=0.0)
    # the clean data are generated class by class; the training part must mix them
    y = d.y_train[:100, 0]
    assert 20 < y.sum() < 80


# ----------------------------------------------------------------------------- clean structure

@pytest.mark.parametrize("name", ALL)
def test_clean_inputs_and_targets_within_unit_box(name):
    d = ds.make(name, n_samples=3000, noise=0.0, seed=3)
    assert np.abs(inputs(d)).max() <= 1.0
    if d.task == "regression":
        assert np.abs(targets(d)).max() <= 1.0


def clean(name, n=4000, seed=0):
    d = ds.make(name, n_samples=n, noise=0.0, seed=seed)
    return d, inputs(d), classes(d) if d.task != "regression" else targets(d)[:, 0]


def test_circle_inner_disc_is_class_1_outer_ring_class_0():
    _, X, y = clean("circle")
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[y == 1].max() <= 0.5 + 1e-12
    assert r[y == 0].min() >= 0.7 - 1e-12 and r[y == 0].max() <= 1.0 + 1e-12


def test_xor_label_is_same_sign_quadrants():
    _, X, y = clean("xor")
    assert np.array_equal(y == 1, X[:, 0] * X[:, 1] > 0)
    assert np.abs(X).min() > 0  # no point on an axis


def test_gaussian_clusters_separated_by_anti_diagonal():
    _, X, y = clean("gaussian")
    s = X.sum(axis=1)
    assert (s[y == 1] > 0).all() and (s[y == 0] < 0).all()
    assert np.allclose(X[y == 1].mean(axis=0), [0.5, 0.5], atol=0.02)
    assert np.allclose(X[y == 0].mean(axis=0), [-0.5, -0.5], atol=0.02)


@pytest.mark.parametrize("name, k", [("spiral", 2), ("spiral3", 3)])
def test_spiral_points_lie_on_their_class_arm(name, k):
    # documented arm c: r = 0.1 + 0.9 t, theta = 3 pi t + 2 pi c / k
    _, X, y = clean(name)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r.min() >= 0.1 - 1e-12 and r.max() <= 1.0 + 1e-12
    t = (r - 0.1) / 0.9
    expected = 3 * np.pi * t + 2 * np.pi * y / k
    diff = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))
    assert np.abs(diff).max() < 1e-6
    wrong = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected - 2 * np.pi / k)))
    assert np.abs(wrong).min() > 0.1


def test_moons_are_two_half_circles():
    _, X, y = clean("moons")
    for label, centre, side in [(0, (-1 / 3, -1 / 6), 1), (1, (1 / 3, 1 / 6), -1)]:
        P = X[y == label] - centre
        assert np.allclose(np.hypot(P[:, 0], P[:, 1]), 2 / 3)
        assert (side * P[:, 1] >= -1e-12).all()


def test_blobs_points_nearest_their_own_centre():
    _, X, y = clean("blobs")
    angles = np.deg2rad([90, 210, 330])
    centres = 0.55 * np.column_stack([np.cos(angles), np.sin(angles)])
    dist = np.linalg.norm(X[:, None, :] - centres[None], axis=2)
    assert np.array_equal(dist.argmin(axis=1), y)


@pytest.mark.parametrize("name, f", [
    ("sine", lambda x: np.sin(np.pi * x)),
    ("abs", np.abs),
    ("step", lambda x: (x >= 0).astype(float)),
])
def test_curves_follow_their_formula(name, f):
    d, X, y = clean(name)
    assert np.allclose(y, f(X[:, 0]), atol=1e-12, rtol=0)
    assert X.min() < -0.99 and X.max() > 0.99  # the whole [-1, 1] range is used


def test_plane_is_mean_of_the_inputs():
    _, X, y = clean("plane")
    assert np.allclose(y, X.mean(axis=1), atol=1e-12, rtol=0)


def test_multigauss_bumps_have_the_documented_signs():
    _, X, y = clean("multigauss", n=40_000)
    for centre, sign in [((0, 0), 1), ((-0.5, 0.5), 1), ((0.5, -0.5), 1),
                         ((0.5, 0.5), -1), ((-0.5, -0.5), -1)]:
        near = np.hypot(*(X - centre).T) < 0.05
        assert near.sum() > 5
        assert (sign * y[near] > 0.9).all()
    corners = (np.abs(X) > 0.95).all(axis=1)
    assert corners.any() and (np.abs(y[corners]) < 0.05).all()


# ----------------------------------------------------------------------------- validation

@pytest.mark.parametrize("kwargs, words", [
    ({"name": "spiral4"}, ["name", "spiral4", "circle", "multigauss"]),
    ({"n_samples": 9}, ["n_samples", "10", "1,000,000"]),
    ({"n_samples": 1_000_001}, ["n_samples", "10", "1,000,000"]),
    ({"noise": -0.01}, ["noise", "[0, 1]"]),
    ({"noise": 1.5}, ["noise", "[0, 1]"]),
    ({"noise": math.nan}, ["noise", "[0, 1]"]),
    ({"train_ratio": 0.04}, ["train_ratio", "[0.05, 0.95]"]),
    ({"train_ratio": 0.96}, ["train_ratio", "[0.05, 0.95]"]),
    ({"n_samples": 10, "train_ratio": 0.95}, ["train_ratio", "test set", "empty"]),
    ({"seed": -1}, ["seed"]),
])
def test_make_rejects_bad_arguments(kwargs, words):
    kwargs = {"name": "circle", **kwargs}
    with pytest.raises(ValueError) as info:
        ds.make(**kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("kwargs", [{"n_samples": 100.0}, {"n_samples": "100"},
                                    {"n_samples": True}, {"noise": "0.1"},
                                    {"rng": "default"}, {"rng": 3}])
def test_make_rejects_wrong_types(kwargs):
    with pytest.raises(TypeError):
        ds.make("xor", **kwargs)


@pytest.mark.parametrize("kwargs", [{"n_samples": 10, "train_ratio": 0.5},
                                    {"noise": 0.0}, {"noise": 1.0},
                                    {"train_ratio": 0.05}, {"train_ratio": 0.95},
                                    {"n_samples": np.int64(50), "noise": np.float64(0.5)}])
def test_make_accepts_range_limits(kwargs):
    assert ds.make("circle", **kwargs).n_train > 0


def test_make_largest_size():
    d = ds.make("plane", n_samples=1_000_000)
    assert d.n_train + d.n_test == 1_000_000


@given(name=st.sampled_from(ALL), n=st.integers(10, 2000),
       ratio=st.floats(0.05, 0.95), seed=st.integers(0, 2**32),
       noise=st.floats(0.0, 1.0))
@settings(max_examples=60, deadline=None)
def test_any_valid_arguments_give_a_valid_split(name, n, ratio, seed, noise):
    n_train = math.floor(n * ratio + 0.5)
    if not 0 < n_train < n:
        with pytest.raises(ValueError, match="train_ratio"):
            ds.make(name, n_samples=n, noise=noise, train_ratio=ratio, seed=seed)
        return
    d = ds.make(name, n_samples=n, noise=noise, train_ratio=ratio, seed=seed)
    assert (d.n_train, d.n_test) == (n_train, n - n_train)
    assert np.isfinite(inputs(d)).all() and np.isfinite(targets(d)).all()
    if d.task != "regression":
        y = classes(d)
        assert y.min() >= 0 and y.max() < d.n_classes
    if noise == 0.0:
        assert np.abs(inputs(d)).max() <= 1.0


# ----------------------------------------------------------------------------- Dataset

def small(**changes):
    fields = dict(name="t", task="binary", X_train=np.zeros((3, 2)), y_train=np.ones((3, 1)),
                  X_test=np.zeros((1, 2)), y_test=np.zeros((1, 1)), n_classes=2)
    fields.update(changes)
    return ds.Dataset(**fields)


def test_dataset_is_frozen():
    d = small()
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.name = "other"


@pytest.mark.parametrize("changes", [
    {"task": "ranking"},
    {"n_classes": 3},
    {"y_train": np.full((3, 1), 2.0)},
    {"y_train": np.ones(3)},
    {"X_test": np.zeros((1, 3))},
    {"X_train": np.zeros((3, 2), dtype=np.float32)},
    {"X_train": np.full((3, 2), np.nan)},
    {"task": "multiclass", "n_classes": 3, "y_train": np.array([0, 1, 3]),
     "y_test": np.array([0])},
    {"task": "regression", "n_classes": 2},
    {"feature_mean": np.zeros(3)},
])
def test_dataset_rejects_inconsistent_fields(changes):
    with pytest.raises(ValueError):
        small(**changes)


# ----------------------------------------------------------------------------- plot bounds

def test_plot_bounds_2d_pads_each_axis_by_its_span():
    d = small(X_train=np.array([[0.0, 0.0], [1.0, 2.0], [0.2, 0.0]]),
              X_test=np.array([[0.5, -2.0]]))
    lo, hi = ds.input_range(d)
    assert np.array_equal(lo, [0.0, -2.0]) and np.array_equal(hi, [1.0, 2.0])
    assert ds.plot_bounds(d, margin=0.1) == pytest.approx((-0.1, 1.1, -2.4, 2.4))
    assert ds.plot_bounds(d, margin=0.0) == pytest.approx((0.0, 1.0, -2.0, 2.0))


def test_plot_bounds_1d_and_constant_feature():
    d = small(task="regression", n_classes=0, X_train=np.full((3, 1), 4.0),
              X_test=np.full((1, 1), 4.0))
    bounds = ds.plot_bounds(d, margin=0.25)
    assert len(bounds) == 2 and bounds == pytest.approx((3.75, 4.25))
    assert all(isinstance(v, float) for v in bounds)


@pytest.mark.parametrize("name", ALL)
def test_plot_bounds_enclose_every_point(name):
    d = ds.make(name, noise=0.3)
    b = ds.plot_bounds(d)
    X = inputs(d)
    assert len(b) == 2 * d.n_features
    for j in range(d.n_features):
        assert b[2 * j] < X[:, j].min() and X[:, j].max() < b[2 * j + 1]


def test_plot_bounds_rejects_bad_margin_and_many_features():
    with pytest.raises(ValueError, match="margin"):
        ds.plot_bounds(small(), margin=-0.1)
    with pytest.raises(ValueError, match="features"):
        ds.plot_bounds(small(X_train=np.zeros((3, 3)), X_test=np.zeros((1, 3))))


# ----------------------------------------------------------------------------- CSV: good files

def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


def table_text(rows, sep=",", header=None, newline="\n"):
    lines = ([sep.join(header)] if header else []) + [sep.join(map(str, r)) for r in rows]
    return newline.join(lines) + newline


def sample_rows(n=40, labels=(0, 1)):
    rng = np.random.default_rng(123)
    a = np.round(rng.normal(50.0, 20.0, n), 3)
    b = np.round(rng.uniform(-3.0, 3.0, n), 3)
    y = np.array(labels)[np.arange(n) % len(labels)]
    return [(float(p), float(q), int(t)) for p, q, t in zip(a, b, y)]


def unstandardised_rows(d):
    """Rows (feature..., original target) rebuilt from a loaded CSV data set."""
    X = inputs(d) * d.feature_std + d.feature_mean
    if d.task == "regression":
        t = targets(d)[:, 0]
    else:
        t = np.array(d.class_values, dtype=float)[classes(d)]
    return sorted(map(tuple, np.round(np.column_stack([X, t]), 9).tolist()))


@pytest.mark.parametrize("header", [None, ("speed", "angle", "label")])
def test_csv_round_trip(tmp_path, header):
    rows = sample_rows()
    d = csv_data.load_csv(write(tmp_path, table_text(rows, header=header), "cars.csv"))
    assert d.name == "cars" and d.task == "binary" and d.class_values == (0, 1)
    assert (d.n_train, d.n_test, d.n_features) == (32, 8, 2)
    assert d.y_train.shape == (32, 1) and d.y_train.dtype == np.float64
    assert unstandardised_rows(d) == sorted(rows)


@pytest.mark.parametrize("header", [("x", "2024", "label"), ("1", "2", "y"), ("", "b", "3")])
def test_csv_first_line_with_any_text_cell_is_a_header(tmp_path, header):
    d = csv_data.load_csv(write(tmp_path, table_text(sample_rows(), header=header)))
    assert d.n_train + d.n_test == 40


def test_csv_header_does_not_change_the_data(tmp_path):
    rows = sample_rows()
    a = csv_data.load_csv(write(tmp_path, table_text(rows), "a.csv"), seed=3)
    b = csv_data.load_csv(write(tmp_path, table_text(rows, header=("x", "y", "t")), "b.csv"),
                          seed=3)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)


def test_datasets_reexports_load_csv():
    assert ds.load_csv is csv_data.load_csv


def test_csv_standardises_features_with_training_statistics(tmp_path):
    rows = [(r[0], 0.1, r[1], r[2]) for r in sample_rows(60)]  # column 2 is constant
    d = csv_data.load_csv(write(tmp_path, table_text(rows)), train_ratio=0.7)
    assert np.allclose(d.X_train.mean(axis=0), 0.0, atol=1e-12)
    assert np.allclose(d.X_train[:, [0, 2]].std(axis=0), 1.0)
    assert np.all(d.X_train[:, 1] == 0.0) and np.all(d.X_test[:, 1] == 0.0)
    assert d.feature_std[1] == 1.0 and d.feature_mean[1] == 0.1
    raw = np.array(rows, dtype=float)[:, :3]
    assert np.allclose(d.feature_mean[[0, 2]], raw[:, [0, 2]].mean(axis=0), atol=5.0)
    assert d.feature_mean.shape == d.feature_std.shape == (3,)
    # statistics come from the training rows only
    train_raw = d.X_train * d.feature_std + d.feature_mean
    assert np.allclose(train_raw.mean(axis=0), d.feature_mean)


def test_csv_targets_are_not_rescaled(tmp_path):
    rows = [(i, i * 0.5, 100.0 + i * 1.25) for i in range(30)]
    d = csv_data.load_csv(write(tmp_path, table_text(rows)))
    assert d.task == "regression" and d.n_classes == 0 and d.class_values == ()
    assert sorted(targets(d)[:, 0]) == [100.0 + i * 1.25 for i in range(30)]


@pytest.mark.parametrize("labels, task, k", [
    ((0, 1), "binary", 2), ((-1, 1), "binary", 2), ((9, 3, 5), "multiclass", 3),
    (tuple(range(20)), "multiclass", 20), (tuple(range(21)), "regression", 0),
])
def test_csv_auto_task(tmp_path, labels, task, k):
    d = csv_data.load_csv(write(tmp_path, table_text(sample_rows(84, labels))))
    assert d.task == task and d.n_classes == k
    if task != "regression":
        assert d.class_values == tuple(sorted(labels))
    if task == "multiclass":
        assert d.y_train.dtype == np.int64 and d.y_train.ndim == 1
    assert unstandardised_rows(d) == sorted(sample_rows(84, labels))


def test_csv_non_integer_target_is_regression(tmp_path):
    rows = [(i, i % 2 + 0.5) for i in range(20)]
    assert csv_data.load_csv(write(tmp_path, table_text(rows))).task == "regression"


def test_csv_explicit_task(tmp_path):
    path = write(tmp_path, table_text(sample_rows(30, (2, 4, 8))))
    assert csv_data.load_csv(path, task="regression").task == "regression"
    with pytest.raises(ValueError, match="exactly 2"):
        csv_data.load_csv(path, task="binary")
    path2 = write(tmp_path, table_text([(i, 0.25 + 0.5 * (i % 2)) for i in range(20)]), "f.csv")
    d = csv_data.load_csv(path2, task="binary")
    assert d.class_values == (0.25, 0.75) and d.task == "binary"
    d = csv_data.load_csv(path2, task="multiclass")
    assert d.n_classes == 2 and d.n_outputs == 2
    with pytest.raises(ValueError, match="task"):
        csv_data.load_csv(path, task="classification")


def test_csv_single_target_value(tmp_path):
    path = write(tmp_path, table_text([(i, 3) for i in range(12)]))
    with pytest.raises(ValueError, match="single value") as info:
        csv_data.load_csv(path)
    assert "regression" in str(info.value)
    assert csv_data.load_csv(path, task="regression").task == "regression"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_csv_other_separators(tmp_path, sep):
    rows = sample_rows()
    a = csv_data.load_csv(write(tmp_path, table_text(rows), "a.csv"))
    b = csv_data.load_csv(write(tmp_path, table_text(rows, sep=sep, header=("a", "b c", "y")),
                                "b.csv"))
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_train, b.y_train)


def test_csv_crlf_bom_blank_lines_and_spaces(tmp_path):
    rows = sample_rows()
    a = csv_data.load_csv(write(tmp_path, table_text(rows), "a.csv"))
    body = table_text(rows, sep=" , ", header=("x", "y", "t"), newline="\r\n")
    lines = body.split("\r\n")
    lines.insert(5, "   ")
    lines.insert(9, "")
    text = "\ufeff\r\n" + "\r\n".join(lines) + "\r\n\r\n"
    b = csv_data.load_csv(write(tmp_path, text, "b.csv"))
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    c = csv_data.load_csv(write(tmp_path, table_text(rows, newline="\r"), "c.csv"))
    assert np.array_equal(a.X_train, c.X_train)


def test_csv_split_follows_seed_and_ratio(tmp_path):
    path = write(tmp_path, table_text(sample_rows(50)))
    a, b = csv_data.load_csv(path, seed=1), csv_data.load_csv(path, seed=1)
    assert np.array_equal(a.X_train, b.X_train)
    assert not np.array_equal(a.X_train, csv_data.load_csv(path, seed=2).X_train)
    assert csv_data.load_csv(path, train_ratio=0.5).n_train == 25
    with pytest.raises(ValueError, match="train_ratio"):
        csv_data.load_csv(path, train_ratio=0.99)
    small_file = write(tmp_path, table_text(sample_rows(10)), "s.csv")
    with pytest.raises(ValueError, match="empty"):
        csv_data.load_csv(small_file, train_ratio=0.95)


# ----------------------------------------------------------------------------- CSV: bad files

def csv_error(path, **kwargs):
    with pytest.raises(ValueError) as info:
        csv_data.load_csv(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    return message


def good_lines(n, width=4):
    return [",".join(str(i * width + j) for j in range(width - 1)) + f",{i % 2}"
            for i in range(n)]


def test_csv_text_cell_reports_line_and_column(tmp_path):
    lines = ["a,b,c,label"] + good_lines(15)
    lines[6] = "1,2,abc,0"  # line 7 as an editor shows it
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert "line 7" in message and "column 3" in message and "'abc' is not a number" in message


def test_csv_header_only_allowed_on_first_line(tmp_path):
    lines = good_lines(15)
    lines.insert(3, "a,b,c,label")
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert "line 4, column 1" in message and "'a'" in message


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_csv_non_finite_cell(tmp_path, cell):
    lines = good_lines(15)
    lines[4] = f"1,{cell},2,1"
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert "line 5, column 2" in message and "finite" in message


def test_csv_empty_cell(tmp_path):
    lines = good_lines(15)
    lines[11] = "1,2,,1"
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert "line 12, column 3" in message and "empty" in message


def test_csv_decimal_comma_hint(tmp_path):
    lines = [line.replace(",", ";") for line in good_lines(12)]
    lines[2] = "1;2,5;3;0"
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert "line 3, column 2" in message and "decimal comma" in message


@pytest.mark.parametrize("bad, n_cols", [("1,2,3", 3), ("1,2,3,4,5", 5), ("7", 1)])
def test_csv_ragged_row(tmp_path, bad, n_cols):
    lines = ["w,x,y,z"] + good_lines(15)
    lines[3] = bad  # line 4
    message = csv_error(write(tmp_path, "\n".join(lines)))
    assert f"line 4 has {n_cols} column" in message and "expected 4" in message


def test_csv_first_problem_is_reported(tmp_path):
    lines = good_lines(20)
    lines[6] = "1,2,x,1"
    lines[2] = "1,2"
    assert "line 3 " in csv_error(write(tmp_path, "\n".join(lines)))


def test_csv_blank_lines_still_count_for_line_numbers(tmp_path):
    lines = good_lines(15)
    text = "\n\n" + "\n".join(lines[:3]) + "\n  \n\n" + "1,2,oops,0\n" + "\n".join(lines[3:])
    assert "line 8, column 3" in csv_error(write(tmp_path, text))


@pytest.mark.parametrize("n", [9, 1])
def test_csv_too_few_rows(tmp_path, n):
    message = csv_error(write(tmp_path, "x,y\n" + "\n".join(good_lines(n, 2)) + "\n"))
    assert f"{n} data row" in message and "10" in message


def test_csv_one_column(tmp_path):
    message = csv_error(write(tmp_path, "\n".join(str(i) for i in range(30))))
    assert "1 column" in message and "2" in message


@pytest.mark.parametrize("text", ["", "\n\n", "  \r\n\t\n"])
def test_csv_empty_file(tmp_path, text):
    assert "empty" in csv_error(write(tmp_path, text))


def test_csv_header_only(tmp_path):
    assert "no data rows" in csv_error(write(tmp_path, "x,y,label\n\n"))


def test_csv_not_utf8(tmp_path):
    message = csv_error(write(tmp_path, "x,y\n1,0\n".encode("utf-16")))
    assert "not UTF-8" in message
    message = csv_error(write(tmp_path, b"\xff\xfe\x00\x01garbage", "b.csv"))
    assert "not UTF-8" in message
    latin1 = ("x,y\n" + "\n".join(good_lines(12, 2)) + "\n1,caf\xe9\n").encode("latin-1")
    message = csv_error(write(tmp_path, latin1, "c.csv"))
    assert "not UTF-8" in message and "line 14" in message


def test_csv_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.csv"
    assert "cannot read" in csv_error(missing)
    assert "directory" in csv_error(tmp_path)


def test_csv_limits_refuse_clearly(tmp_path, monkeypatch):
    path = write(tmp_path, "\n".join(good_lines(40)) + "\n")
    monkeypatch.setattr(csv_data, "MAX_ROWS", 25)
    message = csv_error(path)
    assert "file too large" in message and "25" in message
    monkeypatch.setattr(csv_data, "MAX_ROWS", 40)
    assert csv_data.load_csv(path).n_train == 32
    monkeypatch.setattr(csv_data, "MAX_FILE_BYTES", 100)
    message = csv_error(path)
    assert "file too large" in message and "at most" in message


def test_csv_chunked_parsing_matches(tmp_path, monkeypatch):
    lines = ["a,b,c,d"] + good_lines(200)
    lines[150:150] = ["", "  "]
    path = write(tmp_path, "\n".join(lines) + "\n")
    whole = csv_data.read_table(path)
    monkeypatch.setattr(csv_data, "_CHUNK_BYTES", 13)
    assert np.array_equal(csv_data.read_table(path), whole)
    assert whole.shape == (200, 4)
    lines[180] = "1,2,3,x"
    assert "line 181, column 4" in csv_error(write(tmp_path, "\n".join(lines), "e.csv"))


@given(n_rows=st.integers(10, 60), width=st.integers(2, 5), data=st.data(),
       chunk=st.sampled_from([1, 7, 64, 1 << 22]), sep=st.sampled_from([",", ";", "\t"]),
       blanks=st.lists(st.integers(0, 70), max_size=5))
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_error_line_is_exact(tmp_path, n_rows, width, data, chunk, sep, blanks):
    rows = [[f"{r * 0.5 + c}" for c in range(width)] for r in range(n_rows)]
    bad_row = data.draw(st.integers(0, n_rows - 1))
    bad_col = data.draw(st.integers(0, width - 1))
    bad = data.draw(st.sampled_from(["x1", "nan", "", "--2", "1e999"]))
    assume(not (bad_row == 0 and bad in ("x1", "--2")))  # that row would be a header
    rows[bad_row][bad_col] = bad
    lines = [(sep.join(r), i == bad_row) for i, r in enumerate(rows)]
    for b in sorted(blanks, reverse=True):
        lines.insert(min(b, len(lines)), ("", False))
    line_no = next(i for i, (_, is_bad) in enumerate(lines, 1) if is_bad)
    text = "\n".join(s for s, _ in lines)
    path = write(tmp_path, text, f"h{n_rows}_{width}.csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csv_data, "_CHUNK_BYTES", chunk)
        with pytest.raises(ValueError) as info:
            csv_data.load_csv(path)
    assert f"line {line_no}, column {bad_col + 1}" in str(info.value)


# ----------------------------------------------------------------------------- CSV: a big file

def test_csv_million_rows_loads_quickly(tmp_path):
    rng = np.random.default_rng(0)
    block = rng.normal(0.0, 5.0, (1000, 3)).round(4)
    text = "x1,x2,target\n" + ("\n".join(",".join(map(repr, map(float, r))) for r in block)
                               + "\n") * 1000
    path = write(tmp_path, text, "big.csv")
    start = time.perf_counter()
    d = csv_data.load_csv(path)
    elapsed = time.perf_counter() - start
    assert d.n_train + d.n_test == 1_000_000 and d.n_features == 2
    assert d.task == "regression"
    assert np.array_equal(np.sort(targets(d)[:, 0]), np.sort(np.tile(block[:, 2], 1000)))
    assert elapsed < 30.0, f"loading 1e6 rows took {elapsed:.1f} s"
