// Genesis predeploys (predeploys.hpp; docs/genesis.md).
#include "arbos/predeploys.hpp"

#include <cstdio>
#include <cstdlib>
#include <set>

#include "arbos/revision.hpp"
#include "core/hex.hpp"
#include "state/host.hpp"

namespace fuse::arbos {

namespace {

/// Generous: the EntryPoint's create costs about 3.6M gas; genesis pays nothing.
constexpr int64_t kGenesisCreateGas = 100'000'000;

/// The generated table is part of the binary: a malformed entry is a build fault.
[[noreturn]] void bad_table(std::string_view name, std::string_view what) {
    std::fprintf(stderr, "predeploys: generated entry \"%.*s\": %.*s\n",
                 static_cast<int>(name.size()), name.data(), static_cast<int>(what.size()),
                 what.data());
    std::abort();
}

Bytes hex_bytes(std::string_view name, std::string_view hex) {
    auto b = from_hex(std::string(hex));
    if (!b) bad_table(name, "bad hex");
    return std::move(*b);
}

Address hex_address(std::string_view name, std::string_view hex) {
    auto a = address_from_hex(std::string(hex));
    if (!a) bad_table(name, "bad address");
    return *a;
}

std::vector<Predeploy> decode_table() {
    std::vector<Predeploy> out;
    for (const PredeploySource& s : predeploy_sources()) {
        Predeploy p;
        p.name = std::string(s.name);
        p.address = hex_address(s.name, s.address);
        if (s.via_create2) {
            p.factory = hex_address(s.name, s.factory);
            const Bytes salt = hex_bytes(s.name, s.salt);
            if (salt.size() != 32) bad_table(s.name, "salt is not 32 bytes");
            std::copy(salt.begin(), salt.end(), p.salt.bytes.begin());
        }
        p.origin = std::string(s.origin);
        p.init_code = hex_bytes(s.name, s.init_code_hex);
        out.push_back(std::move(p));
    }
    return out;
}

std::string field_error(const std::string& what) {
    return "genesis: field \"predeploys\": " + what;
}

/// Runs `p`'s init code at its address (or through its CREATE2 factory).
Result<void, std::string> deploy(state::StateHost& host, state::ExecState& st, const Predeploy& p) {
    const auto failed = [&](std::string_view why) {
        return Unexpected{"genesis: predeploy " + p.name + " (" + p.origin +
                          "): " + std::string(why)};
    };
    evm::Message msg;
    msg.gas = kGenesisCreateGas;
    msg.depth = 0;
    if (p.factory) {
        // The factory (Arachnid's proxy) takes salt ‖ init code and returns the 20-byte address.
        Bytes input(p.salt.bytes.begin(), p.salt.bytes.end());
        input.insert(input.end(), p.init_code.begin(), p.init_code.end());
        msg.kind = evm::CallKind::kCall;
        msg.recipient = *p.factory;
        msg.code_address = *p.factory;
        msg.input = input;
        const evm::ExecResult r = host.call(msg);
        if (r.status != evm::Status::kSuccess)
            return failed("the CREATE2 factory failed: " + std::string(to_string(r.status)));
        if (r.output.size() != 20 ||
            !std::equal(r.output.begin(), r.output.end(), p.address.bytes.begin()))
            return failed("the CREATE2 factory did not create the canonical address " +
                          to_hex(p.address.view()));
    } else {
        msg.kind = evm::CallKind::kCreate;
        msg.input = p.init_code;
        const evm::ExecResult r = host.create_at(msg, p.address);
        if (r.status != evm::Status::kSuccess)
            return failed("its init code failed: " + std::string(to_string(r.status)) +
                          " (is the address already in the alloc?)");
    }
    if (st.code(p.address).empty()) return failed("no code at " + to_hex(p.address.view()));
    return {};
}

}  // namespace

const std::vector<Predeploy>& standard_predeploys() {
    static const std::vector<Predeploy> table = decode_table();
    return table;
}

const Predeploy* find_predeploy(std::string_view name) {
    for (const Predeploy& p : standard_predeploys())
        if (p.name == name) return &p;
    return nullptr;
}

std::vector<std::string> standard_predeploy_names() {
    std::vector<std::string> out;
    for (const Predeploy& p : standard_predeploys())
        out.push_back(p.name);
    return out;
}

const Bytes& l2_gateway_runtime() {
    static const Bytes code = hex_bytes("l2Gateway", l2_gateway_runtime_hex());
    return code;
}

Result<void, std::string> check_predeploys(const Genesis& g) {
    std::set<std::string> seen;
    for (const std::string& name : g.predeploys) {
        const Predeploy* p = find_predeploy(name);
        if (!p) {
            std::string known;
            for (const Predeploy& q : standard_predeploys())
                known += (known.empty() ? "" : ", ") + q.name;
            return Unexpected{
                field_error("unknown predeploy \"" + name + "\" (known: " + known + ")")};
        }
        if (!seen.insert(name).second)
            return Unexpected{field_error("\"" + name + "\" is listed twice")};
        if (g.alloc.contains(p->address))
            return Unexpected{field_error("\"" + name + "\" is at " + to_hex(p->address.view()) +
                                          ", which the alloc also sets")};
    }
    for (const std::string& name : g.predeploys) {
        const Predeploy* p = find_predeploy(name);
        if (!p->factory) continue;
        bool have = false;
        for (const std::string& other : g.predeploys)
            have = have || find_predeploy(other)->address == *p->factory;
        if (!have)
            return Unexpected{field_error("\"" + name + "\" is created through " +
                                          to_hex(p->factory->view()) +
                                          ": list the predeploy at that address too")};
    }
    if (g.l2_gateway_admin && g.alloc.contains(kL2GatewayAddress))
        return Unexpected{std::string(
            "genesis: field \"l2GatewayAdmin\": the alloc also sets the gateway's address "
            "0x0000000000000000000000000000000000004b01")};
    return {};
}

Result<void, std::string> install_predeploys(state::ExecState& st, const Genesis& g) {
    if (auto ok = check_predeploys(g); !ok) return ok;
    if (!g.predeploys.empty()) {
        evm::TxContext ctx;
        ctx.chain_id = uint256(g.chain_id);
        ctx.timestamp = static_cast<int64_t>(g.timestamp);
        ctx.gas_limit = kGenesisCreateGas;
        ctx.prev_randao = uint256(1);
        ctx.coinbase = g.fees.l1_fee_account;
        state::StateHost host(st, revision_for(g.arbos_version), ctx,
                              [](int64_t) { return Hash32{}; });
        // In table order, whatever the order of the list: a factory comes before its users.
        for (const Predeploy& p : standard_predeploys()) {
            bool listed = false;
            for (const std::string& name : g.predeploys)
                listed = listed || name == p.name;
            if (!listed) continue;
            if (auto ok = deploy(host, st, p); !ok) return ok;
        }
    }
    if (g.l2_gateway_admin) {
        st.set_nonce(kL2GatewayAddress, 1);  // EIP-161, as a created contract
        st.set_code(kL2GatewayAddress, l2_gateway_runtime());
        st.set_storage(kL2GatewayAddress, uint256{}, uint256::from_be(g.l2_gateway_admin->view()));
    }
    st.finalize_tx();
    return {};
}

}  // namespace fuse::arbos
