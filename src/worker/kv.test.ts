import { describe, expect, it } from 'vitest';
import { kvTable } from './kv';

describe('kvTable without IndexedDB (Node)', () => {
  it('keeps values in memory per table', async () => {
    const a = kvTable<number>('db', 'a');
    const b = kvTable<number>('db', 'b');
    await a.set('x', 1);
    await a.set('y', 2);
    expect(await a.get('x')).toBe(1);
    expect(await b.get('x')).toBeUndefined();
    expect((await a.keys()).sort()).toEqual(['x', 'y']);
    await a.delete('x');
    expect(await a.values()).toEqual([2]);
  });
});
