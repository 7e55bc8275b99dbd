#include "l1/deployment.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/address.hpp"
#include "core/hex.hpp"

namespace fuse::l1 {
namespace {

using nlohmann::json;

/// Reads the keys of one record, naming `source` in every error.
class Fields {
public:
    Fields(const json& j, std::string_view source) : j_(j), source_(source) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw DeploymentError(source_ + ": " + what);
    }

    bool has(const char* key) const { return j_.contains(key) && !j_[key].is_null(); }

    Address address(const char* key) const {
        if (!has(key)) fail("missing \"" + std::string(key) + "\"");
        return address_value(j_[key], key);
    }

    std::optional<Address> optional_address(const char* key) const {
        if (!has(key)) return std::nullopt;
        return address_value(j_[key], key);
    }

    std::optional<uint64_t> number(const char* key) const {
        if (!has(key)) return std::nullopt;
        if (!j_[key].is_number_unsigned())
            fail("\"" + std::string(key) + "\" is not an unsigned integer");
        return j_[key].get<uint64_t>();
    }

    std::optional<Hash32> hash(const char* key) const {
        if (!has(key)) return std::nullopt;
        std::optional<Hash32> h;
        if (j_[key].is_string()) {
            if (auto parsed = hash_from_hex(j_[key].get<std::string>())) h = *parsed;
        }
        if (!h) fail("bad 32-byte hash in \"" + std::string(key) + "\"");
        return h;
    }

    std::vector<Address> addresses(const char* key) const {
        std::vector<Address> out;
        if (!has(key)) return out;
        if (!j_[key].is_array()) fail("\"" + std::string(key) + "\" is not an array");
        for (const auto& item : j_[key])
            out.push_back(address_value(item, key));
        return out;
    }

private:
    Address address_value(const json& v, const char* key) const {
        if (v.is_string()) {
            if (auto a = parse_address(v.get<std::string>())) return *a;
        }
        fail("bad address in \"" + std::string(key) + "\"");
    }

    const json& j_;
    std::string source_;
};

std::optional<BridgeDeployment> parse_bridge(const Fields& f, uint64_t deploy_block) {
    if (!f.has("bridge") && !f.has("outbox")) {
        if (f.has("l1Gateway")) f.fail("\"l1Gateway\" without \"bridge\" and \"outbox\"");
        return std::nullopt;
    }
    BridgeDeployment b;
    b.bridge = f.address("bridge");
    b.outbox = f.address("outbox");
    b.l1_gateway = f.optional_address("l1Gateway");
    b.deploy_block = f.number("bridgeDeployBlock").value_or(deploy_block);
    return b;
}

}  // namespace

Deployment parse_deployment(std::string_view json_text, std::string_view source) {
    json j;
    try {
        j = json::parse(json_text.begin(), json_text.end());
    } catch (const json::parse_error& e) {
        throw DeploymentError(std::string(source) + ": not valid JSON (" + e.what() + ")");
    }
    const Fields f(j, source);
    if (!j.is_object()) f.fail("not a JSON object");
    Deployment d;
    d.chain_id = f.number("chainId");
    d.inbox = f.address("inbox");
    d.rollup = f.address("rollup");
    d.deploy_block = f.number("deployBlock").value_or(0);
    d.genesis_hash = f.hash("genesisHash");
    d.batch_posters = f.addresses("batchPosters");
    d.proposers = f.addresses("proposers");
    d.bridge = parse_bridge(f, d.deploy_block);
    return d;
}

Deployment read_deployment(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw DeploymentError("cannot read the deployment file " + path + ": " +
                              std::strerror(errno) +
                              " (`fusel2 deploy --out FILE` or `fusel2 devnet` writes one)");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_deployment(text.str(), path);
}

}  // namespace fuse::l1
