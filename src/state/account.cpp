#include "state/account.hpp"

#include "core/rlp.hpp"

namespace fuse::state {

Bytes encode_account(const Account& account, const Hash32& storage_root) {
    rlp::Encoder enc(120);
    enc.begin_list()
        .add(account.nonce)
        .add(account.balance)
        .add(storage_root)
        .add(account.code_hash)
        .end_list();
    return enc.take();
}

}  // namespace fuse::state
