import { FairQueue, type Lane } from '../src/web/fair-queue';

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

// Tasks that end when the test says so, so that the order of service is seen exactly.
class Tasks {
  /** started lists each task as it started, with its lane: "a1@first". */
  readonly started: string[] = [];
  private readonly ends = new Map<string, () => void>();
  task = (name: string) => (lane: Lane) =>
    new Promise<string>((resolve) => {
      this.started.push(`${name}@${lane}`);
      this.ends.set(name, () => resolve(name));
    });
  /** finish ends a running task and lets the queue start the next ones. */
  async finish(name: string): Promise<void> {
    await settle();
    this.ends.get(name)!();
    await settle();
  }
}

test("a client's first task runs in the first lane, beside the later tasks of a client that keeps the queue busy", async () => {
  const queue = new FairQueue({ perClient: 4, total: 16 });
  const tasks = new Tasks();
  const a = ['a1', 'a2', 'a3', 'a4'].map((name) => queue.run('attacker', tasks.task(name)));
  await tasks.finish('a1');
  expect(tasks.started).toEqual(['a1@first', 'a2@rest']);
  // However many guesses wait, Prometheus' check starts at once.
  const p = queue.run('prometheus', tasks.task('p1'));
  await settle();
  expect(tasks.started).toEqual(['a1@first', 'a2@rest', 'p1@first']);
  await tasks.finish('p1');
  expect(await p).toBe('p1');
  // Back with nothing pending, Prometheus is a newcomer again.
  const p2 = queue.run('prometheus', tasks.task('p2'));
  await settle();
  expect(tasks.started.at(-1)).toBe('p2@first');
  for (const name of ['p2', 'a2', 'a3', 'a4']) await tasks.finish(name);
  expect(await Promise.all([...a, p2])).toEqual(['a1', 'a2', 'a3', 'a4', 'p2']);
  // One task of a client at a time: the attacker's ran one after another.
  expect(tasks.started).toEqual(['a1@first', 'a2@rest', 'p1@first', 'p2@first', 'a3@rest', 'a4@rest']);
});

test('newcomers are served in the order they came; clients with tasks pending take turns, served longest ago first', async () => {
  const queue = new FairQueue({ perClient: 4, total: 16 });
  const tasks = new Tasks();
  for (const name of ['a1', 'a2', 'a3']) void queue.run('a', tasks.task(name));
  for (const name of ['b1', 'b2']) void queue.run('b', tasks.task(name));
  void queue.run('c', tasks.task('c1'));
  for (const name of ['a1', 'b1', 'a2', 'c1', 'b2', 'a3']) await tasks.finish(name);
  expect(tasks.started).toEqual(['a1@first', 'b1@first', 'a2@rest', 'c1@first', 'b2@rest', 'a3@rest']);
});

test('past its share a client gets busy at once; others still get in', async () => {
  const queue = new FairQueue({ perClient: 2, total: 16 });
  const tasks = new Tasks();
  void queue.run('a', tasks.task('a1'));
  void queue.run('a', tasks.task('a2'));
  expect(await queue.run('a', tasks.task('a3'))).toBe('busy');
  void queue.run('b', tasks.task('b1'));
  await tasks.finish('a1');
  expect(tasks.started).toEqual(['a1@first', 'b1@first', 'a2@rest']);
});

test('at the total bound a newcomer takes the place of the newest task of the client holding the most, never more', async () => {
  const queue = new FairQueue({ perClient: 4, total: 4 });
  const tasks = new Tasks();
  const a = ['a1', 'a2', 'a3', 'a4'].map((name) => queue.run('a', tasks.task(name)));
  await settle();
  const b = queue.run('b', tasks.task('b1'));
  expect(await a[3]).toBe('busy');
  const c = queue.run('c', tasks.task('c1'));
  expect(await a[2]).toBe('busy');
  // a now holds two (one running), b and c one each: a newcomer takes a's last waiting one.
  const d = queue.run('d', tasks.task('d1'));
  expect(await a[1]).toBe('busy');
  // Everyone holds one: the next newcomer is turned away, and nothing else is dropped.
  expect(await queue.run('e', tasks.task('e1'))).toBe('busy');
  for (const name of ['a1', 'b1', 'c1', 'd1']) await tasks.finish(name);
  expect(await Promise.all([a[0], b, c, d])).toEqual(['a1', 'b1', 'c1', 'd1']);
});

test('a task that fails answers busy and the queue goes on', async () => {
  const queue = new FairQueue({ perClient: 4, total: 16 });
  const failing = queue.run('a', () => Promise.reject(new Error('worker died')));
  const next = queue.run('b', () => Promise.resolve('ok'));
  expect(await failing).toBe('busy');
  expect(await next).toBe('ok');
});
