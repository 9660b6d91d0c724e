import { RequestBudget } from '../../lambda/model/budget';
import { QueryTooExpensiveError, ServiceUnavailableError } from '../../lambda/errors';

function clockAt(start: number): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('RequestBudget', () => {
  it('refuses to go on once more items were read than allowed', () => {
    const b = new RequestBudget({ maxItemsRead: 10, maxMillis: 1000 });
    b.chargeRead(9);
    expect(() => b.check()).not.toThrow();
    b.chargeRead(1);
    expect(b.itemsRead).toBe(10);
    expect(() => b.check()).toThrow(QueryTooExpensiveError);
  });

  it('answers 400 QUERY_TOO_EXPENSIVE when the query budget runs out first', () => {
    const c = clockAt(1000);
    const b = new RequestBudget({ maxItemsRead: 1e9, maxMillis: 50, deadline: 2000 }, c.now);
    c.advance(49);
    expect(() => b.checkTime()).not.toThrow();
    c.advance(1);
    expect(() => b.checkTime()).toThrow(QueryTooExpensiveError);
  });

  it('answers a retryable 503 when the hard deadline comes first', () => {
    const c = clockAt(1000);
    const b = new RequestBudget({ maxItemsRead: 1e9, maxMillis: 10_000, deadline: 1100 }, c.now);
    expect(b.remainingMs()).toBe(100);
    c.advance(100);
    expect(() => b.checkTime()).toThrow(ServiceUnavailableError);
    expect(b.remainingMs()).toBe(0);
  });

  it('tick reads the clock only every few calls, and still stops a long loop', () => {
    let reads = 0;
    const c = clockAt(0);
    const b = new RequestBudget({ maxItemsRead: 1e9, maxMillis: 5 }, () => {
      reads += 1;
      return c.now();
    });
    c.advance(10);
    let stoppedAt = -1;
    for (let i = 0; i < 1000; i += 1) {
      try {
        b.tick();
      } catch {
        stoppedAt = i;
        break;
      }
    }
    expect(stoppedAt).toBeGreaterThanOrEqual(0);
    expect(stoppedAt).toBeLessThan(100);
    expect(reads).toBeLessThan(5);
  });

  it('unlimited never stops', () => {
    const b = RequestBudget.unlimited();
    b.chargeRead(1e12);
    expect(() => b.check()).not.toThrow();
  });
});
