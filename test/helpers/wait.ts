// test/helpers/wait.ts: waiting for a condition with a deadline instead of sleeping a fixed time.

/** Polls fn every intervalMs until it returns a truthy value; throws with label after timeoutMs. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  label: string,
  timeoutMs = 15_000,
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${label}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
