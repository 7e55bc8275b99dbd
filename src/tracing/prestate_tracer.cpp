// geth's prestateTracer (go-ethereum eth/tracers/native/prestate.go): the accounts and slots a
// transaction touched, as they were before it; with `diffMode` the changed ones before and
// after. Accounts are looked up when geth looks them up: sender, recipient (or created
// address) and coinbase at the start, then the targets of BALANCE/EXTCODE*/SELFDESTRUCT,
// CALL*, CREATE* and the slots of SLOAD/SSTORE as they execute.
#include <map>
#include <set>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "state/account.hpp"
#include "state/host.hpp"
#include "tracing/tracer.hpp"

namespace fuse::tracing {
namespace {

struct Acct {
    uint256 balance;
    uint64_t nonce = 0;
    Bytes code;
    Hash32 code_hash;  ///< kEmptyCodeHash without code
    std::map<uint256, uint256> storage;
    bool empty = false;  ///< did not exist (geth: no nonce, code, storage or balance)
};

std::string word_hex(const uint256& v) {
    return to_hex(v.to_hash().view());
}

class PrestateTracer final : public JsonTracer {
public:
    PrestateTracer(const PrestateConfig& cfg, Clock::time_point deadline)
        : JsonTracer(deadline), cfg_(cfg) {}

    void on_tx_start(state::ExecState& st, const state::TxStart& tx) noexcept override {
        st_ = &st;
        to_ = tx.to ? *tx.to : tx.created;
        if (!tx.to) created_.insert(tx.created);
        try {
            lookup(tx.from);
            lookup(to_);
            lookup(tx.coinbase);
        } catch (...) {
        }
    }

    bool on_step(const evm::StepState& s) noexcept override {
        if (!tick()) return false;
        if (st_ == nullptr || s.msg == nullptr) return true;
        const auto& stack = s.stack;
        const size_t n = stack.size();
        const Address self = s.msg->recipient;
        try {
            switch (s.op) {
                case 0x54:  // SLOAD
                case 0x55:  // SSTORE
                    if (n >= 1) lookup_storage(self, stack[n - 1]);
                    break;
                case 0x31:  // BALANCE
                case 0x3b:  // EXTCODESIZE
                case 0x3c:  // EXTCODECOPY
                case 0x3f:  // EXTCODEHASH
                    if (n >= 1) lookup(to_address(stack[n - 1]));
                    break;
                case 0xff:  // SELFDESTRUCT (EIP-6780: deleted only if created in this tx)
                    if (n >= 1) lookup(to_address(stack[n - 1]));
                    if (created_.count(self)) deleted_.insert(self);
                    break;
                case 0xf1:  // CALL
                case 0xf2:  // CALLCODE
                case 0xf4:  // DELEGATECALL
                case 0xfa:  // STATICCALL
                    if (n >= 5) lookup(to_address(stack[n - 2]));
                    break;
                case 0xf0: {  // CREATE
                    const Address a = state::create_address(self, st_->nonce(self));
                    lookup(a);
                    created_.insert(a);
                    break;
                }
                case 0xf5:  // CREATE2
                    if (n >= 4) {
                        const uint256& off = stack[n - 2];
                        const uint256& size = stack[n - 3];
                        Bytes init;
                        if (!size.is_zero() && off.fits_u64() && size.fits_u64() &&
                            size.low64() <= (uint64_t{1} << 32)) {
                            init.assign(size.low64(), 0);
                            const uint64_t o = off.low64();
                            for (uint64_t i = 0; i < size.low64(); ++i)
                                if (o + i < s.memory.size()) init[i] = s.memory[o + i];
                        }
                        const Address a =
                            state::create2_address(self, stack[n - 4].to_hash(), init);
                        lookup(a);
                        created_.insert(a);
                    }
                    break;
                default:
                    break;
            }
        } catch (...) {
        }
        return true;
    }

    void on_tx_end(state::ExecState& st, const state::TxEnd&) noexcept override {
        try {
            if (cfg_.diff_mode) diff(st);
            if (!cfg_.include_empty)
                for (auto it = pre_.begin(); it != pre_.end();)
                    it = it->second.empty ? pre_.erase(it) : std::next(it);
        } catch (...) {
        }
        st_ = nullptr;
    }

    Json result() const override {
        if (!cfg_.diff_mode) return state_json(pre_, true);
        Json j = Json::object();
        j["post"] = state_json(post_, false);
        j["pre"] = state_json(pre_, true);
        return j;
    }

private:
    struct Post {
        std::optional<uint256> balance;
        std::optional<uint64_t> nonce;
        std::optional<Bytes> code;
        std::optional<Hash32> code_hash;
        std::map<uint256, uint256> storage;
        bool empty = false;
    };

    void lookup(const Address& a) {
        if (pre_.count(a)) return;
        Acct acc;
        acc.balance = st_->balance(a);
        acc.nonce = st_->nonce(a);
        const ByteView code = st_->code(a);
        acc.code.assign(code.begin(), code.end());
        acc.code_hash = code.empty() ? kEmptyCodeHash : st_->code_hash(a);
        acc.empty = acc.nonce == 0 && code.empty() && acc.balance.is_zero();
        pre_.emplace(a, std::move(acc));
    }

    void lookup_storage(const Address& a, const uint256& key) {
        if (cfg_.disable_storage) return;
        lookup(a);  // geth assumes it was looked up; a delegatecall target's caller may not be
        Acct& acc = pre_[a];
        if (acc.storage.count(key)) return;
        acc.storage.emplace(key, st_->get_storage(a, key));
    }

    void diff(state::ExecState& st) {
        for (auto& [addr, acc] : pre_) {
            if (deleted_.count(addr)) continue;
            bool modified = false;
            Post post;
            const uint256 bal = st.balance(addr);
            if (bal != acc.balance) {
                modified = true;
                post.balance = bal;
            }
            const uint64_t nonce = st.nonce(addr);
            if (nonce != acc.nonce) {
                modified = true;
                post.nonce = nonce;
            }
            const ByteView code = st.code(addr);
            const Hash32 hash = code.empty() ? kEmptyCodeHash : st.code_hash(addr);
            if (hash != acc.code_hash) {
                modified = true;
                post.code_hash = hash;
            }
            if (!cfg_.disable_code &&
                !std::equal(code.begin(), code.end(), acc.code.begin(), acc.code.end())) {
                modified = true;
                post.code = Bytes(code.begin(), code.end());
            }
            if (!cfg_.disable_storage) {
                for (auto it = acc.storage.begin(); it != acc.storage.end();) {
                    const uint256 now = st.get_storage(addr, it->first);
                    const bool was_zero = it->second.is_zero();
                    if (now == it->second) {
                        it = acc.storage.erase(it);  // unchanged slots are omitted
                        continue;
                    }
                    modified = true;
                    if (!now.is_zero()) post.storage.emplace(it->first, now);
                    it = was_zero ? acc.storage.erase(it) : std::next(it);
                }
            }
            if (modified) post_.emplace(addr, std::move(post));  // unmodified: dropped below
        }
        for (auto it = pre_.begin(); it != pre_.end();)
            it = !post_.count(it->first) && !deleted_.count(it->first) ? pre_.erase(it)
                                                                       : std::next(it);
    }

    Json state_json(const std::map<Address, Acct>& m, bool) const {
        Json j = Json::object();
        for (const auto& [addr, acc] : m) {
            Json a = Json::object();
            a["balance"] = acc.balance.to_hex();
            if (!cfg_.disable_code && !acc.code.empty()) a["code"] = to_hex(acc.code);
            if (!acc.code.empty()) a["codeHash"] = to_hex(acc.code_hash.view());
            if (acc.nonce != 0) a["nonce"] = acc.nonce;
            if (!cfg_.disable_storage && !acc.storage.empty()) {
                Json s = Json::object();
                for (const auto& [k, v] : acc.storage)
                    s[word_hex(k)] = word_hex(v);
                a["storage"] = std::move(s);
            }
            j[to_hex(addr.view())] = std::move(a);
        }
        return j;
    }

    Json state_json(const std::map<Address, Post>& m, bool) const {
        Json j = Json::object();
        for (const auto& [addr, p] : m) {
            Json a = Json::object();
            if (p.balance) a["balance"] = p.balance->to_hex();
            if (p.code) a["code"] = to_hex(*p.code);
            if (p.code_hash) a["codeHash"] = to_hex(p.code_hash->view());
            if (p.nonce && *p.nonce != 0) a["nonce"] = *p.nonce;
            if (!p.storage.empty()) {
                Json s = Json::object();
                for (const auto& [k, v] : p.storage)
                    s[word_hex(k)] = word_hex(v);
                a["storage"] = std::move(s);
            }
            j[to_hex(addr.view())] = std::move(a);
        }
        return j;
    }

    static Address to_address(const uint256& v) {
        const Hash32 h = v.to_hash();
        return Address::from_view_right(h.view());
    }

    PrestateConfig cfg_;
    state::ExecState* st_ = nullptr;
    Address to_;
    std::map<Address, Acct> pre_;
    std::map<Address, Post> post_;
    std::set<Address> created_;
    std::set<Address> deleted_;
};

}  // namespace

std::unique_ptr<JsonTracer> make_prestate_tracer(const PrestateConfig& cfg,
                                                 Clock::time_point deadline) {
    return std::make_unique<PrestateTracer>(cfg, deadline);
}

}  // namespace fuse::tracing
