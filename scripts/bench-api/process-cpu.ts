// CPU time of another process (Linux /proc): which process listens on a TCP port,
// and its user + system CPU so far. `npm run bench:api` uses them to charge the
// API process's CPU to the requests of one route.
import { readdir, readFile, readlink } from 'node:fs/promises';

const TICK_US = 10_000; // USER_HZ is 100 on Linux

/** The pid of the process listening on 127.0.0.1/0.0.0.0/:: `port`, from /proc/net/tcp{,6} and /proc/<pid>/fd. */
export async function pidListeningOn(port: number): Promise<number> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && Number.parseInt(f[1]?.split(':')[1] ?? '', 16) === port && f[9]) inodes.add(f[9]); // 0A = LISTEN
    }
  }
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''));
      if (m && inodes.has(m[1]!)) return Number(pid);
    }
  }
  throw new Error(`no process listens on port ${port}`);
}

/** User + system CPU time of `pid` so far, in µs (10 ms resolution). */
export async function processCpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(f[11]) + Number(f[12])) * TICK_US; // utime, stime: fields 14 and 15
}
