"""The window's own options: a bad one is one ``relu-viz: error:`` line and status 2."""

import pytest

from relu_viz.gui import app


@pytest.mark.parametrize("argv,words", [
    (["--size", "huge"], ("argument --size", "'huge'", "WIDTHxHEIGHT")),
    (["--steps", "-3"], ("argument --steps", "0 or more")),
    (["--bogus"], ("unrecognized arguments", "--bogus")),
    (["--config", "a.json", "--preset", "sparsity"], ("not allowed with",)),
])
def test_a_bad_option_is_one_error_line(argv, words, capsys):
    assert app.main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert out == "" and len(lines) == 1, lines
    assert lines[0].startswith("relu-viz: error: ")
    for word in words:
        assert word in lines[0]


def test_help_still_prints_and_exits_0(capsys):
    with pytest.raises(SystemExit) as info:
        app.main(["--help"])
    assert info.value.code == 0
    assert "--screenshot" in capsys.readouterr().out


def test_a_problem_with_an_options_file_is_one_error_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # else "no display" comes first
    assert app.main(["--session", str(tmp_path / "gone.npz")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("relu-viz: error: ")
    assert "gone.npz" in lines[0]


def test_the_window_icon_comes_from_resources(qapp):
    from relu_viz.gui.app import make_app

    app = make_app([])
    assert app is qapp
    icon = app.windowIcon()
    assert not icon.isNull()
    assert not icon.pixmap(32, 32).toImage().isNull()


@pytest.mark.parametrize("text", ["nan", "inf", "0", "3601", "x"])
def test_bounded_float_refuses_out_of_range_and_non_finite(text):
    import argparse

    from relu_viz.app.argparsing import bounded

    parse = bounded(float, 0, 3600, open_low=True)
    assert parse("0.5") == 0.5 and parse("3600") == 3600.0
    with pytest.raises(argparse.ArgumentTypeError, match=r"outside \(0, 3600\]|not a number"):
        parse(text)
