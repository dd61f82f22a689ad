// PouchDB's side of the sync side-by-side (scripts/bench-sync-vs-pouchdb.sh): the same 10,000 records of 100–200
// bytes as Waymark's sync_bench with WAYMARK_BENCH_RECORDS=distinct, replicated from one in-memory PouchDB to
// pouchdb-server (LevelDB on disk, like Waymark's SQLite file) in batches of 500, then out to a fresh in-memory
// PouchDB in batches of 500; end to end timed, as many rounds as asked (each on a fresh server), median printed.
// Loopback only, bounded.
import PouchDB from 'pouchdb';
import memory from 'pouchdb-adapter-memory';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';

PouchDB.plugin(memory);
const here = dirname(fileURLToPath(import.meta.url));
const RECORDS = 10_000;
const BATCH = 500;
const rounds = Math.max(1, Number(process.env.WAYMARK_BENCH_ROUNDS ?? 1));

/// The same text as `record_text` in server/benches/sync_bench.rs.
function recordText(id) {
  const len = 100 + (id % 101);
  let text = `Record ${id}: `;
  while (text.length < len) text += 'a few words about the day ';
  return text.slice(0, len);
}

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'pouchdb-bench-'));
  const port = await freePort();
  const child = spawn(join(here, 'node_modules', '.bin', 'pouchdb-server'),
    ['--port', String(port), '--host', '127.0.0.1', '--dir', dir, '--no-color', '--log', 'error'],
    { stdio: 'ignore', cwd: dir }); // (it writes its config and log where it runs)
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try { if ((await fetch(url)).ok) return { url, stop: () => { child.kill('SIGKILL'); rmSync(dir, { recursive: true, force: true }); } }; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('pouchdb-server did not start');
}

async function round(n) {
  const server = await startServer();
  try {
    const source = new PouchDB(`source-${n}`, { adapter: 'memory' });
    const docs = Array.from({ length: RECORDS }, (_, i) => ({ _id: `c${i + 1}`, text: recordText(i + 1) }));
    for (let i = 0; i < RECORDS; i += BATCH) await source.bulkDocs(docs.slice(i, i + BATCH));
    const remote = `${server.url}/bench`;
    const started = performance.now();
    await PouchDB.replicate(source, remote, { batch_size: BATCH, batches_limit: 1 });
    const pushed = performance.now();
    const target = new PouchDB(`target-${n}`, { adapter: 'memory' });
    await PouchDB.replicate(remote, target, { batch_size: BATCH, batches_limit: 1 });
    const done = performance.now();
    const info = await target.info();
    if (info.doc_count !== RECORDS) throw new Error(`pulled ${info.doc_count} of ${RECORDS}`);
    console.log(`   PouchDB: ${RECORDS} records pushed in ${(pushed - started).toFixed(0)} ms (batches of ${BATCH}), pulled to a fresh PouchDB in ${(done - pushed).toFixed(0)} ms; total ${(done - started).toFixed(0)} ms`);
    await source.destroy();
    await target.destroy();
    return done - started;
  } finally {
    server.stop();
  }
}

const totals = [];
for (let n = 0; n < rounds; n++) totals.push(await round(n));
totals.sort((a, b) => a - b);
console.log(`median end to end over ${rounds} rounds: PouchDB ${totals[Math.floor(rounds / 2)].toFixed(1)} ms`);
