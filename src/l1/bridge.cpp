#include "l1/bridge.hpp"

#include <cstring>

namespace fuse::l1 {
namespace {

Bytes with_selector(std::string_view signature, const Bytes& args) {
    const auto sel = selector(signature);
    Bytes out(sel.size() + args.size());
    std::memcpy(out.data(), sel.data(), sel.size());
    if (!args.empty()) std::memcpy(out.data() + sel.size(), args.data(), args.size());
    return out;
}

/// An indexed address topic: 12 zero bytes, then the address.
std::optional<Address> topic_address(const Hash32& topic) {
    for (size_t i = 0; i < 12; ++i)
        if (topic[i] != 0) return std::nullopt;
    Address a;
    std::memcpy(a.data(), topic.data() + 12, a.size());
    return a;
}

}  // namespace

Result<DepositQueued, AbiError> decode_deposit_queued(const Log& log) {
    static const Hash32 topic = event_topic(sig::kDepositQueued);
    static const auto types =
        *parse_types("uint8,uint256,uint256,uint256,uint256,bytes,bytes32,bytes32");
    if (log.topics.size() != 4 || log.topics[0] != topic)
        return Unexpected{AbiError::kValueMismatch};
    const uint256 index = uint256::from_hash(log.topics[1]);
    const auto from = topic_address(log.topics[2]);
    const auto to = topic_address(log.topics[3]);
    if (!from || !to) return Unexpected{AbiError::kDirtyPadding};
    auto v = abi_decode_exact(types, log.data);
    if (!v) return Unexpected{v.error()};
    auto& a = *v;
    if (!index.fits_u64() || !a[2].word.fits_u64() || !a[3].word.fits_u64() ||
        !a[4].word.fits_u64())
        return Unexpected{AbiError::kTooLarge};
    DepositQueued out;
    Deposit& d = out.deposit;
    d.kind = static_cast<DepositKind>(a[0].word.low64());
    d.index = index.low64();
    d.l2_from = *from;
    d.to = *to;
    d.value = a[1].word;
    d.l2_gas_limit = a[2].word.low64();
    d.l1_block_number = a[3].word.low64();
    d.l1_timestamp = a[4].word.low64();
    d.data = std::move(a[5].bytes);
    out.deposit_hash = a[6].as_hash();
    out.acc = a[7].as_hash();
    return out;
}

Bytes encode_deposit_native(const Address& to) {
    return encode_call(sig::kDepositNative, to);
}

Bytes encode_send_message(const Address& to, uint64_t l2_gas_limit, ByteView data) {
    static const auto types = *parse_types("address,uint256,bytes");
    auto args = abi_encode(
        types, {AbiValue::of(to), AbiValue::of(uint256(l2_gas_limit)), AbiValue::of_bytes(data)});
    return with_selector(sig::kSendMessage, *args);
}

}  // namespace fuse::l1
