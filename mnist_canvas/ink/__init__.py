"""Ink: drawings as strokes, the one renderer, pictures, placement on a canvas."""
