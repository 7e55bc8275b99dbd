#!/usr/bin/env node
// `fusel2 bridge deposit | withdraw | claim | status | init-gateway` (docs/bridge.md "Using the
// bridge"): FUSE and ERC-20 tokens between the L1 and the L2 with ethers v6. The binary runs this script with the
// arguments after `fusel2 bridge`. Prints one JSON object on stdout (the result), progress on
// stderr; exit 0 on success, 1 when the chain refuses or a check fails (the message says what and
// what to do), 2 for a bad command line. The key (--key-file or env FUSE_BRIDGE_KEY) is never
// printed; RPC URLs are shown as scheme://host only.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ethers } from 'ethers';
import { UsageError, readPrivateKey } from './cli_util.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const kArbSys = '0x0000000000000000000000000000000000000064';
/// The L2 ERC-20 gateway's genesis predeploy (docs/bridge.md "The L2 gateway predeploy").
const kL2Gateway = '0x0000000000000000000000000000000000004B01';
const kL2ToL1Tx = 'event L2ToL1Tx(address caller, address indexed destination, uint256 indexed hash, uint256 indexed position, uint256 arbBlockNum, uint256 ethBlockNum, uint256 timestamp, uint256 callvalue, bytes data)';
const kArbSysAbi = ['function withdrawEth(address destination) payable returns (uint256)', kL2ToL1Tx];
const kErc20Abi = [
  'function balanceOf(address) view returns (uint256)', 'function allowance(address,address) view returns (uint256)',
  'function approve(address,uint256) returns (bool)', 'function decimals() view returns (uint8)',
  'function symbol() view returns (string)',
];
/// L2 gas a token deposit's message gets unless --l2-gas-limit says otherwise: enough for the
/// first deposit of a token, which deploys its L2 copy (docs/bridge.md: 813 233 measured).
const kDefaultTokenL2Gas = 1_000_000n;

const kUsage = `usage: fusel2 bridge ACTION [flags]

  deposit   L1 -> L2. FUSE: Bridge.depositNative(to). With --token: approve (if needed) and
            L1ERC20Gateway.deposit(token, to, amount, l2GasLimit), paying l2GasLimit x l2GasPrice.
            Flags: --l1-rpc, --deployment, key, --amount, [--to], [--token], [--l2-gas-limit],
            [--l2-rpc and --wait: wait until the L2 executed it]
  withdraw  L2 -> L1. FUSE: ArbSys.withdrawEth(to). With --token: the L2 gateway's
            outboundTransfer(token, to, amount). Prints the withdrawal's index (its leaf).
            Flags: --l2-rpc, --deployment, key, --amount, [--to], [--token]
  claim     Outbox.executeTransaction for a withdrawal, with the proof from the L2 node
            (fusel2_getOutboxProof), against the oldest posted root that holds it, once that root
            has aged past the Outbox's withdrawalDelay. Anyone may claim; the value goes to the
            withdrawal's recipient. Flags: --l1-rpc, --l2-rpc, --deployment, key,
            --withdrawal N | --l2-tx HASH
  status    A deposit (--deposit N | --l1-tx HASH): its index, L1 block, L2 transaction and
            whether the L2 executed it. A withdrawal (--withdrawal N | --l2-tx HASH): pending (no
            root on L1 holds it yet), root-posted (claimable at T), claimable, or claimed.
            Flags: --l1-rpc, --l2-rpc, --deployment
  init-gateway  The L2 ERC-20 gateway's one-time set-up: its admin (the genesis'
            l2GatewayAdmin) calls initialize(<the deployment's l1Gateway>) on L2. Idempotent: a
            gateway already initialized with that address is reported, not touched (exit 0); one
            initialized with another address is an error. Flags: --l2-rpc, --deployment, key

  --l1-rpc URL        L1 JSON-RPC endpoint
  --l2-rpc URL        L2 node JSON-RPC endpoint (fusel2 node)
  --deployment FILE   the deployment JSON that \`fusel2 deploy\` wrote (the devnet's:
                      <datadir>/deployment.json)
  --key-file FILE     file holding the hex private key that signs; else env FUSE_BRIDGE_KEY
                      (never printed). The same key is the account on L1 and on L2.
  --amount X          amount in whole units (FUSE, or the token's decimals), e.g. 1.5
  --to ADDR           recipient (default: the key's own address)
  --token ADDR        the L1 address of an ERC-20 (deposit and withdraw)
  --l2-gas-limit N    L2 gas of a token deposit's message (default ${kDefaultTokenL2Gas})
  --wait              deposit: wait until the L2 executed the deposit (needs --l2-rpc)
  --timeout SECONDS   how long --wait and transaction receipts are waited for (default 300)
  -h, --help          this help`;

/// A problem with the command line (exit code 2).
export { UsageError };
/// A refusal or failed check with a message for the user (exit code 1).
export class BridgeError extends Error {}

const kValueFlags = new Set(['--l1-rpc', '--l2-rpc', '--deployment', '--key-file', '--amount', '--to', '--token',
  '--l2-gas-limit', '--withdrawal', '--l2-tx', '--deposit', '--l1-tx', '--timeout']);
const kAllowed = {
  deposit: ['--l1-rpc', '--l2-rpc', '--deployment', '--key-file', '--amount', '--to', '--token', '--l2-gas-limit', '--wait', '--timeout'],
  withdraw: ['--l2-rpc', '--deployment', '--key-file', '--amount', '--to', '--token', '--timeout'],
  claim: ['--l1-rpc', '--l2-rpc', '--deployment', '--key-file', '--withdrawal', '--l2-tx', '--timeout'],
  status: ['--l1-rpc', '--l2-rpc', '--deployment', '--deposit', '--l1-tx', '--withdrawal', '--l2-tx'],
  'init-gateway': ['--l2-rpc', '--deployment', '--key-file', '--timeout'],
};
const kRequired = {
  deposit: ['--l1-rpc', '--deployment', '--amount'],
  withdraw: ['--l2-rpc', '--deployment', '--amount'],
  claim: ['--l1-rpc', '--l2-rpc', '--deployment'],
  status: ['--deployment'],
  'init-gateway': ['--l2-rpc', '--deployment'],
};

export function parseCommandLine(argv) {
  const [action, ...rest] = argv;
  if (action === undefined || action === '-h' || action === '--help') return { help: true };
  if (!kAllowed[action]) throw new UsageError(`unknown action "${action}": expected deposit, withdraw, claim, status or init-gateway`);
  const flags = {};
  for (let i = 0; i < rest.length; ++i) {
    let flag = rest[i];
    let value;
    if (flag === '-h' || flag === '--help') return { help: true };
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (!kAllowed[action].includes(flag)) throw new UsageError(`${action}: unknown argument "${rest[i]}"`);
    if (flag === '--wait') {
      flags.wait = true;
      continue;
    }
    if (!kValueFlags.has(flag)) throw new UsageError(`${action}: unknown argument "${rest[i]}"`);
    if (value === undefined) {
      if (i + 1 >= rest.length) throw new UsageError(`${flag} needs a value`);
      value = rest[++i];
    }
    if (flags[flag] !== undefined) throw new UsageError(`${flag} given twice`);
    flags[flag] = value;
  }
  for (const f of kRequired[action]) if (flags[f] === undefined) throw new UsageError(`${action} needs ${f}`);
  const o = { action, flags, wait: !!flags.wait };
  o.timeoutMs = flags['--timeout'] !== undefined ? Number(parseInteger('--timeout', flags['--timeout'])) * 1000 : 300000;
  if (flags['--to'] !== undefined) o.to = checkAddress('--to', flags['--to']);
  if (flags['--token'] !== undefined) o.token = checkAddress('--token', flags['--token']);
  if (flags['--amount'] !== undefined) {
    if (!/^\d+(\.\d+)?$/.test(flags['--amount'])) throw new UsageError(`--amount: "${flags['--amount']}" is not a decimal amount such as 1.5`);
    o.amountText = flags['--amount'];
  }
  if (flags['--l2-gas-limit'] !== undefined) {
    if (!o.token) throw new UsageError('--l2-gas-limit goes with --token (a FUSE deposit runs no L2 call)');
    o.l2GasLimit = parseInteger('--l2-gas-limit', flags['--l2-gas-limit']);
  }
  if (o.wait && !flags['--l2-rpc']) throw new UsageError('--wait needs --l2-rpc (the L2 node to watch)');
  const pick = (a, b) => {
    if (flags[a] !== undefined && flags[b] !== undefined) throw new UsageError(`give ${a} or ${b}, not both`);
  };
  if (action === 'claim') {
    pick('--withdrawal', '--l2-tx');
    if (flags['--withdrawal'] === undefined && flags['--l2-tx'] === undefined) throw new UsageError('claim needs --withdrawal N or --l2-tx HASH');
  }
  if (action === 'status') {
    const which = ['--deposit', '--l1-tx', '--withdrawal', '--l2-tx'].filter((f) => flags[f] !== undefined);
    if (which.length !== 1) throw new UsageError('status needs exactly one of --deposit N, --l1-tx HASH, --withdrawal N, --l2-tx HASH');
    if (['--deposit', '--l1-tx'].includes(which[0]) && !flags['--l1-rpc']) throw new UsageError(`status ${which[0]} needs --l1-rpc`);
    if (!flags['--l2-rpc']) throw new UsageError('status needs --l2-rpc');
    if (['--withdrawal', '--l2-tx'].includes(which[0]) && !flags['--l1-rpc']) throw new UsageError(`status ${which[0]} needs --l1-rpc`);
  }
  for (const f of ['--withdrawal', '--deposit']) if (flags[f] !== undefined) o[f.slice(2)] = parseInteger(f, flags[f]);
  for (const f of ['--l1-tx', '--l2-tx']) {
    if (flags[f] !== undefined) {
      if (!ethers.isHexString(flags[f], 32)) throw new UsageError(`${f}: "${flags[f]}" is not a 32-byte transaction hash`);
      o[f === '--l1-tx' ? 'l1Tx' : 'l2Tx'] = flags[f].toLowerCase();
    }
  }
  return o;
}

function parseInteger(flag, value) {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag}: "${value}" is not a non-negative integer`);
  return BigInt(value);
}

function checkAddress(flag, value) {
  if (!ethers.isAddress(value)) throw new UsageError(`${flag}: "${value}" is not an address`);
  return ethers.getAddress(value);
}

/// The signing key from --key-file or env FUSE_BRIDGE_KEY; never echoed.
export function readKey(keyFile, env = process.env) {
  return readPrivateKey({ keyFile, env, envVar: 'FUSE_BRIDGE_KEY', what: 'the key' });
}

/// The URL's scheme and host only: RPC URLs often carry an API key in the path or query.
function redactUrl(url) {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}

function artifactAbi(file) {
  return JSON.parse(fs.readFileSync(path.join(here, 'out', file), 'utf8')).abi;
}

function loadDeployment(file) {
  let d;
  try {
    d = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`--deployment: cannot read ${file} as JSON (${e.code || e.message})`);
  }
  for (const k of ['bridge', 'outbox', 'rollup', 'chainId']) {
    if (d[k] === undefined) throw new UsageError(`--deployment: ${file} has no "${k}" (not a deployment with the bridge; redeploy with fusel2 deploy)`);
  }
  return d;
}

const log = (m) => console.error(`[bridge] ${m}`);
const iso = (seconds) => new Date(Number(seconds) * 1000).toISOString();

class Context {
  constructor(o) {
    this.o = o;
    this.deployment = loadDeployment(o.flags['--deployment']);
    this.providers = [];
    const mk = (url) => {
      const p = new ethers.JsonRpcProvider(url, undefined, { cacheTimeout: -1, staticNetwork: true });
      p.pollingInterval = 250;
      this.providers.push(p);
      return p;
    };
    if (o.flags['--l1-rpc']) this.l1 = mk(o.flags['--l1-rpc']);
    if (o.flags['--l2-rpc']) this.l2 = mk(o.flags['--l2-rpc']);
    const d = this.deployment;
    this.abi = { Bridge: artifactAbi('Bridge.json'), Outbox: artifactAbi('Outbox.json'), RollupCore: artifactAbi('RollupCore.json'),
      L1ERC20Gateway: artifactAbi('L1ERC20Gateway.json'), L2ERC20Gateway: artifactAbi('l2/L2ERC20Gateway.json') };
    if (this.l1) {
      this.bridge = new ethers.Contract(d.bridge, this.abi.Bridge, this.l1);
      this.outbox = new ethers.Contract(d.outbox, this.abi.Outbox, this.l1);
      this.rollup = new ethers.Contract(d.rollup, this.abi.RollupCore, this.l1);
    }
  }

  destroy() {
    for (const p of this.providers) p.destroy();
  }

  async rpc(provider, url, method, params) {
    try {
      return await provider.send(method, params);
    } catch (e) {
      if (e.code === 'ECONNREFUSED' || e.error?.code === 'ECONNREFUSED' || /ECONNREFUSED|fetch failed/.test(e.message)) {
        throw new BridgeError(`cannot reach ${redactUrl(url)} (${method}): is the node running?`);
      }
      throw e;
    }
  }

  /// Checks that --l1-rpc is the deployment's L1 and --l2-rpc the chain RollupCore was deployed for.
  async checkChains() {
    const d = this.deployment;
    if (this.l1) {
      const id = BigInt(await this.rpc(this.l1, this.o.flags['--l1-rpc'], 'eth_chainId', []));
      if (id !== BigInt(d.chainId)) {
        throw new BridgeError(`wrong L1: ${redactUrl(this.o.flags['--l1-rpc'])} is chain ${id}, the deployment (${this.o.flags['--deployment']}) is on chain ${d.chainId}`);
      }
      if ((await this.l1.getCode(d.bridge)) === '0x') {
        throw new BridgeError(`wrong L1: there is no contract at the deployment's Bridge ${d.bridge} on ${redactUrl(this.o.flags['--l1-rpc'])}`);
      }
    }
    if (this.l2) {
      const g = await this.rpc(this.l2, this.o.flags['--l2-rpc'], 'eth_getBlockByNumber', ['0x0', false]);
      if (d.genesisHash && g?.hash?.toLowerCase() !== d.genesisHash.toLowerCase()) {
        throw new BridgeError(`wrong L2: ${redactUrl(this.o.flags['--l2-rpc'])} has genesis block ${g?.hash}, the deployment's RollupCore is for genesis ${d.genesisHash}`);
      }
      this.l2ChainId = BigInt(await this.l2.send('eth_chainId', []));
    }
  }

  signer(provider) {
    return new ethers.Wallet(readKey(this.o.flags['--key-file']), provider);
  }

  async wait(tx, what) {
    log(`${what}: sent ${tx.hash}`);
    const rc = await tx.provider.waitForTransaction(tx.hash, 1, this.o.timeoutMs);
    if (!rc) throw new BridgeError(`${what}: no receipt for ${tx.hash} within ${this.o.timeoutMs / 1000} s`);
    if (rc.status !== 1) throw new BridgeError(`${what}: transaction ${tx.hash} reverted (block ${rc.blockNumber})`);
    return rc;
  }
}

/// A readable reason from an ethers error (custom errors decoded with the bridge's ABIs).
function reasonOf(e, ctx) {
  const data = e.data ?? e.info?.error?.data ?? e.error?.data;
  if (typeof data === 'string' && data.length >= 10) {
    for (const abi of Object.values(ctx.abi)) {
      try {
        const parsed = new ethers.Interface(abi).parseError(data);
        if (parsed) return `${parsed.name}(${parsed.args.map(String).join(', ')})`;
      } catch { /* not this ABI */ }
    }
  }
  if (e.code === 'INSUFFICIENT_FUNDS') return 'insufficient funds for the value plus gas';
  return e.shortMessage || e.message;
}

/// The L2 hash of a deposit (docs/arbos.md "Deposits"): keccak256(type ‖ rlp(fields)).
function depositTxHash(chainId, d) {
  const q = (v) => (v === 0n ? '0x' : ethers.toBeHex(v));
  const requestId = ethers.zeroPadValue(ethers.toBeArray(d.index), 32);
  const fields = d.kind === 0n
    ? [q(chainId), requestId, d.l2From, d.to, q(d.value)]
    : [q(chainId), requestId, d.l2From, '0x', q(d.l2GasLimit), d.to, q(d.value), d.data];
  return ethers.keccak256(ethers.concat([d.kind === 0n ? '0x64' : '0x66', ethers.encodeRlp(fields)]));
}

async function deposit(ctx) {
  const { o, deployment: d } = ctx;
  await ctx.checkChains();
  const signer = ctx.signer(ctx.l1);
  const to = o.to ?? signer.address;
  const bridge = ctx.bridge.connect(signer);
  const balance = await ctx.l1.getBalance(signer.address);
  let rc;
  let amount;
  let token = null;
  if (!o.token) {
    amount = ethers.parseEther(o.amountText);
    if (amount === 0n) throw new BridgeError('--amount must be more than 0');
    if (balance < amount) throw new BridgeError(`${signer.address} has ${ethers.formatEther(balance)} FUSE on L1, less than the ${o.amountText} FUSE to deposit (plus gas)`);
    log(`depositing ${o.amountText} FUSE from ${signer.address} to ${to} on L2`);
    try {
      rc = await ctx.wait(await bridge.depositNative(to, { value: amount }), 'Bridge.depositNative');
    } catch (e) {
      if (e instanceof BridgeError) throw e;
      throw new BridgeError(`Bridge.depositNative refused: ${reasonOf(e, ctx)}`);
    }
  } else {
    if (!d.l1Gateway) throw new BridgeError(`the deployment has no l1Gateway: ERC-20 deposits need a deployment made by a fusel2 deploy with the gateway`);
    if ((await ctx.l1.getCode(o.token)) === '0x') throw new BridgeError(`--token ${o.token} has no code on the L1: not a token`);
    const erc20 = new ethers.Contract(o.token, kErc20Abi, signer);
    const decimals = await erc20.decimals().catch(() => 18n);
    amount = ethers.parseUnits(o.amountText, decimals);
    if (amount === 0n) throw new BridgeError('--amount must be more than 0');
    const have = await erc20.balanceOf(signer.address);
    if (have < amount) throw new BridgeError(`${signer.address} holds ${ethers.formatUnits(have, decimals)} of token ${o.token} on L1, less than ${o.amountText}`);
    const gas = o.l2GasLimit ?? kDefaultTokenL2Gas;
    const fee = gas * (await ctx.bridge.l2GasPrice());
    if (balance < fee) throw new BridgeError(`${signer.address} has ${ethers.formatEther(balance)} FUSE on L1, less than the message fee ${ethers.formatEther(fee)} FUSE (${gas} L2 gas x l2GasPrice) plus gas`);
    const gateway = new ethers.Contract(d.l1Gateway, ctx.abi.L1ERC20Gateway, signer);
    try {
      if ((await erc20.allowance(signer.address, d.l1Gateway)) < amount) {
        await ctx.wait(await erc20.approve(d.l1Gateway, amount), `approve the L1 gateway for ${o.amountText}`);
      }
      log(`depositing ${o.amountText} of ${o.token} from ${signer.address} to ${to} on L2 (${gas} L2 gas, fee ${ethers.formatEther(fee)} FUSE)`);
      rc = await ctx.wait(await gateway.deposit(o.token, to, amount, gas, { value: fee }), 'L1ERC20Gateway.deposit');
    } catch (e) {
      if (e instanceof BridgeError) throw e;
      throw new BridgeError(`the token deposit was refused: ${reasonOf(e, ctx)}`);
    }
    token = o.token;
  }
  const ev = rc.logs.map((l) => { try { return ctx.bridge.interface.parseLog(l); } catch { return null; } })
    .find((p) => p?.name === 'DepositQueued');
  if (!ev) throw new BridgeError(`transaction ${rc.hash} emitted no DepositQueued`);
  const out = { action: 'deposit', index: Number(ev.args.index), l1Tx: rc.hash, l1Block: rc.blockNumber, to, amount: amount.toString(), token };
  if (ctx.l2) {
    const a = ev.args;
    out.l2Tx = depositTxHash(ctx.l2ChainId, { index: a.index, kind: a.kind, l2From: a.l2From, to: a.to, value: a.value,
      l2GasLimit: a.l2GasLimit, data: a.data });
    if (o.wait) {
      log(`waiting for the L2 to execute deposit ${out.index} (${out.l2Tx})`);
      const l2rc = await ctx.l2.waitForTransaction(out.l2Tx, 1, o.timeoutMs);
      if (!l2rc) throw new BridgeError(`deposit ${out.index} was not executed on L2 within ${o.timeoutMs / 1000} s (the sequencer includes deposits about l1.lag L1 blocks late); check later with fusel2 bridge status --deposit ${out.index}`);
      out.l2Block = l2rc.blockNumber;
      out.l2Status = l2rc.status;
    }
  }
  return out;
}

async function withdraw(ctx) {
  const { o, deployment: d } = ctx;
  await ctx.checkChains();
  const signer = ctx.signer(ctx.l2);
  const to = o.to ?? signer.address;
  const balance = await ctx.l2.getBalance(signer.address);
  let rc;
  let amount;
  try {
    if (!o.token) {
      amount = ethers.parseEther(o.amountText);
      if (amount === 0n) throw new BridgeError('--amount must be more than 0');
      if (balance < amount) throw new BridgeError(`${signer.address} has ${ethers.formatEther(balance)} FUSE on L2, less than the ${o.amountText} FUSE to withdraw (plus gas)`);
      log(`withdrawing ${o.amountText} FUSE from ${signer.address} on L2 to ${to} on L1`);
      const arbSys = new ethers.Contract(kArbSys, kArbSysAbi, signer);
      rc = await ctx.wait(await arbSys.withdrawEth(to, { value: amount }), 'ArbSys.withdrawEth');
    } else {
      const l2Gateway = new ethers.Contract(d.l2Gateway ?? kL2Gateway, ctx.abi.L2ERC20Gateway, signer);
      if ((await ctx.l2.getCode(await l2Gateway.getAddress())) === '0x') throw new BridgeError('the L2 has no ERC-20 gateway predeploy (genesis without l2GatewayAdmin)');
      const l2Token = await l2Gateway.calculateL2TokenAddress(o.token);
      if ((await ctx.l2.getCode(l2Token)) === '0x') throw new BridgeError(`token ${o.token} was never deposited to this L2 (no copy at ${l2Token})`);
      const copy = new ethers.Contract(l2Token, kErc20Abi, signer);
      const decimals = await copy.decimals();
      amount = ethers.parseUnits(o.amountText, decimals);
      if (amount === 0n) throw new BridgeError('--amount must be more than 0');
      const have = await copy.balanceOf(signer.address);
      if (have < amount) throw new BridgeError(`${signer.address} holds ${ethers.formatUnits(have, decimals)} of ${o.token}'s L2 copy ${l2Token}, less than ${o.amountText}`);
      log(`withdrawing ${o.amountText} of ${o.token} (L2 copy ${l2Token}) from ${signer.address} to ${to} on L1`);
      rc = await ctx.wait(await l2Gateway.outboundTransfer(o.token, to, amount), 'L2ERC20Gateway.outboundTransfer');
    }
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    throw new BridgeError(`the withdrawal was refused: ${reasonOf(e, ctx)}`);
  }
  const iface = new ethers.Interface(kArbSysAbi);
  const ev = rc.logs.filter((l) => ethers.getAddress(l.address) === ethers.getAddress(kArbSys))
    .map((l) => { try { return iface.parseLog(l); } catch { return null; } }).find((p) => p?.name === 'L2ToL1Tx');
  if (!ev) throw new BridgeError(`transaction ${rc.hash} emitted no L2ToL1Tx`);
  return { action: 'withdraw', withdrawal: Number(ev.args.position), l2Tx: rc.hash, l2Block: rc.blockNumber, to, amount: amount.toString(),
    token: o.token ?? null };
}

/// The withdrawal's L2ToL1Tx event (by index or by its L2 transaction).
async function findWithdrawal(ctx) {
  const iface = new ethers.Interface(kArbSysAbi);
  const topic = iface.getEvent('L2ToL1Tx').topicHash;
  let log0;
  if (ctx.o.l2Tx) {
    const rc = await ctx.l2.getTransactionReceipt(ctx.o.l2Tx);
    if (!rc) throw new BridgeError(`the L2 has no transaction ${ctx.o.l2Tx}`);
    log0 = rc.logs.find((l) => ethers.getAddress(l.address) === ethers.getAddress(kArbSys) && l.topics[0] === topic);
    if (!log0) throw new BridgeError(`L2 transaction ${ctx.o.l2Tx} made no withdrawal (no ArbSys L2ToL1Tx event)`);
  } else {
    const logs = await ctx.l2.getLogs({ address: kArbSys, topics: [topic, null, null, ethers.toBeHex(ctx.o.withdrawal, 32)], fromBlock: 0, toBlock: 'latest' });
    if (logs.length === 0) {
      const head = await ctx.l2.send('eth_getBlockByNumber', ['latest', false]);
      throw new BridgeError(`the L2 has no withdrawal ${ctx.o.withdrawal} (it has ${BigInt(head.sendCount ?? 0)}: indices 0..${BigInt(head.sendCount ?? 0) - 1n})`);
    }
    log0 = logs[0];
  }
  const p = iface.parseLog(log0);
  return { index: p.args.position, block: log0.blockNumber, to: p.args.destination, value: p.args.callvalue, tx: log0.transactionHash };
}

/// Where a withdrawal stands: {state, ...} with state pending | root-posted | claimable | claimed.
async function withdrawalState(ctx, w) {
  if (await ctx.outbox.isSpent(w.index)) return { state: 'claimed' };
  // The oldest RollupCore record at or after the withdrawal's L2 block holds it (roots grow).
  const count = Number(await ctx.rollup.postedBatchCount());
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Number((await ctx.rollup.getRecord(mid)).l2BlockNumber) >= w.block) hi = mid;
    else lo = mid + 1;
  }
  const delay = await ctx.outbox.withdrawalDelay();
  const now = BigInt((await ctx.l1.getBlock('latest')).timestamp);
  for (let b = lo; b < count; ++b) {
    const rec = await ctx.rollup.getRecord(b);
    if (await ctx.outbox.isSendRootInvalidated(rec.sendRoot)) continue;
    const [, first] = await ctx.rollup.sendRootPostedIn(rec.sendRoot);
    const postedAt = (await ctx.rollup.getRecord(first)).postedAtTimestamp;
    const claimableAt = postedAt + delay;
    const l2Block = Number(rec.l2BlockNumber);
    return { state: now >= claimableAt ? 'claimable' : 'root-posted', batch: Number(first), root: rec.sendRoot, rootL2Block: l2Block,
      postedAt: Number(postedAt), claimableAt: Number(claimableAt), claimableAtIso: iso(claimableAt), l1Time: Number(now) };
  }
  return { state: 'pending', reason: count > lo ? 'every root that holds it was invalidated by the guardian' : 'no root on L1 holds it yet (the proposer posts one once its batch is on L1)' };
}

async function claim(ctx) {
  await ctx.checkChains();
  const signer = ctx.signer(ctx.l1);
  const w = await findWithdrawal(ctx);
  const st = await withdrawalState(ctx, w);
  const name = `withdrawal ${w.index}`;
  if (st.state === 'claimed') throw new BridgeError(`${name} was already claimed (Outbox.isSpent(${w.index}) is true)`);
  if (st.state === 'pending') throw new BridgeError(`${name} is not claimable yet: ${st.reason}; try again later (fusel2 bridge status --withdrawal ${w.index})`);
  if (st.state === 'root-posted') {
    throw new BridgeError(`${name} is not claimable yet: its send root ${st.root} was posted in batch ${st.batch} at ${iso(st.postedAt)}; claimable at ${st.claimableAtIso} (in ${st.claimableAt - st.l1Time} s of L1 time)`);
  }
  const block = await ctx.l2.send('eth_getBlockByNumber', [ethers.toQuantity(st.rootL2Block), false]);
  const size = BigInt(block.sendCount);
  const p = await ctx.l2.send('fusel2_getOutboxProof', [ethers.toQuantity(w.index), ethers.toQuantity(size)]);
  if (p.root.toLowerCase() !== st.root.toLowerCase()) {
    throw new BridgeError(`the L2 node's send root at block ${st.rootL2Block} is ${p.root}, RollupCore's is ${st.root}: the node is not on the chain L1 has`);
  }
  const outbox = ctx.outbox.connect(signer);
  log(`claiming ${name}: ${ethers.formatEther(BigInt(p.value))} FUSE to ${p.to}, root of batch ${st.batch}`);
  let rc;
  try {
    rc = await ctx.wait(await outbox.executeTransaction(p.proof, p.index, p.l2Sender, p.to, p.l2Block, p.l1Block, p.l2Timestamp,
      p.value, p.data), 'Outbox.executeTransaction');
  } catch (e) {
    if (e instanceof BridgeError) throw e;
    throw new BridgeError(`Outbox.executeTransaction refused ${name}: ${reasonOf(e, ctx)}`);
  }
  return { action: 'claim', withdrawal: Number(w.index), l1Tx: rc.hash, l1Block: rc.blockNumber, to: ethers.getAddress(p.to),
    value: BigInt(p.value).toString(), root: st.root, batch: st.batch };
}

async function status(ctx) {
  await ctx.checkChains();
  const { o } = ctx;
  if (o.deposit !== undefined || o.l1Tx) {
    let ev;
    if (o.l1Tx) {
      const rc = await ctx.l1.getTransactionReceipt(o.l1Tx);
      if (!rc) throw new BridgeError(`the L1 has no transaction ${o.l1Tx}`);
      ev = rc.logs.map((l) => { try { return { p: ctx.bridge.interface.parseLog(l), l }; } catch { return null; } })
        .find((x) => x?.p?.name === 'DepositQueued' && ethers.getAddress(x.l.address) === ethers.getAddress(ctx.deployment.bridge));
      if (!ev) throw new BridgeError(`L1 transaction ${o.l1Tx} made no deposit to the Bridge ${ctx.deployment.bridge}`);
    } else {
      const count = await ctx.bridge.depositCount();
      if (o.deposit >= count) throw new BridgeError(`the Bridge has no deposit ${o.deposit} (it has ${count})`);
      const logs = await ctx.bridge.queryFilter(ctx.bridge.filters.DepositQueued(o.deposit), Number(ctx.deployment.bridgeDeployBlock ?? 0));
      if (logs.length === 0) throw new BridgeError(`no DepositQueued event for deposit ${o.deposit} on the L1 (a node without logs?)`);
      ev = { p: ctx.bridge.interface.parseLog(logs[0]), l: logs[0] };
    }
    const a = ev.p.args;
    const l2Tx = depositTxHash(ctx.l2ChainId, { index: a.index, kind: a.kind, l2From: a.l2From, to: a.to, value: a.value, l2GasLimit: a.l2GasLimit, data: a.data });
    const rc = await ctx.l2.getTransactionReceipt(l2Tx);
    return { kind: 'deposit', index: Number(a.index), l1Tx: ev.l.transactionHash, l1Block: ev.l.blockNumber, from: a.l2From, to: a.to,
      value: a.value.toString(), l2Tx, executed: !!rc, l2Block: rc?.blockNumber ?? null, l2Status: rc ? rc.status : null };
  }
  const w = await findWithdrawal(ctx);
  const st = await withdrawalState(ctx, w);
  return { kind: 'withdrawal', withdrawal: Number(w.index), l2Tx: w.tx, l2Block: w.block, to: w.to, value: w.value.toString(), ...st };
}

/// The L2 gateway's initialize(l1Gateway), once: reports an already initialized gateway.
async function initGateway(ctx) {
  const { deployment: d } = ctx;
  if (!d.l1Gateway) throw new BridgeError('the deployment has no l1Gateway: redeploy with a fusel2 deploy that deploys the gateway');
  await ctx.checkChains();
  const signer = ctx.signer(ctx.l2);
  const at = d.l2Gateway ?? kL2Gateway;
  if ((await ctx.l2.getCode(at)) === '0x') {
    throw new BridgeError(`the L2 has no ERC-20 gateway at ${at}: its genesis needs "l2GatewayAdmin" (docs/genesis.md; fusel2 genesis --dev --l2-gateway-admin ADDR)`);
  }
  const gateway = new ethers.Contract(at, ctx.abi.L2ERC20Gateway, signer);
  const want = ethers.getAddress(d.l1Gateway);
  const out = { action: 'init-gateway', l2Gateway: ethers.getAddress(at), l1Gateway: want };
  const current = async () => ethers.getAddress(await gateway.l1Gateway());
  const have = await current();
  if (have === want) return { ...out, initialized: 'already' };
  if (have !== ethers.ZeroAddress) {
    throw new BridgeError(`the L2 gateway ${at} is already initialized with ${have}, not the deployment's L1ERC20Gateway ${want}: this L2 belongs to another deployment`);
  }
  const admin = ethers.getAddress(await gateway.admin());
  if (admin !== signer.address) throw new BridgeError(`only the L2 gateway's admin ${admin} may initialize it; the key is ${signer.address}`);
  log(`initializing the L2 gateway ${at} with the L1 gateway ${want}`);
  let rc;
  try {
    rc = await ctx.wait(await gateway.initialize(want), 'L2ERC20Gateway.initialize');
  } catch (e) {
    // Someone (an earlier run whose transaction the sequencer re-sequenced) may have just done it.
    if ((await current()) === want) return { ...out, initialized: 'already' };
    if (e instanceof BridgeError) throw e;
    throw new BridgeError(`L2ERC20Gateway.initialize refused: ${reasonOf(e, ctx)}`);
  }
  return { ...out, initialized: 'now', l2Tx: rc.hash, l2Block: rc.blockNumber };
}

async function main() {
  const o = parseCommandLine(process.argv.slice(2));
  if (o.help) {
    console.log(kUsage);
    return;
  }
  if (['deposit', 'withdraw', 'claim', 'init-gateway'].includes(o.action)) readKey(o.flags['--key-file']);  // a bad key is a usage error, before any RPC
  const ctx = new Context(o);
  try {
    const run = { deposit, withdraw, claim, status, 'init-gateway': initGateway }[o.action];
    console.log(JSON.stringify(await run(ctx), null, 2));
  } finally {
    ctx.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    const usage = e instanceof UsageError;
    const msg = usage || e instanceof BridgeError ? e.message : e.shortMessage || e.message;
    console.error(`bridge: ${msg}`);
    if (usage) console.error('(see fusel2 bridge ACTION --help)');
    process.exit(usage ? 2 : 1);
  });
}
