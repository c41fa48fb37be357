import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeResult, encodeRequest } from './frame';
import { CallMount, WAIT_SLICE_MS } from './mount';

const enc = new TextEncoder();

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** What the stub does: write the request, close it, open the reply. */
function submit(m: CallMount, id: string, body = 'in') {
  const frame = encodeRequest({ kind: 'exec', name: 'x', argv: ['x'], cwd: '/', env: [] }, enc.encode(body));
  const h = (m.call('open', [id, true, true, true, true, false, false]) as { value: number }).value;
  m.call('write', [h, 0, frame.subarray(0, 5)]);
  m.call('write', [h, 5, frame.subarray(5)]);
  m.call('close', [h]);
  return (m.call('open', [`${id}.out`, true, false, false, false, false, false]) as { value: number }).value;
}

describe('CallMount', () => {
  afterEach(() => vi.useRealTimers());

  it('answers the reply read only when the host work has finished', async () => {
    const gate = deferred<void>();
    const m = new CallMount(async (req) => {
      await gate.promise;
      return { exitCode: 5, stdout: req.body, stderr: enc.encode('e') };
    });
    const out = submit(m, '1-ab');
    const answer = m.call('read', [out, 0, 65536]);
    expect('later' in answer).toBe(true);
    let done = false;
    const read = (answer as { later: Promise<unknown> }).later.then((v) => ((done = true), v));
    await Promise.resolve();
    expect(done).toBe(false);
    gate.resolve();
    const r = decodeResult((await read) as Uint8Array);
    expect([r.exitCode, new TextDecoder().decode(r.stdout)]).toEqual([5, 'in']);
    // Once done, reads are immediate; closing the reply forgets the call.
    expect('value' in m.call('read', [out, 0, 1])).toBe(true);
    m.call('close', [out]);
    expect(() => m.call('stat', ['1-ab.out'])).toThrow();
  });

  it('gives a still-running read EAGAIN after the wait slice so the guest asks again', async () => {
    vi.useFakeTimers();
    const m = new CallMount(() => new Promise(() => undefined));
    const out = submit(m, '2-cd');
    const later = (m.call('read', [out, 0, 10]) as { later: Promise<unknown> }).later;
    const settled = later.catch((e: { code?: string }) => e.code);
    vi.advanceTimersByTime(WAIT_SLICE_MS + 1);
    expect(await settled).toBe('EAGAIN');
  });

  it('serves lib files and refuses writes elsewhere', () => {
    const m = new CallMount(async () => ({ exitCode: 0, stdout: new Uint8Array(), stderr: new Uint8Array() }), {
      'a.py': enc.encode('x = 1\n'),
    });
    expect(m.call('stat', ['lib/a.py'])).toEqual({ value: { kind: 'file', size: 6 } });
    const h = (m.call('open', ['lib/a.py', true, false, false, false, false, false]) as { value: number }).value;
    expect(m.call('read', [h, 0, 100])).toEqual({ value: enc.encode('x = 1\n') });
    expect(() => m.call('mkdir', ['d'])).toThrow();
    expect(() => m.call('open', ['../etc', true, true, true, false, false, false])).toThrow();
  });
});
