#pragma once
/// Test helper: starts a real anvil (node_modules' own binary, as tests/lib/anvil.mjs does) with
/// `--port 0` on 127.0.0.1, reads the bound port from its output, and stops it (SIGTERM, then
/// SIGKILL) in stop() or the destructor, so a failing test leaves no process behind.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "l1/test_util.hpp"

namespace fuse::l1::testing {

/// The private key of anvil's dev account 0 (a public test key; 10,000 ETH on every anvil).
inline constexpr const char* kDevKey =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

class AnvilProcess {
public:
    /// `port` 0 lets the OS choose; a fixed port lets a test restart "the same" L1 (with
    /// `--state FILE` in `extra_args` it also keeps its chain).
    explicit AnvilProcess(std::vector<std::string> extra_args = {}, uint16_t port = 0) {
        const std::string bin =
            source_dir() + "/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";
        if (access(bin.c_str(), X_OK) != 0)
            throw std::runtime_error("anvil not found at " + bin +
                                     ": run scripts/setup.sh (npm install)");
        char path[] = "/tmp/fuse-l1-anvil-XXXXXX";
        const int fd = mkstemp(path);
        if (fd < 0) throw std::runtime_error("mkstemp failed");
        log_path_ = path;
        std::vector<std::string> args = {
            bin,          "--host", "127.0.0.1",  "--port", std::to_string(port),
            "--hardfork", "london", "--chain-id", "122",    "--accounts",
            "3"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            execv(bin.c_str(), argv.data());
            _exit(127);
        }
        close(fd);
        const std::string listening = "Listening on 127.0.0.1:";
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            const std::string out = output();
            if (const size_t at = out.find(listening); at != std::string::npos) {
                size_t end = at + listening.size();
                while (end < out.size() && std::isdigit(static_cast<unsigned char>(out[end])))
                    ++end;
                if (end > at + listening.size() && end < out.size()) {
                    url_ = "http://127.0.0.1:" +
                           out.substr(at + listening.size(), end - at - listening.size());
                    return;
                }
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("anvil exited before listening:\n" + out);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop();
        throw std::runtime_error("anvil did not start within 20 s:\n" + output());
    }
    AnvilProcess(const AnvilProcess&) = delete;
    AnvilProcess& operator=(const AnvilProcess&) = delete;
    ~AnvilProcess() {
        stop();
        unlink(log_path_.c_str());
    }

    const std::string& url() const { return url_; }
    /// anvil's process id (-1 once stopped): e.g. SIGSTOP for an L1 that accepts connections
    /// and never answers.
    pid_t pid() const { return pid_; }
    /// The port anvil listens on (127.0.0.1).
    uint16_t port() const {
        return static_cast<uint16_t>(std::stoi(url_.substr(url_.rfind(':') + 1)));
    }

    std::string output() const {
        std::ifstream in(log_path_);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    /// SIGTERM, then SIGKILL after 5 s; waits for the exit. Idempotent.
    void stop() {
        if (pid_ <= 0) return;
        kill(pid_, SIGTERM);
        for (int i = 0; i < 250; ++i) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

private:
    pid_t pid_ = -1;
    std::string log_path_;
    std::string url_;
};

}  // namespace fuse::l1::testing
