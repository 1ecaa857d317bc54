import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { startExporter, type RunningExporter } from './helpers/child';

// A burst of hostile connects must not fill the kernel's queue of connections waiting to be
// accepted: a SYN it drops is sent again only after a second, and Prometheus' connect in
// that burst would wait that long. Node's default queue is 511.
const SOMAXCONN = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
const BURST = Math.min(1500, SOMAXCONN - 8);

let exporter: RunningExporter | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  exporter?.child.kill('SIGKILL');
  await exporter?.exited;
});

(BURST > 600 ? test : test.skip)(
  `while the exporter cannot accept (stopped), ${BURST} connects all complete in the kernel's queue`,
  async () => {
    exporter = await startExporter(['--demo']);
    const { port } = new URL(exporter.url);
    // Stopped, the exporter accepts nothing: every connect waits in the listen queue.
    exporter.child.kill('SIGSTOP');
    try {
      let connected = 0;
      for (let i = 0; i < BURST; i++) {
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('connect', () => connected++);
        socket.on('error', () => undefined);
        sockets.push(socket);
      }
      const started = Date.now();
      while (connected < BURST && Date.now() - started < 900)
        await new Promise((resolve) => setTimeout(resolve, 20));
      // Within the first SYN's retransmission time (1 s): none was dropped.
      expect(connected).toBe(BURST);
    } finally {
      exporter.child.kill('SIGCONT');
    }
  },
);
