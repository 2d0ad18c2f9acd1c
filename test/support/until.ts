/**
 * Waits until `check` returns true, polling every 50 ms, or fails after `ms`: tests wait for
 * conditions, never for fixed times (shared, slow machines).
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 20_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
