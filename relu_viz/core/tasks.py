"""How a data set's task fixes the loss, the output non-linearity and the output width."""

from __future__ import annotations

from relu_viz.core.config import TrainConfig


def resolve_loss(config: TrainConfig, dataset) -> tuple[str, str, int]:
    """Loss name, output non-linearity and output width for a config and its data."""
    task, k = dataset.task, max(dataset.n_classes, 1)
    loss = config.loss
    if loss == "auto":
        loss = {"binary": "bce", "multiclass": "cross_entropy"}.get(task, "mse")
    if loss == "bce" and task != "binary":
        raise ValueError(f"loss: bce needs a two-class dataset; {dataset.name!r} is {task}")
    if loss == "cross_entropy" and task == "regression":
        raise ValueError(f"loss: cross_entropy needs class labels; {dataset.name!r} is regression")
    natural = {"bce": "sigmoid", "cross_entropy": "softmax", "mse": "linear"}[loss]
    output = natural if config.output == "auto" else config.output
    if loss != "mse" and output != natural:
        raise ValueError(f"output: {loss} needs a {natural} output, got {output!r}")
    if loss == "mse" and output == "softmax":
        raise ValueError("output: softmax is only used with the cross_entropy loss")
    n_out = 1 if task in ("binary", "regression") and loss != "cross_entropy" else k
    if loss == "cross_entropy" and task == "binary":
        n_out = 2
    return loss, output, n_out
