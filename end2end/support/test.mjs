// Each browser test has its own time limit: a page that never answers fails that one test after 4 minutes and the
// file's other tests go on. (node's --test-timeout counts a whole file as one test, so a long file of healthy tests
// on a loaded machine would fail as a whole; the test command keeps it only as an outer bound per file.)
import { test as nodeTest } from 'node:test';

export const PER_TEST_MS = 240_000;

export function test(name, options, fn) {
  if (typeof options === 'function') [fn, options] = [options, {}];
  return nodeTest(name, { timeout: PER_TEST_MS, ...options }, fn);
}

export { before, after, afterEach } from 'node:test';
