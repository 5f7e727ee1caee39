// A generic cache bounded by entry count and by bytes, with O(1) eviction (two generations), knowing nothing about tokens.

interface Slot<V> {
  readonly value: V;
  readonly bytes: number;
}

/** One generation: its entries and the bytes they were sized at. */
class Generation<K, V> {
  readonly slots = new Map<K, Slot<V>>();
  bytes = 0;

  /** Takes `key` out; returns its slot, if it held one. */
  take(key: K): Slot<V> | undefined {
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.slots.delete(key);
      this.bytes -= slot.bytes;
    }
    return slot;
  }
}

/**
 * A map with two bounds: at most `maxEntries` entries and `maxBytes` bytes (as the caller sizes each
 * entry). Like aws-jwt-verify's SimpleLruCache it keeps the recently used, but in two generations,
 * each allowed half the bounds: new entries go into `current`; when it is full it becomes `previous`
 * and the old `previous` is dropped whole. A hit in `previous` moves its entry back to `current`, so
 * the recently used survive. Eviction is O(1) and a hit in `current` never reorders a map (deleting
 * from the front of a Map and iterating it again made each eviction scan the holes).
 * @example
 * const cache = new BoundedCache<string, object>(4096, 4 * 1024 * 1024);
 * cache.set("key", { a: 1 }, 64);
 * cache.get("key"); // { a: 1 }
 */
export class BoundedCache<K, V> {
  private current = new Generation<K, V>();
  private previous = new Generation<K, V>();
  private readonly generationEntries: number;
  /** The most bytes one generation holds, so also the largest entry the cache accepts. */
  private readonly generationBytes: number;

  /** @throws TypeError when a bound is below 2 (two generations of one entry each). */
  constructor(maxEntries: number, maxBytes: number) {
    if (!(maxEntries >= 2 && maxBytes >= 2)) {
      throw new TypeError(`cache bounds must be at least 2 (two generations of one), got ${maxEntries} entries and ${maxBytes} bytes`);
    }
    this.generationEntries = Math.floor(maxEntries / 2);
    this.generationBytes = Math.floor(maxBytes / 2);
  }

  /** The value held for `key`, now counted as recently used; undefined when it is not held. */
  get(key: K): V | undefined {
    const slot = this.current.slots.get(key);
    if (slot !== undefined) return slot.value;
    const old = this.previous.take(key);
    if (old === undefined) return undefined;
    this.add(key, old);
    return old.value;
  }

  /**
   * Holds `value` under `key` (replacing what it held), as the most recently used.
   * @returns false, holding nothing, when the entry alone is larger than a generation's bytes.
   */
  set(key: K, value: V, bytes: number): boolean {
    if (bytes > this.generationBytes) return false;
    this.delete(key);
    this.add(key, { value, bytes });
    return true;
  }

  /** Forgets `key` in both generations. */
  delete(key: K): void {
    this.current.take(key);
    this.previous.take(key);
  }

  private add(key: K, slot: Slot<V>): void {
    if (this.current.slots.size >= this.generationEntries || this.current.bytes + slot.bytes > this.generationBytes) {
      this.previous = this.current;
      this.current = new Generation();
    }
    this.current.slots.set(key, slot);
    this.current.bytes += slot.bytes;
  }

  /** Entries held now (at most maxEntries). */
  get size(): number {
    return this.current.slots.size + this.previous.slots.size;
  }

  /** Bytes held now, as the entries were sized (at most maxBytes). */
  get bytes(): number {
    return this.current.bytes + this.previous.bytes;
  }
}
