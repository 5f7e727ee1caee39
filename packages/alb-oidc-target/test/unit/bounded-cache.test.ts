// The generic BoundedCache alone (no tokens): get/set/delete, both bounds, least-recently-used eviction by generations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BoundedCache } from "../../src/bounded-cache.js";

describe("BoundedCache", () => {
  it("returns what was set, and undefined for what was not or was deleted", () => {
    const cache = new BoundedCache<string, number>(8, 1000);
    expect(cache.set("a", 1, 10)).toBe(true);
    cache.set("b", 2, 20);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([1, 2, undefined]);
    expect({ size: cache.size, bytes: cache.bytes }).toEqual({ size: 2, bytes: 30 });
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
    expect({ size: cache.size, bytes: cache.bytes }).toEqual({ size: 1, bytes: 20 });
  });

  it("setting a key again replaces its value and its bytes (one entry)", () => {
    const cache = new BoundedCache<string, string>(8, 1000);
    cache.set("k", "old", 100);
    cache.set("k", "new", 30);
    expect(cache.get("k")).toBe("new");
    expect({ size: cache.size, bytes: cache.bytes }).toEqual({ size: 1, bytes: 30 });
  });

  it("drops the least recently used when full: an entry read again survives the next eviction", () => {
    const cache = new BoundedCache<number, number>(4, 1_000_000);
    for (const k of [0, 1, 2]) cache.set(k, k, 1);
    expect(cache.get(0)).toBe(0); // now more recent than 1 and 2
    for (const k of [3, 4]) cache.set(k, k, 1);
    expect(cache.size).toBe(4);
    expect([0, 3, 4].map((k) => cache.get(k))).toEqual([0, 3, 4]);
    expect(cache.get(1)).toBeUndefined();
  });

  it("refuses an entry larger than half the byte budget, holding nothing for it", () => {
    const cache = new BoundedCache<string, string>(8, 100);
    expect(cache.set("big", "x", 51)).toBe(false);
    expect(cache.get("big")).toBeUndefined();
    expect(cache.set("fits", "x", 50)).toBe(true);
    expect({ size: cache.size, bytes: cache.bytes }).toEqual({ size: 1, bytes: 50 });
  });

  it.each([
    [1, 100],
    [100, 1],
    [Number.NaN, 100],
  ])("bounds %s entries / %s bytes are a TypeError", (entries, bytes) => {
    expect(() => new BoundedCache(entries, bytes)).toThrow(TypeError);
  });

  it("any sequence of sets, gets and deletes keeps size <= maxEntries and 0 <= bytes <= maxBytes, and bytes equal to what is held", () => {
    let reached = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom("set", "set", "get", "delete"), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 40 })),
          {
            maxLength: 60,
          },
        ),
        (steps) => {
          const cache = new BoundedCache<number, number>(4, 200);
          const sizes = new Map<number, number>();
          let full = false;
          for (const [op, key, bytes] of steps) {
            if (op === "set" && cache.set(key, bytes, bytes)) sizes.set(key, bytes);
            if (op === "get") cache.get(key);
            if (op === "delete") cache.delete(key);
            expect(cache.size).toBeLessThanOrEqual(4);
            expect(cache.bytes).toBeLessThanOrEqual(200);
            expect(cache.bytes).toBeGreaterThanOrEqual(0);
            if (cache.size === 4) full = true;
          }
          let held = 0;
          for (let k = 0; k <= 9; k++) {
            const v = cache.get(k);
            if (v !== undefined) {
              expect(v).toBe(sizes.get(k));
              held++;
            }
          }
          expect(held).toBe(cache.size);
          if (full) reached++;
        },
      ),
      { numRuns: 200 },
    );
    // The property must have met a full cache, or it proved nothing about the bound.
    expect(reached).toBeGreaterThan(10);
  });
});
