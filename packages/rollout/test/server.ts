import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the test server saw it. */
export interface SeenRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, any>;
}

/** What the test server answers: a status and a JSON (or raw text) body, optionally late. */
export interface ScriptedResponse {
  status?: number;
  json?: unknown;
  text?: string;
  delayMs?: number;
  headers?: Record<string, string>;
  /** Takes the response over (a misbehaving server: drip, endless or huge bodies); must stop when `res` closes. */
  raw?: (res: ServerResponse) => void;
}

/** A chat-completions reply body with one choice. */
export function chatBody(content: string | null, extra: { finish?: string; toolCalls?: unknown[]; stopReason?: string; tokens?: number } = {}) {
  const message: Record<string, unknown> = { role: 'assistant', content };
  if (extra.toolCalls) message.tool_calls = extra.toolCalls;
  const choice: Record<string, unknown> = { index: 0, message, finish_reason: extra.finish ?? 'stop' };
  if (extra.stopReason !== undefined) choice.stop_reason = extra.stopReason;
  return { id: 'x', object: 'chat.completion', choices: [choice], usage: { completion_tokens: extra.tokens ?? 3 } };
}

/**
 * Starts an OpenAI-compatible stand-in on 127.0.0.1 (random port) that answers each request with
 * `reply(request, n)`; refuses more than `maxRequests` requests (a runaway client fails loudly).
 */
export async function startChatServer(
  reply: (req: SeenRequest, n: number) => ScriptedResponse,
  maxRequests = 100,
): Promise<{ baseUrl: string; requests: SeenRequest[]; maxConcurrent: () => number; close: () => Promise<void> }> {
  const requests: SeenRequest[] = [];
  let now = 0;
  let max = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen: SeenRequest = { path: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
      requests.push(seen);
      if (requests.length > maxRequests) {
        res.writeHead(418).end('too many requests in this test');
        return;
      }
      now++;
      if (now > max) max = now;
      const r = reply(seen, requests.length - 1);
      const send = (): void => {
        now--;
        if (res.destroyed) return;
        if (r.raw) {
          r.raw(res);
          return;
        }
        res.writeHead(r.status ?? 200, { 'content-type': 'application/json', ...(r.headers ?? {}) });
        res.end(r.text ?? JSON.stringify(r.json ?? {}));
      };
      if (r.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          send();
        }, r.delayMs);
        timers.add(t);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    maxConcurrent: () => max,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
