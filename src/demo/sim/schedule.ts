/**
 * When each device reports next: one min-heap of (due instant, device index) served by the one timer
 * of the simulator — not a timer per device, so four hundred devices cost one wake-up per tick.
 */
export interface Due {
  at: number;
  index: number;
}

export class ReportSchedule {
  private readonly heap: Due[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, index: number): void {
    const h = this.heap;
    h.push({ at, index });
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as Due).at <= (h[i] as Due).at) break;
      [h[parent], h[i]] = [h[i] as Due, h[parent] as Due];
      i = parent;
    }
  }

  /** Remove and return every entry due at or before `now`, earliest first. */
  popDue(now: number): Due[] {
    const out: Due[] = [];
    while (this.heap.length > 0 && (this.heap[0] as Due).at <= now) out.push(this.pop());
    return out;
  }

  private pop(): Due {
    const h = this.heap;
    const top = h[0] as Due;
    const last = h.pop() as Due;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && (h[l] as Due).at < (h[m] as Due).at) m = l;
        if (r < h.length && (h[r] as Due).at < (h[m] as Due).at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i] as Due, h[m] as Due];
        i = m;
      }
    }
    return top;
  }
}
