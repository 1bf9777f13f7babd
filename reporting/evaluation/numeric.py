"""numpy's OpenBLAS on one thread, before the evaluation fits its models.

The regressions here are small (a few thousand rows, ~100 columns): threads gain nothing,
and on a busy server they fight the web workers for cores. Measured on a loaded two-core
machine: one 90-column Poisson fit took 0.7 s with OpenBLAS threads and 0.03 s without.
"""

import ctypes
import functools
import os
import sys
from pathlib import Path


@functools.cache
def single_threaded() -> None:
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # read when numpy loads
        return
    _set_now()


def _set_now() -> None:
    """numpy is loaded already (matplotlib, say): tell its bundled OpenBLAS directly."""
    import numpy

    libs = Path(numpy.__file__).resolve().parent.parent / "numpy.libs"
    for library in sorted(libs.glob("libscipy_openblas*.so")):
        try:
            ctypes.CDLL(str(library)).scipy_openblas_set_num_threads64_(1)
        except (OSError, AttributeError):
            continue
        return
