"""Qt-free services both faces (window and command line) use: runs, presets, reports, argument parsing."""
