"""Fixtures shared by the window tests: throw-away settings and recorded message boxes."""

import pytest
from PyQt6 import QtWidgets


@pytest.fixture
def settings_dir(tmp_path, monkeypatch):
    """A fresh QSettings folder for this test, so remembered state never leaks between tests."""
    folder = tmp_path / "settings"
    folder.mkdir()
    monkeypatch.setenv("RELU_VIZ_SETTINGS_DIR", str(folder))
    return folder


@pytest.fixture
def dialogs(monkeypatch):
    """Message boxes recorded as (kind, text) instead of blocking the test on them."""
    shown = []
    for name in ("critical", "warning", "information", "about"):
        monkeypatch.setattr(QtWidgets.QMessageBox, name,
                            staticmethod(lambda *a, _n=name: shown.append((_n, a[-1]))))
    return shown
