/**
 * A map keyed by two strings (e.g. LIID and Call-ID), as a map of maps. The composite key
 * string it replaces (`${a}\u0000${b}`) cost each live session ≈ 90 octets of heap per map (a
 * cons string and its flattened copy, next to the strings it was built from; heap snapshot of
 * the benchmark with 20 000 open sessions); here the keys are the strings the values already
 * hold, and an outer entry per distinct first key (warrants, not calls). Values are visited
 * grouped by first key, in insertion order within a group.
 */
export class KeyPairMap<V> {
  private readonly outer = new Map<string, Map<string, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }

  set(a: string, b: string, v: V): void {
    let inner = this.outer.get(a);
    if (!inner) this.outer.set(a, (inner = new Map<string, V>()));
    const before = inner.size;
    inner.set(b, v);
    this.count += inner.size - before;
  }

  delete(a: string, b: string): boolean {
    const inner = this.outer.get(a);
    if (!inner?.delete(b)) return false;
    this.count--;
    if (!inner.size) this.outer.delete(a);
    return true;
  }

  *values(): IterableIterator<V> {
    for (const inner of this.outer.values()) yield* inner.values();
  }
}
