#include "node/backed_supply.hpp"

#include <fmt/core.h>

#include "core/address.hpp"

namespace fuse::node {

uint256 unbacked_supply(const arbos::Genesis& genesis) {
    uint256 total;
    for (const auto& [address, account] : genesis.alloc) {
        const uint256 next = total + account.balance;
        if (next < total) return ~uint256{};  // past 2^256 - 1: saturate, still refused
        total = next;
    }
    return total;
}

namespace {

/// `wei` in FUSE with up to 18 decimals, trailing zeros dropped ("1.5", "100000").
std::string fuse_units(const uint256& wei) {
    std::string dec = wei.to_dec();
    if (dec.size() <= 18) dec.insert(0, 19 - dec.size(), '0');
    std::string whole = dec.substr(0, dec.size() - 18);
    std::string frac = dec.substr(dec.size() - 18);
    while (!frac.empty() && frac.back() == '0')
        frac.pop_back();
    return frac.empty() ? whole : whole + "." + frac;
}

}  // namespace

std::string unbacked_alloc_problem(const arbos::Genesis& genesis, const std::string& source) {
    const uint256 total = unbacked_supply(genesis);
    if (total == uint256{}) return {};
    size_t funded = 0;
    const Address* example = nullptr;
    for (const auto& [address, account] : genesis.alloc) {
        if (account.balance == uint256{}) continue;
        ++funded;
        if (example == nullptr) example = &address;
    }
    return fmt::format(
        "{} allocates {} wei ({} FUSE) to {} account{} (e.g. {}) that no Bridge escrow backs: on "
        "a chain that is not a dev chain the L2's native supply must all come from L1 deposits "
        "(docs/bridge.md \"Backed supply\"). Give these accounts a zero balance and deposit "
        "through the Bridge, or, for a dev or test chain whose alloc is knowingly unbacked, pass "
        "--allow-unbacked-alloc",
        source, total.to_dec(), fuse_units(total), funded, funded == 1 ? "" : "s",
        to_checksum_hex(*example));
}

}  // namespace fuse::node
