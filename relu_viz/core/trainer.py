"""Trainer: steps an MLP through mini-batches and measures every layer as it goes.

The trainer returns values and emits nothing: the window's controller, the command
line and a notebook all call the same ``step()`` / ``run()`` / ``epoch()``.
"""

from __future__ import annotations

import math

import numpy as np

from relu_viz.core import data as datasets_mod
from relu_viz.core.config import TrainConfig
from relu_viz.core.metrics import MetricsHistory, StepMetrics
from relu_viz.core.mlp import MLP
from relu_viz.core.optim import make_optimizer
from relu_viz.core.stats import Checkpoints, LayerStats, evaluate, preactivation_histograms
from relu_viz.core.tasks import resolve_loss

HIST_BINS = 60
HIST_RANGE = (-6.0, 6.0)
HIST_SAMPLES = 512
#: The per-layer statistics that need extra passes over whole buffers (mean |gradient|,
#: update ratio, activation mean, std and sparsity) are measured on step 1 and every k-th
#: step and held in between. The default, 1, measures them on every step: a user who
#: steps one batch sees that batch's sparsity. All statistics then cost 17-18 % of a step
#: on the larger benchmark networks; every 8th step brings that to 7-9 % (see
#: ``relu-viz bench --train --stats-every 8`` and docs/benchmarks.md, section 2). The
#: loss and the gradient norms (which divergence detection needs) are always per step.
LAYER_STATS_EVERY = 1
_HELD = ("grad_mean_abs", "update_ratio", "act_mean", "act_std", "sparsity")
#: The weights at an evaluation become the recovery point only if the training loss
#: there is at most this many times the loss of the initial weights.
SANE_LOSS_FACTOR = 10.0


class Trainer:
    """Train an MLP on a dataset, one mini-batch per :meth:`step`.

    Parameters
    ----------
    config : TrainConfig
    history_capacity : int
        Rows the metrics history keeps before thinning older ones.

    Attributes
    ----------
    history : MetricsHistory
    diverged : bool
        Set when the loss or a gradient became non-finite; later steps return None.
    divergence_message : str
    """

    def __init__(self, config: TrainConfig, history_capacity: int = 20_000) -> None:
        if not isinstance(config, TrainConfig):
            raise TypeError("config: expected a TrainConfig")
        self._history_capacity = history_capacity
        self._build(config)

    # -- building ------------------------------------------------------------------------
    def _build(self, config: TrainConfig) -> None:
        self._config = config
        self.rng = np.random.default_rng(config.seed)
        self.dataset = self._make_dataset(config)
        loss, output, n_out = resolve_loss(config, self.dataset)
        dtype = np.dtype(config.dtype)
        sizes = [self.dataset.n_features, *config.hidden_layers, n_out]
        self.model = MLP(sizes, activation=list(config.activations()), output=output,
                         loss=loss, init=config.init, bias_init=config.bias_init,
                         dtype=dtype, init_scale=config.init_scale,
                         activation_params=None if config.alpha is None
                         else {"alpha": config.alpha}, rng=self.rng)
        self.X_train = self.dataset.X_train.astype(dtype)
        self.X_test = self.dataset.X_test.astype(dtype)
        self.y_train = self.model.encode_targets(self.dataset.y_train)
        self.y_test = self.model.encode_targets(self.dataset.y_test)
        self._initial_params = self.model.params.copy()
        self._initial_rng_state = self.rng.bit_generator.state
        self.history = MetricsHistory(self.model.n_layers, self._history_capacity)
        self.stats = LayerStats(self.model)
        self._n_train = self.dataset.n_train
        self.checkpoints = Checkpoints(self.model.params.nbytes)
        self._restart()

    @staticmethod
    def _make_dataset(config):
        if config.dataset == "csv":
            return datasets_mod.load_csv(config.csv_path, train_ratio=config.train_ratio,
                                         seed=config.seed)
        return datasets_mod.make(config.dataset, n_samples=config.n_samples,
                                 noise=config.noise, train_ratio=config.train_ratio,
                                 seed=config.seed)

    def _restart(self) -> None:
        """Step 0 from the current parameters: new optimizer, empty history."""
        c = self._config
        self.optimizer = make_optimizer(
            c.optimizer, self.model.n_params, self.model.dtype, c.learning_rate,
            momentum=c.momentum, nesterov=c.nesterov, beta1=c.beta1, beta2=c.beta2, eps=c.eps)
        self.step_count = 0
        self.samples_seen = 0
        self._order = np.empty(0, dtype=np.int64)
        self._cursor = 0
        self._batch_buffers: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.diverged = False
        self.divergence_message = ""
        self.history.clear()
        self.checkpoints.clear()
        self._dead = np.full(self.model.n_layers, np.nan)
        self._dead_count = np.full(self.model.n_layers, np.nan)
        self._hist_X = self.X_train[:HIST_SAMPLES]
        self._last_good = (0, self.model.params.copy())
        self._initial_loss: float | None = None  # training-set loss of the initial weights
        self._held: tuple | None = None  # the held per-layer statistics, see LAYER_STATS_EVERY

    @property
    def config(self) -> TrainConfig:
        """The config in force (hot changes included)."""
        return self._config

    def reset(self, same_init: bool = True) -> None:
        """Back to step 0.

        Parameters
        ----------
        same_init : bool
            True replays the same initial weights and batch order; False draws new
            initial weights from the run's generator.
        """
        if same_init:
            self.model.params[...] = self._initial_params
            self.rng.bit_generator.state = self._initial_rng_state
        else:
            c = self._config
            self.model.init_parameters(c.init, c.bias_init, c.init_scale, self.rng)
            self._initial_params = self.model.params.copy()
            self._initial_rng_state = self.rng.bit_generator.state
        self._restart()

    def apply_config(self, config: TrainConfig) -> bool:
        """Take a new config; hot changes keep the run, cold ones rebuild it.

        Returns
        -------
        rebuilt : bool
            True when a cold field changed and the run restarted from step 0.
        """
        if self._config.cold_differences(config):
            self._build(config)
            return True
        old, self._config = self._config, config
        if config.optimizer != old.optimizer:
            state_step = self.step_count
            self.optimizer = make_optimizer(
                config.optimizer, self.model.n_params, self.model.dtype, config.learning_rate)
            self.step_count = state_step
        opt = self.optimizer
        opt.learning_rate = config.learning_rate
        for name in ("momentum", "nesterov", "beta1", "beta2", "eps"):
            if hasattr(opt, name):
                setattr(opt, name, getattr(config, name))
        return False

    # -- stepping ------------------------------------------------------------------------
    @property
    def n_layers(self) -> int:
        return self.model.n_layers

    @property
    def epoch_float(self) -> float:
        return self.samples_seen / self.dataset.n_train

    def layer_names(self) -> list[str]:
        """Legend names, input to output: ``L1 relu`` ... ``out``."""
        acts = self._config.activations()
        return [f"L{i + 1} {a}" for i, a in enumerate(acts)] + ["out"]

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        if self._cursor >= len(self._order):
            self._order = self.rng.permutation(self.dataset.n_train)
            self._cursor = 0
        stop = min(self._cursor + self._config.batch_size, len(self._order))
        idx = self._order[self._cursor:stop]
        self._cursor = stop
        n = len(idx)
        bufs = self._batch_buffers.get(n)
        if bufs is None:
            if len(self._batch_buffers) > 4:
                self._batch_buffers.clear()
            bufs = (np.empty((n, self.X_train.shape[1]), self.X_train.dtype),
                    np.empty((n,) + self.y_train.shape[1:], self.y_train.dtype))
            self._batch_buffers[n] = bufs
        # The indices come from a permutation, so always valid: mode="clip" skips the
        # bounds check, and with it the temporary that mode="raise" fills before copying
        # into ``out`` (3x faster for 128 rows of 784 values).
        np.take(self.X_train, idx, axis=0, out=bufs[0], mode="clip")
        np.take(self.y_train, idx, axis=0, out=bufs[1], mode="clip")
        return bufs

    def step(self) -> StepMetrics | None:
        """Run one mini-batch: forward, loss, backward, update.

        Returns
        -------
        StepMetrics or None
            None when the run has diverged (see ``divergence_message``).
        """
        if self.diverged:
            return None
        X, y = self._next_batch()
        c = self._config
        number = self.step_count + 1
        full = number == 1 or number % LAYER_STATS_EVERY == 0
        # The passes take the sums while each block is in cache (see MLP.record_outputs).
        model = self.model
        model.record_outputs = full
        if self.stats.records_in_passes:
            model.record_gradients = 2 if full else 1
        # A numeric blow-up is reported through ``diverged``, never raised or warned.
        with np.errstate(all="ignore"):
            loss, _ = model.loss_and_grads(X, y, c.l1, c.l2)
            grad_sq = self.stats.gradient_squares()
            if not (math.isfinite(loss) and np.isfinite(grad_sq).all()):
                self._mark_diverged(loss, grad_sq)
                return None
            # Read the batch's buffers now, while the backward pass has them in cache.
            batch = self._batch_stats() if full else None
            # Evaluate on the weights this batch saw, before the update, so every metric
            # of a step (batch loss, gradients, test loss, dead units) describes one model.
            evaluation = (self._evaluate(number)
                          if number % c.eval_every == 0 or number == 1 else None)
            update = self.optimizer.step(self.model.params, self.model.grad)
            self.step_count = number
            self.samples_seen += X.shape[0]
            metrics = self._measure(loss, grad_sq, batch, update, evaluation)
        # Weights that overflowed on a held step show up as a non-finite loss next step.
        if full and not math.isfinite(metrics.update_ratio.sum()) and not self.diverged:
            self._mark_diverged(float("nan"), np.full(self.n_layers, np.nan), weights=True)
        self.history.append(metrics)
        return metrics

    def _batch_stats(self) -> tuple:
        """This batch's statistics that are read before the update, on a full step.

        Returns
        -------
        (mean_abs, act_mean, act_std, sparsity) : ndarrays of shape (n_layers,)
            Mean |dL/dW| per layer, and the mean, standard deviation and fraction of
            zeros of each layer's output.
        """
        s = self.stats
        mean, std = s.activation_moments()
        return s.gradient_mean_abs(), mean, std, s.sparsity()

    def _measure(self, loss, grad_sq, batch, update, evaluation) -> StepMetrics:
        """The StepMetrics of the step just taken.

        ``batch`` is :meth:`_batch_stats` on a full step (see ``LAYER_STATS_EVERY``); None
        on the others, which repeat the values of the latest full step.
        """
        test_loss = train_acc = test_acc = float("nan")
        if evaluation is not None:
            test_loss, train_acc, test_acc = evaluation
        if batch is not None:
            mean_abs, act_mean, act_std, sparsity = batch
            self._held = (mean_abs, self.stats.update_ratios(update), act_mean, act_std,
                          sparsity)
        held = self._held if self._held is not None else self._held_from_history()
        mean_abs, ratio, act_mean, act_std, sparsity = (v.copy() for v in held)
        norms = np.sqrt(grad_sq)
        return StepMetrics(
            step=self.step_count, epoch=self.samples_seen / self._n_train,
            train_loss=float(loss), test_loss=test_loss, train_accuracy=train_acc,
            test_accuracy=test_acc, learning_rate=self._config.learning_rate,
            grad_w_norm=norms[:, 0], grad_b_norm=norms[:, 1], grad_mean_abs=mean_abs,
            update_ratio=ratio, act_mean=act_mean, act_std=act_std, sparsity=sparsity,
            dead_fraction=self._dead.copy(), dead_count=self._dead_count.copy(),
            prelu_slope=self.model.slopes())

    def _held_from_history(self) -> tuple:
        """The held statistics as the last history row has them (after a session load)."""
        row = self.history.last()
        if row is None:  # cannot happen: step 1 is a full step; NaN rather than a crash
            return tuple(np.full(self.n_layers, np.nan) for _ in _HELD)
        self._held = tuple(row[k] for k in _HELD)
        return self._held

    def _evaluate(self, step: int) -> tuple[float, float, float]:
        """Test loss, accuracies and dead units over the whole training set; a checkpoint."""
        task = self.dataset.task
        train = evaluate(self.model, self.X_train, self.y_train, task, track_active=True)
        test = evaluate(self.model, self.X_test, self.y_test, task)
        n_hidden = self.n_layers - 1
        for i in range(n_hidden):
            dead = int(np.count_nonzero(~train.active[i]))
            self._dead_count[i] = dead
            self._dead[i] = dead / self.model.layer_sizes[i + 1]
        if self._is_sane(train.loss, step):
            self._last_good = (step, self.model.params.copy())
        self.checkpoints.add(step, self.model.params,
                             self.histograms(self._hist_X))
        return test.loss, train.accuracy, test.accuracy

    def _is_sane(self, loss: float, step: int) -> bool:
        """True when weights with this training-set loss are a safe point to recover to.

        Finite is not enough: on the way to a blow-up the loss is often finite but
        thousands of times too large, and recovering there diverges again at once.
        """
        if self._initial_loss is None:
            # Step 1 evaluates the initial weights; after a session load, evaluate them.
            self._initial_loss = loss if step == 1 else self._loss_of_initial_weights()
        return (math.isfinite(loss) and loss <= SANE_LOSS_FACTOR * self._initial_loss
                and bool(np.isfinite(self.model.params).all()))

    def _loss_of_initial_weights(self) -> float:
        params = self.model.params
        current = params.copy()
        params[...] = self._initial_params
        try:
            return evaluate(self.model, self.X_train, self.y_train, self.dataset.task).loss
        finally:
            params[...] = current

    def _mark_diverged(self, loss, grad_sq, weights=False) -> None:
        self.diverged = True
        lr = self._config.learning_rate
        bad = [i for i in range(self.n_layers) if not np.isfinite(grad_sq[i]).all()]
        where = (f"the weights of layer {bad[0] + 1}" if weights and bad else
                 f"the gradient of layer {bad[0] + 1}" if bad else "the loss")
        cause = f"the learning rate {lr:g} is probably too high (try {lr / 10:g})"
        ratio = self._init_spread_over_he()
        if ratio > 2.0:
            cause += (f" or the initial weights too large ({ratio:.1f}x the He spread; "
                      f"init {self._config.init}, init_scale {self._config.init_scale:g})")
        self.divergence_message = (
            f"Training diverged at step {self.step_count + 1}: {where} became "
            f"{'infinite or NaN' if bad or weights else loss}; {cause}.")

    def _init_spread_over_he(self) -> float:
        """Largest ratio of a layer's initial weight spread to He's sqrt(2 / fan_in)."""
        ratios = []
        for i, w in enumerate(self.model.weights):
            sl = self.model.weight_slices()[i]
            init_std = float(np.std(self._initial_params[sl]))
            ratios.append(init_std / np.sqrt(2.0 / w.shape[0]))
        return max(ratios, default=0.0)

    def set_initial_parameters(self, params: np.ndarray) -> None:
        """Start this run (now, and at every same-weights reset) from ``params``.

        Parameters
        ----------
        params : ndarray of shape (n_params,)
            A flat parameter vector laid out as ``model.params`` (e.g. another run's).
        """
        params = np.asarray(params, dtype=self.model.dtype)
        if params.shape != self.model.params.shape:
            raise ValueError(f"params: shape {params.shape} does not match this network "
                             f"{self.model.params.shape}")
        self._initial_params = params.copy()
        self.reset(same_init=True)

    def recover(self, lr_factor: float = 0.1) -> None:
        """After a divergence: back to the last finite weights with a smaller learning rate."""
        step, params = self._last_good
        self.model.params[...] = params
        new = self._config.replace(learning_rate=max(self._config.learning_rate * lr_factor, 1e-12))
        self.apply_config(new)
        self.optimizer = make_optimizer(
            new.optimizer, self.model.n_params, self.model.dtype, new.learning_rate,
            momentum=new.momentum, nesterov=new.nesterov, beta1=new.beta1, beta2=new.beta2,
            eps=new.eps)
        self.diverged = False
        self.divergence_message = ""

    def run(self, n_steps: int, callback=None) -> StepMetrics | None:
        """Run up to ``n_steps`` steps (stops early on divergence); returns the last metrics.

        ``callback(metrics)`` is called after every step if given.
        """
        last = None
        for _ in range(int(n_steps)):
            m = self.step()
            if m is None:
                break
            last = m
            if callback is not None:
                callback(m)
        return last

    def steps_to_epoch_end(self) -> int:
        """Mini-batches left until the current pass over the training set ends."""
        remaining = len(self._order) - self._cursor
        if remaining <= 0:
            remaining = self.dataset.n_train
        return math.ceil(remaining / self._config.batch_size)

    def epoch(self, callback=None) -> StepMetrics | None:
        """Run to the end of the current epoch (a whole epoch from an epoch boundary)."""
        return self.run(self.steps_to_epoch_end(), callback)

    # -- views for plots -----------------------------------------------------------------
    def histograms(self, X=None, bins=HIST_BINS, value_range=HIST_RANGE) -> np.ndarray:
        """Counts of every hidden layer's pre-activations in fixed bins.

        Parameters
        ----------
        X : ndarray of shape (n, n_features) or None
            Inputs; None uses a fixed subsample of the training set.
        bins : int
        value_range : (float, float)
            Values outside are counted in the first or last bin.

        Returns
        -------
        counts : ndarray of shape (n_hidden, bins), int64
        """
        return preactivation_histograms(self.model, self._hist_X if X is None else X,
                                        bins, value_range)

    @staticmethod
    def histogram_edges(bins=HIST_BINS, value_range=HIST_RANGE) -> np.ndarray:
        """Bin edges of :meth:`histograms`, shape (bins + 1,)."""
        return np.linspace(value_range[0], value_range[1], bins + 1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Network output for inputs of shape (n, n_features); shape (n, n_outputs)."""
        return self.model.predict(X)
