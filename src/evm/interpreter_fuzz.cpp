// libFuzzer target: arbitrary bytecode, calldata and gas on the in-memory test host, under
// both revisions. Checks the interpreter's own invariants on every input.
//
// Input layout: [rev/static flags:1][gas:3][calldata length:1][calldata][code...]
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/fuzz_seeds.hpp"
#include "evm/interpreter.hpp"
#include "evm/test_host.hpp"

namespace {

using namespace fuse;
using namespace fuse::evm;

[[noreturn]] void fail(const char* what) {
    __builtin_printf("invariant violated: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    if (fuzz::seed_dir()) {
        // [flags][gas:3][calldata length][calldata][code]: SSTORE/SLOAD/LOG/RETURN, a CALL into
        // "other" (same code), a loop, and Prague's MCOPY.
        const Bytes seeds[] = {
            {0,    0x01, 0,    0,    1,    0x2a, 0x60, 0x00, 0x35, 0x60, 0x01, 0x55, 0x60, 0x01,
             0x54, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xa0, 0x60, 0x20, 0x60, 0x00, 0xf3},
            {0,    0x01, 0,    0,    0,    0x60, 0x00, 0x60, 0x00, 0x60, 0x00,
             0x60, 0x00, 0x60, 0x00, 0x60, 0x43, 0x61, 0x10, 0x00, 0xf1, 0x00},
            {0, 0x00, 0x40, 0, 0, 0x5b, 0x60, 0x01, 0x80, 0x01, 0x60, 0x00, 0x56},
            {1, 0x00, 0x10, 0, 0, 0x60, 0x20, 0x60, 0x00, 0x60, 0x10, 0x5e, 0x00},
        };
        for (const Bytes& s : seeds)
            fuzz::write_seed(ByteView(s));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 5) return 0;
    const uint8_t flags = data[0];
    const int64_t gas = (int64_t{data[1]} << 16 | int64_t{data[2]} << 8 | data[3]);
    const size_t input_len = std::min<size_t>(data[4], size - 5);
    const ByteView input(data + 5, input_len);
    const ByteView code(data + 5 + input_len, size - 5 - input_len);

    test::TestHost host;
    host.rev = (flags & 1) ? Revision::kPrague : Revision::kCancun;
    host.tx.number = 1000;
    Address self;
    self.bytes[19] = 0x42;
    Address other;
    other.bytes[19] = 0x43;
    host.accounts[self].code = to_bytes(code);
    host.accounts[self].balance = 1'000'000;
    host.accounts[other].code = to_bytes(code);  // calls into "other" recurse into the same code
    host.accounts[other].storage[uint256(1).to_hash()] = {5, 5};

    Message msg;
    msg.gas = gas;
    msg.recipient = msg.code_address = self;
    msg.input = input;
    msg.is_static = (flags & 2) != 0;
    msg.depth = (flags & 4) ? 1022 : 0;  // reach the depth limit quickly sometimes
    const ExecResult r = host.execute_top(msg, code);

    if (r.gas_left < 0 || r.gas_left > gas) fail("gas_left out of range");
    const bool ok = r.status == Status::kSuccess || r.status == Status::kRevert;
    if (!ok && (r.gas_left != 0 || !r.output.empty())) fail("failure kept gas or output");
    if (r.status != Status::kSuccess && r.gas_refund != 0) fail("refund without success");
    if (msg.is_static && !host.logs.empty()) fail("log in static mode");

    // Same code through a cached analysis must give the same result.
    AnalysisCache cache;
    test::TestHost host2;
    host2.rev = host.rev;
    host2.tx.number = 1000;
    host2.accounts[self].code = to_bytes(code);
    host2.accounts[self].balance = 1'000'000;
    host2.accounts[other].code = to_bytes(code);
    host2.accounts[other].storage[uint256(1).to_hash()] = {5, 5};
    host2.warm_accounts.insert(self);
    host2.warm_accounts.insert(msg.sender);
    const auto a = cache.get(keccak256(code), code);
    const ExecResult r2 = execute(host2, host2.rev, msg, *a);
    if (r2.status != r.status || r2.gas_left != r.gas_left || r2.output != r.output)
        fail("cached analysis differs");
    return 0;
}
