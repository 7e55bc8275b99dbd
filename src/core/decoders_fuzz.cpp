// libFuzzer target for every decoder in core (fuzz preset): the first byte picks the decoder,
// the rest is its input. Invariants: nothing crashes (ASan/UBSan), and whatever a strict
// decoder accepts re-encodes to exactly the same bytes.

#include <cstdint>
#include <cstdlib>

#include "core/block.hpp"
#include "core/receipt.hpp"
#include "core/rlp.hpp"
#include "core/transaction.hpp"

namespace {

void require(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace fuse;
    if (size == 0) return 0;
    const ByteView in{data + 1, size - 1};
    switch (data[0] % 4) {
        case 0:
            (void)rlp::validate(in);
            break;
        case 1:
            if (auto txn = decode_transaction(in)) {
                require(encode_transaction(*txn) == to_bytes(in));
                (void)recover_sender(*txn);
                for (const auto& a : txn->authorization_list)
                    (void)a.recover_authority();
            }
            break;
        case 2:
            if (auto r = decode_receipt(in)) require(encode_receipt(*r) == to_bytes(in));
            break;
        default:
            if (auto h = decode_header(in)) require(encode_header(*h).value() == to_bytes(in));
            break;
    }
    return 0;
}
