"""Sessions: continuing a saved run gives the numbers of a run never stopped; bad files."""

import io
import json
import os
import zipfile

import numpy as np
import pytest

from relu_viz.core import TrainConfig, Trainer
from relu_viz.core.metrics import LAYER_NAMES, SCALAR_NAMES
from relu_viz.core.session import SESSION_VERSION, atomic_write_bytes, load_session, save_session

CFG = TrainConfig(dataset="moons", n_samples=200, hidden_layers=(8, 8), batch_size=24,
                  activation="prelu", eval_every=5)


def same_history(a, b):
    for name in SCALAR_NAMES:
        np.testing.assert_array_equal(a.history.scalar(name), b.history.scalar(name))
    for name in LAYER_NAMES:
        np.testing.assert_array_equal(a.history.layer(name), b.history.layer(name))


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd"])
def test_continuing_a_loaded_session_equals_never_stopping(tmp_path, optimizer):
    cfg = CFG.replace(optimizer=optimizer)
    straight = Trainer(cfg)
    straight.run(37)  # mid-epoch: the batch order and cursor must survive
    path = tmp_path / "run.session"
    save_session(straight, path)
    loaded = load_session(path)
    assert loaded.step_count == 37
    straight.run(40)
    loaded.run(40)
    same_history(straight, loaded)
    np.testing.assert_array_equal(straight.model.params, loaded.model.params)


def test_reset_after_loading_replays_the_same_initial_weights(tmp_path):
    a = Trainer(CFG)
    a.run(10)
    save_session(a, tmp_path / "s.npz")
    b = load_session(tmp_path / "s.npz")
    a.reset(same_init=True)
    b.reset(same_init=True)
    a.run(15)
    b.run(15)
    same_history(a, b)


def test_checkpoints_and_divergence_survive(tmp_path):
    t = Trainer(CFG.replace(optimizer="sgd", learning_rate=1e3, hidden_layers=(32,) * 5))
    t.run(100)
    save_session(t, tmp_path / "d.npz")
    back = load_session(tmp_path / "d.npz")
    assert back.diverged == t.diverged and back.divergence_message == t.divergence_message
    assert back.checkpoints.steps == t.checkpoints.steps


def test_loading_never_unpickles(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, meta=np.array(json.dumps({"format": "relu_viz-session", "version": 1})),
             params=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="evil.npz.*Python objects") as info:
        load_session(path)
    # NumPy's own message advises allow_pickle (the folder's name has "unpickles" in it)
    assert "pickle" not in str(info.value).replace(str(path), "")


def npy_bytes(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


def pickled(path):
    import pickle

    path.write_bytes(pickle.dumps({"params": [1.0, 2.0]}))


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: p.write_text("hello\n"), id="text"),
    pytest.param(pickled, id="pickle"),
    pytest.param(lambda p: p.write_bytes(npy_bytes(np.arange(3.0))), id="npy-array"),
    pytest.param(lambda p: p.write_bytes(b""), id="empty"),
])
def test_a_file_that_is_no_archive_is_refused_without_advice_to_unpickle(tmp_path, make):
    path = tmp_path / "other.npz"
    make(path)
    with pytest.raises(ValueError, match="other.npz is not a readable relu_viz session") as info:
        load_session(path)
    assert "pickle" not in str(info.value).replace(str(path), "").lower()


def damage_members(data: bytes, field_offset: int, value: int) -> bytes:
    """Set a 2-byte field of every central-directory entry of a zip."""
    out, start = bytearray(data), 0
    while (i := out.find(b"PK\x01\x02", start)) >= 0:
        out[i + field_offset:i + field_offset + 2] = value.to_bytes(2, "little")
        start = i + 4
    return bytes(out)


def corrupt_deflate(data: bytes) -> bytes:
    """Overwrite the start of the first member's compressed bytes (a reserved block type)."""
    out = bytearray(data)
    name_len, extra_len = (int.from_bytes(out[o:o + 2], "little") for o in (26, 28))
    start = 30 + name_len + extra_len
    out[start:start + 8] = b"\xff" * 8
    return bytes(out)


@pytest.mark.parametrize("damage", [
    pytest.param(corrupt_deflate, id="deflate-stream"),  # zlib.error
    pytest.param(lambda d: damage_members(d, 8, 1), id="encrypted-flag"),  # RuntimeError
    pytest.param(lambda d: damage_members(d, 10, 99), id="unknown-method"),  # NotImplemented
])
def test_damaged_members_raise_value_error(tmp_path, damage):
    t = Trainer(CFG)
    t.run(2)
    good = tmp_path / "good.npz"
    save_session(t, good)
    bad = tmp_path / "bad.npz"
    bad.write_bytes(damage(good.read_bytes()))
    with pytest.raises(ValueError, match="bad.npz.*truncated or corrupted"):
        load_session(bad)


def write_session_with_meta(path, meta_change):
    t = Trainer(CFG)
    t.run(3)
    save_session(t, path)
    with np.load(path) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(str(arrays.pop("meta")))
    meta_change(meta)
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)


@pytest.mark.parametrize("change,match", [
    (lambda m: m.update(version=SESSION_VERSION + 1), "newer relu_viz"),
    (lambda m: m.update(format="something"), "not a relu_viz session"),
    (lambda m: m["config"].update(learning_rate=-1), "learning_rate"),
    (lambda m: m["config"].update(hidden_layers=[8, 9]), "does not match"),
    (lambda m: m.pop("step_count"), "step_count"),
])
def test_bad_session_contents_raise_clear_errors(tmp_path, change, match):
    path = tmp_path / "s.npz"
    write_session_with_meta(path, change)
    with pytest.raises(ValueError, match=match):
        load_session(path)


def test_truncated_corrupted_missing_and_folder(tmp_path):
    t = Trainer(CFG)
    t.run(3)
    good = tmp_path / "good.npz"
    save_session(t, good)
    data = good.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="trunc.npz.*truncated or corrupted"):
        load_session(tmp_path / "trunc.npz")
    (tmp_path / "noise.npz").write_bytes(b"not a zip at all" * 10)
    with pytest.raises(ValueError, match="noise.npz"):
        load_session(tmp_path / "noise.npz")
    with pytest.raises(ValueError, match="no such file"):
        load_session(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="folder"):
        load_session(tmp_path)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("params.npy", b"garbage")
    (tmp_path / "zip.npz").write_bytes(buf.getvalue())
    with pytest.raises(ValueError, match="zip.npz"):
        load_session(tmp_path / "zip.npz")


def test_failed_save_leaves_the_old_file_intact(tmp_path, monkeypatch):
    t = Trainer(CFG)
    path = tmp_path / "keep.npz"
    save_session(t, path)
    before = path.read_bytes()
    t.run(5)

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_session(t, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.npz"]


def test_atomic_write_refused_by_the_system_leaves_nothing(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError("read-only folder")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    (tmp_path / "x.bin").write_bytes(b"old")
    with pytest.raises(PermissionError):
        atomic_write_bytes(tmp_path / "x.bin", b"new")
    assert (tmp_path / "x.bin").read_bytes() == b"old"


def test_atomic_write_into_missing_or_read_only_folder(tmp_path):
    with pytest.raises(OSError, match="does not exist"):
        atomic_write_bytes(tmp_path / "nope" / "x.bin", b"1")
    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions
            pytest.skip("running as root: a read-only folder is still writable")
        with pytest.raises(OSError):
            atomic_write_bytes(ro / "x.bin", b"1")
        assert list(ro.iterdir()) == []
    finally:
        os.chmod(ro, 0o700)
