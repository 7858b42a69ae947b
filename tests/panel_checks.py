"""Checks shared by the window tests (on the test path through ``pythonpath``)."""

from relu_viz.gui.panel.control_panel import SPEC, parse_widths


def panel_disagrees(panel, config) -> list[str]:
    """Fields whose editor in the control panel does not show ``config``'s value."""
    def close(a, b, decimals):
        return abs(a - b) <= max(0.51 * 10.0 ** -decimals, 1e-9 * abs(b))

    wrong = []
    for spec in SPEC:
        editor, value = panel.editor(spec.name), getattr(config, spec.name)
        if spec.kind in ("choice", "dataset"):
            ok = editor.currentData() == value
        elif spec.kind == "int":
            ok = editor.value() == value
        elif spec.kind in ("float", "log"):
            ok = close(editor.value(), value, editor.decimals())
        elif spec.kind == "seed":
            ok = editor.int_value() == value
        elif spec.kind == "bool":
            ok = editor.isChecked() == value
        elif spec.kind == "layers":  # text that does not parse stays, flagged, to fix
            try:
                ok = parse_widths(editor.text()) == value
            except ValueError:
                ok = panel.layer_count_box().value() == len(value)
        elif spec.kind == "activation":
            ok = [c.currentData() for c in panel.activation_combos()] == list(
                config.activations())
        else:  # alpha: "default" ticked for None, else the number
            ok = panel.alpha_default_checkbox().isChecked() == (value is None) and (
                value is None or close(editor.value(), value, editor.decimals()))
        if not ok:
            wrong.append(spec.name)
    return wrong
