// Prints the ten development accounts ("address privateKey" per line) for
// scripts/check-dev-accounts.mjs, which compares them with ethers.
#include <cstdio>

#include "arbos/genesis.hpp"
#include "core/hex.hpp"

int main() {
    for (const fuse::arbos::DevAccount& d : fuse::arbos::dev_accounts())
        std::printf("%s %s\n", fuse::to_hex(d.address.view()).c_str(),
                    fuse::to_hex(d.private_key.view()).c_str());
    return 0;
}
