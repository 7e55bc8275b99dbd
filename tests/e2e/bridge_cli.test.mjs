// `fusel2 bridge deposit | withdraw | claim | status | init-gateway` end to end (issue 13 point 6),
// driving the real binary (which runs contracts/bridge.mjs) against a rollup on anvil: the L2
// gateway's admin initializes it (a non-admin refused, a second run a no-op); a user with only a
// key file deposits FUSE and an ERC-20, withdraws both, follows their status through pending → root
// posted (claimable at T) → claimable → claimed, claims them and is refused a second claim.
// Bad input gets exit 2 (command line, key) or 1 (chain refusals) with a precise message, and the
// key never appears in any output. Ends with the supply equation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ethers } from 'ethers';
import { artifact, buildBridgeContracts, l2Artifact, testL1Artifact } from '../lib/contracts.mjs';
import { devKey, nodeSkipReason, runFusel2 } from '../lib/fusel2.mjs';
import { startRollup, waitFor } from '../lib/rollup.mjs';
import { checkSupplyEquation } from '../lib/supply.mjs';

const skip = nodeSkipReason();
const kDelay = 3600;

describe('fusel2 bridge', { skip: skip ?? false }, () => {
  it('deposits, withdraws, reports status and claims through the CLI; bad input is refused precisely', async () => {
    await buildBridgeContracts();
    const r = await startRollup({
      genesisArgs: ['--l2-gateway-admin', new ethers.Wallet(devKey(0)).address],
      deployArgs: ['--withdrawal-delay', String(kDelay)],
    });
    const outputs = [];
    try {
      await r.startValidator({ mode: 'propose' });
      const l1 = r.l1;
      const l2 = r.sequencer.provider();
      const l2Gateway = new ethers.Contract(r.deployment.l2Gateway, l2Artifact('L2ERC20Gateway').abi, l2);

      // A user who has only FUSE and tokens on L1, and a key file.
      const user = ethers.Wallet.createRandom();
      const keyFile = path.join(r.dir, 'user.key');
      fs.writeFileSync(keyFile, `${user.privateKey}\n`, { mode: 0o600 });
      await (await r.wallets.stranger.sendTransaction({ to: user.address, value: ethers.parseEther('10') })).wait();
      const ta = testL1Artifact('TestToken');
      const token = await new ethers.ContractFactory(ta.abi, ta.bytecode, r.wallets.stranger).deploy(ethers.parseEther('1000'));
      await token.waitForDeployment();
      const l1Token = await token.getAddress();
      await (await token.transfer(user.address, ethers.parseEther('100'))).wait();

      const common = ['--deployment', r.files.deployment];
      const bridge = async (args, { expect = 0, env } = {}) => {
        const res = await runFusel2(['bridge', ...args], { timeoutMs: 120000, env });
        outputs.push(res.output);
        assert.equal(res.code, expect, `fusel2 bridge ${args.join(' ')} exited ${res.code}:\n${res.output}`);
        return expect === 0 ? JSON.parse(res.stdout) : res.output;
      };
      const L1 = ['--l1-rpc', r.anvil.url];
      const L2 = ['--l2-rpc', r.sequencer.url];
      const key = ['--key-file', keyFile];

      // The L2 gateway's one-time set-up: only its admin (dev account 0, the genesis'
      // l2GatewayAdmin), once; a second run reports it done and sends nothing.
      assert.equal(await l2Gateway.l1Gateway(), ethers.ZeroAddress);
      assert.match(await bridge(['init-gateway', ...L2, ...common, ...key], { expect: 1 }),
        new RegExp(`only the L2 gateway's admin ${new ethers.Wallet(devKey(0)).address} may initialize it; the key is ${user.address}`));
      const adminKey = path.join(r.dir, 'admin.key');
      fs.writeFileSync(adminKey, `${devKey(0)}\n`, { mode: 0o600 });
      const init = await bridge(['init-gateway', ...L2, ...common, '--key-file', adminKey]);
      assert.equal(init.initialized, 'now');
      assert.equal(await l2Gateway.l1Gateway(), r.deployment.l1Gateway);
      const adminNonce = await l2.getTransactionCount(new ethers.Wallet(devKey(0)).address);
      const again = await bridge(['init-gateway', ...L2, ...common, '--key-file', adminKey]);
      assert.deepEqual([again.initialized, again.l1Gateway], ['already', r.deployment.l1Gateway]);
      assert.equal(await l2.getTransactionCount(new ethers.Wallet(devKey(0)).address), adminNonce, 'nothing sent');
      const otherL1 = path.join(r.dir, 'other-l1-gateway.json');
      fs.writeFileSync(otherL1, JSON.stringify({ ...r.deployment, l1Gateway: ethers.Wallet.createRandom().address }));
      assert.match(await bridge(['init-gateway', ...L2, '--deployment', otherL1, '--key-file', adminKey], { expect: 1 }),
        new RegExp(`the L2 gateway 0x0000000000000000000000000000000000004B01 is already initialized with ${r.deployment.l1Gateway}, not the deployment's L1ERC20Gateway`));

      // Bad input: precise, exit 2 for the command line and the key, 1 for what the chain refuses.
      assert.match(await bridge(['deposit', ...L1, ...common, '--amount', '1'], { expect: 2 }), /no key: pass --key-file FILE or set FUSE_BRIDGE_KEY/);
      const badKey = path.join(r.dir, 'bad.key');
      fs.writeFileSync(badKey, '0x1234\n');
      assert.match(await bridge(['deposit', ...L1, ...common, '--key-file', badKey, '--amount', '1'], { expect: 2 }), /the key \(.*bad\.key\) is not 32 bytes of hex/);
      assert.match(await bridge(['deposit', ...L1, ...common, ...key, '--amount', '1,5'], { expect: 2 }), /--amount: "1,5" is not a decimal amount/);
      assert.match(await bridge(['deposit', ...L1, ...common, ...key, '--amount', '1', '--to', '0x12'], { expect: 2 }), /--to: "0x12" is not an address/);
      assert.match(await bridge(['teleport', ...common], { expect: 2 }), /A subcommand is required|teleport/);
      assert.match(await bridge(['claim', ...L1, ...L2, ...common, ...key], { expect: 2 }), /claim needs --withdrawal N or --l2-tx HASH/);
      const wrongChain = path.join(r.dir, 'wrong-chain.json');
      fs.writeFileSync(wrongChain, JSON.stringify({ ...r.deployment, chainId: 122 }));
      assert.match(await bridge(['deposit', ...L1, '--deployment', wrongChain, ...key, '--amount', '1'], { expect: 1 }),
        /wrong L1: http:\/\/127\.0\.0\.1:\d+ is chain 31337, the deployment \(.*\) is on chain 122/);
      assert.match(await bridge(['withdraw', '--l2-rpc', r.anvil.url, ...common, ...key, '--amount', '1'], { expect: 1 }),
        /wrong L2: http:\/\/127\.0\.0\.1:\d+ has genesis block 0x[0-9a-f]{64}, the deployment's RollupCore is for genesis/);
      assert.match(await bridge(['deposit', ...L1, ...common, ...key, '--amount', '11'], { expect: 1 }), /has 10\.0 FUSE on L1, less than the 11 FUSE to deposit/);
      assert.match(await bridge(['status', ...L1, ...L2, ...common, '--deposit', '0'], { expect: 1 }), /the Bridge has no deposit 0 \(it has 0\)/);

      // Deposits: FUSE (key from the environment this time) and the token, each waited for on L2.
      const dep = await bridge(['deposit', ...L1, ...L2, ...common, '--amount', '2.5', '--wait'], { env: { FUSE_BRIDGE_KEY: user.privateKey } });
      assert.equal(dep.index, 0);
      assert.equal(dep.l2Status, 1);
      assert.equal(await l2.getBalance(user.address), ethers.parseEther('2.5'));
      const depTok = await bridge(['deposit', ...L1, ...L2, ...common, ...key, '--token', l1Token, '--amount', '40', '--wait']);
      assert.equal(depTok.index, 1);
      assert.equal(depTok.l2Status, 1);
      const l2Token = new ethers.Contract(await l2Gateway.calculateL2TokenAddress(l1Token), l2Artifact('BridgedERC20').abi, l2);
      assert.equal(await l2Token.balanceOf(user.address), ethers.parseEther('40'));
      assert.equal(await token.balanceOf(user.address), ethers.parseEther('60'));
      const st0 = await bridge(['status', ...L1, ...L2, ...common, '--deposit', '0']);
      assert.deepEqual([st0.kind, st0.index, st0.executed, st0.l2Tx, st0.value], ['deposit', 0, true, dep.l2Tx, ethers.parseEther('2.5').toString()]);
      const st1 = await bridge(['status', ...L1, ...L2, ...common, '--l1-tx', depTok.l1Tx]);
      assert.equal(st1.index, 1);
      assert.equal(st1.executed, true);

      // Withdrawals: FUSE and the token, to fresh L1 addresses.
      const fuseTo = ethers.Wallet.createRandom().address;
      const tokenTo = ethers.Wallet.createRandom().address;
      assert.match(await bridge(['withdraw', ...L2, ...common, ...key, '--amount', '3'], { expect: 1 }), /has 2\.5 FUSE on L2, less than the 3 FUSE to withdraw/);
      assert.match(await bridge(['withdraw', ...L2, ...common, ...key, '--amount', '1', '--token', fuseTo], { expect: 1 }), /was never deposited to this L2/);
      const wd = await bridge(['withdraw', ...L2, ...common, ...key, '--amount', '1.25', '--to', fuseTo]);
      const wdTok = await bridge(['withdraw', ...L2, ...common, ...key, '--amount', '15', '--token', l1Token, '--to', tokenTo]);
      assert.equal(wdTok.withdrawal, wd.withdrawal + 1);
      assert.equal(await l2Token.balanceOf(user.address), ethers.parseEther('25'));
      const s = await bridge(['status', ...L1, ...L2, ...common, '--withdrawal', String(wd.withdrawal)]);
      assert.ok(['pending', 'root-posted'].includes(s.state), JSON.stringify(s));
      assert.equal(s.value, ethers.parseEther('1.25').toString());
      assert.match(await bridge(['status', ...L1, ...L2, ...common, '--withdrawal', '99'], { expect: 1 }), /the L2 has no withdrawal 99 \(it has 2: indices 0\.\.1\)/);

      // The root is posted: claimable at postedAt + delay, and a claim says when.
      // (Each withdrawal's state is that of the oldest root holding it: the token's may be later.)
      const rootPosted = (args) => waitFor(async () => {
        const x = await bridge(['status', ...L1, ...L2, ...common, ...args]);
        return x.state === 'root-posted' ? x : null;
      }, { timeoutMs: 90000, intervalMs: 500, what: `the root of ${args.join(' ')} on L1` });
      await rootPosted(['--l2-tx', wdTok.l2Tx]);
      const posted = await rootPosted(['--withdrawal', String(wd.withdrawal)]);
      assert.equal(posted.claimableAt, posted.postedAt + kDelay);
      const [, batch] = await r.rollupCore.sendRootPostedIn(posted.root);
      assert.equal(BigInt(posted.postedAt), (await r.rollupCore.getRecord(batch)).postedAtTimestamp);
      assert.match(await bridge(['claim', ...L1, ...L2, ...common, ...key, '--withdrawal', String(wd.withdrawal)], { expect: 1 }),
        new RegExp(`withdrawal ${wd.withdrawal} is not claimable yet: its send root 0x[0-9a-f]{64} was posted in batch \\d+ at \\S+; claimable at ${posted.claimableAtIso.replace(/\./g, '\\.')} \\(in \\d+ s of L1 time\\)`));

      await r.anvil.rpc('evm_increaseTime', [kDelay]);
      await r.anvil.rpc('evm_mine', []);
      assert.equal((await bridge(['status', ...L1, ...L2, ...common, '--withdrawal', String(wd.withdrawal)])).state, 'claimable');
      const c1 = await bridge(['claim', ...L1, ...L2, ...common, ...key, '--withdrawal', String(wd.withdrawal)]);
      assert.equal(c1.to, fuseTo);
      assert.equal(await l1.getBalance(fuseTo), ethers.parseEther('1.25'), 'the exact FUSE on L1');
      await bridge(['claim', ...L1, ...L2, ...common, ...key, '--l2-tx', wdTok.l2Tx]);
      assert.equal(await token.balanceOf(tokenTo), ethers.parseEther('15'), 'the exact tokens on L1');
      assert.equal((await bridge(['status', ...L1, ...L2, ...common, '--withdrawal', String(wd.withdrawal)])).state, 'claimed');
      assert.match(await bridge(['claim', ...L1, ...L2, ...common, ...key, '--withdrawal', String(wd.withdrawal)], { expect: 1 }),
        new RegExp(`withdrawal ${wd.withdrawal} was already claimed`));
      assert.equal(await l1.getBalance(fuseTo), ethers.parseEther('1.25'), 'not paid twice');

      // The key never appeared in any output.
      const hex = user.privateKey.slice(2).toLowerCase();
      for (const out of outputs) assert.ok(!out.toLowerCase().includes(hex), 'the key was printed');

      const bridgeC = new ethers.Contract(r.deployment.bridge, artifact('Bridge').abi, l1);
      const terms = await checkSupplyEquation({ l2Url: r.sequencer.url, l1, deployment: r.deployment, genesisFile: r.files.genesis });
      assert.equal(terms.escrow, ethers.parseEther('1.25'));
      assert.equal(await bridgeC.totalWithdrawn(), ethers.parseEther('1.25'));
    } finally {
      await r.stop();
    }
  });
});
