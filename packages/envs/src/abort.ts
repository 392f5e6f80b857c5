/** Callbacks per signal; the signal itself gets one listener however many callers wait on it. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` once when `signal` aborts. Every caller shares one event listener per signal, so
 * a signal shared by hundreds of concurrent calls (a whole rollout under one Ctrl-C) never passes
 * Node's listener limit (MaxListenersExceededWarning), and a finished call's callback is dropped
 * at once.
 *
 * @param signal - The signal to watch (already aborted: `callback` runs in a microtask).
 * @param callback - Runs at most once.
 * @returns A function that stops watching (call it when the work ends first).
 * @example
 * const stop = onAbort(signal, () => worker.terminate());
 * try { await work(); } finally { stop(); }
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    callback();
  };
  if (signal.aborted) {
    queueMicrotask(once);
    return () => {
      done = true;
    };
  }
  let set = waiting.get(signal);
  if (set === undefined) {
    const callbacks = new Set<() => void>();
    set = callbacks;
    waiting.set(signal, callbacks);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const f of callbacks) f();
      },
      { once: true },
    );
  }
  set.add(once);
  const own = set;
  return () => {
    done = true;
    own.delete(once);
  };
}

/**
 * The abort signal of one request: it fires after `timeoutMs`, or when the caller's `signal`
 * aborts (watched through {@link onAbort}, so a shared signal gets one listener). `timedOut()` says
 * which happened; call `done()` when the request ends first, to clear the timer and stop watching.
 *
 * @param timeoutMs - The request's time limit.
 * @param signal - The caller's signal, if any.
 * @returns `{ signal, timedOut, done }`.
 * @example
 * const r = requestAbort(5000, options.signal);
 * try { await fetch(url, { signal: r.signal }); } catch (e) { if (r.timedOut()) throw timeoutError(e); throw e; } finally { r.done(); }
 */
export function requestAbort(timeoutMs: number, signal?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = signal === undefined ? undefined : onAbort(signal, () => controller.abort());
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    done: () => {
      clearTimeout(timer);
      stop?.();
    },
  };
}
