"""Where a Trainer step's time goes beyond the bare MLP step (``relu-viz bench --train
--breakdown``): each component timed alone on the benchmark networks. No Qt."""

from __future__ import annotations

import time

import numpy as np

from relu_viz.bench.train import (
    NO_EVAL,
    TEST_BATCHES,
    TRAIN_BATCHES,
    Network,
    _calibrate,
    _data,
    _mlp_step,
    _pinned,
    _run,
    _trainer_step,
)
from relu_viz.core import trainer as trainer_mod


def _components(trainer, mlp_step):
    """``{label: fn}`` of the parts of one Trainer.step, each callable on its own."""
    s, m = trainer.stats, trainer.model
    update = trainer.optimizer.step(m.params, np.zeros_like(m.grad))  # a zero update
    grad_sq = s.gradient_squares()
    k = trainer_mod.LAYER_STATS_EVERY  # read now: --stats-every may have changed it
    every = "every step" if k == 1 else f"every {k}th step"
    X, y = trainer._next_batch()

    def after(fn):
        """``fn`` computing from the buffers, as if the passes had recorded nothing."""
        def run():
            m.recorded_outputs, m.recorded_gradients = False, 0
            return fn()
        return run

    def passes(outputs, gradients):
        def run():
            m.record_outputs, m.record_gradients = outputs, gradients
            m.loss_and_grads(X, y)
        return run

    def held_step():
        return trainer._measure(1.0, grad_sq, None, update, None)

    def full_step():
        return trainer._measure(1.0, grad_sq, trainer._batch_stats(), update, None)

    parts = {
        "bare MLP step (reference)": mlp_step,
        "Trainer.step (whole)": trainer.step,
        "batch gather (_next_batch)": trainer._next_batch,
        "loss_and_grads, nothing recorded": passes(False, 0),
    }
    if s.records_in_passes:
        parts["loss_and_grads, recording the norms"] = passes(False, 1)
        parts[f"loss_and_grads, recording all ({every})"] = passes(True, 2)
    else:
        parts[f"loss_and_grads, counting ({every})"] = passes(True, 0)
    parts.update({
        "gradient_squares, after the step": after(s.gradient_squares),
        f"sparsity, after the step ({every})": after(s.sparsity),
        f"gradient_mean_abs, after ({every})": after(s.gradient_mean_abs),
        f"update_ratios ({every})": lambda: s.update_ratios(update),
        f"activation_moments, after ({every})": after(s.activation_moments),
        "activation_stats, after (moments + sparsity)": after(s.activation_stats),
        "held step: StepMetrics of held values": held_step,
        f"full step: statistics + StepMetrics ({every})": full_step,
        "held step + history.append": lambda: trainer.history.append(held_step()),
    })
    return parts


def breakdown(net: Network, seconds: float = 1.0, quiet: bool = False) -> dict:
    """Median microseconds of each part of ``Trainer.step`` (statistics one by one).

    Each part runs alone, interleaved round-robin with the others; shares are of the
    bare MLP step. Parts overlap (``_measure`` contains the statistics, the history row
    contains ``_measure``). The statistics marked "every k-th step" run on one step in
    ``LAYER_STATS_EVERY``. Uses the Trainer's internals: a part that no longer exists is
    reported as missing.
    """
    X, y = _data(net, (TRAIN_BATCHES + TEST_BATCHES) * net.batch, np.random.default_rng(0))
    mlp_step, _ = _mlp_step(net, X, y)
    step, _ = _trainer_step(net, X, y, NO_EVAL)
    trainer = step.__self__
    limiter = _pinned()
    try:
        with np.errstate(all="ignore"):
            for _ in range(20):
                trainer.step()
            try:
                parts = _components(trainer, mlp_step)
            except AttributeError as exc:
                return {"network": net.name, "error": f"internals changed: {exc}"}
            counts = {k: _calibrate(fn, 0.02, 0.005) for k, fn in parts.items()}
            times = {k: [] for k in parts}
            t_end = time.perf_counter() + seconds
            while time.perf_counter() < t_end or len(times["Trainer.step (whole)"]) < 3:
                for k, fn in parts.items():
                    times[k].append(_run(fn, counts[k]) / counts[k])
                if len(trainer.history) > 2000:
                    trainer.history.clear()
    finally:
        if limiter is not None:
            limiter.restore_original_limits()
    med = {k: float(np.median(v)) for k, v in times.items()}
    base = med["bare MLP step (reference)"]
    result = {"network": net.name, "batch": net.batch, "us": {k: v * 1e6 for k, v in med.items()},
              "share_of_bare": {k: v / base for k, v in med.items()}}
    if not quiet:
        print(f"{net.name}, batch {net.batch}: median us per call (share of the bare MLP step)")
        for k, v in med.items():
            print(f"  {k:<46}{v * 1e6:9.1f} us {100 * v / base:7.1f} %")
    return result


if __name__ == "__main__":  # pragma: no cover
    import sys
    run_train_bench(progress=lambda m: print(m, file=sys.stderr))
