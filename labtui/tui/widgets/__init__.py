"""Widgets of the labtui TUI."""
