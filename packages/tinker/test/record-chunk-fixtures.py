"""Records how the official Tinker SDK splits a forward/backward batch and merges the parts' results.

src/chunks.test.ts checks splitDatums and combineForwardResults against this file. The cases are
fixed below (no randomness), so a rerun with the same SDK gives the same file.

Regenerate (Python 3.12, a throwaway venv):
    python3.12 -m venv /tmp/tkvenv
    /tmp/tkvenv/bin/pip install tinker==0.38.0 numpy
    /tmp/tkvenv/bin/python packages/tinker/test/record-chunk-fixtures.py > packages/tinker/test/chunk-fixtures.json
"""

import json
from types import SimpleNamespace

import numpy as np
import tinker
from tinker import types
from tinker.lib.chunked_fwdbwd_helpers import combine_fwd_bwd_output_results
from tinker.lib.public_interfaces.training_client import TrainingClient
from tinker.types.client_config_response import ClientConfigResponse


def datum(tokens: int, targets_dtype: str, extra: int) -> types.Datum:
    """A datum with `tokens` input tokens, int64 targets, and `extra` float32 loss inputs."""
    inputs = {"target_tokens": types.TensorData.from_numpy(np.arange(tokens, dtype=targets_dtype))}
    for i in range(extra):
        inputs[["weights", "logprobs", "advantages"][i]] = types.TensorData.from_numpy(np.ones(tokens, dtype="float32"))
    return types.Datum(model_input=types.ModelInput.from_ints(list(range(tokens))), loss_fn_inputs=inputs)


# (token count, target dtype, float32 inputs) per datum, and the limits.
SPLITS = [
    {"datums": [[3, "int64", 1]] * 5, "max_len": 2, "max_bytes": 5_000_000},
    {"datums": [[100, "int64", 1], [10, "int64", 1], [10, "int64", 1], [90, "int64", 3]], "max_len": 1024, "max_bytes": 2000},
    {"datums": [[500, "int64", 3], [1, "int64", 0], [400, "int64", 0]], "max_len": 1024, "max_bytes": 1000},
    {"datums": [[7, "int64", 2], [7, "int64", 2], [7, "int64", 2], [7, "int64", 2]], "max_len": 3, "max_bytes": 300},
    {"datums": [[50, "int64", 1]] * 3, "max_len": 1024, "max_bytes": 5_000_000},
]

# Each part: its datum count and its metrics.
COMBINES = [
    [
        [1, {"loss:sum": 1.5, "tokens:mean": 10.0, "grad:max": 0.25, "lr:min": 0.001, "time:slack": 2.0, "h:hash2": 7.0, "run:unique": 3.0}],
        [3, {"loss:sum": 2.25, "tokens:mean": 2.0, "grad:max": 0.5, "lr:min": 0.002, "time:slack": 5.0, "h:hash2": 9.0, "run:unique": 4.0}],
    ],
    [
        [2, {"a:mean": 1.0, "b:sum": 1.0, "c:unknownreduction": 5.0, "only_first:sum": 1.0}],
        [2, {"a:mean": 3.0, "b:sum": -4.0, "c:unknownreduction": 6.0}],
        [4, {"a:mean": 0.5, "b:sum": 0.5, "c:unknownreduction": 7.0}],
    ],
    [
        [1, {"h:hash2": 18446744073709551615.0, "u:unique": 1.0}],
        [1, {"h:hash2": 3.0, "u:unique": 2.0}],
        [1, {"h:hash2": 2.5, "u:unique": 3.0}],
    ],
]


def main() -> None:
    splits = []
    for case in SPLITS:
        data = [datum(*d) for d in case["datums"]]
        cfg = ClientConfigResponse(fwdbwd_max_chunk_len=case["max_len"], fwdbwd_max_chunk_bytes_count=case["max_bytes"])
        holder = SimpleNamespace(holder=SimpleNamespace(_client_config=cfg))
        parts = list(TrainingClient._chunked_requests_generator(holder, data))
        splits.append({**case, "part_sizes": [len(p.data) for p in parts], "part_bytes": [p.estimated_bytes_count for p in parts]})
    combines = []
    for case in COMBINES:
        results = [
            types.ForwardBackwardOutput(
                loss_fn_output_type="cross_entropy",
                metrics=metrics,
                loss_fn_outputs=[{"logprobs": types.TensorData.from_numpy(np.zeros(1, dtype="float32"))} for _ in range(n)],
            )
            for n, metrics in case
        ]
        combined = combine_fwd_bwd_output_results(results)
        combines.append({"parts": case, "metrics": {k: float(v) for k, v in combined.metrics.items()}})
    print(json.dumps({"sdk": tinker.__version__, "splits": splits, "combines": combines}, indent=1))


if __name__ == "__main__":
    main()
