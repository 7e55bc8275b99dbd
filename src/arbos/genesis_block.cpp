// Block 0 (arbos.hpp make_genesis_block; docs/arbos.md "Genesis").
#include <cstdio>
#include <cstdlib>

#include "arbos/arbos.hpp"
#include "arbos/block_context.hpp"
#include "arbos/predeploys.hpp"
#include "arbos/system_state.hpp"
#include "state/exec_state.hpp"

namespace fuse::arbos {

Block make_genesis_block(WorldState& world, const Genesis& genesis, state::StateDiff* diff) {
    state::ExecState exec(world);
    for (const auto& [addr, acc] : genesis.alloc) {
        exec.set_balance(addr, acc.balance);
        exec.set_nonce(addr, acc.nonce);
        if (!acc.code.empty()) exec.set_code(addr, acc.code);
        for (const auto& [key, value] : acc.storage)
            exec.set_storage(addr, key, value);
    }
    if (auto ok = install_predeploys(exec, genesis); !ok) {
        // parse_genesis checks what a file can get wrong; this is a Genesis built in code
        // that puts alloc over a predeploy, or a broken build.
        std::fprintf(stderr, "%s\n", ok.error().c_str());
        std::abort();
    }
    init_system_state(exec, genesis);
    exec.finalize_tx();

    Block block;
    state::StateDiff d = exec.diff();
    BlockHeader& h = block.header;
    auto root =
        exec.faulted() ? state::ReadResult<Hash32>(Unexpected{*exec.fault()}) : world.apply_diff(d);
    if (!root) {
        // An empty world reads nothing below it: the storage under it is broken.
        std::fprintf(stderr, "genesis: %s\n", state::to_string(root.error()).c_str());
        std::abort();
    }
    h.state_root = *root;
    if (diff) *diff = std::move(d);
    h.transactions_root = kEmptyTrieRoot;
    h.receipts_root = kEmptyTrieRoot;

    BlockContext c;
    c.info.number = 0;
    c.info.timestamp = genesis.timestamp;
    c.info.arbos_version = genesis.arbos_version;
    c.info.base_fee = genesis.fees.min_base_fee;
    fill_header(h, c, genesis, block);
    block.hash = *header_hash(h);
    return block;
}

}  // namespace fuse::arbos
