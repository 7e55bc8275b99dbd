// Off-chain recomputation of the bridge's encodings (docs/bridge.md): address aliasing, the
// deposit hash and accumulator, the withdrawal item hash, and the L2 send accumulator with its
// proofs as ArbOS builds it (src/arbos/system_state.cpp append_send / send_root; Nitro's
// MerkleAccumulator). The tests compare every value with the contracts'.
import { ethers } from 'ethers';

const coder = ethers.AbiCoder.defaultAbiCoder();

/// Arbitrum's L1-to-L2 alias offset.
export const kAliasOffset = 0x1111000000000000000000000000000000001111n;
const kAddressMod = 1n << 160n;
export const kZeroHash = ethers.ZeroHash;
export const kKindNative = 0;
export const kKindMessage = 1;

/// `l1 + 0x1111…1111 mod 2^160`, checksummed.
export function applyL1ToL2Alias(address) {
  return ethers.getAddress(ethers.toBeHex((BigInt(address) + kAliasOffset) % kAddressMod, 20));
}

/// `l2 - 0x1111…1111 mod 2^160`, checksummed.
export function undoL1ToL2Alias(address) {
  return ethers.getAddress(ethers.toBeHex((BigInt(address) - kAliasOffset + kAddressMod) % kAddressMod, 20));
}

/// keccak256(abi.encode(uint8 kind, uint256 index, address l2From, address to, uint256 value,
/// uint256 l2GasLimit, uint256 l1BlockNumber, uint256 l1Timestamp, bytes32 keccak256(data))).
export function depositHash({ kind, index, l2From, to, value, l2GasLimit = 0n, l1BlockNumber, l1Timestamp, data = '0x' }) {
  return ethers.keccak256(coder.encode(
    ['uint8', 'uint256', 'address', 'address', 'uint256', 'uint256', 'uint256', 'uint256', 'bytes32'],
    [kind, index, l2From, to, value, l2GasLimit, l1BlockNumber, l1Timestamp, ethers.keccak256(data)],
  ));
}

/// acc_i = keccak256(acc_{i-1} ‖ depositHash_i), acc_{-1} = 0.
export function nextDepositAcc(prevAcc, hash) {
  return ethers.keccak256(ethers.concat([prevAcc, hash]));
}

/// The withdrawal item hash (ArbOS send_hash, the Outbox's itemHash):
/// keccak256(abi.encodePacked(l2Sender, to, l2Block, l1Block, l2Timestamp, value, data)).
export function sendItemHash({ l2Sender, to, l2Block, l1Block, l2Timestamp, value, data = '0x' }) {
  return ethers.solidityPackedKeccak256(
    ['address', 'address', 'uint256', 'uint256', 'uint256', 'uint256', 'bytes'],
    [l2Sender, to, l2Block, l1Block, l2Timestamp, value, data],
  );
}

const hashPair = (a, b) => ethers.keccak256(ethers.concat([a, b]));

/// Nitro's Log2ceil as ArbOS uses it for the number of partials: the bit length (0 for 0).
function numPartials(size) {
  return size === 0 ? 0 : size.toString(2).length;
}

/// The send accumulator, twice: the partials exactly as ArbOS keeps them (append carries up the
/// levels; the root folds them with zero padding), and every leaf, for proofs. `root()` is the
/// partials' fold; `treeRoot()` the same root from the full tree (empty subtrees are the zero
/// hash); the tests check they agree.
export class SendAccumulator {
  constructor() {
    this.size = 0;
    this.partials = [];  // partials[level], kZeroHash = empty
    this.leaves = [];    // keccak256(item) per leaf
  }

  /// Appends an item hash (ArbOS append_send); returns its leaf index.
  append(itemHash) {
    const size = this.size + 1;
    this.size = size;
    let soFar = ethers.keccak256(itemHash);  // leaves are hashed once more
    this.leaves.push(soFar);
    for (let level = 0; ; ++level) {
      if (level === numPartials(size - 1)) {
        this.partials[level] = soFar;
        break;
      }
      const partial = this.partials[level] ?? kZeroHash;
      if (partial === kZeroHash) {
        this.partials[level] = soFar;
        break;
      }
      soFar = hashPair(partial, soFar);
      this.partials[level] = kZeroHash;
    }
    return size - 1;
  }

  /// ArbOS send_root: fold the non-empty partials from level 0 up; zero when empty.
  root() {
    let soFar = kZeroHash;
    let have = false;
    let capacityInHash = 0;
    let capacity = 1;
    for (let level = 0; level < numPartials(this.size); ++level) {
      const partial = this.partials[level] ?? kZeroHash;
      if (partial !== kZeroHash) {
        if (!have) {
          have = true;
          soFar = partial;
          capacityInHash = capacity;
        } else {
          while (capacityInHash < capacity) {
            soFar = hashPair(soFar, kZeroHash);
            capacityInHash *= 2;
          }
          soFar = hashPair(partial, soFar);
          capacityInHash = 2 * capacity;
        }
      }
      capacity *= 2;
    }
    return soFar;
  }

  /// Tree depth: ceil(log2(size)), 0 for one leaf.
  depth(size = this.size) {
    return size <= 1 ? 0 : (size - 1).toString(2).length;
  }

  /// The levels of the tree over the first `size` leaves (level 0 = leaves); a missing right
  /// child is the zero hash.
  levels(size = this.size) {
    const levels = [this.leaves.slice(0, size)];
    for (let d = 0; d < this.depth(size); ++d) {
      const below = levels[d];
      const up = [];
      for (let i = 0; i < below.length; i += 2) up.push(hashPair(below[i], below[i + 1] ?? kZeroHash));
      levels.push(up);
    }
    return levels;
  }

  /// The root of the tree over the first `size` leaves (zero when empty).
  treeRoot(size = this.size) {
    if (size === 0) return kZeroHash;
    const levels = this.levels(size);
    return levels[levels.length - 1][0];
  }

  /// The Outbox proof of leaf `index` against the root over the first `size` leaves: the
  /// sibling at each level, bottom up (zero hash for an empty subtree).
  proof(index, size = this.size) {
    if (index < 0 || index >= size) throw new Error(`leaf ${index} not in a tree of ${size}`);
    const levels = this.levels(size);
    const proof = [];
    let i = index;
    for (let d = 0; d < this.depth(size); ++d) {
      proof.push(levels[d][i ^ 1] ?? kZeroHash);
      i >>= 1;
    }
    return proof;
  }
}

/// MerkleLib.calculateRoot: at level i, bit i of `index` set -> keccak(proof[i] ‖ node), else
/// keccak(node ‖ proof[i]). `leaf` is keccak256(itemHash).
export function calculateRoot(proof, index, leaf) {
  let node = leaf;
  proof.forEach((sibling, i) => {
    node = (BigInt(index) >> BigInt(i)) & 1n ? hashPair(sibling, node) : hashPair(node, sibling);
  });
  return node;
}
