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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ethers } from 'ethers';
import { startAnvil } from './anvil.mjs';
import { artifact, buildContracts } from './contracts.mjs';
import { runFusel2, startNode } from './fusel2.mjs';

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
/// confirmations (default 1), maxBatchDelayMs (default 200), sequencerArgs, anvilArgs.
export async function startRollup({
  blockTime = 0.25,
  confirmations = 1,
  maxBatchDelayMs = 200,
  sequencer = true,
  sequencerArgs = [],
  anvilArgs = [],
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
    const g = await runFusel2(['genesis', '--dev', '--write', files.genesis]);
    if (g.code !== 0) throw new Error(`fusel2 genesis failed:\n${g.output}`);
    const genesis = JSON.parse(g.output);
    const d = await runFusel2(['deploy', '--rpc', anvil.url, '--key-file', files.deployerKey,
      '--genesis-hash', genesis.hash, '--batch-poster', wallets.poster.address,
      '--proposer', wallets.proposer.address, '--out', files.deployment], { timeoutMs: 120000 });
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
  const l1Args = () => ['--genesis', files.genesis, '--l1-url', anvil.url, '--l1-deployment', files.deployment,
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
  /// datadir (default <dir>/sequencer), args (extra flags), posterKeyFile.
  rollup.startSequencer = async ({ datadir = path.join(dir, 'sequencer'), args = [], posterKeyFile = files.posterKey,
    warmup = true } = {}) => {
    const node = track(await startNode({
      datadir, keepDatadir: true, noDev: true, chainId: rollup.chainId, warmup,
      args: [...l1Args(), '--poster-key-file', posterKeyFile, '--poster-max-batch-delay-ms', String(maxBatchDelayMs),
        ...sequencerArgs, ...args],
    }));
    rollup.sequencer = node;
    return node;
  };

  /// Starts a validator. Options: mode ('follow' | 'propose' | 'watch'), datadir (default a new
  /// folder under <dir>), sequencerUrl (watch mode), args.
  let validators = 0;
  rollup.startValidator = async ({ mode = 'follow', datadir, sequencerUrl, args = [] } = {}) => {
    datadir = datadir || path.join(dir, `validator-${validators++}`);
    const extra = ['--validator-mode', mode];
    if (mode === 'propose') extra.push('--validator-proposer-key-file', files.proposerKey);
    if (sequencerUrl) extra.push('--validator-sequencer-url', sequencerUrl);
    return track(await startNode({
      role: 'validator', datadir, keepDatadir: true, noDev: true, chainId: rollup.chainId,
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

  /// Every RollupCore record, batch 0 .. postedBatchCount - 1.
  rollup.roots = async () => {
    const n = Number(await rollup.rollupCore.postedBatchCount());
    const out = [];
    for (let i = 0; i < n; ++i) out.push({ batch: i, ...recordObject(await rollup.rollupCore.getRecord(i)) });
    return out;
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
