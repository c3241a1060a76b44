"""neuralab: neural-network engineering, computed for real.

The package is layered: ``neuralab`` holds the numbers (numpy, scipy, scikit-learn,
torch), ``neuralab.plots`` turns results into plotly figures, and ``neuralab.app``
serves them as the interactive lab. Nothing here imports plotly or dash.
"""

__version__ = "0.1.0"
