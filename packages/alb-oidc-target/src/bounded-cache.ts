// A generic cache bounded by entry count and by bytes, with O(1) eviction (two generations), knowing nothing about tokens.

interface Slot<V> {
  readonly value: V;
  readonly bytes: number;
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
  private current = new Map<K, Slot<V>>();
  private previous = new Map<K, Slot<V>>();
  private currentBytes = 0;
  private previousBytes = 0;
  private readonly generationEntries: number;
  /** The most bytes one generation holds, so also the largest entry the cache accepts. */
  readonly generationBytes: number;

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
    const slot = this.current.get(key);
    if (slot !== undefined) return slot.value;
    const old = this.previous.get(key);
    if (old === undefined) return undefined;
    this.previous.delete(key);
    this.previousBytes -= old.bytes;
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
    const slot = this.current.get(key);
    if (slot !== undefined) {
      this.current.delete(key);
      this.currentBytes -= slot.bytes;
    }
    const old = this.previous.get(key);
    if (old !== undefined) {
      this.previous.delete(key);
      this.previousBytes -= old.bytes;
    }
  }

  private add(key: K, slot: Slot<V>): void {
    if (this.current.size >= this.generationEntries || this.currentBytes + slot.bytes > this.generationBytes) {
      this.previous = this.current;
      this.previousBytes = this.currentBytes;
      this.current = new Map();
      this.currentBytes = 0;
    }
    this.current.set(key, slot);
    this.currentBytes += slot.bytes;
  }

  /** Entries held now (at most maxEntries). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** Bytes held now, as the entries were sized (at most maxBytes). */
  get bytes(): number {
    return this.currentBytes + this.previousBytes;
  }
}
