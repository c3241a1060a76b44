"""Datasets, splitters and leakage experiments."""
