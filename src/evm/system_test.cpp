// Opcodes that reach the host: storage pricing, calls, creates, static mode, logs, context.
#include <gtest/gtest.h>

#include <string>

#include "core/hex.hpp"
#include "evm/interpreter.hpp"
#include "evm/test_util.hpp"

namespace fuse::evm::test {
namespace {

std::string ret(std::string body) {
    return body + std::string(kReturnTop);
}
std::string hex20(const Address& a) {
    return to_hex(a).substr(2);
}

const Address kOther = addr(3);
const Address kThird = addr(4);

struct SstoreCase {
    uint64_t original, current, value;
    StorageStatus status;
    int64_t gas;  // warm slot
    int64_t refund;
};

// EIP-2200 + EIP-2929 + EIP-3529 (the values of EIP-3529's test table, warm slots).
const SstoreCase kSstoreCases[] = {
    {0, 0, 0, StorageStatus::kAssigned, 100, 0},
    {0, 0, 1, StorageStatus::kAdded, 20000, 0},
    {1, 1, 0, StorageStatus::kDeleted, 2900, 4800},
    {1, 1, 2, StorageStatus::kModified, 2900, 0},
    {1, 0, 2, StorageStatus::kDeletedAdded, 100, -4800},
    {1, 2, 0, StorageStatus::kModifiedDeleted, 100, 4800},
    {1, 0, 1, StorageStatus::kDeletedRestored, 100, -2000},
    {0, 1, 0, StorageStatus::kAddedDeleted, 100, 19900},
    {1, 2, 1, StorageStatus::kModifiedRestored, 100, 2800},
    {1, 2, 3, StorageStatus::kAssigned, 100, 0},
    {1, 1, 1, StorageStatus::kAssigned, 100, 0},
};

TEST(Storage, SstoreGasMatrix) {
    for (const bool cold : {false, true}) {
        for (const auto& c : kSstoreCases) {
            TestHost host;
            host.accounts[kContract].storage[uint256(0).to_hash()] = {c.original, c.current};
            if (!cold) host.access_storage(kContract, 0);
            const std::string body =
                "60" +
                to_hex(ByteView(std::array<uint8_t, 1>{static_cast<uint8_t>(c.value)})).substr(2) +
                "60005500";
            const auto r = run_code(host, body, 100000);
            ASSERT_EQ(r.status, Status::kSuccess);
            const int64_t expected = 6 + c.gas + (cold ? 2100 : 0);
            EXPECT_EQ(100000 - r.gas_left, expected)
                << c.original << "," << c.current << "," << c.value << " cold=" << cold;
            EXPECT_EQ(r.gas_refund, c.refund) << c.original << "," << c.current << "," << c.value;
            EXPECT_EQ(host.get_storage(kContract, 0), uint256(c.value));
        }
    }
}

TEST(Storage, SstoreStipendSentry) {
    TestHost host;
    host.access_storage(kContract, 0);
    // 6 gas of pushes, then exactly 2300 left: SSTORE must fail even though it costs 100.
    auto r = run_code(host, "6000600055", 6 + 2300);
    EXPECT_EQ(r.status, Status::kOutOfGas);
    r = run_code(host, "6000600055", 6 + 2301);
    EXPECT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(r.gas_left, 2301 - 100);
}

TEST(Storage, SloadColdThenWarm) {
    TestHost host;
    host.accounts[kContract].storage[uint256(5).to_hash()] = {9, 9};
    const auto r = run_code(host,
                            "600554"
                            "600554"
                            "01" +
                                std::string(kReturnTop),
                            10000);
    EXPECT_EQ(word(r), uint256(18));
    EXPECT_EQ(10000 - r.gas_left, 3 + 2100 + 3 + 100 + 3 + 15);  // + return of the top word
}

TEST(Storage, TransientStorage) {
    TestHost host;
    EXPECT_EQ(word(run_code(host, ret("600760015d60015c"))), uint256(7));
    EXPECT_EQ(host.get_transient_storage(kContract, 1), uint256(7));
}

TEST(StaticMode, StateChangesAreViolations) {
    const char* programs[] = {
        "6001600055",                      // SSTORE
        "600160005d",                      // TSTORE
        "60006000a0",                      // LOG0
        "600060006000f0",                  // CREATE
        "6000600060006000f5",              // CREATE2 (4 operands)
        "60006000600060006001600360fff1",  // CALL with value
        "6000ff",                          // SELFDESTRUCT
    };
    for (const char* p : programs) {
        TestHost host;
        host.accounts[kContract].balance = 10;
        const auto r = run_code(host, p, 100000, {}, true);
        EXPECT_EQ(r.status, Status::kStaticModeViolation) << p;
        EXPECT_EQ(r.gas_left, 0) << p;
    }
    TestHost host;  // reads and value-less calls are fine
    EXPECT_EQ(run_code(host,
                       "600054"
                       "60015c"
                       "60006000600060006000600360fff1",
                       100000, {}, true)
                  .status,
              Status::kSuccess);
}

/// Code calling kOther with `op` (f1/f2 take a value operand, f4/fa do not), returning
/// [callee output word | success flag].
std::string call_code(const std::string& op, int value = 0, const std::string& gas = "61ffff") {
    std::string c = "6020600060006000";
    if (op == "f1" || op == "f2")
        c += "60" + std::string(value < 16 ? "0" : "") + [&] {
            const char* d = "0123456789abcdef";
            std::string s;
            if (value >= 16) s += d[value / 16];
            s += d[value % 16];
            return s;
        }();
    return c + "73" + hex20(kOther) + gas + op +
           "602052"
           "60406000f3";
}

TEST(Calls, CallReturnsCalleeOutput) {
    TestHost host;
    host.accounts[kOther].code = code(ret("602a"));
    const auto r = run_code(host, call_code("f1"), 100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    ASSERT_EQ(r.output.size(), 64u);
    EXPECT_EQ(uint256::from_be32(r.output.data()), uint256(42));
    EXPECT_EQ(uint256::from_be32(r.output.data() + 32), uint256(1));
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].depth, 1);
    EXPECT_EQ(host.calls[0].gas, 0xffff);
    EXPECT_EQ(host.calls[0].recipient, kOther);
    EXPECT_EQ(host.calls[0].sender, kContract);
}

TEST(Calls, AllButOne64thRule) {
    TestHost host;
    // CALL(gas = 2^256 - 1, kOther, value 0, no memory): the callee gets all but 1/64 of what
    // is left after 7 PUSHes (21) and the call's own cost (100 + 2500 cold).
    const std::string c =
        "600060006000600060007"
        "3" +
        hex20(kOther) + "7f" + std::string(64, 'f') +
        "f1"
        "00";
    const auto r = run_code(host, c, 100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    ASSERT_EQ(host.calls.size(), 1u);
    const int64_t avail = 100000 - 21 - 2600;
    EXPECT_EQ(host.calls[0].gas, avail - avail / 64);
    // The callee has no code and returns everything: the caller paid only the call's cost.
    EXPECT_EQ(100000 - r.gas_left, 21 + 2600);
}

TEST(Calls, ColdTargetCosts2500More) {
    TestHost cold, warm;
    cold.accounts[kOther].code = warm.accounts[kOther].code = code(ret("602a"));
    warm.access_account(kOther);
    const auto rc = run_code(cold, call_code("f1"), 100000);
    const auto rw = run_code(warm, call_code("f1"), 100000);
    EXPECT_EQ(rw.gas_left - rc.gas_left, 2500);
}

TEST(Calls, ValueTransferStipendAndNewAccount) {
    TestHost host;
    host.accounts[kContract].balance = 100;
    // Calling a non-existent account with value: 9000 + 25000, callee gets gas + 2300 stipend.
    const auto r = run_code(host, call_code("f1", 5, "6000"), 100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    ASSERT_EQ(host.calls.size(), 1u);
    EXPECT_EQ(host.calls[0].gas, 2300);
    EXPECT_EQ(host.calls[0].value, uint256(5));
    EXPECT_EQ(host.get_balance(kOther), uint256(5));
    // 7 PUSHes; CALL: 100 + 2500 cold + 9000 value + 25000 new account + 1 word of memory;
    // the callee (no code) returns the whole 2300 stipend, so the caller nets +2300.
    // Then PUSH1 + MSTORE (+1 word) + 2 PUSH1 + RETURN.
    const int64_t expected = 7 * 3 + 100 + 2500 + 9000 + 25000 + 3 - 2300 + 3 + 3 + 3 + 6;
    EXPECT_EQ(100000 - r.gas_left, expected);
}

TEST(Calls, InsufficientBalanceFailsWithoutCalling) {
    TestHost host;
    host.accounts[kOther].code = code(ret("602a"));
    const auto r = run_code(host, call_code("f1", 5), 100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(uint256::from_be32(r.output.data() + 32), uint256(0));
    EXPECT_TRUE(host.calls.empty());
}

TEST(Calls, DepthLimit) {
    TestHost host;
    host.accounts[kOther].code = code(ret("602a"));
    host.accounts[kContract].code = code(call_code("f1"));
    Message msg;
    msg.gas = 100000;
    msg.depth = 1024;
    msg.recipient = msg.code_address = kContract;
    const auto r = execute(host, Revision::kCancun, msg, host.accounts[kContract].code);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(uint256::from_be32(r.output.data() + 32), uint256(0));
    EXPECT_TRUE(host.calls.empty());
}

TEST(Calls, DelegateCallAndCallCodeKeepContext) {
    TestHost host;
    host.accounts[kOther].code = code(ret("33"));  // returns CALLER
    auto r = run_code(host, call_code("f4"), 100000);
    EXPECT_EQ(uint256::from_be32(r.output.data()), to_u256(kSender));
    EXPECT_EQ(host.calls.back().kind, CallKind::kDelegateCall);
    EXPECT_EQ(host.calls.back().recipient, kContract);
    EXPECT_EQ(host.calls.back().code_address, kOther);
    r = run_code(host, call_code("f2"), 100000);
    EXPECT_EQ(uint256::from_be32(r.output.data()), to_u256(kContract));
    EXPECT_EQ(host.calls.back().kind, CallKind::kCallCode);
    EXPECT_EQ(host.calls.back().recipient, kContract);
}

TEST(Calls, StaticCallPropagatesStaticMode) {
    TestHost host;
    host.accounts[kOther].code = code("6001600055");  // SSTORE
    const auto r = run_code(host, call_code("fa"), 100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(uint256::from_be32(r.output.data() + 32), uint256(0));
    EXPECT_TRUE(host.calls.back().is_static);
    EXPECT_TRUE(host.get_storage(kOther, 0).is_zero());
}

TEST(Calls, ReturnDataCopyBounds) {
    TestHost host;
    EXPECT_EQ(run_code(host,
                       "600160006000"
                       "3e")
                  .status,
              Status::kInvalidMemoryAccess);
    EXPECT_EQ(run_code(host,
                       "600060016000"
                       "3e")
                  .status,
              Status::kInvalidMemoryAccess);
    EXPECT_EQ(run_code(host,
                       "600060006000"
                       "3e00")
                  .status,
              Status::kSuccess);
    host.accounts[kOther].code = code(ret("602a"));
    const std::string call = "6000600060006000600073" + hex20(kOther) + "61fffff150";
    auto r = run_code(host, call + "3d" +
                                "60206000"
                                "6000"
                                "3e" +
                                "60206000f3");
    ASSERT_EQ(r.status, Status::kSuccess);
    EXPECT_EQ(word(r), uint256(42));
    r = run_code(host, call +
                           "60206001"
                           "6000"
                           "3e"
                           "00");
    EXPECT_EQ(r.status, Status::kInvalidMemoryAccess);
    EXPECT_EQ(r.gas_left, 0);
}

TEST(Calls, PragueChargesDelegationAccess) {
    for (const bool warm_target : {false, true}) {
        TestHost plain, delegated;
        plain.rev = delegated.rev = Revision::kPrague;
        plain.accounts[kOther].code = Bytes(23, 0);
        delegated.accounts[kOther].code = code("ef0100" + hex20(kThird));
        delegated.accounts[kThird].code = code(ret("602a"));
        if (warm_target) delegated.access_account(kThird);
        // Gas 0 for the callee: the caller's cost is all that differs.
        const auto rp = run_code(plain, call_code("f1", 0, "6000"), 100000);
        const auto rd = run_code(delegated, call_code("f1", 0, "6000"), 100000);
        ASSERT_EQ(rp.status, Status::kSuccess);
        ASSERT_EQ(rd.status, Status::kSuccess);
        EXPECT_EQ(rp.gas_left - rd.gas_left, warm_target ? 100 : 2600);
    }
    // Cancun has no such charge: the designator is just code.
    TestHost cancun;
    cancun.accounts[kOther].code = code("ef0100" + hex20(kThird));
    TestHost cancun_plain;
    cancun_plain.accounts[kOther].code = Bytes(23, 0);
    EXPECT_EQ(run_code(cancun, call_code("f1", 0, "6000"), 100000).gas_left,
              run_code(cancun_plain, call_code("f1", 0, "6000"), 100000).gas_left);
}

TEST(Creates, CreateAndCreate2DeployRuntime) {
    const std::string runtime = "602a60005260206000f3";
    const std::string initcode = "69" + runtime + "600052600a6016f3";  // 19 bytes
    for (const bool create2 : {false, true}) {
        TestHost host;
        const std::string body = "72" + initcode + "600052" +
                                 (create2 ? std::string("6007") : std::string()) + "6013600d6000" +
                                 (create2 ? "f5" : "f0");
        const auto r = run_code(host, ret(body), 1'000'000);
        ASSERT_EQ(r.status, Status::kSuccess);
        Hash32 salt;
        salt.bytes[31] = 7;
        const Address expected = create2
                                     ? TestHost::create2_address(kContract, salt, code(initcode))
                                     : TestHost::create_address(kContract, 0);
        EXPECT_EQ(word(r), to_u256(expected));
        EXPECT_EQ(host.accounts[expected].code, code(runtime));
        EXPECT_EQ(host.calls.back().kind, create2 ? CallKind::kCreate2 : CallKind::kCreate);
    }
}

TEST(Creates, InitcodeLimitAndWordCost) {
    TestHost host;
    // size 49153 > EIP-3860 limit: out of gas.
    EXPECT_EQ(run_code(host,
                       "62"
                       "00c001"
                       "60006000f0",
                       10'000'000)
                  .status,
              Status::kOutOfGas);
    // Empty initcode of 64 bytes of zeros: 32000 + 2 * 2 words + memory 2 words (6).
    const auto r = run_code(host,
                            "604060006000f0"
                            "00",
                            10'000'000);
    ASSERT_EQ(r.status, Status::kSuccess);
    const int64_t callee_gas = host.calls.back().gas;
    EXPECT_EQ(10'000'000 - r.gas_left, 9 + 32000 + 4 + 6);  // the empty initcode uses nothing
    EXPECT_GT(callee_gas, 0);
}

TEST(Logs, TopicsDataAndGas) {
    TestHost host;
    const auto r = run_code(host,
                            "60aa600052"
                            "6002600160206000a2"
                            "00",
                            100000);
    ASSERT_EQ(r.status, Status::kSuccess);
    ASSERT_EQ(host.logs.size(), 1u);
    EXPECT_EQ(host.logs[0].address, kContract);
    ASSERT_EQ(host.logs[0].topics.size(), 2u);
    EXPECT_EQ(host.logs[0].topics[0], uint256(1));
    EXPECT_EQ(host.logs[0].topics[1], uint256(2));
    EXPECT_EQ(uint256::from_be32(host.logs[0].data.data()), uint256(0xaa));
    EXPECT_EQ(100000 - r.gas_left, 6 + 3 + 3 + 12 + 375 * 3 + 8 * 32);
}

TEST(Context, TxAndBlockValues) {
    TestHost host;
    const Hash32 blob = hash_from_hex("0x01" + std::string(62, '2')).value();
    host.tx.origin = kThird;
    host.tx.chain_id = 122;
    host.tx.base_fee = 7;
    host.tx.blob_base_fee = 3;
    host.tx.number = 300;
    host.tx.timestamp = 1234;
    host.tx.gas_limit = 30'000'000;
    host.tx.gas_price = 11;
    host.tx.prev_randao = 99;
    host.tx.coinbase = kOther;
    host.tx.blob_hashes = std::span<const Hash32>(&blob, 1);
    host.accounts[kContract].balance = 555;
    for (int64_t n : {299, 44, 43, 300})
        host.block_hashes[n] = hash_from_hex("0x" + std::string(64, 'a')).value();
    EXPECT_EQ(word(run_code(host, ret("32"))), to_u256(kThird));
    EXPECT_EQ(word(run_code(host, ret("46"))), uint256(122));
    EXPECT_EQ(word(run_code(host, ret("48"))), uint256(7));
    EXPECT_EQ(word(run_code(host, ret("4a"))), uint256(3));
    EXPECT_EQ(word(run_code(host, ret("43"))), uint256(300));
    EXPECT_EQ(word(run_code(host, ret("42"))), uint256(1234));
    EXPECT_EQ(word(run_code(host, ret("45"))), uint256(30'000'000));
    EXPECT_EQ(word(run_code(host, ret("3a"))), uint256(11));
    EXPECT_EQ(word(run_code(host, ret("44"))), uint256(99));
    EXPECT_EQ(word(run_code(host, ret("41"))), to_u256(kOther));
    EXPECT_EQ(word(run_code(host, ret("47"))), uint256(555));
    EXPECT_EQ(word(run_code(host, ret("600049"))), uint256::from_hash(blob));
    EXPECT_EQ(word(run_code(host, ret("600149"))), uint256(0));
    const uint256 h = uint256::from_hash(host.block_hashes[299]);
    EXPECT_EQ(word(run_code(host, ret("61012b40"))), h);           // 299
    EXPECT_EQ(word(run_code(host, ret("602c40"))), h);             // 44 = 300 - 256
    EXPECT_EQ(word(run_code(host, ret("602b40"))), uint256(0));    // 43: out of window
    EXPECT_EQ(word(run_code(host, ret("61012c40"))), uint256(0));  // current block
    EXPECT_EQ(word(run_code(host, ret("30"))), to_u256(kContract));
    EXPECT_EQ(word(run_code(host, ret("33"))), to_u256(kSender));
}

TEST(Accounts, ColdWarmAccessCosts) {
    TestHost host;
    host.accounts[kOther].balance = 77;
    host.accounts[kOther].code = code("6001");
    const std::string a = "73" + hex20(kOther);
    auto r = run_code(host,
                      a + "31" + a +
                          "31"
                          "00",
                      10000);  // BALANCE cold then warm
    EXPECT_EQ(10000 - r.gas_left, 3 + 2600 + 3 + 100);
    r = run_code(host, ret(a + "3b"), 10000);  // EXTCODESIZE (now warm)
    EXPECT_EQ(word(r), uint256(2));
    r = run_code(host, ret(a + "3f"), 10000);  // EXTCODEHASH
    EXPECT_EQ(word(r), uint256::from_hash(keccak256(code("6001"))));
    r = run_code(host, ret("73" + hex20(addr(9)) + "3f"), 10000);  // non-existent: 0
    EXPECT_EQ(word(r), uint256(0));
    // EXTCODECOPY(addr, 0, 0, 32): code then zeros.
    r = run_code(host,
                 "6020600060007"
                 "3" +
                     hex20(kOther) +
                     "3c"
                     "60206000f3",
                 10000);
    EXPECT_EQ(to_hex(r.output), "0x6001" + std::string(60, '0'));
}

TEST(Accounts, SelfdestructCosts) {
    {
        TestHost host;  // no balance: no new-account charge
        const auto r = run_code(host, "73" + hex20(kOther) + "ff", 100000);
        EXPECT_EQ(r.status, Status::kSuccess);
        EXPECT_EQ(100000 - r.gas_left, 3 + 5000 + 2600);
    }
    {
        TestHost host;  // balance to a non-existent beneficiary: + 25000
        host.accounts[kContract].balance = 5;
        const auto r = run_code(host, "73" + hex20(kOther) + "ff", 100000);
        EXPECT_EQ(100000 - r.gas_left, 3 + 5000 + 2600 + 25000);
        ASSERT_EQ(host.selfdestructs.size(), 1u);
        EXPECT_EQ(host.selfdestructs[0].second, kOther);
        EXPECT_EQ(host.get_balance(kOther), uint256(5));
    }
}

}  // namespace
}  // namespace fuse::evm::test
