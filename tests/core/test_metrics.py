"""MetricsHistory's CSV export: the header at step 0, values under their own columns."""

import csv
import io

import numpy as np

from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES, MetricsHistory, StepMetrics


def metrics(step: int, n_layers: int) -> StepMetrics:
    """A step whose per-layer values encode (metric, layer): 100 * metric + layer + step."""
    layers = {name: np.array([100.0 * k + i + step for i in range(n_layers)])
              for k, name in enumerate(LAYER_NAMES)}
    return StepMetrics(step=step, epoch=step / 10, train_loss=1.0 / step,
                       test_loss=float("nan"), train_accuracy=0.5, test_accuracy=float("nan"),
                       learning_rate=0.01, **layers)


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_an_empty_history_exports_the_header_alone():
    for n_layers in (1, 3):
        h = MetricsHistory(n_layers=n_layers)
        names = [f"L{i + 1}" for i in range(n_layers - 1)] + ["out"]
        text = h.to_csv_text(names)
        assert rows(text) == [h.column_names(names)]
        assert text.endswith("\n") and text.count("\n") == 1


def test_after_clear_the_export_is_the_header_again():
    h = MetricsHistory(n_layers=2)
    h.append(metrics(1, 2))
    h.clear()
    assert rows(h.to_csv_text()) == [h.column_names()]


def test_every_value_sits_under_its_metric_and_layer():
    n_layers = 3
    h = MetricsHistory(n_layers=n_layers)
    for step in (1, 2):
        h.append(metrics(step, n_layers))
    header, *body = rows(h.to_csv_text())
    assert len(body) == 2
    for values in body:
        row = dict(zip(header, values, strict=True))
        step = int(row["step"])
        assert float(row["train_loss"]) == 1.0 / step
        assert row["test_loss"] == ""  # NaN is an empty cell
        for k, name in enumerate(LAYER_NAMES):
            for i in range(n_layers):
                assert float(row[f"{name}_L{i + 1}"]) == 100.0 * k + i + step
    assert header[:len(SCALAR_NAMES)] == list(SCALAR_NAMES)
