// A validator stopped while its L1 does not answer (docs/validator.md "Stopping"): SIGTERM ends
// the L1 requests in progress (connect and answer timeouts, backoff between attempts) instead of
// waiting them out. Before, a proposer whose L1 hung (anvil stopped with SIGSTOP: connections
// accepted, never answered) took 74 s to exit (15 s request timeout x 5 attempts); fusel2.mjs's
// stop() sends SIGKILL after 20 s, so a slow exit fails here. A restart then resumes from the
// same database: the stop lost nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startRollup } from '../lib/rollup.mjs';
import { nodeSkipReason } from '../lib/fusel2.mjs';
import { rawBlock, startTraffic, waitFor } from '../lib/faults.mjs';

const skip = nodeSkipReason();
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
const headOf = async (node) => Number(BigInt((await rawBlock(node, 'latest')).number));

describe('validator stop with L1 down', { skip: skip ?? false }, () => {
  it('SIGTERM while L1 hangs: the validator interrupts its L1 requests and exits 0; a restart resumes', async () => {
    const r = await startRollup();
    let anvilStopped = false;
    try {
      const validator = await r.startValidator({ mode: 'propose' });
      const traffic = startTraffic(r.sequencer, { account: 1, intervalMs: 100 });
      try {
        await r.waitFinalized(3);
      } finally {
        await traffic.stop();
      }
      const derived = await headOf(validator);
      assert.ok(derived >= 3, `validator at block ${derived}`);

      // L1 hangs: the process is stopped, its socket still accepts connections.
      process.kill(r.anvil.pid, 'SIGSTOP');
      anvilStopped = true;
      const before = validator.output().length;
      // The validator's next requests are waiting on L1 (a 15 s answer timeout each).
      await sleep(2000);
      const { code, signal } = await validator.stop({ timeoutMs: 20000 });
      const log = validator.output().slice(before);
      assert.equal(signal, null, `the validator was killed (it did not stop by itself):\n${log}`);
      assert.equal(code, 0, `validator exit code:\n${log}`);
      assert.match(log, /stopping: L1 requests in progress are interrupted/);
      assert.match(log, /interrupted: the node is stopping/, 'a request waiting on L1 was interrupted');
      assert.match(log, /stopped cleanly at block \d+/);

      // L1 back: the same database resumes where it was, nothing lost.
      process.kill(r.anvil.pid, 'SIGCONT');
      anvilStopped = false;
      const again = await r.startValidator({ mode: 'propose', datadir: validator.datadir });
      await waitFor(async () => (await headOf(again)) >= derived, { timeoutMs: 60000, what: `restarted validator at block ${derived}` });
      const { code: code2 } = await again.stop();
      assert.equal(code2, 0);
    } finally {
      if (anvilStopped) process.kill(r.anvil.pid, 'SIGCONT');
      await r.stop();
    }
  });
});
