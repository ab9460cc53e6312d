/**
 * A Map that keeps at most `max` entries, forgetting the least recently used one first: `set`
 * and `use` count as a use, a plain `get` does not. With `weigh`, it also keeps the sum of its
 * values' weights (bytes, say) at most `maxWeight`: a value heavier than that alone is not kept.
 */
export class Recent<K, V> extends Map<K, V> {
  private readonly max: number;
  private readonly weigh: ((value: V) => number) | undefined;
  private readonly maxWeight: number;
  private weight = 0;
  /** The key used last, with an entry: using it again changes no order. */
  private newest: K | undefined;

  constructor(max: number, limit?: { weigh: (value: V) => number; maxWeight: number }) {
    super();
    this.max = max;
    this.weigh = limit?.weigh;
    this.maxWeight = limit?.maxWeight ?? Infinity;
  }

  /** The sum of the values' weights (0 without `weigh`). */
  get totalWeight(): number {
    return this.weight;
  }

  /** The value, marked as just used. */
  use(key: K): V | undefined {
    const value = super.get(key);
    if (value !== undefined && key !== this.newest) {
      super.delete(key);
      super.set(key, value);
      this.newest = key;
    }
    return value;
  }

  override set(key: K, value: V): this {
    this.delete(key);
    super.set(key, value);
    this.newest = key;
    if (this.weigh) this.weight += this.weigh(value);
    while (this.size > this.max || (this.weight > this.maxWeight && this.size > 0)) this.delete(this.keys().next().value as K);
    return this;
  }

  override delete(key: K): boolean {
    if (this.weigh && super.has(key)) this.weight -= this.weigh(super.get(key) as V);
    if (key === this.newest) this.newest = undefined;
    return super.delete(key);
  }

  override clear(): void {
    this.weight = 0;
    this.newest = undefined;
    super.clear();
  }
}
