// Off-chain recomputation of what SequencerInbox hashes (docs/contracts.md, "Batch hashing"):
//   header   = be64(minTimestamp) ‖ be64(maxTimestamp) ‖ be64(minBlockNumber) ‖ be64(maxBlockNumber)
//              ‖ be64(prevMessageCount) ‖ be64(newMessageCount)            (48 bytes)
//   dataHash = keccak256(header ‖ data)
//   acc_i    = keccak256(acc_{i-1} ‖ dataHash_i), acc_{-1} = 0x00…00
import { ethers } from 'ethers';

export const kHeaderLength = 48;
export const kZeroHash = ethers.ZeroHash;
/// Batch format byte: the rest of the data is a brotli-compressed stream of segments.
export const kBrotliFormat = 0x00;
export const kColumnarFormat = 0x01;

/// The 48-byte header hashed in front of the batch data.
export function batchHeader(timeBounds, prevMessageCount, newMessageCount) {
  return ethers.solidityPacked(
    ['uint64', 'uint64', 'uint64', 'uint64', 'uint64', 'uint64'],
    [timeBounds.minTimestamp, timeBounds.maxTimestamp, timeBounds.minBlockNumber, timeBounds.maxBlockNumber,
      prevMessageCount, newMessageCount],
  );
}

/// keccak256(header ‖ data); `data` is a hex string or bytes.
export function batchDataHash(timeBounds, prevMessageCount, newMessageCount, data) {
  return ethers.keccak256(ethers.concat([batchHeader(timeBounds, prevMessageCount, newMessageCount), data]));
}

/// keccak256(beforeAcc ‖ dataHash).
export function nextAccumulator(beforeAcc, dataHash) {
  return ethers.keccak256(ethers.concat([beforeAcc, dataHash]));
}

/// The time bounds SequencerInbox stamps on a batch included in `block` ({number, timestamp}).
export function timeBoundsFor(block, mtv) {
  const ts = BigInt(block.timestamp);
  const num = BigInt(block.number);
  const sub = (a, b) => (a > b ? a - b : 0n);
  return {
    minTimestamp: sub(ts, BigInt(mtv.delaySeconds)),
    maxTimestamp: ts + BigInt(mtv.futureSeconds),
    minBlockNumber: sub(num, BigInt(mtv.delayBlocks)),
    maxBlockNumber: num + BigInt(mtv.futureBlocks),
  };
}
