import { TunnelOwners } from '../src/tensorpix/tunnel-owner';

// The CONNECT sent while a request is dispatched is that request's: its abort ends the
// tunnel's opening, at once or when the opening has a way to be ended; no longer once the
// request has its answer, and never for a CONNECT sent outside a dispatch.
test('a CONNECT sent during a dispatch belongs to that request, once', () => {
  const owners = new TunnelOwners();
  const controller = new AbortController();
  let claimed: ReturnType<TunnelOwners['claim']>;
  let second: ReturnType<TunnelOwners['claim']>;
  const answer = owners.during(controller.signal, () => {
    claimed = owners.claim();
    second = owners.claim();
    return new Promise<string>(() => undefined);
  });
  expect(claimed!).toBeDefined();
  expect(second!).toBeUndefined();
  expect(owners.claim()).toBeUndefined();

  const cuts: string[] = [];
  claimed!.watch(() => cuts.push('connect'));
  claimed!.watch(() => cuts.push('tunnel'));
  expect(cuts).toEqual([]);
  controller.abort();
  // The latest way to end the opening is the one used, once.
  expect(cuts).toEqual(['tunnel']);
  void answer;
});

test('aborted before the opening can be ended: ended as soon as it can be', () => {
  const owners = new TunnelOwners();
  const controller = new AbortController();
  let claimed: ReturnType<TunnelOwners['claim']>;
  void owners.during(controller.signal, () => {
    claimed = owners.claim();
    return new Promise(() => undefined);
  });
  controller.abort();
  const cuts: string[] = [];
  claimed!.watch(() => cuts.push('connect'));
  expect(cuts).toEqual(['connect']);
});

test('a request with its answer owns its tunnel no more: a later abort closes nothing', async () => {
  const owners = new TunnelOwners();
  const controller = new AbortController();
  let claimed: ReturnType<TunnelOwners['claim']>;
  await expect(
    owners.during(controller.signal, () => {
      claimed = owners.claim();
      return Promise.resolve('answer');
    }),
  ).resolves.toBe('answer');
  const cuts: string[] = [];
  claimed!.watch(() => cuts.push('tunnel'));
  controller.abort();
  expect(cuts).toEqual([]);
});

test('a dispatch that throws leaves no owner behind', async () => {
  const owners = new TunnelOwners();
  await expect(
    owners.during(new AbortController().signal, () => {
      throw new Error('bad request');
    }),
  ).rejects.toThrow('bad request');
  expect(owners.claim()).toBeUndefined();
});
