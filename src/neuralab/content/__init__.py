"""Reference prose, shipped as Markdown package data."""
