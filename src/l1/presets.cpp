#include "l1/presets.hpp"

namespace fuse::l1 {

const char* to_string(FeeMode mode) {
    return mode == FeeMode::kEip1559 ? "eip1559" : "legacy";
}

// Chain ids and URLs: docs.fuse.io, ethereum-lists/chains eip155-122 / eip155-123.
const L1Preset kFuseMainnet{"fuse",
                            "Fuse mainnet",
                            122,
                            "https://rpc.fuse.io",
                            kFuseConfirmations,
                            FeeMode::kEip1559,
                            5,
                            "https://explorer.fuse.io"};

const L1Preset kSparkTestnet{"spark",
                             "Fuse Spark testnet",
                             123,
                             "https://rpc.fusespark.io",
                             kFuseConfirmations,
                             FeeMode::kEip1559,
                             5,
                             "https://explorer.fusespark.io"};

namespace {
constexpr const L1Preset* kAll[] = {&kFuseMainnet, &kSparkTestnet};
}  // namespace

RpcClientConfig L1Preset::client_config(std::string_view url_override) const {
    RpcClientConfig c;
    c.url = std::string(url_override.empty() ? rpc_url : url_override);
    return c;
}

std::span<const L1Preset* const> presets() {
    return kAll;
}

const L1Preset* find_preset(std::string_view name) {
    if (name == "mainnet") name = "fuse";
    if (name == "testnet") name = "spark";
    for (const L1Preset* p : kAll)
        if (p->name == name) return p;
    return nullptr;
}

const L1Preset* preset_for_chain(uint64_t chain_id) {
    for (const L1Preset* p : kAll)
        if (p->chain_id == chain_id) return p;
    return nullptr;
}

void check_chain(RpcClient& rpc, const L1Preset& preset) {
    const uint64_t id = rpc.chain_id();
    if (id == preset.chain_id) return;
    const L1Preset* actual = preset_for_chain(id);
    throw L1Error(L1Error::Kind::kConfig,
                  "L1 node " + rpc.endpoint() + " serves chain id " + std::to_string(id) +
                      (actual ? " (" + std::string(actual->display) + ")" : std::string()) +
                      ", not " + std::string(preset.display) + " (" +
                      std::to_string(preset.chain_id) + "): check the L1 RPC URL or the preset");
}

}  // namespace fuse::l1
