/**
 * RecentSet holds at most `capacity` keys; adding one more forgets the least recently
 * used. A Map keeps insertion order, so moving a key to the end on use is all LRU takes.
 */
export class RecentSet {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity: number) {}

  has(key: string): boolean {
    if (!this.keys.delete(key)) return false;
    this.keys.set(key, true);
    return true;
  }

  add(key: string): void {
    this.keys.delete(key);
    this.keys.set(key, true);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value as string);
  }
}
