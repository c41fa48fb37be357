import { describe, expect, it } from 'vitest';
import { withDeadline } from './lock';

describe('withDeadline', () => {
  it('passes a quick result or failure through', async () => {
    await expect(withDeadline(Promise.resolve(7), 50, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('own')), 50, () => new Error('late'))).rejects.toThrow('own');
  });

  it('rejects with its own error when the step never settles', async () => {
    const t0 = Date.now();
    await expect(withDeadline(new Promise(() => undefined), 30, () => new Error('late'))).rejects.toThrow('late');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });
});
