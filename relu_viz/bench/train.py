"""Training throughput benchmark behind ``relu-viz bench --train`` (no Qt).

Steps per second of one mini-batch step (forward, loss, backward, SGD update) for four
ReLU networks, float32, BLAS pinned to one thread with threadpoolctl when installed:

``numpy MLP``
    The bare step: ``MLP.loss_and_grads`` + ``SGD.step`` on a fixed batch.
``MLP+gather``
    The Trainer's own loop without its statistics: a new mini-batch gathered from the
    training set (``Trainer._next_batch``), ``MLP.loss_and_grads``, ``SGD.step``. A real
    training loop pays for the gather, and for inputs that are not in cache.
``Trainer.step``
    What the window runs: the same, plus every per-step statistic (loss and gradient
    norms on every step; mean |gradient|, update ratios, activation moments and sparsity
    on every ``LAYER_STATS_EVERY``-th step) and the history row. The full-set evaluation is
    switched off (``eval_every`` huge), so ``stats share = 1 - Trainer.step rate /
    MLP+gather rate`` is what the statistics cost, and ``overhead = 1 - Trainer.step
    rate / numpy MLP rate`` is everything the Trainer adds to the bare step (the figure
    called "stats share" before this column existed).
``Trainer+eval``
    ``Trainer.step`` with the window's default ``eval_every = 10``: every 10th step also
    evaluates the whole training and test sets (8 + 2 batches here), counts dead units,
    takes histograms and a checkpoint. Informational: its cost depends on the data size.
``torch``
    PyTorch eager on the CPU (``torch.set_num_threads(1)``, ``nn.Sequential`` of
    ``Linear``/``ReLU``, the same loss and batch, ``torch.optim.SGD``; ``zero_grad``,
    ``backward``, ``step``). Only when torch imports; never required.

Method: the variants run round-robin in time slices of a fixed number of steps
(calibrated to ``slice_s`` after a warm-up), the order rotating every round, so machine
noise hits them alike; rates are medians over the slices and ratios are medians of the
per-round ratios (paired, so a slow moment of the machine cancels out).
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import numpy as np

from relu_viz.bench.kernels import environment
from relu_viz.core import trainer as trainer_mod
from relu_viz.core.config import TrainConfig
from relu_viz.core.data import Dataset
from relu_viz.core.mlp import MLP
from relu_viz.core.optim import SGD
from relu_viz.core.trainer import Trainer

LEARNING_RATE = 1e-3
DEFAULT_SECONDS = 4.0   # measuring time per network (warm-up not included)
TRAIN_BATCHES, TEST_BATCHES = 8, 2
WINDOW_EVAL_EVERY = 10
NO_EVAL = 100_000       # the largest eval_every TrainConfig accepts: no evaluation


@dataclass(frozen=True)
class Network:
    """A benchmarked network: layer sizes input to output and the batch size."""

    sizes: tuple[int, ...]
    batch: int

    @property
    def name(self) -> str:
        return "-".join(str(s) for s in self.sizes)

    @property
    def n_out(self) -> int:
        return self.sizes[-1]


NETWORKS = (Network((2, 8, 8, 1), 32), Network((2, 64, 64, 64, 2), 256),
            Network((784, 256, 256, 10), 128), Network((64, 128, 128, 128, 128, 10), 256))
#: numpy MLP / torch steps-per-second ratio wanted, per network name.
TORCH_TARGETS = {"2-64-64-64-2": 2.0, "784-256-256-10": 1.2}
#: Largest share of a Trainer.step the per-step statistics may take.
STATS_SHARE_TARGET = 0.10

VARIANTS = ("numpy MLP", "MLP+gather", "Trainer.step", "Trainer+eval", "torch")


# -- the variants ---------------------------------------------------------------------------
def _data(net: Network, n: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random inputs (float64) and labels: (n, 1) 0/1 for one output, else int64."""
    X = rng.standard_normal((n, net.sizes[0]))
    if net.n_out == 1:
        y = rng.integers(0, 2, size=(n, 1)).astype(np.float64)
    else:
        y = rng.integers(0, net.n_out, size=n).astype(np.int64)
    return X, y


def _mlp_step(net: Network, X, y):
    """The bare NumPy step on a fixed batch: sigmoid+BCE for one output, else softmax+CE."""
    output = "sigmoid" if net.n_out == 1 else "softmax"
    model = MLP(net.sizes, activation="relu", output=output, dtype=np.float32, seed=0)
    opt = SGD(model.n_params, model.dtype, LEARNING_RATE)
    Xb = X[:net.batch].astype(np.float32)
    yb = model.encode_targets(y[:net.batch])
    params, grad = model.params, model.grad

    def step():
        model.loss_and_grads(Xb, yb)
        opt.step(params, grad)

    return step, _restores_on_blow_up(params)


def _restores_on_blow_up(params):
    """A ``healthy()`` check: True while ``params`` are finite, else restore them, False."""
    initial = params.copy()

    def healthy():
        if np.isfinite(params).all():
            return True
        params[...] = initial
        return False

    return healthy


class _SyntheticTrainer(Trainer):
    """A Trainer on fixed random data of any width (the built-in sets are 1-2 D)."""

    data: Dataset | None = None

    def _make_dataset(self, config):  # the base class calls it as self._make_dataset
        return self.data


def _trainer_step(net: Network, X, y, eval_every: int):
    n_train = TRAIN_BATCHES * net.batch
    task = "binary" if net.n_out == 1 else "multiclass"
    data = Dataset("synthetic", task, X[:n_train], y[:n_train], X[n_train:], y[n_train:],
                   n_classes=2 if net.n_out == 1 else net.n_out)
    config = TrainConfig(dataset="spiral", n_samples=len(X), hidden_layers=net.sizes[1:-1],
                         activation="relu", optimizer="sgd", learning_rate=LEARNING_RATE,
                         batch_size=net.batch, eval_every=eval_every, dtype="float32",
                         loss="bce" if net.n_out == 1 else "cross_entropy")
    cls = type("_Trainer", (_SyntheticTrainer,), {"data": data})
    trainer = cls(config, history_capacity=4096)

    def healthy():
        if not trainer.diverged:
            return True
        trainer.reset()
        return False

    return trainer.step, healthy


def _gather_step(net: Network, X, y):
    """The Trainer's loop without statistics: gather a batch, loss and gradients, SGD."""
    trainer = _trainer_step(net, X, y, NO_EVAL)[0].__self__
    model, opt = trainer.model, trainer.optimizer
    model.record_outputs, model.record_gradients = False, 0  # statistics: the Trainer's
    params, grad = model.params, model.grad

    def step():
        Xb, yb = trainer._next_batch()
        model.loss_and_grads(Xb, yb)
        opt.step(params, grad)

    return step, _restores_on_blow_up(params)


def _torch_step(net: Network, X, y):
    """The PyTorch eager step, or None when torch does not import."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    torch.manual_seed(0)
    layers = []
    for i in range(len(net.sizes) - 1):
        layers.append(torch.nn.Linear(net.sizes[i], net.sizes[i + 1]))
        if i < len(net.sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LEARNING_RATE)
    Xb = torch.from_numpy(X[:net.batch].astype(np.float32))
    if net.n_out == 1:
        loss_fn = torch.nn.BCEWithLogitsLoss()
        yb = torch.from_numpy(y[:net.batch].astype(np.float32))
    else:
        loss_fn = torch.nn.CrossEntropyLoss()
        yb = torch.from_numpy(y[:net.batch])

    def step():
        opt.zero_grad()
        loss = loss_fn(model(Xb), yb)
        loss.backward()
        opt.step()

    return step, lambda: True


def torch_info() -> dict | None:
    """Version and thread count of torch, or None when it does not import."""
    try:
        import torch
    except ImportError:
        return None
    return {"version": torch.__version__, "num_threads": torch.get_num_threads()}


# -- timing ---------------------------------------------------------------------------------
def _run(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return time.perf_counter() - t0


def _calibrate(fn, warmup_s: float, slice_s: float) -> int:
    """Warm ``fn`` up for about ``warmup_s``; steps that take about ``slice_s``."""
    n, spent, done = 1, 0.0, 0
    while spent < warmup_s:
        spent += _run(fn, n)
        done += n
        n *= 2
    per_step = spent / done
    return max(1, round(slice_s / per_step))


def bench_network(net: Network, seconds: float, use_torch: bool = True,
                  with_eval: bool = True) -> dict:
    """Interleaved steps-per-second of every variant for one network.

    Returns
    -------
    dict
        ``network, batch, rounds, variants: {name: {median, min, max, steps_per_slice}},
        torch_ratio, trainer_torch_ratio, stats_share, overhead, eval_share`` (ratios and
        shares are medians of per-round values; None when a variant is missing).
    """
    rng = np.random.default_rng(0)
    X, y = _data(net, (TRAIN_BATCHES + TEST_BATCHES) * net.batch, rng)
    made = {"numpy MLP": _mlp_step(net, X, y), "MLP+gather": _gather_step(net, X, y),
            "Trainer.step": _trainer_step(net, X, y, NO_EVAL)}
    if with_eval:
        made["Trainer+eval"] = _trainer_step(net, X, y, WINDOW_EVAL_EVERY)
    if use_torch:
        pair = _torch_step(net, X, y)
        if pair is not None:
            made["torch"] = pair
    names = list(made)
    n_var = len(names)
    slice_s = min(0.05, max(seconds / (n_var * 12), 0.002))
    warmup_s = min(0.3, max(seconds / 8, 0.01))
    counts = {}
    with np.errstate(all="ignore"):
        for name in names:
            counts[name] = _calibrate(made[name][0], warmup_s / n_var, slice_s)
            if name == "Trainer+eval":  # whole eval periods, so every slice costs alike
                counts[name] = WINDOW_EVAL_EVERY * max(1, round(counts[name]
                                                                / WINDOW_EVAL_EVERY))
        rates = {name: [] for name in names}
        t_end = time.perf_counter() + seconds
        r = 0
        while r < 3 or time.perf_counter() < t_end:
            round_rates = {}
            for k in range(n_var):
                name = names[(k + r) % n_var]
                fn, healthy = made[name]
                dt = _run(fn, counts[name])
                if healthy():
                    round_rates[name] = counts[name] / dt
            if len(round_rates) == n_var:
                for name, v in round_rates.items():
                    rates[name].append(v)
            r += 1
            if r > 10_000:
                break
    return _summarise(net, names, rates, counts)


def _paired(rates, a, b, func):
    if not rates.get(a) or not rates.get(b):
        return None
    return float(np.median([func(x, y) for x, y in zip(rates[a], rates[b])]))


def _summarise(net, names, rates, counts) -> dict:
    variants = {}
    for name in names:
        v = np.asarray(rates[name])
        variants[name] = {"median": float(np.median(v)), "min": float(v.min()),
                          "max": float(v.max()), "steps_per_slice": counts[name]}
    return {
        "network": net.name, "batch": net.batch, "rounds": len(rates[names[0]]),
        "variants": variants,
        "torch_ratio": _paired(rates, "numpy MLP", "torch", lambda a, t: a / t),
        "trainer_torch_ratio": _paired(rates, "Trainer.step", "torch", lambda a, t: a / t),
        "stats_share": _paired(rates, "Trainer.step", "MLP+gather", lambda b, a: 1 - b / a),
        "overhead": _paired(rates, "Trainer.step", "numpy MLP", lambda b, a: 1 - b / a),
        "eval_share": _paired(rates, "Trainer+eval", "numpy MLP", lambda b, a: 1 - b / a),
    }


def _pinned():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1)


def run_train_bench(seconds: float = DEFAULT_SECONDS, networks=None, use_torch: bool = True,
                    with_eval: bool = True, json_path=None, progress=None,
                    quiet: bool = False, stats_every: int | None = None) -> dict:
    """Benchmark training throughput; print a table (unless ``quiet``).

    Parameters
    ----------
    seconds : float
        Measuring time per network, after a warm-up of about ``seconds / 8`` (<= 0.3 s).
    networks : sequence of Network, optional
        Default :data:`NETWORKS`.
    use_torch : bool
        Include PyTorch when it imports.
    with_eval : bool
        Include the ``Trainer+eval`` variant.
    json_path : str or path, optional
        Also write the result as JSON.
    progress : callable(str), optional
        Called after each network.
    stats_every : int, optional
        Measure the Trainer with ``trainer.LAYER_STATS_EVERY`` set to this for the run
        (an experiment: what another cadence of the per-layer statistics would cost).

    Returns
    -------
    dict
        ``{"env", "torch", "config", "results": [per network], "targets": [...]}``.
    """
    if not (isinstance(seconds, (int, float)) and math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    if stats_every is not None and not (isinstance(stats_every, int) and stats_every >= 1):
        raise ValueError(f"stats_every must be an integer >= 1, got {stats_every!r}")
    networks = tuple(networks or NETWORKS)
    limiter = _pinned()
    every_before = trainer_mod.LAYER_STATS_EVERY
    if stats_every is not None:
        trainer_mod.LAYER_STATS_EVERY = stats_every
    results, t0 = [], time.perf_counter()
    try:
        env = environment()  # inside the limit: shows the pinned thread count
        for net in networks:
            results.append(bench_network(net, seconds, use_torch, with_eval))
            if progress:
                progress(f"{net.name}: done ({time.perf_counter() - t0:.1f} s)")
        # Read while the limits hold: restoring them also restores OpenMP's thread count,
        # which torch reports as its own.
        tinfo = torch_info() if use_torch else None
        layer_stats_every = trainer_mod.LAYER_STATS_EVERY
    finally:
        trainer_mod.LAYER_STATS_EVERY = every_before
        if limiter is not None:
            limiter.restore_original_limits()
    result = {"env": env, "torch": tinfo,
              "results": results, "targets": _targets(results),
              "config": {"seconds_per_network": seconds, "dtype": "float32",
                         "optimizer": "sgd", "learning_rate": LEARNING_RATE,
                         "layer_stats_every": layer_stats_every,
                         "blas_threads_pinned": limiter is not None,
                         "seconds": round(time.perf_counter() - t0, 1)}}
    if not quiet:
        print(format_report(result))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=1)
    return result


def _targets(results) -> list[dict]:
    out = []
    for res in results:
        name = res["network"]
        if name in TORCH_TARGETS and res["torch_ratio"] is not None:
            value = res["torch_ratio"]
            out.append({"what": f"numpy MLP / torch on {name}", "network": name,
                        "value": value, "threshold": TORCH_TARGETS[name], "kind": "min",
                        "passed": bool(value >= TORCH_TARGETS[name])})
        if res["stats_share"] is not None:
            value = res["stats_share"]
            out.append({"what": f"stats share of Trainer.step on {name}", "network": name,
                        "value": value, "threshold": STATS_SHARE_TARGET, "kind": "max",
                        "passed": bool(value <= STATS_SHARE_TARGET)})
    return out


def _every(k) -> str:
    return "every step" if k == 1 else f"every {k} steps" if k else "(cadence unknown)"


def _rate(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x / 1000:.1f}k" if x >= 10_000 else f"{x:.0f}"


def _ratio(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "-"
    return f"{100 * x:.0f} %" if pct else f"{x:.2f}x"


def _spread(v: dict | None) -> str:
    return "" if v is None else f"{_rate(v['min'])}-{_rate(v['max'])}"


def format_report(result) -> str:
    """The printed tables: steps/s per variant, ratios, shares, targets, environment."""
    cfg = result["config"]
    names = [v for v in VARIANTS
             if any(v in r["variants"] for r in result["results"])]
    tinfo = result.get("torch")
    lines = [f"relu_viz training benchmark: steps/s, float32, SGD, ReLU hidden layers; "
             f"BLAS threads pinned to 1: {cfg['blas_threads_pinned']}; per-layer statistics "
             f"{_every(cfg.get('layer_stats_every'))}",
             "environment: " + json.dumps(result["env"]),
             "torch: " + (json.dumps(tinfo) if tinfo else "not installed (torch column skipped)"),
             "",
             "steps per second, median over interleaved slices (min-max); ratios and shares "
             "are medians of per-round pairs; stats share = 1 - Trainer.step / MLP+gather, "
             "overhead = 1 - Trainer.step / numpy MLP", ""]
    head = (f"{'network':<24}{'batch':>6}" + "".join(f"{n:>15}" for n in names)
            + f"{'MLP/torch':>11}{'Trainer/torch':>15}{'stats share':>13}{'overhead':>10}"
            + f"{'eval share':>12}")
    lines += [head, "-" * len(head)]
    for r in result["results"]:
        cells = "".join(f"{_rate(r['variants'][n]['median']) if n in r['variants'] else '-':>15}"
                        for n in names)
        lines.append(f"{r['network']:<24}{r['batch']:>6}{cells}"
                     f"{_ratio(r['torch_ratio']):>11}{_ratio(r['trainer_torch_ratio']):>15}"
                     f"{_ratio(r['stats_share'], True):>13}"
                     f"{_ratio(r.get('overhead'), True):>10}{_ratio(r['eval_share'], True):>12}")
        spread = "".join(f"{_spread(r['variants'].get(n)):>15}" for n in names)
        lines.append(f"{'':<24}{r['rounds']:>4} r{spread}")
    lines.append("")
    for t in result["targets"]:
        if t["kind"] == "min":
            text = f"{t['value']:.3f}x (target >= {t['threshold']}x)"
        else:
            text = f"{100 * t['value']:.1f} % (target <= {100 * t['threshold']:.0f} %)"
        lines.append(f"{'PASS' if t['passed'] else 'FAIL'}  {t['what']}: {text}")
    if not any(t["kind"] == "min" for t in result["targets"]):
        lines.append("(torch targets not checked: torch is not installed)")
    lines.append(f"total {cfg['seconds']} s")
    return "\n".join(lines)
