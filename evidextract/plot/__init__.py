"""Forest and funnel plots of fitted meta-analyses (matplotlib).

matplotlib is imported inside the drawing functions, so ``import evidextract``
does not load pyplot.
"""

from evidextract.plot._forest import forest
from evidextract.plot._funnel import funnel

__all__ = ["forest", "funnel"]
