import assert from 'node:assert/strict';
import { Semaphore } from '../../src/core/run';

describe('Semaphore', () => {
  it('never lets more than the limit in, even when releases and new acquires interleave', async () => {
    const s = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const release = await s.acquire();
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, i % 3));
        active--;
        release();
      }),
    );
    assert.equal(peak, 3);
    assert.equal(active, 0);
  });

  it('rejects waiters when the signal aborts, and hands no slot to them', async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(waiting, /stop/);
    release();
    const again = await s.acquire();
    again();
  });
});
