"""Records protobuf byte fixtures with the official Tinker Python SDK's own encoder and decoder.

Requests: JSON-shaped forward_backward bodies (the shape @paretopo/tinker builds) are read into the
SDK's pydantic types and serialized with `tinker.proto.request_conv.forward_backward_request_to_proto`
(what `AsyncTrainingResource.forward_backward` sends as application/x-protobuf).
Responses: ForwardBackwardOutput / SampleResponse messages built with the SDK's generated classes
(as a server writes them), and what the SDK's `tinker.proto.response_conv` reads from those bytes.

Map entries come out in upb's hash-table order, which differs between runs, so a regenerated file
changes in that order only; the TypeScript tests compare requests up to map order.

Regenerate (Python 3.12, a throwaway venv):
    python3.12 -m venv /tmp/tkvenv
    /tmp/tkvenv/bin/pip install tinker==0.38.0 protobuf numpy
    /tmp/tkvenv/bin/python packages/tinker/test/record-protobuf-fixtures.py > packages/tinker/test/protobuf-fixtures.json
"""

import json
from importlib.metadata import version

import numpy as np
from google.protobuf import __version__ as protobuf_version

import tinker.types as t
from tinker.proto import tinker_public_pb2 as pb
from tinker.proto.request_conv import forward_backward_request_to_proto
from tinker.proto.response_conv import deserialize_forward_backward_output, deserialize_sample_response


def f32(xs):
    """Values as float32 would hold them (what goes on the wire), as exact Python floats."""
    return [float(v) for v in np.asarray(xs, dtype=np.float32)]


def datum(tokens, targets, **floats):
    inputs = {"target_tokens": {"data": targets, "dtype": "int64"}}
    for name, values in floats.items():
        inputs[name] = {"data": f32(values), "dtype": "float32"}
    return {"model_input": {"chunks": [{"type": "encoded_text", "tokens": tokens}]}, "loss_fn_inputs": inputs}


REQUESTS = [
    (
        "cross_entropy_two_datums",
        {
            "model_id": "model_abc123",
            "forward_backward_input": {
                "loss_fn": "cross_entropy",
                "data": [
                    datum([151644, 872, 198, 17], [872, 198, 17, 151645], weights=[0, 1, 1, 1]),
                    datum([1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7], weights=[0, 0, 1, 1, 1, 0.5]),
                ],
            },
        },
    ),
    (
        "importance_sampling_seq_forward_only",
        {
            "model_id": "m",
            "seq_id": 7,
            "forward_only": True,
            "forward_backward_input": {
                "loss_fn": "importance_sampling",
                "data": [
                    datum(
                        [10, 20, 30, 40, 50],
                        [20, 30, 40, 50, 60],
                        weights=[0, 1, 1, 1, 1],
                        logprobs=[0, -0.25, -1.5, -3.1415927, -1e-7],
                        advantages=[0, 0.5, 0.5, -0.75, 1e30],
                    )
                ],
            },
        },
    ),
    (
        "ppo_config_two_chunks_negative_token",
        {
            "model_id": "model-ppo",
            "seq_id": 300,
            "forward_backward_input": {
                "loss_fn": "ppo",
                "loss_fn_config": {"clip_low_threshold": 0.8, "clip_high_threshold": 1.2},
                "data": [
                    {
                        "model_input": {"chunks": [{"type": "encoded_text", "tokens": [5, 6]}, {"type": "encoded_text", "tokens": [7, 2147483647]}]},
                        "loss_fn_inputs": {
                            "target_tokens": {"data": [6, 7, 8, 9], "dtype": "int64", "shape": [4]},
                            "logprobs": {"data": f32([-0.5, -0.5, -2, -1]), "dtype": "float32", "shape": [4]},
                            "advantages": {"data": f32([1, 1, -1, 0]), "dtype": "float32", "shape": [4]},
                        },
                    }
                ],
            },
        },
    ),
    (
        "zero_config_value_empty_chunk",
        {
            "model_id": "m0",
            "seq_id": 1,
            "forward_backward_input": {
                "loss_fn": "ppo",
                "loss_fn_config": {"clip_low_threshold": 0.0},
                "data": [
                    {
                        "model_input": {"chunks": [{"type": "encoded_text", "tokens": []}, {"type": "encoded_text", "tokens": [5]}]},
                        "loss_fn_inputs": {"target_tokens": {"data": [6], "dtype": "int64"}},
                    }
                ],
            },
        },
    ),
]


def record_request(name, body):
    request = t.ForwardBackwardRequest(
        model_id=body["model_id"],
        seq_id=body.get("seq_id"),
        forward_backward_input=t.ForwardBackwardInput(
            loss_fn=body["forward_backward_input"]["loss_fn"],
            loss_fn_config=body["forward_backward_input"].get("loss_fn_config"),
            data=[
                t.Datum(
                    model_input=t.ModelInput(chunks=[t.EncodedTextChunk(tokens=c["tokens"]) for c in d["model_input"]["chunks"]]),
                    loss_fn_inputs={k: t.TensorData(**v) for k, v in d["loss_fn_inputs"].items()},
                )
                for d in body["forward_backward_input"]["data"]
            ],
        ),
    )
    msg = forward_backward_request_to_proto(request)
    # As AsyncTrainingResource.forward_backward does.
    msg.forward_only = bool(body.get("forward_only", False))
    return {"name": name, "body": body, "hex": msg.SerializeToString().hex()}


def batched(arrays, dtype, np_dtype, trailing=()):
    flat = [np.asarray(a, dtype=np_dtype) for a in arrays]
    offsets = np.cumsum([0] + [a.nbytes for a in flat]).astype(np.int64)
    return pb.BatchedTensor(data=b"".join(a.tobytes() for a in flat), offsets=offsets.tobytes(), dtype=dtype, trailing_shape=list(trailing))


def tensor_json(td):
    return {"data": [float(v) for v in np.asarray(td.data).ravel()], "dtype": td.dtype, "shape": list(td.shape)}


def record_forward(name, msg):
    raw = msg.SerializeToString()
    out = deserialize_forward_backward_output(raw)
    decoded = {
        "loss_fn_output_type": out.loss_fn_output_type,
        "loss_fn_outputs": [{k: tensor_json(v) for k, v in o.items()} for o in out.loss_fn_outputs],
        "metrics": dict(out.metrics),
    }
    return {"name": name, "hex": raw.hex(), "decoded": decoded}


def forward_outputs():
    lp = [[-0.5, -1.25, -2.0, -0.125], [-3.5, -0.0625, -7.75]]
    loss = [[0.5, 1.25, 2.0, 0.125], [3.5, 0.0625, 7.75]]
    one = pb.ForwardBackwardOutput(
        loss_fn_output_type="tinker.types:ArrayRecord",
        loss_fn_outputs=[
            pb.ArrayRecord(
                type_tag="CrossEntropyLossReturn",
                num_datums=2,
                fields={
                    "logprobs": batched(lp, pb.DTYPE_FLOAT32, np.float32),
                    "elementwise_loss": batched(loss, pb.DTYPE_FLOAT32, np.float32),
                },
            )
        ],
        metrics={"loss:sum": 17.25, "tokens:count": 7.0},
    )
    # Two records (chunked emission), bfloat16 values and an int32 field.
    bf16 = lambda xs: (np.asarray(xs, dtype=np.float32).view(np.uint32) >> 16).astype(np.uint16)
    two = pb.ForwardBackwardOutput(
        loss_fn_output_type="ArrayRecord",
        loss_fn_outputs=[
            pb.ArrayRecord(num_datums=1, fields={"logprobs": batched([bf16([-0.5, -1.5])], pb.DTYPE_BFLOAT16, np.uint16), "elementwise_loss": batched([f32([0.5, 1.5])], pb.DTYPE_FLOAT32, np.float32)}),
            pb.ArrayRecord(num_datums=1, fields={"logprobs": batched([bf16([-2.0])], pb.DTYPE_BFLOAT16, np.uint16), "elementwise_loss": batched([f32([2.0])], pb.DTYPE_FLOAT32, np.float32)}),
        ],
        metrics={"loss:sum": -1e-3},
    )
    return [record_forward("cross_entropy_two_datums", one), record_forward("two_records_bfloat16", two)]


def record_sample(name, msg):
    raw = msg.SerializeToString()
    out = deserialize_sample_response(raw)
    decoded = {
        "sequences": [
            {"tokens": [int(x) for x in s.tokens], "logprobs": None if s.logprobs is None else [float(x) for x in s.logprobs], "stop_reason": s.stop_reason}
            for s in out.sequences
        ],
        "prompt_logprobs": None if out.prompt_logprobs is None else [None if x is None else float(x) for x in out.prompt_logprobs],
    }
    return {"name": name, "hex": raw.hex(), "decoded": decoded}


def sample_responses():
    seqs = pb.SampleResponse(
        sequences=[
            pb.SampledSequence(stop_reason=pb.STOP_REASON_STOP, tokens=np.asarray([791, 4320, 374, 220, 19, 151645], np.int32).tobytes(), logprobs=np.asarray([-0.01, -2.5, -0.3, -1e-6, -0.75, -0.0], np.float32).tobytes()),
            pb.SampledSequence(stop_reason=pb.STOP_REASON_LENGTH, tokens=np.asarray([1, 2, 3], np.int32).tobytes(), logprobs=np.asarray([-1, -2, -3], np.float32).tobytes()),
        ],
        prompt_cache_hit_tokens=12,
    )
    prompt = pb.SampleResponse(
        sequences=[pb.SampledSequence(stop_reason=pb.STOP_REASON_LENGTH, tokens=np.asarray([42], np.int32).tobytes(), logprobs=np.asarray([-0.125], np.float32).tobytes())],
        prompt_logprobs=np.asarray([-4.0, -0.5, -9.25], np.float32).tobytes(),
    )
    return [record_sample("two_sequences", seqs), record_sample("prompt_logprobs", prompt)]


def main():
    fixtures = {
        "sdk": f"tinker {version('tinker')}",
        "protobuf": f"protobuf {protobuf_version}",
        "note": "Written by packages/tinker/test/record-protobuf-fixtures.py; requests by the SDK's encoder, response decodings by the SDK's decoder.",
        "requests": [record_request(n, b) for n, b in REQUESTS],
        "forward_outputs": forward_outputs(),
        "sample_responses": sample_responses(),
    }
    print(json.dumps(fixtures, indent=1))


if __name__ == "__main__":
    main()
