"""Atomic writes: the old file survives any failure, no temporary file is left behind."""

import os

import pytest

from relu_viz.core.atomic import atomic_write_bytes, atomic_write_text, atomic_write_with


@pytest.fixture
def umask_027():
    old = os.umask(0o027)
    yield
    os.umask(old)


def test_new_files_get_the_mode_of_a_plain_write(tmp_path, umask_027):
    # mkstemp alone would leave 0o600; the result must look like open()'s would.
    atomic_write_text(tmp_path / "a.txt", "x")
    atomic_write_with(tmp_path / "b.png", lambda name: open(name, "wb").close())
    (tmp_path / "plain.txt").write_text("x")
    want = (tmp_path / "plain.txt").stat().st_mode & 0o777
    assert want == 0o640
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == want
    assert (tmp_path / "b.png").stat().st_mode & 0o777 == want


def test_text_is_written_as_given(tmp_path):
    path = tmp_path / "t.csv"
    assert atomic_write_text(path, "a,b\r\nä\n") == path
    assert path.read_bytes() == "a,b\r\nä\n".encode("utf-8")


def test_the_writer_gets_a_temporary_name_beside_the_target(tmp_path):
    seen = []

    def write(name):
        seen.append(name)
        with open(name, "wb") as fh:
            fh.write(b"new")

    target = tmp_path / "plot.png"
    target.write_bytes(b"old")
    atomic_write_with(target, write)
    tmp = seen[0]
    assert os.path.dirname(tmp) == str(tmp_path) and tmp.endswith(".png") and tmp != str(target)
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["plot.png"]


def test_a_failing_writer_keeps_the_old_file_and_leaves_nothing(tmp_path):
    target = tmp_path / "plot.png"
    target.write_bytes(b"old")

    def write(name):
        with open(name, "wb") as fh:
            fh.write(b"half")
        raise OSError("could not write")

    with pytest.raises(OSError, match="could not write"):
        atomic_write_with(target, write)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["plot.png"]


@pytest.mark.parametrize("write", [
    lambda path: atomic_write_bytes(path, b"new"),
    lambda path: atomic_write_with(path, lambda name: open(name, "wb").close()),
])
def test_a_failing_rename_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch, write):
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")

    def locked(src, dst):
        raise PermissionError("locked")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(PermissionError):
        write(target)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.bin"]


def test_a_missing_folder_is_named(tmp_path):
    calls = []
    with pytest.raises(OSError, match="does not exist"):
        atomic_write_with(tmp_path / "no" / "p.png", calls.append)
    assert calls == []
