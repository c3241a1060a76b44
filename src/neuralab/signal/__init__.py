"""Signal conditioning: smoothing, outliers, operating regimes and leak-free preprocessing."""
