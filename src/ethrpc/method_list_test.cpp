// docs/eth-rpc.md lists every method with its status: the methods a started server answers
// must be exactly those the document's "Methods" table lists as available, and none it lists
// as not implemented may be registered.

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "ethrpc/test_chain.hpp"

namespace fuse::ethrpc::testing {
namespace {

struct DocumentedMethods {
    std::set<std::string> available;
    std::set<std::string> missing;
};

/// The rows "| `name` | status | ..." of the table under "## Methods" (until the next heading).
DocumentedMethods read_doc(const std::string& path) {
    std::ifstream in(path);
    EXPECT_TRUE(in) << "cannot read " << path;
    DocumentedMethods out;
    std::string line;
    bool in_section = false;
    while (std::getline(in, line)) {
        if (line.rfind("#", 0) == 0) {  // the table ends at the next heading
            in_section = line == "## Methods";
            continue;
        }
        if (!in_section || line.rfind("| `", 0) != 0) continue;
        const auto end = line.find('`', 3);
        if (end == std::string::npos) continue;
        const std::string name = line.substr(3, end - 3);
        const auto status_at = line.find('|', end) + 1;
        const auto status_end = line.find('|', status_at);
        std::string status = line.substr(status_at, status_end - status_at);
        status.erase(0, status.find_first_not_of(' '));
        const bool is_missing = status.rfind("not implemented", 0) == 0;
        EXPECT_TRUE((is_missing ? out.missing : out.available).insert(name).second)
            << name << " listed twice";
    }
    return out;
}

TEST(MethodList, DocsListExactlyTheRegisteredMethods) {
    const auto doc = read_doc(std::string(FUSE_SOURCE_DIR) + "/docs/eth-rpc.md");
    ASSERT_GT(doc.available.size(), 40u);

    TestChain chain("method-list");
    TestNode node(chain);  // registers EthApi and starts the server (eth_subscribe & co.)
    const auto names = node.server->methods().names();
    const std::set<std::string> registered(names.begin(), names.end());

    for (const auto& m : registered)
        EXPECT_TRUE(doc.available.contains(m))
            << m << " is registered but docs/eth-rpc.md does not list it as available";
    for (const auto& m : doc.available)
        EXPECT_TRUE(registered.contains(m))
            << m << " is listed in docs/eth-rpc.md but not registered";
    for (const auto& m : doc.missing)
        EXPECT_FALSE(registered.contains(m))
            << m << " is registered but docs/eth-rpc.md says not implemented";
}

}  // namespace
}  // namespace fuse::ethrpc::testing
