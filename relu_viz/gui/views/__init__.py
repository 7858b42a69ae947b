"""Views beside the plots: presets, comparison, timeline, speed."""
