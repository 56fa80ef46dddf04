/**
 * FrameDecoder on large frames: a frame that arrives in many chunks (a task's acknowledgement of tens of
 * MiB) is joined once, so the bytes copied grow linearly with the frame, and the frames behind it (a
 * heartbeat) come out in order right after it.
 */
import t from 'tap';
import { encodeFrame, FrameDecoder } from '../../../runtime/rpc/frame-codec.js';

t.test('a 4 MiB frame in 4 KiB chunks is joined once, and the frame behind it follows', (t) => {
  const payload = new Uint8Array(4 << 20).map((_, i) => i % 251);
  const big = encodeFrame({ t: 'note', kind: 'finalState', body: { payload } });
  const small = encodeFrame({ t: 'note', kind: 'heartbeat', body: { n: 1 } });
  const stream = Buffer.concat([big, small]);
  let copied = 0;
  const concat = Buffer.concat;
  Buffer.concat = ((list: readonly Uint8Array[], total?: number) => {
    const b = concat(list, total);
    copied += b.length;
    return b;
  }) as typeof Buffer.concat;
  t.teardown(() => {
    Buffer.concat = concat;
  });
  const d = new FrameDecoder();
  const out = [];
  const chunk = 4096;
  for (let i = 0; i < stream.length; i += chunk) out.push(...d.push(stream.subarray(i, i + chunk)));
  Buffer.concat = concat;
  t.equal(out.length, 2, 'both frames decoded');
  const [first, second] = out;
  t.ok(first?.ok && first.value.t === 'note' && first.value.kind === 'finalState');
  const body = first?.ok ? (first.value as { body: { payload: Uint8Array } }).body : undefined;
  t.same(Buffer.from(body!.payload), Buffer.from(payload), 'the payload intact');
  t.ok(second?.ok && second.value.t === 'note' && second.value.kind === 'heartbeat', 'the small frame right after');
  t.ok(copied <= 2 * stream.length, `bytes copied ${copied} ≤ 2 × the stream's ${stream.length} (linear)`);
  t.end();
});

t.test('a length prefix split over chunks, and several frames in one chunk', (t) => {
  const frames = [1, 2, 3].map((n) => encodeFrame({ t: 'note', kind: 'k', body: { n } }));
  const stream = Buffer.concat(frames);
  const d = new FrameDecoder();
  const out = [...d.push(stream.subarray(0, 2)), ...d.push(stream.subarray(2, 3)), ...d.push(stream.subarray(3))];
  t.same(
    out.map((e) => (e.ok ? (e.value as { body: { n: number } }).body.n : undefined)),
    [1, 2, 3],
  );
  t.end();
});
