import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeForwardBackwardRequest, encodeForwardBackwardOutput, encodeSampleResponse } from '../src/protobuf';
import recorded from './skyrl-0.3.0.json';

/** A request the fake server saw. */
export interface SeenRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, or a protobuf body decoded into the JSON shape. */
  body: any;
  /** The body's bytes as sent. */
  bytes: Uint8Array;
}

/** An answer: status, JSON body (or raw bytes), headers, and optionally no answer at all. */
export interface FakeAnswer {
  status?: number;
  json?: unknown;
  raw?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Never answer (a hung server). */
  hang?: boolean;
  /** Close the connection without an answer (what a client sees when it sends on a keep-alive socket the server just closed). */
  drop?: boolean;
}

/** Recorded SkyRL 0.3.0 bodies, by route. */
export const REC = recorded as unknown as Record<string, any>;

/**
 * A stand-in for a Tinker server on 127.0.0.1 (random port). By default it answers every route with
 * the recorded SkyRL body (mutating routes return a pending future whose result is the recorded
 * one); `override(req, n)` may answer a request differently (n: index of that request overall).
 */
export async function startFakeTinker(override?: (req: SeenRequest, n: number) => FakeAnswer | undefined) {
  const requests: SeenRequest[] = [];
  const results = new Map<string, unknown>();
  let nextId = 100;
  const future = (result: unknown): FakeAnswer => {
    const id = String(nextId++);
    results.set(id, result);
    return { json: { future_id: id, status: 'pending', request_id: id } };
  };
  const defaults = (req: SeenRequest): FakeAnswer => {
    switch (req.path) {
      case '/api/v1/create_session':
        return { json: REC.create_session };
      case '/api/v1/session_heartbeat':
        return { json: REC.heartbeat };
      // Hosted Tinker's routes (shapes as the tinker 0.38.0 SDK reads them; see test/hosted-requests.json).
      case '/api/v1/client/config':
        return { json: {} };
      case '/api/v1/create_sampling_session':
        return { json: { type: 'create_sampling_session', sampling_session_id: `${req.body.session_id}:sample:${req.body.sampling_session_seq_id}` } };
      case '/api/v1/create_model': {
        const f = future(REC.create_model_future);
        return { json: { ...REC.create_model, request_id: (f.json as any).request_id } };
      }
      case '/api/v1/unload_model': {
        const f = future(REC.unload_model_future);
        return { json: { ...REC.unload_model, request_id: (f.json as any).request_id } };
      }
      case '/api/v1/forward':
      case '/api/v1/forward_backward': {
        // One recorded output per datum, cut to the datum's length (shape as the server sends it).
        const data = (req.path.endsWith('forward') ? req.body.forward_input : req.body.forward_backward_input).data as any[];
        const one = REC.forward_future.loss_fn_outputs[0];
        const outs = data.map((d) => {
          const n = d.loss_fn_inputs.target_tokens.data.length;
          const cut = (t: any) => ({ ...t, data: t.data.slice(0, n).concat(Array(Math.max(0, n - t.data.length)).fill(-1)), shape: [n] });
          return { elementwise_loss: cut(one.elementwise_loss), logprobs: cut(one.logprobs) };
        });
        return future({ ...REC.forward_future, loss_fn_outputs: outs });
      }
      case '/api/v1/optim_step':
        return future(REC.optim_future);
      case '/api/v1/save_weights_for_sampler':
        return future(REC.save_weights_for_sampler_future);
      case '/api/v1/save_weights':
        return future(REC.save_weights_future);
      case '/api/v1/load_weights':
        return future({ type: 'load_weights' });
      case '/api/v1/asample':
        return future(req.body.prompt_logprobs ? REC.sample_prompt_logprobs_future : { ...REC.sample_future, sequences: REC.sample_future.sequences.slice(0, req.body.num_samples) });
      case '/api/v1/retrieve_future': {
        const id = String(req.body.request_id);
        if (!results.has(id)) return { status: 404, json: REC.future_not_found };
        const result = results.get(id) as any;
        // Asked for protobuf (as hosted Tinker is): forward and sample results come back so.
        if (/protobuf/.test(req.headers.accept ?? '') && result.loss_fn_outputs) {
          const outs = result.loss_fn_outputs.map((o: any) => ({ logprobs: o.logprobs.data, elementwise_loss: o.elementwise_loss.data }));
          return { raw: encodeForwardBackwardOutput(outs, result.metrics ?? {}), headers: { 'content-type': 'application/x-protobuf' } };
        }
        if (/protobuf/.test(req.headers.accept ?? '') && result.sequences) {
          const pl = result.prompt_logprobs ? result.prompt_logprobs.filter((x: unknown) => x !== null) : null;
          return { raw: encodeSampleResponse(result.sequences, pl), headers: { 'content-type': 'application/x-protobuf' } };
        }
        return { json: result };
      }
      default:
        return { status: 404, json: { detail: 'Not Found' } };
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = new Uint8Array(Buffer.concat(chunks));
      const text = Buffer.from(bytes).toString('utf8');
      const proto = /protobuf/.test(req.headers['content-type'] ?? '');
      const body = proto ? decodeForwardBackwardRequest(bytes) : text ? JSON.parse(text) : undefined;
      const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, bytes };
      requests.push(seen);
      if (requests.length > 500) {
        res.writeHead(418).end('{"detail":"too many requests in this test"}');
        return;
      }
      const a = override?.(seen, requests.length - 1) ?? defaults(seen);
      if (a.hang) return;
      if (a.drop) {
        req.socket.destroy();
        return;
      }
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...(a.headers ?? {}) });
      res.end(a.raw ?? JSON.stringify(a.json ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    /** Makes the next answer of `future` a pending future with this result (for overrides). */
    future,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A started stand-in server ({@link startFakeTinker}). */
export type FakeTinker = Awaited<ReturnType<typeof startFakeTinker>>;
