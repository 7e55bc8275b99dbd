#include "node/run_node.hpp"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "node/logging.hpp"
#include "node/node.hpp"

namespace fuse::node {

arbos::Genesis read_genesis_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read genesis file " + path);
    std::ostringstream text;
    text << in.rdbuf();
    auto g = arbos::parse_genesis(text.str());
    if (!g) throw std::runtime_error("genesis file " + path + ": " + g.error());
    return *g;
}

int run_node(const NodeConfig& cfg) {
    setup_logging(cfg.log);

    // Every thread started below inherits this mask, so SIGINT/SIGTERM reach only sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    int code = 0;
    {
        Node node(cfg);
        code = node.run(stop_signals);
    }  // every part stopped and destroyed, the database closed last
    spdlog::default_logger()->flush();
    return code;
}

}  // namespace fuse::node
