"""Records the HTTP requests the official Tinker Python SDK sends to hosted Tinker.

Hosted Tinker cannot be reached from where @paretopo/tinker is built, so the SDK is the ground truth:
this script starts a local stand-in server (stdlib http.server) that answers every route the SDK uses
with a plausible body (protobuf where the SDK insists on it), runs one training-and-sampling flow
through `tinker.ServiceClient`, and writes every request it saw: method, path, headers (the API key's
value replaced by "<redacted>", volatile values by placeholders) and body (JSON as sent; protobuf
decoded with the SDK's own generated classes). `src/hosted.test.ts` compares the requests of
`TinkerClient` in hosted mode against this sequence.

The flow: create a LoRA training client; forward_backward + optim_step; forward; save_weights_for_sampler;
a sampling client on that path (two samples, the second with prompt log-probs); a sampling client on
the base model; save_state; a second training client that loads the checkpoint; wait for a heartbeat.
A second, short run has the server's client config ask for zstd-compressed forward_backward bodies
(`proto_compress_fwdbwd`), a third for JWT auth (`pjwt_auth_enabled`: the SDK exchanges its key at
/api/v1/auth/token and sends the JWT instead), to record what the SDK does then. `X-API-Key` values
are written as "<api key>" or "<jwt N from /api/v1/auth/token>", never as the value.

Keys are sorted, so a regenerated file differs only where the SDK's upb runtime wrote protobuf map
entries in another order (`body_hex`; the tests decode it, which undoes the order).

No key is used or stored: the SDK is given the dummy key "tml-dummy-key-for-local-recording" and talks
to 127.0.0.1 only. Telemetry is off (TINKER_TELEMETRY=0).

Regenerate (Python 3.12, a throwaway venv; takes about 15 s for the heartbeat):
    python3.12 -m venv /tmp/tkvenv
    /tmp/tkvenv/bin/pip install tinker==0.38.0 protobuf numpy zstandard
    /tmp/tkvenv/bin/python packages/tinker/test/record-hosted-requests.py > packages/tinker/test/hosted-requests.json
"""

import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

import numpy as np
import zstandard
from google.protobuf.json_format import MessageToDict

os.environ["TINKER_TELEMETRY"] = "0"
for var in ("TINKER_API_KEY", "TINKER_BASE_URL", "TINKER_TAGS", "TINKER_PROJECT_ID", "TINKER_CREDENTIAL_CMD"):
    os.environ.pop(var, None)

import tinker  # noqa: E402
from tinker import types as t  # noqa: E402
from tinker.proto import tinker_public_pb2 as pb  # noqa: E402

DUMMY_KEY = "tml-dummy-key-for-local-recording"


def fake_jwt(n):
    """An unsigned JWT whose claims say it lives an hour (the SDK reads exp and iat, never checks a signature)."""
    import base64

    enc = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    now = int(time.time())
    return f"{enc({'alg': 'none'})}.{enc({'iat': now, 'exp': now + 3600, 'n': n})}.sig"
BASE_MODEL = "Qwen/Qwen3-4B-Instruct-2507"
SESSION_ID = "sess-0001"

# Headers whose values change from run to run (or machine to machine): kept by name, value replaced.
VOLATILE = {
    "x-idempotency-key": "<uuid>",
    "x-stainless-os": "<os>",
    "x-stainless-arch": "<arch>",
    "x-stainless-runtime-version": "<python-version>",
    "x-tinker-create-promise-roundtrip-time": "<seconds>",
    "user-agent": None,  # kept, but the python version in it is masked below
    "host": "<host>",
    "content-length": "<bytes>",
}


class State:
    def __init__(self, client_config):
        self.client_config = client_config
        self.lock = threading.Lock()
        self.requests = []
        self.futures = {}
        self.next_future = 1
        self.models = 0
        self.samplers = {}
        self.jwts = []

    def future(self, result, **extra):
        with self.lock:
            rid = f"req-{self.next_future:04d}"
            self.next_future += 1
            self.futures[rid] = result
        return {"request_id": rid, **extra}


def headers_of(handler, state):
    out = {}
    for name, value in handler.headers.items():
        key = name.lower()
        if key == "x-api-key" and value in state.jwts:
            out[key] = f"<jwt {state.jwts.index(value) + 1} from /api/v1/auth/token>"
        elif key == "x-api-key" and value == DUMMY_KEY:
            out[key] = "<api key>"
        elif key == "x-api-key" or key == "authorization":
            out[key] = "<redacted>"
        elif key in VOLATILE and VOLATILE[key] is not None:
            out[key] = VOLATILE[key]
        elif key == "user-agent":
            out[key] = re.sub(r"\d+\.\d+\.\d+", "<version>", value)
        else:
            out[key] = value
    return dict(sorted(out.items()))


def forward_output(request):
    """One float32 log-prob and loss per target token, as a server writes ForwardBackwardOutput."""
    lens = [_tensor_len(d.loss_fn_inputs["target_tokens"]) for d in request.data]
    lp = [np.full(n, -0.5, np.float32) for n in lens]
    loss = [np.full(n, 0.5, np.float32) for n in lens]

    def batched(arrays):
        offsets = np.cumsum([0] + [a.nbytes for a in arrays]).astype(np.int64)
        return pb.BatchedTensor(data=b"".join(a.tobytes() for a in arrays), offsets=offsets.tobytes(), dtype=pb.DTYPE_FLOAT32)

    return pb.ForwardBackwardOutput(
        loss_fn_output_type="ArrayRecord",
        loss_fn_outputs=[pb.ArrayRecord(num_datums=len(lens), fields={"logprobs": batched(lp), "elementwise_loss": batched(loss)})],
        metrics={"loss:sum": float(sum(lens)) * 0.5},
    ).SerializeToString()


def _tensor_len(tensor):
    """Element count of a request TensorData whatever its oneof holds."""
    d = MessageToDict(tensor, preserving_proto_field_name=True)
    shape = d.get("shape")
    if shape:
        n = 1
        for s in shape:
            n *= int(s)
        return n
    for v in d.values():
        if isinstance(v, dict) and "data" in v:
            return len(v["data"])
    raise ValueError(f"cannot size tensor {d}")


def sample_output(body):
    n = body.get("num_samples", 1)
    max_tokens = body["sampling_params"]["max_tokens"]
    seqs = [
        pb.SampledSequence(
            stop_reason=pb.STOP_REASON_LENGTH,
            tokens=np.arange(100 + i, 100 + i + max_tokens, dtype=np.int32).tobytes(),
            logprobs=np.full(max_tokens, -0.25, np.float32).tobytes(),
        )
        for i in range(n)
    ]
    msg = pb.SampleResponse(sequences=seqs)
    if body.get("prompt_logprobs"):
        prompt = sum(len(c["tokens"]) for c in body["prompt"]["chunks"])
        msg.prompt_logprobs = np.full(prompt - 1, -1.0, np.float32).tobytes()
    return msg.SerializeToString()


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, content_type="application/json"):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self):
            self.handle_request(b"")

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            self.handle_request(raw)

        def handle_request(self, raw):
            path = self.path
            hdrs = headers_of(self, state)
            if self.headers.get("content-encoding") == "zstd":
                raw = zstandard.ZstdDecompressor().decompress(raw)
            proto = "protobuf" in (self.headers.get("content-type") or "")
            if proto:
                msg = pb.ForwardBackwardRequest()
                msg.ParseFromString(raw)
                body = MessageToDict(msg, preserving_proto_field_name=True)
            else:
                body = json.loads(raw) if raw else None
            entry = {"method": self.command, "path": path, "headers": hdrs, "body": body}
            if proto:
                entry["body_format"] = "protobuf ForwardBackwardRequest, decoded by the SDK's generated classes (MessageToDict)"
                entry["body_hex"] = raw.hex()  # after zstd decompression, when the body came compressed
            with state.lock:
                state.requests.append(entry)
            try:
                status, answer, ctype = self.route(path, body, msg if proto else None)
            except Exception as e:  # a recorder bug: answer 400 (the SDK does not retry it) and say why
                print(f"recorder: {path}: {type(e).__name__}: {e}", file=sys.stderr)
                status, answer, ctype = 400, {"detail": f"recorder error: {e}"}, "application/json"
            entry["response"] = answer if ctype == "application/json" else f"<{ctype}, {len(answer)} bytes>"
            entry["status"] = status
            self.send(status, answer, ctype)

        def route(self, path, body, proto_msg):
            J = "application/json"
            if path == "/api/v1/client/config":
                return 200, state.client_config, J
            if path == "/api/v1/auth/token":
                with state.lock:
                    state.jwts.append(fake_jwt(len(state.jwts) + 1))
                    return 200, {"jwt": state.jwts[-1]}, J
            if path == "/api/v1/client/dynamic_config":
                return 200, {}, J
            if path == "/api/v1/create_session":
                return 200, {"type": "create_session", "session_id": SESSION_ID}, J
            if path == "/api/v1/session_heartbeat":
                return 200, {"type": "session_heartbeat"}, J
            if path == "/api/v1/create_model":
                model_id = f"{SESSION_ID}:train:{body['model_seq_id']}"
                return 200, state.future({"type": "create_model", "model_id": model_id}, model_id=model_id), J
            if path == "/api/v1/get_info":
                return 200, {"type": "get_info", "model_id": body["model_id"], "model_data": {"arch": "qwen3", "model_name": BASE_MODEL, "tokenizer_id": BASE_MODEL}, "is_lora": True, "lora_rank": 16, "model_name": BASE_MODEL}, J
            if path == "/api/v1/forward_backward":
                return 200, state.future(("proto", forward_output(proto_msg))), J
            if path == "/api/v1/optim_step":
                return 200, state.future({"metrics": {"grad_norm:mean": 0.5}}), J
            if path == "/api/v1/save_weights_for_sampler":
                if body.get("path"):
                    return 200, state.future({"type": "save_weights_for_sampler", "path": f"tinker://{body['model_id']}/sampler_weights/{body['path']}"}), J
                sid = f"{SESSION_ID}:sample:{body['sampling_session_seq_id']}"
                state.samplers[sid] = {"sampler_id": sid, "base_model": BASE_MODEL}
                return 200, state.future({"type": "save_weights_for_sampler", "sampling_session_id": sid}), J
            if path == "/api/v1/save_weights":
                return 200, state.future({"type": "save_weights", "path": f"tinker://{body['model_id']}/weights/{body['path']}"}), J
            if path == "/api/v1/load_weights":
                return 200, state.future({"type": "load_weights", "path": body["path"], "model_id": body.get("model_id")}), J
            if path == "/api/v1/create_sampling_session":
                sid = f"{SESSION_ID}:sample:{body['sampling_session_seq_id']}"
                state.samplers[sid] = {"sampler_id": sid, "base_model": body.get("base_model") or BASE_MODEL, "model_path": body.get("model_path")}
                return 200, {"type": "create_sampling_session", "sampling_session_id": sid}, J
            m = re.fullmatch(r"/api/v1/samplers/(.+)", path)
            if m:
                from urllib.parse import unquote

                return 200, state.samplers[unquote(m.group(1))], J
            if path == "/api/v1/asample":
                ids = [f"seq-{body['seq_id']}-{i}" for i in range(body.get("num_samples", 1))]
                return 200, state.future(("proto", sample_output(body)), sample_sequence_ids=ids), J
            if path == "/api/v1/retrieve_future":
                result = state.futures.get(body["request_id"])
                if result is None:
                    return 404, {"detail": "future not found"}, J
                if isinstance(result, tuple):
                    return 200, result[1], "application/x-protobuf"
                return 200, result, J
            if path == "/api/v1/telemetry":
                return 200, {"status": "accepted"}, J
            return 404, {"detail": f"no route {path}"}, J

    return Handler


def serve(state):
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def datum(tokens, targets, weights):
    return t.Datum(
        model_input=t.ModelInput.from_ints(tokens),
        loss_fn_inputs={"target_tokens": t.TensorData(data=targets, dtype="int64", shape=[len(targets)]), "weights": t.TensorData(data=weights, dtype="float32", shape=[len(weights)])},
    )


def main_flow(base_url):
    service = tinker.ServiceClient(base_url=base_url, api_key=DUMMY_KEY)
    training = service.create_lora_training_client(base_model=BASE_MODEL, rank=16, seed=0).result()
    data = [datum([1, 2, 3, 4], [2, 3, 4, 5], [0.0, 1.0, 1.0, 1.0]), datum([7, 8, 9], [8, 9, 10], [1.0, 1.0, 0.5])]
    fb = training.forward_backward(data, "cross_entropy")
    opt = training.optim_step(t.AdamParams(learning_rate=1e-4))
    fb.result()
    opt.result()
    training.forward(data, "cross_entropy").result()
    path = training.save_weights_for_sampler("step-1").result().path
    sampler = service.create_sampling_client(model_path=path).result()
    prompt = t.ModelInput.from_ints([11, 12, 13, 14])
    sampler.sample(prompt, 2, t.SamplingParams(max_tokens=3, temperature=0.7, seed=5, stop=["\n"])).result()
    sampler.sample(prompt, 1, t.SamplingParams(max_tokens=2), include_prompt_logprobs=True).result()
    base = service.create_sampling_client(base_model=BASE_MODEL).result()
    base.sample(prompt, 1, t.SamplingParams(max_tokens=2, top_k=20, top_p=0.9, stop=[151645])).result()
    checkpoint = training.save_state("ckpt-1").result().path
    second = service.create_lora_training_client(base_model=BASE_MODEL, rank=16).result()
    with __import__("warnings").catch_warnings():
        __import__("warnings").simplefilter("ignore")
        second.load_state_with_optimizer(checkpoint).result()
    second.optim_step(t.AdamParams(learning_rate=1e-5, beta1=0.8, beta2=0.95, eps=1e-8, weight_decay=0.01)).result()
    time.sleep(11)  # one heartbeat (the SDK sends one every 10 s)


def compressed_flow(base_url):
    service = tinker.ServiceClient(base_url=base_url, api_key=DUMMY_KEY)
    training = service.create_lora_training_client(base_model=BASE_MODEL, rank=8).result()
    training.forward_backward([datum([1, 2, 3], [2, 3, 4], [1.0, 1.0, 1.0])], "cross_entropy").result()


def jwt_flow(base_url):
    service = tinker.ServiceClient(base_url=base_url, api_key=DUMMY_KEY)
    training = service.create_lora_training_client(base_model=BASE_MODEL, rank=8).result()
    training.optim_step(t.AdamParams(learning_rate=1e-4)).result()


def run(flow, client_config):
    state = State(client_config)
    server, url = serve(state)
    try:
        flow(url)
        time.sleep(0.5)
    finally:
        server.shutdown()
    for r in state.requests:
        r["headers"].pop("host", None)
    return state.requests


def main():
    main_requests = run(main_flow, {})
    compressed = run(compressed_flow, {"proto_compress_fwdbwd": True})
    fb = [r for r in compressed if r["path"] == "/api/v1/forward_backward"]
    jwt = run(jwt_flow, {"pjwt_auth_enabled": True})
    out = {
        "sdk": f"tinker {version('tinker')}",
        "note": "Written by packages/tinker/test/record-hosted-requests.py: the requests tinker.ServiceClient sent to a local stand-in server, in arrival order (background heartbeats interleave). API key values are '<redacted>'.",
        "requests": main_requests,
        "compressed_forward_backward": fb,
        "jwt_auth": jwt,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == "__main__":
    main()
