"""One plotting style for the whole book.

``use_book_style()`` sets Matplotlib's rcParams once per notebook so that
every figure of the book has the same size, fonts and grid; figures stay PNG
(nbval does not compare PNG data, and the book renders them as they are).
Inside a notebook the figures are stored at twice their display resolution
("retina" PNGs: 200 dpi pixels shown at the size of 100 dpi), so they stay sharp
on high-density screens.
"""

from __future__ import annotations

import matplotlib as mpl

__all__ = ["use_book_style", "COLORS"]

#: A colour-blind-safe cycle (Okabe and Ito), used for patterns, regimes and series.
COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")


def use_book_style() -> None:
    """Apply the book's Matplotlib style (figure size, dpi, fonts, colour cycle, grid)."""
    mpl.rcParams.update({
        "figure.figsize": (7.0, 3.6),
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "figure.constrained_layout.use": True,
        "font.size": 10,
        "axes.titlesize": 10,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=list(COLORS)),
        "image.cmap": "viridis",
    })
    try:  # inside IPython/Jupyter only: PNGs at 2x resolution with their display size in the metadata
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats("retina")
    except ImportError:  # plain Python: nothing to configure
        pass
