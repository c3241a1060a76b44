"""Datasets, splitters and leakage experiments."""


def __getattr__(name: str):
    # neuralab.data.load_table without importing pandas/pyarrow for every neuralab.data user
    if name == "load_table":
        from neuralab.data.user import load_table

        return load_table
    raise AttributeError(f"module 'neuralab.data' has no attribute {name!r}")
