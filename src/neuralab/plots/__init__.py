"""Plotly figure builders: library results in, ``go.Figure`` out. No Dash here.

A notebook user gets the very figures the lab shows::

    from neuralab.data.splits import compare_splits
    from neuralab.plots.splits import class_share_figure
    class_share_figure(compare_splits("cancer_rare", 70, 15, seed=0), ("malignant", "benign")).show()
"""
