// A whole rollup for end-to-end tests, every part real: anvil as the L1 with the project's
// contracts deployed by `fusel2 deploy`, the L2 dev genesis written by `fusel2 genesis`, a
// `fusel2 node --role sequencer` running the batch poster, and any number of
// `fusel2 node --role validator` processes. Nothing here decides a result: the helpers read
// L1 (events, RollupCore records) and the nodes' JSON-RPC.
//
//   import { startRollup } from '../lib/rollup.mjs';
//   const r = await startRollup();                 // anvil + deploy + sequencer (+ poster)
//   const v = await r.startValidator({ mode: 'propose' });
//   ... r.sequencer.wallet(1) ...; await r.waitFinalized(n);
//   await r.stop();                                // every process, then the temp dir
//
// Also: rpcBatch (JSON-RPC batches, to read thousands of blocks/receipts quickly) and txStream
// (signed transactions from dev accounts to whichever sequencer is current, for load across a
// kill -9 and restart; used by tests/e2e/rollup.test.mjs and bench/rollup_latency.mjs).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { startAnvil } from './anvil.mjs';
import { artifact, buildContracts } from './contracts.mjs';
import { devKey, runFusel2, startNode } from './fusel2.mjs';

/// anvil accounts used on L1: 0 deploys, 1 posts batches, 2 proposes roots, 3 is a stranger.
export const kDeployerIndex = 0;
export const kPosterIndex = 1;
export const kProposerIndex = 2;
export const kStrangerIndex = 3;

/// Polls `fn` until it returns a truthy value; rejects after `timeoutMs` naming `what` and the
/// last value or error seen.
export async function waitFor(fn, { timeoutMs = 60000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : String(last)}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function writeKey(file, wallet) {
  fs.writeFileSync(file, `${wallet.privateKey}\n`, { mode: 0o600 });
}

/// Starts anvil, writes the genesis, deploys, and (unless `sequencer: false`) starts the
/// sequencer with its batch poster. Options: blockTime (L1 seconds, default 0.25),
/// confirmations (default 1), maxBatchDelayMs (default 200), sequencerArgs, anvilArgs,
/// genesisArgs (more `fusel2 genesis --dev` flags, e.g. ['--l2-gateway-admin', addr]),
/// deployArgs (more `fusel2 deploy` flags, e.g. ['--withdrawal-delay', '2']), editGenesis (a
/// function given the dev genesis JSON object, changing it in place before the deployment
/// records its hash; the edited file is a dev chain, so its unbacked alloc is allowed).
export async function startRollup({
  blockTime = 0.25,
  confirmations = 1,
  maxBatchDelayMs = 200,
  sequencer = true,
  sequencerArgs = [],
  anvilArgs = [],
  genesisArgs = [],
  deployArgs = [],
  editGenesis = null,
} = {}) {
  await buildContracts();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fusel2-rollup-'));
  const nodes = new Set();
  let anvil;
  try {
    anvil = await startAnvil({ blockTime, extraArgs: anvilArgs });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const l1 = anvil.provider();
  const files = {
    genesis: path.join(dir, 'genesis.json'),
    deployment: path.join(dir, 'deployment.json'),
    deployerKey: path.join(dir, 'deployer.key'),
    posterKey: path.join(dir, 'poster.key'),
    proposerKey: path.join(dir, 'proposer.key'),
    strangerKey: path.join(dir, 'stranger.key'),
  };
  const wallets = {
    deployer: anvil.wallet(kDeployerIndex, l1),
    poster: anvil.wallet(kPosterIndex, l1),
    proposer: anvil.wallet(kProposerIndex, l1),
    stranger: anvil.wallet(kStrangerIndex, l1),
  };
  writeKey(files.deployerKey, wallets.deployer);
  writeKey(files.posterKey, wallets.poster);
  writeKey(files.proposerKey, wallets.proposer);
  writeKey(files.strangerKey, wallets.stranger);

  const rollup = {
    dir,
    anvil,
    l1,
    files,
    wallets,
    sequencer: null,
    async stop() {
      for (const n of [...nodes].reverse()) await n.stop().catch(() => {});
      nodes.clear();
      await anvil.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    let g = await runFusel2(['genesis', '--dev', ...genesisArgs, '--write', files.genesis]);
    if (g.code !== 0) throw new Error(`fusel2 genesis failed:\n${g.output}`);
    if (editGenesis) {
      const doc = JSON.parse(fs.readFileSync(files.genesis, 'utf8'));
      editGenesis(doc);
      fs.writeFileSync(files.genesis, `${JSON.stringify(doc, null, 2)}\n`);
      g = await runFusel2(['genesis', '--genesis', files.genesis, '--allow-unbacked-alloc']);
      if (g.code !== 0) throw new Error(`fusel2 genesis --genesis (edited) failed:\n${g.output}`);
    }
    const genesis = JSON.parse(g.output);
    const d = await runFusel2(['deploy', '--rpc', anvil.url, '--key-file', files.deployerKey,
      '--genesis-hash', genesis.hash, '--batch-poster', wallets.poster.address,
      '--proposer', wallets.proposer.address, '--out', files.deployment, ...deployArgs], { timeoutMs: 120000 });
    if (d.code !== 0) throw new Error(`fusel2 deploy failed:\n${d.output}`);
    const deployment = JSON.parse(fs.readFileSync(files.deployment, 'utf8'));
    Object.assign(rollup, {
      genesis,
      deployment,
      chainId: BigInt(genesis.chainId),
      inbox: new ethers.Contract(deployment.inbox, artifact('SequencerInbox').abi, l1),
      rollupCore: new ethers.Contract(deployment.rollup, artifact('RollupCore').abi, l1),
    });
  } catch (e) {
    await rollup.stop();
    throw e;
  }

  /// The flags every node of this rollup shares.
  const l1Args = (deployment = files.deployment) => ['--genesis', files.genesis, '--l1-url', anvil.url, '--l1-deployment', deployment,
    '--l1-confirmations', String(confirmations), '--l1-poll-ms', '100'];

  const track = (node) => {
    nodes.add(node);
    const stop = node.stop.bind(node);
    const kill = node.kill.bind(node);
    node.stop = async (o) => { nodes.delete(node); return stop(o); };
    node.kill = async () => { nodes.delete(node); return kill(); };
    return node;
  };

  /// Starts (or restarts, given the same datadir) the sequencer + batch poster. Options:
  /// datadir (default <dir>/sequencer), args (extra flags), posterKeyFile, deploymentFile (default
  /// the deployment `fusel2 deploy` wrote; a test may give one that differs, e.g. another Bridge).
  rollup.startSequencer = async ({ datadir = path.join(dir, 'sequencer'), args = [], posterKeyFile = files.posterKey,
    warmup = true, deploymentFile = files.deployment } = {}) => {
    const node = track(await startNode({
      datadir, keepDatadir: true, noDev: true, chainId: rollup.chainId, warmup,
      args: [...l1Args(deploymentFile), '--poster-key-file', posterKeyFile, '--poster-max-batch-delay-ms', String(maxBatchDelayMs),
        ...sequencerArgs, ...args],
    }));
    rollup.sequencer = node;
    return node;
  };

  /// Starts a validator. Options: mode ('follow' | 'propose' | 'watch'), datadir (default a new
  /// folder under <dir>), sequencerUrl (watch mode), args, mayExit (see startNode).
  let validators = 0;
  rollup.startValidator = async ({ mode = 'follow', datadir, sequencerUrl, args = [], mayExit = false } = {}) => {
    datadir = datadir || path.join(dir, `validator-${validators++}`);
    const extra = ['--validator-mode', mode];
    if (mode === 'propose') extra.push('--validator-proposer-key-file', files.proposerKey);
    if (sequencerUrl) extra.push('--validator-sequencer-url', sequencerUrl);
    return track(await startNode({
      role: 'validator', datadir, keepDatadir: true, noDev: true, chainId: rollup.chainId, mayExit,
      args: [...l1Args(), ...extra, ...args],
    }));
  };

  /// L2 blocks posted to the inbox so far (message i is L2 block i + 1).
  rollup.postedBlocks = async () => Number(await rollup.inbox.totalMessageCount());

  /// Resolves once every L2 block up to `block` is in a batch on L1.
  rollup.waitPosted = (block, { timeoutMs = 60000 } = {}) =>
    waitFor(async () => (await rollup.postedBlocks()) >= block, { timeoutMs, what: `L2 block ${block} posted to the inbox` });

  /// The RollupCore record with the highest batch number ({batch, l2BlockNumber, ...}), or null.
  rollup.latestRoot = async () => {
    if ((await rollup.rollupCore.postedBatchCount()) === 0n) return null;
    const [batch, rec] = await rollup.rollupCore.latestPosted();
    return { batch: Number(batch), ...recordObject(rec) };
  };

  /// Resolves once a root for L2 block >= `block` is posted on RollupCore.
  rollup.waitFinalized = (block, { timeoutMs = 90000 } = {}) =>
    waitFor(async () => {
      const r = await rollup.latestRoot();
      return r && r.l2BlockNumber >= block ? r : null;
    }, { timeoutMs, what: `a root for L2 block ${block} on RollupCore` });

  /// Every RollupCore record, batch 0 .. postedBatchCount - 1 (read 32 at a time).
  rollup.roots = async () => {
    const n = Number(await rollup.rollupCore.postedBatchCount());
    const out = [];
    for (let i = 0; i < n; i += 32) {
      const ids = Array.from({ length: Math.min(32, n - i) }, (_, k) => i + k);
      const recs = await Promise.all(ids.map((b) => rollup.rollupCore.getRecord(b)));
      ids.forEach((b, k) => out.push({ batch: b, ...recordObject(recs[k]) }));
    }
    return out;
  };

  /// Every StateRootPosted event, decoded, in order.
  rollup.rootEvents = async () => {
    const logs = await rollup.rollupCore.queryFilter(rollup.rollupCore.filters.StateRootPosted(), deploymentBlock(rollup));
    return logs.map((l) => ({
      batch: Number(l.args.batchSequenceNumber),
      l2BlockNumber: Number(l.args.l2BlockNumber),
      l2BlockHash: l.args.l2BlockHash,
      stateRoot: l.args.stateRoot,
      sendRoot: l.args.sendRoot,
      l1Block: l.blockNumber,
    }));
  };

  /// Every SequencerBatchDelivered event, decoded, in order.
  rollup.batches = async () => {
    const logs = await rollup.inbox.queryFilter(rollup.inbox.filters.SequencerBatchDelivered(), deploymentBlock(rollup));
    return logs.map((l) => ({
      batch: Number(l.args.batchSequenceNumber),
      prevMessageCount: Number(l.args.prevMessageCount),
      newMessageCount: Number(l.args.newMessageCount),
      dataHash: l.args.dataHash,
      l1Block: l.blockNumber,
      txHash: l.transactionHash,
    }));
  };

  if (sequencer) {
    try {
      await rollup.startSequencer();
    } catch (e) {
      await rollup.stop();
      throw e;
    }
  }
  return rollup;
}

function deploymentBlock(rollup) {
  return Number(rollup.deployment.deployBlock ?? 0);
}

function recordObject(rec) {
  return {
    l2BlockHash: rec.l2BlockHash,
    stateRoot: rec.stateRoot,
    sendRoot: rec.sendRoot,
    inboxAcc: rec.inboxAcc,
    l2BlockNumber: Number(rec.l2BlockNumber),
    postedAtL1Block: Number(rec.postedAtL1Block),
  };
}

/// Sends `calls` ([[method, params], ...]) to `url` as JSON-RPC batches of at most `chunk` items
/// and resolves to the results in the same order; rejects naming the first error answer.
export async function rpcBatch(url, calls, { chunk = 500 } = {}) {
  const out = [];
  for (let i = 0; i < calls.length; i += chunk) {
    const part = calls.slice(i, i + chunk).map(([method, params], k) => ({ jsonrpc: '2.0', id: i + k, method, params }));
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(part) });
    const text = await res.text();
    let answers;
    try {
      answers = JSON.parse(text);
    } catch {
      throw new Error(`rpcBatch: not JSON (HTTP ${res.status}): ${text.slice(0, 500)}`);
    }
    if (!Array.isArray(answers)) throw new Error(`rpcBatch: not a batch answer: ${text.slice(0, 500)}`);
    const byId = new Map(answers.map((a) => [a.id, a]));
    for (let k = 0; k < part.length; ++k) {
      const a = byId.get(i + k);
      if (!a) throw new Error(`rpcBatch: no answer for ${part[k].method} (id ${i + k})`);
      if (a.error) throw new Error(`rpcBatch: ${part[k].method} ${JSON.stringify(part[k].params)}: ${JSON.stringify(a.error)}`);
      out.push(a.result);
    }
  }
  return out;
}

/// Blocks `from..to` of the node at `url` (eth_getBlockByNumber without transaction bodies).
export function blocksOf(url, from, to) {
  const calls = [];
  for (let n = from; n <= to; ++n) calls.push(['eth_getBlockByNumber', [ethers.toQuantity(n), false]]);
  return rpcBatch(url, calls);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function postJson(url, method, params) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return res.json();
}

/// Streams signed transactions from dev accounts, each account one transaction at a time (the
/// sequencer answers a hash once the transaction is in a durable block), with explicit nonces.
/// The node is `url()`, read before every send, so a restarted sequencer is picked up. When a send
/// fails to connect (the node was killed) the transaction counts as not acknowledged; the sender
/// waits, then re-reads its nonce from the chain and carries on.
///
/// senders: [{ index (dev account), count (default unlimited), make(nonce, i) → tx fields
/// (to, value, data, gasLimit) }]; chainId; fees ({maxFeePerGas, maxPriorityFeePerGas});
/// intervalMs: pause after each acknowledged send (a steady rate: accounts / intervalMs).
/// Returns { acked: [{hash, from, nonce, sentAt, ackAt}], errors: [string], sendFailures,
/// done (resolves when every sender finished its count or stop() was called), stop() }.
export function txStream({ url, senders, chainId, fees, intervalMs = 0 }) {
  const acked = [];
  const errors = [];
  let stopped = false;
  let sendFailures = 0;
  async function run({ index, count = Infinity, make }) {
    const wallet = new ethers.Wallet(devKey(index));
    let nonce = null;
    let i = 0;
    while (!stopped && i < count) {
      const target = url();
      try {
        if (nonce === null) {
          const r = await postJson(target, 'eth_getTransactionCount', [wallet.address, 'latest']);
          if (r.error) throw new Error(JSON.stringify(r.error));
          nonce = Number(r.result);
        }
      } catch {
        await sleep(50);
        continue;
      }
      const raw = await wallet.signTransaction({ type: 2, chainId, nonce, ...fees, ...make(nonce, i) });
      const sentAt = performance.now();
      let res;
      try {
        res = await postJson(target, 'eth_sendRawTransaction', [raw]);
      } catch {
        ++sendFailures;  // killed or not up yet: not acknowledged; resync the nonce from the chain
        nonce = null;
        await sleep(50);
        continue;
      }
      if (res.error) {
        errors.push(`account ${index} nonce ${nonce}: ${JSON.stringify(res.error)}`);
        return;
      }
      acked.push({ hash: res.result, from: wallet.address, nonce, sentAt, ackAt: performance.now() });
      ++nonce;
      ++i;
      if (intervalMs > 0) await sleep(intervalMs);
    }
  }
  const done = Promise.all(senders.map(run));
  return {
    acked,
    errors,
    get sendFailures() { return sendFailures; },
    done,
    async stop() {
      stopped = true;
      await done;
    },
  };
}
