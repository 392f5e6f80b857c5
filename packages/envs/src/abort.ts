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
