import { buildIdMap, type Dataset, type IdMap, type Interactions, type ItemFeatures } from "./dataset.ts";

/**
 * Accumulates raw signals (possibly several per user and item, e.g. a view then a
 * rating) and collapses them into one interaction per pair: the strongest signal,
 * dated at the first contact, because "which book will this reader pick up next"
 * is what the time split asks.
 */
export class RawEventCollector {
  private users: number[] = [];
  private items: number[] = [];
  private values: number[] = [];
  private times: number[] = [];

  add(userId: number, itemId: number, value: number, time: number): void {
    this.users.push(userId);
    this.items.push(itemId);
    this.values.push(value);
    this.times.push(time);
  }

  get size(): number {
    return this.users.length;
  }

  /**
   * `catalogue` fixes the item index order (all books, even never-read ones, so the
   * evaluation ranks over the full catalogue); without it items are indexed as seen.
   */
  build(options: { catalogue?: readonly number[]; features?: ReadonlyMap<number, ItemFeatures> } = {}): Dataset {
    const itemMap: IdMap = buildIdMap(options.catalogue ?? this.items);
    const userMap: IdMap = buildIdMap(this.users);
    const pairIndex = new Map<number, number>();
    const users: number[] = [];
    const items: number[] = [];
    const values: number[] = [];
    const times: number[] = [];
    const itemCount = itemMap.ids.length;
    for (let r = 0; r < this.users.length; r++) {
      const item = itemMap.index.get(this.items[r]!);
      if (item === undefined) continue; // signal about a book outside the catalogue
      const user = userMap.index.get(this.users[r]!)!;
      const key = user * itemCount + item;
      const existing = pairIndex.get(key);
      const value = this.values[r]!;
      const time = this.times[r]!;
      if (existing === undefined) {
        pairIndex.set(key, users.length);
        users.push(user);
        items.push(item);
        values.push(value);
        times.push(time);
      } else {
        if (value > values[existing]!) values[existing] = value;
        if (time < times[existing]!) times[existing] = time;
      }
    }
    const interactions: Interactions = {
      users: Int32Array.from(users),
      items: Int32Array.from(items),
      values: Float32Array.from(values),
      times: Float64Array.from(times),
    };
    // Users whose every signal pointed outside the catalogue stay in the map with no rows; harmless.
    const features = options.features
      ? itemMap.ids.map((id) => options.features!.get(id))
      : undefined;
    return features ? { userMap, itemMap, interactions, features } : { userMap, itemMap, interactions };
  }
}
