"""The control panel: one editor per TrainConfig field."""
