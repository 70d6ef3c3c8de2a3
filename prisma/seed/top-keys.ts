/**
 * Keeps the `capacity` largest keys offered, with their items, in a min-heap: the
 * Gumbel-top-k draw over a whole catalogue then costs one comparison for most
 * books instead of a sort of the catalogue per reader.
 */
export class TopKeys {
  private readonly keys: Float64Array;
  private readonly items: Int32Array;
  private size = 0;
  private limit = 0;

  constructor(maxCapacity: number) {
    this.keys = new Float64Array(maxCapacity);
    this.items = new Int32Array(maxCapacity);
  }

  /** Empties the heap and sets how many keys the next round keeps (at most the constructor's maximum). */
  reset(capacity: number): void {
    if (capacity > this.keys.length) throw new RangeError(`capacity ${capacity} exceeds ${this.keys.length}`);
    this.size = 0;
    this.limit = capacity;
  }

  /** The smallest key a new item must beat once the heap is full. */
  get threshold(): number {
    return this.size < this.limit ? Number.NEGATIVE_INFINITY : this.keys[0]!;
  }

  offer(item: number, key: number): void {
    if (this.limit === 0) return;
    if (this.size < this.limit) {
      let child = this.size++;
      while (child > 0) {
        const parent = (child - 1) >> 1;
        if (this.keys[parent]! <= key) break;
        this.keys[child] = this.keys[parent]!;
        this.items[child] = this.items[parent]!;
        child = parent;
      }
      this.keys[child] = key;
      this.items[child] = item;
      return;
    }
    if (key <= this.keys[0]!) return;
    // Replace the root and sift down.
    let parent = 0;
    for (;;) {
      let child = 2 * parent + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.keys[parent] = this.keys[child]!;
      this.items[parent] = this.items[child]!;
      parent = child;
    }
    this.keys[parent] = key;
    this.items[parent] = item;
  }

  /** The kept items, largest key first (ties by item, so the order is deterministic). */
  drainDescending(): Int32Array {
    const order = Int32Array.from({ length: this.size }, (_, i) => i).sort((a, b) => this.keys[b]! - this.keys[a]! || this.items[a]! - this.items[b]!);
    const items = Int32Array.from(order, (slot) => this.items[slot]!);
    this.size = 0;
    return items;
  }
}
