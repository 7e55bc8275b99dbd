#include "node/devnet_supervisor.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "core/hex.hpp"

namespace fuse::node {

void devnet_say(const std::string& line) {
    std::fprintf(stderr, "[devnet] %s\n", line.c_str());
    std::fflush(stderr);
}

Supervisor::Supervisor(const DevnetPaths& paths) : paths_(paths) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    sigaddset(&signals_, SIGCHLD);
    sigprocmask(SIG_BLOCK, &signals_, nullptr);
}

ChildProcess& Supervisor::start(const std::string& name, std::vector<std::string> argv, bool show,
                                bool one_shot) {
    if (one_shot) one_shot_.push_back(name);
    auto child = std::make_unique<ChildProcess>(name, std::move(argv), paths_.log(name).string());
    tail_.add(name, child->log_file(), show);
    child->start();
    devnet_say("started " + name + " (pid " + std::to_string(child->pid()) + ", log " +
               child->log_file() + ")");
    children_.push_back(std::move(child));
    return *children_.back();
}

void Supervisor::wait_until(const std::function<bool()>& done, std::chrono::seconds timeout,
                            const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (const int sig = wait_signal(std::chrono::milliseconds(100)); sig != 0)
            throw StopRequested{sig};
        if (done()) return;
        check_children();
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("timed out after " + std::to_string(timeout.count()) +
                                     " s waiting for " + what);
    }
}

int Supervisor::run(const std::function<void()>& periodic, std::chrono::milliseconds period) {
    auto next = std::chrono::steady_clock::now() + period;
    while (true) {
        if (const int sig = wait_signal(std::chrono::milliseconds(200)); sig != 0) return sig;
        check_children();
        if (std::chrono::steady_clock::now() >= next) {
            periodic();
            next = std::chrono::steady_clock::now() + period;
        }
    }
}

bool Supervisor::stop_all() {
    bool clean = true;
    std::vector<ChildProcess*> order;
    for (auto& c : children_)
        if (c->name() != "l1") order.push_back(c.get());
    for (auto& c : children_)
        if (c->name() == "l1") order.push_back(c.get());
    for (ChildProcess* c : order) {
        if (!c->running()) continue;
        devnet_say("stopping " + c->name() + " (pid " + std::to_string(c->pid()) + ")");
        c->stop(std::chrono::seconds(c->name() == "l1" ? 20 : 30));
        tail_.poll(on_line_);
        if (!c->exited_cleanly()) {
            devnet_say(c->name() + " did not stop cleanly: " + c->exit_description());
            clean = false;
        }
    }
    tail_.poll(on_line_);
    return clean;
}

const ChildProcess* Supervisor::child(const std::string& name) const {
    for (const auto& c : children_)
        if (c->name() == name) return c.get();
    return nullptr;
}

int Supervisor::wait_signal(std::chrono::milliseconds timeout) {
    timespec ts{};
    ts.tv_sec = timeout.count() / 1000;
    ts.tv_nsec = (timeout.count() % 1000) * 1'000'000;
    const int sig = sigtimedwait(&signals_, nullptr, &ts);
    tail_.poll(on_line_);
    return sig == SIGINT || sig == SIGTERM ? sig : 0;
}

void Supervisor::check_children() {
    for (auto& c : children_) {
        if (!c->running() || !c->poll()) continue;
        if (std::find(one_shot_.begin(), one_shot_.end(), c->name()) != one_shot_.end())
            continue;  // a one-shot command, checked by its caller
        tail_.poll(on_line_);
        std::string msg = c->name() + " (pid " + std::to_string(c->pid()) +
                          ") exited unexpectedly: " + c->exit_description();
        const auto lines = tail_.last_lines(c->name(), 15);
        if (!lines.empty()) msg += "; its last output (" + c->log_file() + "):";
        for (const auto& l : lines)
            msg += "\n    " + l;
        throw std::runtime_error(msg);
    }
}

namespace {

std::unique_ptr<l1::RpcClient> local_client(uint16_t port) {
    l1::RpcClientConfig c;
    c.url = "http://127.0.0.1:" + std::to_string(port);
    c.connect_timeout = std::chrono::milliseconds(1000);
    c.request_timeout = std::chrono::milliseconds(3000);
    c.max_attempts = 1;
    return std::make_unique<l1::RpcClient>(c);
}

}  // namespace

DivergenceCheck::DivergenceCheck(uint16_t sequencer_port, uint16_t validator_port,
                                 std::chrono::seconds grace)
    : sequencer_(local_client(sequencer_port)),
      validator_(local_client(validator_port)),
      grace_(grace) {}

void DivergenceCheck::operator()() {
    std::optional<l1::BlockHeader> derived, sealed;
    std::optional<std::string> halted;
    try {
        const auto st = sequencer_->request("fusel2_sequencerStatus", nlohmann::json::array());
        if (st.is_object() && st.value("halted", false))
            halted = st.value("haltReason", std::string("halted"));
    } catch (const l1::L1Error&) {
    }
    if (halted) throw std::runtime_error("the sequencer halted: " + *halted);
    try {
        derived = validator_->get_block("safe");
        if (!derived || derived->number <= checked_) return;
        sealed = sequencer_->get_block(l1::block_tag(derived->number));
    } catch (const l1::L1Error&) {
        return;  // busy, or nothing derived yet ("safe block not found"): next time
    }
    if (!sealed) return;
    if (sealed->hash == derived->hash) {
        checked_ = derived->number;
        differs_at_.reset();
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!differs_at_) {
        differs_at_ = derived->number;
        differs_since_ = now;
        return;  // the sequencer's L1 guard repairs this (a rewind) and the validator follows
    }
    if (now - differs_since_ < grace_) return;
    throw std::runtime_error(
        "the validator derived L2 block " + std::to_string(derived->number) + " = " +
        to_hex(derived->hash) + " from L1, but the sequencer's block " +
        std::to_string(derived->number) + " is " + to_hex(sealed->hash) + ", for more than " +
        std::to_string(grace_.count()) +
        " s: the sequencer did not repair its chain (see its log, \"L1 guard\"); this devnet "
        "cannot continue consistently: start over with --fresh");
}

}  // namespace fuse::node
