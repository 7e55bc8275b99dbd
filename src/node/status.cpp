#include "node/status.hpp"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "core/address.hpp"
#include "core/hex.hpp"
#include "l1/contracts.hpp"
#include "l1/deployment.hpp"
#include "l1/rpc_client.hpp"
#include "node/config.hpp"
#include "node/http_probe.hpp"

namespace fuse::node {
namespace {

const uint256 kWeiPerEther = uint256(1'000'000'000'000'000'000ull);

std::unique_ptr<l1::RpcClient> client(const std::string& url, const std::string& what) {
    l1::RpcClientConfig c;
    c.url = url;
    c.connect_timeout = std::chrono::milliseconds(2000);
    c.request_timeout = std::chrono::milliseconds(5000);
    c.max_attempts = 2;
    c.backoff_initial = std::chrono::milliseconds(200);
    try {
        return std::make_unique<l1::RpcClient>(c);
    } catch (const std::exception& e) {
        throw StatusError(what + " URL " + url + ": " + e.what());
    }
}

}  // namespace

l1::Deployment parse_deployment_record(std::string_view text, std::string_view source) {
    try {
        return l1::parse_deployment(text, source);
    } catch (const l1::DeploymentError& e) {
        throw StatusError(e.what());
    }
}

StatusSources sources_from_node_config(const std::string& path, StatusSources base) {
    CLI::App app;
    NodeConfig cfg;
    std::string unused;
    ConfigBinder binder(app, cfg, unused);
    binder.apply_toml_file(path);
    const std::string host =
        cfg.http.address == "0.0.0.0" || cfg.http.address.empty() ? "127.0.0.1" : cfg.http.address;
    base.rpc = fmt::format("http://{}:{}", host, cfg.http.port);
    if (!cfg.l1.url.empty()) base.l1_url = cfg.l1.url;
    if (!cfg.l1.deployment.empty()) base.deployment = cfg.l1.deployment;
    return base;
}

namespace {

/// GET `path` of the node whose JSON-RPC URL is `url` (http://host:port): its probe answer as
/// {"status": HTTP status, "body": parsed JSON}, or null when nothing answers.
nlohmann::json probe(const std::string& url, const std::string& path) {
    const auto scheme = url.find("://");
    const std::string rest = scheme == std::string::npos ? url : url.substr(scheme + 3);
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) return nullptr;
    const std::string host = rest.substr(0, colon);
    const auto port = std::strtoul(rest.c_str() + colon + 1, nullptr, 10);
    if (port == 0 || port > 65535) return nullptr;
    const auto r = http_get(host, static_cast<uint16_t>(port), path);
    if (!r) return nullptr;
    return {{"status", r->status}, {"body", nlohmann::json::parse(r->body, nullptr, false)}};
}

/// The sequencer: chain id, head, readiness (GET /ready) and its own status.
void read_sequencer(ChainStatus& s, l1::RpcClient& l2, const std::string& url) {
    try {
        s.l2_chain_id = l2.chain_id();
        s.latest = l2.block_number();
    } catch (const std::exception& e) {
        throw StatusError("L2 sequencer at " + url + " is not answering: " + e.what());
    }
    s.ready = probe(url, "/ready");
    if (s.ready.is_object() && s.ready.value("status", 0u) != 200u) {
        s.warnings.push_back("the sequencer is not ready: " +
                             s.ready["body"].value("reason", std::string("?")));
    }
    try {
        s.sequencer = l2.request("fusel2_sequencerStatus");
    } catch (const l1::L1Error&) {
        s.sequencer = nullptr;  // an older node, or one without the method: not shown
    }
    if (s.sequencer.is_object() && s.sequencer.value("halted", false))
        s.warnings.push_back("the sequencer is HALTED: " +
                             s.sequencer.value("haltReason", std::string("?")));
}

/// The batch poster's and proposer's L1 balances (warning below `low`).
void read_balances(ChainStatus& s, l1::RpcClient& l1, const l1::Deployment& dep,
                   const uint256& low) {
    for (const auto& [role, list] :
         {std::pair{"batch poster", &dep.batch_posters}, std::pair{"proposer", &dep.proposers}}) {
        for (const Address& a : *list) {
            Balance b{role, a, l1.get_balance(a), false};
            b.low = b.wei < low;
            if (b.low) {
                s.warnings.push_back(
                    fmt::format("{} {} has only {} on L1 (below {}): top it up or it cannot post",
                                role, to_checksum_hex(a), format_ether(b.wei), format_ether(low)));
            }
            s.balances.push_back(std::move(b));
        }
    }
}

/// What L1 holds: counters, the latest root, balances. Returns the latest root, if any.
std::optional<l1::StateRootRecord> read_l1(ChainStatus& s, const StatusSources& src,
                                           const l1::Deployment& dep) {
    auto l1 = client(src.l1_url, "L1");
    std::optional<l1::StateRootRecord> root;
    try {
        s.l1_chain_id = l1->chain_id();
        s.l1_head = l1->block_number();
        s.batches_posted = l1::call_u64(*l1, dep.inbox, l1::encode_call(l1::sig::kBatchCount),
                                        "inbox batchCount()");
        s.messages_posted =
            l1::call_u64(*l1, dep.inbox, l1::encode_call(l1::sig::kTotalMessageCount),
                         "inbox totalMessageCount()");
        s.roots_posted = l1::call_u64(*l1, dep.rollup, l1::encode_call(l1::sig::kPostedBatchCount),
                                      "rollup postedBatchCount()");
        if (s.roots_posted > 0) {
            root = l1::call_decoded(*l1, dep.rollup, l1::encode_call(l1::sig::kLatestPosted),
                                    "rollup latestPosted()",
                                    [](ByteView b) { return l1::decode_latest_posted(b); })
                       .second;
        }
        read_balances(s, *l1, dep, src.low_balance);
    } catch (const StatusError&) {
        throw;
    } catch (const std::exception& e) {
        throw StatusError("L1 at " + src.l1_url + " is not answering: " + e.what());
    }
    if (dep.chain_id && *dep.chain_id != s.l1_chain_id) {
        s.warnings.push_back(fmt::format("the deployment is for L1 chain id {}, the L1 is {}",
                                         *dep.chain_id, s.l1_chain_id));
    }
    return root;
}

/// Whether the root on L1 is the sequencer's block at that number.
void check_root(ChainStatus& s, l1::RpcClient& l2, const std::string& url,
                const l1::StateRootRecord& root) {
    try {
        const auto block = l2.get_block(l1::block_tag(root.l2_block_number));
        s.finalized_matches = block && block->hash == root.l2_block_hash;
    } catch (const std::exception& e) {
        throw StatusError("L2 sequencer at " + url + " is not answering: " + e.what());
    }
    if (!*s.finalized_matches) {
        s.warnings.push_back(
            fmt::format("the root on L1 for L2 block {} ({}) is not the sequencer's block",
                        s.finalized, to_hex(root.l2_block_hash)));
    }
}

/// `safe`: the validator's, when one is given (and its readiness), else the inbox's count.
void read_safe(ChainStatus& s, const StatusSources& src) {
    if (src.validator_rpc.empty()) {
        s.safe = s.messages_posted;  // message n is L2 block n
        s.safe_source = "inbox";
        return;
    }
    auto v = client(src.validator_rpc, "validator");
    try {
        const auto safe = v->get_block("safe");
        s.safe = safe ? safe->number : 0;
    } catch (const l1::L1Error& e) {
        if (e.kind != l1::L1Error::Kind::kJsonRpc)  // "safe block not found": nothing yet
            throw StatusError("validator at " + src.validator_rpc +
                              " is not answering: " + e.what());
    }
    s.safe_source = "validator";
    s.validator_ready = probe(src.validator_rpc, "/ready");
    if (s.validator_ready.is_object() && s.validator_ready.value("status", 0u) != 200u) {
        s.warnings.push_back("the validator is not ready: " +
                             s.validator_ready["body"].value("reason", std::string("?")));
    }
}

}  // namespace

ChainStatus collect_status(const StatusSources& src) {
    ChainStatus s;
    s.rpc = src.rpc;
    s.validator_rpc = src.validator_rpc;
    s.l1_url = src.l1_url;

    l1::Deployment dep;
    try {
        dep = l1::read_deployment(src.deployment);
    } catch (const l1::DeploymentError& e) {
        throw StatusError(std::string("deployment: ") + e.what() +
                          " (give --deployment, or --config with l1.deployment)");
    }

    auto l2 = client(src.rpc, "L2 sequencer");
    read_sequencer(s, *l2, src.rpc);
    const auto root = read_l1(s, src, dep);
    s.finalized = root ? root->l2_block_number : 0;
    s.backlog = s.latest > s.messages_posted ? s.latest - s.messages_posted : 0;
    if (root) check_root(s, *l2, src.rpc, *root);
    read_safe(s, src);
    return s;
}

std::string format_status(const ChainStatus& s) {
    std::string out;
    out += fmt::format("L2 {} (chain id {}), L1 {} (chain id {}, head {})\n", s.rpc, s.l2_chain_id,
                       s.l1_url, s.l1_chain_id, s.l1_head);
    auto readiness = [](const nlohmann::json& r) -> std::string {
        if (!r.is_object()) return "no answer to GET /ready";
        if (r.value("status", 0u) == 200u) return "ready";
        return "NOT ready: " + (r["body"].is_object() ? r["body"].value("reason", std::string("?"))
                                                      : std::string("?"));
    };
    out += "  sequencer  " + readiness(s.ready) + "\n";
    if (!s.validator_rpc.empty()) out += "  validator  " + readiness(s.validator_ready) + "\n";
    out += "\n";
    out += fmt::format("  latest     {:>10}   sealed by the sequencer\n", s.latest);
    out += fmt::format("  safe       {:>10}   {}\n", s.safe,
                       s.safe_source == "validator"
                           ? "derived from L1 by the validator at " + s.validator_rpc
                           : std::string("posted to L1 (SequencerInbox.totalMessageCount)"));
    std::string fin = "root on L1 (RollupCore.latestPosted)";
    if (!s.finalized_matches)
        fin = "no root posted yet";
    else if (!*s.finalized_matches)
        fin += ", MISMATCH with the sequencer's block";
    else
        fin += ", equal to the sequencer's block";
    out += fmt::format("  finalized  {:>10}   {}\n\n", s.finalized, fin);
    out += fmt::format("  backlog    {} message(s) sealed, not yet posted\n", s.backlog);
    out += fmt::format("  batches    {} posted ({} messages), {} with a root\n\n", s.batches_posted,
                       s.messages_posted, s.roots_posted);
    for (const auto& b : s.balances) {
        out += fmt::format("  {:<13} {}  {}{}\n", b.role, to_checksum_hex(b.address),
                           format_ether(b.wei), b.low ? "  LOW" : "");
    }
    if (s.sequencer.is_object()) {
        const auto& r = s.sequencer["lastRewind"];
        if (r.is_object()) {
            out += fmt::format(
                "\n  last rewind  from block {} to {} ({} adopted from L1, {} transactions "
                "re-sequenced, {} dropped): {}\n",
                r.value("fromBlock", uint64_t{0}), r.value("keptThrough", uint64_t{0}),
                r.value("adoptedBlocks", uint64_t{0}), r.value("requeuedTxs", uint64_t{0}),
                s.sequencer.value("droppedTxs", uint64_t{0}), r.value("reason", std::string()));
        } else {
            out += "\n  last rewind  none since the sequencer started\n";
        }
    }
    for (const auto& w : s.warnings)
        out += "\nwarning: " + w;
    if (!s.warnings.empty()) out += "\n";
    return out;
}

nlohmann::json status_to_json(const ChainStatus& s) {
    nlohmann::json j;
    j["rpc"] = s.rpc;
    j["l1Url"] = s.l1_url;
    if (!s.validator_rpc.empty()) j["validatorRpc"] = s.validator_rpc;
    j["l2ChainId"] = s.l2_chain_id;
    j["l1ChainId"] = s.l1_chain_id;
    j["l1Head"] = s.l1_head;
    j["latest"] = s.latest;
    j["safe"] = s.safe;
    j["safeSource"] = s.safe_source;
    j["finalized"] = s.finalized;
    j["finalizedMatches"] =
        s.finalized_matches ? nlohmann::json(*s.finalized_matches) : nlohmann::json(nullptr);
    j["backlog"] = s.backlog;
    j["batchesPosted"] = s.batches_posted;
    j["messagesPosted"] = s.messages_posted;
    j["rootsPosted"] = s.roots_posted;
    j["balances"] = nlohmann::json::array();
    for (const auto& b : s.balances) {
        j["balances"].push_back({{"role", b.role},
                                 {"address", to_checksum_hex(b.address)},
                                 {"wei", b.wei.to_dec()},
                                 {"low", b.low}});
    }
    j["sequencer"] = s.sequencer;
    j["ready"] = s.ready;
    if (!s.validator_rpc.empty()) j["validatorReady"] = s.validator_ready;
    j["warnings"] = s.warnings;
    return j;
}

std::optional<uint256> parse_ether(std::string_view text) {
    const size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    if ((whole.empty() && frac.empty()) || frac.size() > 18) return std::nullopt;
    if (dot != std::string_view::npos && frac.empty()) return std::nullopt;
    for (char c : std::string(whole) + std::string(frac))
        if (c < '0' || c > '9') return std::nullopt;
    if (whole.size() > 30) return std::nullopt;
    uint256 w = 0;
    if (!whole.empty()) {
        auto v = uint256::from_dec(whole);
        if (!v) return std::nullopt;
        w = *v;
    }
    std::string f(frac);
    f.resize(18, '0');
    auto fv = uint256::from_dec(f);
    if (!fv) return std::nullopt;
    return w * kWeiPerEther + *fv;
}

std::string format_ether(const uint256& wei) {
    const uint256 whole = wei / kWeiPerEther;
    std::string frac = (wei % kWeiPerEther).to_dec();
    frac.insert(0, 18 - frac.size(), '0');
    frac.resize(6);
    while (!frac.empty() && frac.back() == '0')
        frac.pop_back();
    return whole.to_dec() + (frac.empty() ? "" : "." + frac) + " ETH";
}

}  // namespace fuse::node
