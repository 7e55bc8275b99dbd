// Core interpreter behaviour: arithmetic, stack limits, jumps, memory, exact gas.
#include "evm/interpreter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "evm/opcodes.hpp"
#include "evm/test_util.hpp"

namespace fuse::evm::test {
namespace {

std::string ret(std::string body) {
    return body + std::string(kReturnTop);
}

TEST(Interpreter, AddAndExactGas) {
    TestHost host;
    const auto r = run_code(host, ret("6002600301"), 1000);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(word(r), uint256(5));
    // 4 PUSH1 + ADD + MSTORE(3 + 3 memory) + PUSH1 = 8 * 3, RETURN 0.
    EXPECT_EQ(1000 - r.gas_left, 24);
}

TEST(Interpreter, ArithmeticOpcodes) {
    TestHost host;
    const uint256 minus_one = ~uint256();
    auto eval = [&](const std::string& body) { return word(run_code(host, ret(body))); };
    EXPECT_EQ(eval("6003600a03"), uint256(7));
    EXPECT_EQ(eval("600a600303"), minus_one - 6);
    EXPECT_EQ(eval("6003600a04"), uint256(3));
    EXPECT_EQ(eval("6000600a04"), uint256(0));
    EXPECT_EQ(eval("6003600a06"), uint256(1));
    EXPECT_EQ(eval("6002600a600003"
                   "05"),
              minus_one - 4);                           // -10 sdiv 2 = -5
    EXPECT_EQ(eval("60ff60020a"), uint256(1) << 255u);  // 2 ** 255
    EXPECT_EQ(eval("60ff60000b"), minus_one);           // signextend(0, 0xff) = -1
    EXPECT_EQ(eval("600560076008"
                   "08"),
              uint256(0));  // addmod(8, 7, 5) = 0
    EXPECT_EQ(eval("600560076008"
                   "09"),
              uint256(1));                      // mulmod(8, 7, 5) = 1
    EXPECT_EQ(eval("6001600210"), uint256(0));  // 2 < 1
    EXPECT_EQ(eval("6002600110"), uint256(1));  // 1 < 2
    EXPECT_EQ(eval("6001600003"
                   "600112"),
              uint256(0));  // 1 slt -1
    EXPECT_EQ(eval("60016000036001"
                   "13"),
              uint256(1));  // 1 sgt -1
    EXPECT_EQ(eval("6000"
                   "15"),
              uint256(1));                           // iszero
    EXPECT_EQ(eval("61abcd601e1a"), uint256(0xab));  // byte 30 of 0xabcd
    EXPECT_EQ(eval("600160041b"), uint256(16));      // 1 << 4
    EXPECT_EQ(eval("601060041c"), uint256(1));       // 16 >> 4
    EXPECT_EQ(eval("6010600003"
                   "60041d"),
              minus_one);                                                       // -16 sar 4 = -1
    EXPECT_EQ(eval("7f" + std::string(62, 'f') + "01" + "19"), uint256(0xfe));  // not
    EXPECT_EQ(eval("5f"), uint256(0));                                          // PUSH0
}

TEST(Interpreter, ExpChargesPerExponentByte) {
    TestHost host;
    auto r = run_code(host, "61010060020a00", 1000);  // 2 ** 0x100: 2-byte exponent
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(1000 - r.gas_left, 3 + 3 + 10 + 2 * 50);
    r = run_code(host, "600060020a00", 1000);  // exponent 0: no per-byte charge
    EXPECT_EQ(1000 - r.gas_left, 3 + 3 + 10);
}

TEST(Interpreter, PushReadsPastCodeEndAsZeros) {
    TestHost host;
    // PUSH2 with one immediate byte present: the missing byte is zero (padding).
    const auto r = run_code(host, "61ab", 100);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(100 - r.gas_left, 3);
    const auto full = run_code(host, ret("7f" + std::string(64, '1')));
    EXPECT_EQ(word(full), uint256::from_hex("0x" + std::string(64, '1')).value());
}

TEST(Interpreter, StackUnderflowConsumesAllGas) {
    TestHost host;
    const auto r = run_code(host, "600101", 1000);
    EXPECT_EQ(r.status, Status::kStackUnderflow);
    EXPECT_EQ(r.gas_left, 0);
    EXPECT_EQ(run_code(host, "50").status, Status::kStackUnderflow);
    EXPECT_EQ(run_code(host,
                       "6001"
                       "81")
                  .status,
              Status::kStackUnderflow);  // DUP2 of 1
    EXPECT_EQ(run_code(host,
                       "6001"
                       "90")
                  .status,
              Status::kStackUnderflow);  // SWAP1 of 1
}

TEST(Interpreter, StackLimitIs1024) {
    TestHost host;
    std::string ok(1024 * 2, '0');
    for (size_t i = 0; i < ok.size(); i += 2)
        ok[i] = '5', ok[i + 1] = 'f';  // PUSH0
    EXPECT_EQ(run_code(host, ok + "00").status, Status::kSuccess);
    EXPECT_EQ(run_code(host, ok + "5f").status, Status::kStackOverflow);
    EXPECT_EQ(run_code(host, ok + "80").status, Status::kStackOverflow);  // DUP1
    EXPECT_EQ(run_code(host, ok + "50"
                                  "80"
                                  "00")
                  .status,
              Status::kSuccess);
}

TEST(Interpreter, JumpRules) {
    TestHost host;
    EXPECT_EQ(run_code(host, "600356005b00").status, Status::kBadJumpDestination);  // to STOP
    EXPECT_EQ(run_code(host, "6004565b005b00").status, Status::kBadJumpDestination);
    EXPECT_EQ(run_code(host, "600456005b").status, Status::kSuccess);  // JUMPDEST at 4
    // 0x5b inside PUSH1 data at offset 4 is not a jump destination.
    EXPECT_EQ(run_code(host, "600456605b00").status, Status::kBadJumpDestination);
    EXPECT_EQ(run_code(host, "6101005600").status, Status::kBadJumpDestination);  // past end
    EXPECT_EQ(run_code(host, "7f" + std::string(62, 'f') + "0056").status,
              Status::kBadJumpDestination);  // huge destination
    // JUMPI: zero condition falls through even to a bad destination.
    EXPECT_EQ(run_code(host, "600060ff5700").status, Status::kSuccess);
    EXPECT_EQ(run_code(host, "600160ff5700").status, Status::kBadJumpDestination);
    const auto r = run_code(host, "6001600657fe5b00", 1000);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(1000 - r.gas_left, 3 + 3 + 10 + 1);
}

TEST(Interpreter, AnalysisMarksOnlyRealJumpdests) {
    const Bytes c = code("5b605b5b7f" + std::string(62, '0') + "5b" + "5b");
    const CodeAnalysis a = analyze(c);
    EXPECT_EQ(a.code_size, c.size());
    EXPECT_EQ(a.padded_code.size(), c.size() + kCodePadding);
    EXPECT_TRUE(a.is_jumpdest(0));
    EXPECT_FALSE(a.is_jumpdest(2));  // PUSH1 data
    EXPECT_TRUE(a.is_jumpdest(3));
    EXPECT_FALSE(a.is_jumpdest(4 + 32));  // last byte of PUSH32 data
    EXPECT_TRUE(a.is_jumpdest(4 + 33));
    EXPECT_FALSE(a.is_jumpdest(1000));
}

TEST(Interpreter, UndefinedAndInvalid) {
    TestHost host;
    EXPECT_EQ(run_code(host, "0c").status, Status::kUndefinedInstruction);
    EXPECT_EQ(run_code(host, "ef").status, Status::kUndefinedInstruction);
    const auto r = run_code(host, "fe", 500);
    EXPECT_EQ(r.status, Status::kInvalidInstruction);
    EXPECT_EQ(r.gas_left, 0);
    for (int op = 0; op < 256; ++op) {
        const bool defined = kOpTable[op].gas[0] >= 0;
        EXPECT_EQ(defined, kOpTable[op].name != "UNDEFINED") << op;
    }
    EXPECT_EQ(kOpTable[0x5f].name, "PUSH0");
    EXPECT_EQ(kOpTable[0xa4].stack_in, 6);
}

TEST(Interpreter, MemoryExpansionGas) {
    TestHost host;
    // MSTORE at 0x1000 touches 129 words: 3 * 129 + 129^2 / 512 = 419.
    auto r = run_code(host,
                      "600161100052"
                      "00",
                      10000);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(10000 - r.gas_left, 3 + 3 + 3 + 419);
    // A second store inside the same region pays no expansion.
    r = run_code(host,
                 "600161100052"
                 "600261100052"
                 "00",
                 10000);
    EXPECT_EQ(10000 - r.gas_left, 2 * (3 + 3 + 3) + 419);
    // MSIZE reports the word-rounded size.
    EXPECT_EQ(word(run_code(host, ret("600160215359"))), uint256(64));
    // Unpayable offsets are out of gas, not a crash.
    r = run_code(host, "6001630100000052", 1'000'000);
    EXPECT_EQ(r.status, Status::kOutOfGas);
    r = run_code(host,
                 "6001"
                 "7f" +
                     std::string(64, 'f') + "52",
                 1'000'000);
    EXPECT_EQ(r.status, Status::kOutOfGas);
    // Zero-size copies touch no memory whatever the offset.
    r = run_code(host,
                 "6000"
                 "6000"
                 "7f" +
                     std::string(64, 'f') +
                     "37"
                     "59" +
                     std::string(kReturnTop));
    EXPECT_EQ(word(r), uint256(0));
}

TEST(Interpreter, OutOfGasOnStaticCost) {
    TestHost host;
    auto r = run_code(host, "6001600201", 8);  // needs 9
    EXPECT_EQ(r.status, Status::kOutOfGas);
    EXPECT_EQ(r.gas_left, 0);
    r = run_code(host, "6001600201", 9);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(Interpreter, CalldataAndCode) {
    TestHost host;
    const Bytes input = code("11223344");
    // CALLDATALOAD(2) pads with zeros on the right.
    auto r = run_code(host, ret("600235"), 1000, input);
    EXPECT_EQ(word(r), uint256::from_hex("0x3344" + std::string(60, '0')).value());
    EXPECT_EQ(word(run_code(host, ret("36"), 1000, input)), uint256(4));
    EXPECT_EQ(word(run_code(host, ret("60ff35"), 1000, input)), uint256(0));
    // CALLDATACOPY(0, 1, 32) then MLOAD(0).
    r = run_code(host, "6020600160003760005160005260206000f3", 1000, input);
    EXPECT_EQ(word(r), uint256::from_hex("0x223344" + std::string(58, '0')).value());
    EXPECT_EQ(word(run_code(host, ret("38"))), uint256(1 + 8));  // CODESIZE
    // CODECOPY(0, 0, 32): the code itself, zero padded.
    r = run_code(host,
                 "60206000600039"
                 "60206000f3");
    EXPECT_EQ(to_hex(r.output),
              "0x60206000600039"
              "60206000f3" +
                  std::string(64 - 24, '0'));
}

TEST(Interpreter, ReturnAndRevertKeepOutputAndGas) {
    TestHost host;
    auto r = run_code(host, "602a60005260206000fd", 1000);
    EXPECT_EQ(r.status, Status::kRevert);
    EXPECT_EQ(word(r), uint256(42));
    EXPECT_EQ(1000 - r.gas_left, 3 + 3 + 6 + 3 + 3);
    EXPECT_EQ(r.gas_refund, 0);
    r = run_code(host, "60006000f3");
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_TRUE(r.output.empty());
}

TEST(Interpreter, KeccakMcopyAndPcGas) {
    TestHost host;
    // keccak256 of zero bytes.
    const auto r = run_code(host, ret("6000600020"));
    EXPECT_EQ(word(r), uint256::from_hash(kEmptyCodeHash));
    // MCOPY(dst 32, src 0, 32) after MSTORE(0, 7): word at 32 is 7.
    EXPECT_EQ(word(run_code(host,
                            "6007600052"
                            "6020600060205e"
                            "60206020f3")),
              uint256(7));
    EXPECT_EQ(word(run_code(host, ret("600058"))), uint256(2));  // PC
    // GAS pushes what is left after its own charge.
    EXPECT_EQ(word(run_code(host, ret("5a"), 100)), uint256(98));
}

TEST(Interpreter, ReusedFrameMemoryStartsZeroed) {
    const Address kOther = addr(3);
    const Address kThird = addr(4);
    TestHost host;
    // Fill 3 words with ones (MSTORE at 0, 32, 64), leaving memory dirty in the pool.
    const std::string ones = "7f" + std::string(64, 'f');
    auto r = run_code(host, ones + "600052" + ones + "602052" + ones + "604052" + "00");
    ASSERT_EQ(r.status, Status::kSuccess);
    // A new frame reading the same region sees zeros, and MSIZE starts at 0.
    EXPECT_EQ(word(run_code(host, ret("59"))), uint256(0));
    EXPECT_EQ(word(run_code(host, ret("602051"))), uint256(0));
    EXPECT_EQ(word(run_code(host, ret("604051"))), uint256(0));
    // Nested: the callee dirties its memory; a second callee (same pool depth) reads zero.
    host.accounts[kOther].code = code(ones +
                                      "604052"
                                      "00");
    host.accounts[kThird].code = code(ret("604051"));
    const std::string call_other =
        "6000600060006000600073" + to_hex(kOther).substr(2) + "61fffff150";
    const std::string call_third =
        "6020600060006000600073" + to_hex(kThird).substr(2) + "61fffff150";
    r = run_code(host, call_other + call_third + "60206000f3");
    EXPECT_EQ(word(r), uint256(0));
}

}  // namespace
}  // namespace fuse::evm::test
