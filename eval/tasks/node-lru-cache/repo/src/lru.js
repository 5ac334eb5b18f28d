/** A cache of at most `capacity` entries. */
export class LruCache {
  constructor(capacity) {
    this.capacity = capacity;
    this.entries = new Map();
  }
  get(key) {
    return this.entries.get(key);
  }
  set(key, value) {
    this.entries.set(key, value);
  }
  get size() {
    return this.entries.size;
  }
}
