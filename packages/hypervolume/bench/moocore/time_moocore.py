"""Times moocore on the cases that bench/vs-moocore.ts wrote, for the side-by-side table.

Usage: time_moocore.py MANIFEST.json OUT.json

The manifest lists cases {name, kind: "hv" | "hvc", file, n, d, ref, repeats}; each file holds n*d
little-endian float64 values, row-major. Reading a file is not timed: only the moocore call is,
with time.perf_counter (wall clock) and time.process_time (this process's CPU time) around each
call, repeated `repeats` times after one warm-up call. The output JSON gives, per case, the seconds
of every timed call on both clocks (the caller pools them over its rounds) and the values (one
number for "hv", one per point for "hvc") so the caller can check that both libraries agree.
"""

import json
import sys
import time

import moocore
import numpy as np


def main() -> None:
    manifest_path, out_path = sys.argv[1], sys.argv[2]
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    results = []
    for case in manifest["cases"]:
        n, d = case["n"], case["d"]
        points = np.fromfile(case["file"], dtype="<f8")
        if points.size != n * d:
            raise SystemExit(f"time_moocore: {case['file']} holds {points.size} values (expected {n * d})")
        points = points.reshape(n, d)
        ref = np.asarray(case["ref"], dtype=np.float64)
        if case["kind"] == "hv":
            call = lambda: moocore.hypervolume(points, ref=ref)
        elif case["kind"] == "hvc":
            call = lambda: moocore.hv_contributions(points, ref=ref)
        else:
            raise SystemExit(f"time_moocore: unknown case kind {case['kind']!r}")
        value = call()
        times = []
        cpu = []
        for _ in range(case["repeats"]):
            c0 = time.process_time()
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        values = [float(value)] if case["kind"] == "hv" else [float(v) for v in value]
        results.append({
            "name": case["name"],
            "wall_s": times,
            "cpu_s": cpu,
            "values": values,
        })
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"moocore": moocore.__version__, "numpy": np.__version__, "results": results}, f)


if __name__ == "__main__":
    main()
