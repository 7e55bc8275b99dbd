#include "core/hash.hpp"

#include <cryptopp/keccak.h>
#include <cryptopp/ripemd.h>
#include <cryptopp/sha.h>

namespace fuse {

Hash32 keccak256(ByteView data) {
    CryptoPP::Keccak_256 h;
    h.Update(data.data(), data.size());
    Hash32 out;
    h.Final(out.data());
    return out;
}

Hash32 sha256(ByteView data) {
    CryptoPP::SHA256 h;
    h.Update(data.data(), data.size());
    Hash32 out;
    h.Final(out.data());
    return out;
}

std::array<uint8_t, 20> ripemd160(ByteView data) {
    CryptoPP::RIPEMD160 h;
    h.Update(data.data(), data.size());
    std::array<uint8_t, 20> out;
    h.Final(out.data());
    return out;
}

}  // namespace fuse
