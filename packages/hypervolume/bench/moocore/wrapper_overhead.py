"""What moocore's Python wrapper adds to a call: `moocore.hypervolume` against the C function under it.

Usage: wrapper_overhead.py [REPEATS]   (with the python of bench/moocore/venv.sh's environment)

Times, on the same arrays, `moocore.hypervolume(points, ref=ref)` and `lib.fpli_hv` (moocore's cffi
binding of its C routine) called on buffers prepared once, for one point and for 1000 points on the
positive unit sphere in 4-D (ref 1.1, as the bench). Prints the median wall time per call of each
and their difference, the wrapper's cost. Both must give the same value.
"""

import statistics
import sys
import time

import moocore
import numpy as np
from moocore._libmoocore import ffi, lib


def median_seconds(call, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        call()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rng = np.random.default_rng(1)
    sphere = np.abs(rng.normal(size=(1000, 4)))
    sphere /= np.linalg.norm(sphere, axis=1, keepdims=True)
    for name, points in (("1 point, 4-D", sphere[:1].copy()), ("1000 points, 4-D", sphere)):
        ref = np.full(points.shape[1], 1.1)
        points_p = ffi.from_buffer("double []", np.ascontiguousarray(points))
        n = ffi.cast("size_t", points.shape[0])
        d = ffi.cast("uint_fast8_t", points.shape[1])
        ref_p = ffi.from_buffer("double []", ref)
        wrapped = lambda: moocore.hypervolume(points, ref=ref)
        bare = lambda: lib.fpli_hv(points_p, n, d, ref_p)
        if wrapped() != bare():
            raise SystemExit(f"wrapper_overhead: {name}: the wrapper and the C call disagree")
        w = median_seconds(wrapped, repeats if points.shape[0] == 1 else repeats // 20)
        b = median_seconds(bare, repeats if points.shape[0] == 1 else repeats // 20)
        print(f"{name}: moocore.hypervolume {w * 1e6:.1f} µs, lib.fpli_hv {b * 1e6:.1f} µs, wrapper {max(w - b, 0) * 1e6:.1f} µs per call")


if __name__ == "__main__":
    main()
