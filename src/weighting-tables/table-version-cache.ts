/**
 * A small map by (name, version) that forgets the oldest entry past `capacity`. Only immutable
 * (published) versions go in, so an entry never goes stale and needs no expiry.
 */
export class TableVersionCache<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(name: string, version: string): T | undefined {
    return this.entries.get(key(name, version));
  }

  set(name: string, version: string, value: T): void {
    this.entries.set(key(name, version), value);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value!);
    }
  }
}

// Neither a name nor a version can contain a space, so the key is unambiguous.
function key(name: string, version: string): string {
  return `${name} ${version}`;
}
