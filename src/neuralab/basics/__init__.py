"""The fundamentals, computed: shapes, loss pairing, initialization, normalization, numerics, metrics, debugging.

Each module answers one topic of /fundamentals with real torch, numpy and scikit-learn calls; the
page, its self-checks and the cheat sheet read their numbers from here.
"""
