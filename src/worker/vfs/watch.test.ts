// Watch events: batched per microtask, filtered by path, disposable.
import { describe, expect, it } from 'vitest';
import type { WatchEvent } from './watch';
import { Vfs } from './vfs';

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

describe('watch', () => {
  it('batches events per microtask and filters by path', async () => {
    const v = new Vfs();
    v.mkdir('/w/sub', { recursive: true });
    const rec: WatchEvent[][] = [];
    const flat: WatchEvent[][] = [];
    const stopRec = v.watch('/w', true, (e) => rec.push(e));
    v.watch('/w', false, (e) => flat.push(e));
    v.writeFile('/w/a', '1');
    for (let i = 0; i < 10; i++) v.write('/w/a', i, new Uint8Array([i]));
    v.writeFile('/w/sub/deep', 'x');
    v.rename('/w/a', '/w/b');
    v.unlink('/w/b');
    v.writeFile('/elsewhere', 'no');
    expect(rec).toEqual([]); // nothing delivered synchronously
    await tick();
    expect(rec).toEqual([
      [
        { type: 'create', path: '/w/a' },
        { type: 'modify', path: '/w/a' },
        { type: 'create', path: '/w/sub/deep' },
        { type: 'rename', path: '/w/b', from: '/w/a' },
        { type: 'remove', path: '/w/b' },
      ],
    ]);
    expect(flat[0]!.map((e) => e.path)).toEqual(['/w/a', '/w/a', '/w/b', '/w/b']);
    stopRec();
    v.writeFile('/w/c', '');
    await tick();
    expect(rec.length).toBe(1);
    expect(flat.length).toBe(2);
  });

  it('reports restore as the difference', async () => {
    const v = new Vfs();
    v.writeFile('/a', '1');
    const s = v.snapshot();
    v.writeFile('/b', '2');
    const got: WatchEvent[] = [];
    v.watch('/', true, (e) => got.push(...e));
    v.restore(s);
    await tick();
    expect(got).toEqual([{ type: 'remove', path: '/b' }]);
  });
});
