"""Test setup: offscreen Qt and throw-away settings, before anything imports PyQt6."""

import os
import tempfile

# Without a display Qt aborts the whole process; offscreen renders in memory.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests must never read or write the user's remembered settings.
os.environ["RELU_VIZ_SETTINGS_DIR"] = tempfile.mkdtemp(prefix="relu_viz_settings_")
