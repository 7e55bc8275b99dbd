#pragma once
/// Child processes of `fusel2 devnet` (docs/devnet.md): each runs in its own process group (so a
/// terminal's Ctrl-C reaches only the devnet, which stops them in order), gets SIGTERM from the
/// kernel if the devnet itself dies (PR_SET_PDEATHSIG), and writes its output to a log file that
/// `LogTail` follows and prints with a `[name]` prefix.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace fuse::node {

/// One child: `argv[0]` is the executable's path; output (stdout and stderr) goes to `log_file`
/// (truncated), stdin is /dev/null.
class ChildProcess {
public:
    ChildProcess(std::string name, std::vector<std::string> argv, std::string log_file,
                 std::vector<std::string> extra_env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Forks and execs; throws std::runtime_error when fork fails or the executable is missing.
    void start();
    const std::string& name() const { return name_; }
    const std::string& log_file() const { return log_file_; }
    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0 && !status_; }

    /// Reaps the child if it exited (non-blocking); true when it has exited (now or before).
    bool poll();
    /// "exit code N" / "killed by SIGNAME" once exited.
    std::string exit_description() const;
    /// True when it exited with code 0 or by SIGTERM/SIGINT (a clean stop).
    bool exited_cleanly() const;

    /// SIGTERM, wait up to `grace`, then SIGKILL; waits for the exit. No-op when not running.
    void stop(std::chrono::milliseconds grace);

private:
    std::string name_;
    std::vector<std::string> argv_;
    std::string log_file_;
    std::vector<std::string> extra_env_;
    pid_t pid_ = -1;
    std::optional<int> status_;  ///< waitpid status once reaped
};

/// Follows log files and prints each complete new line as `[name] line` to stderr (if the file is
/// shown), and hands every line to the matchers (so the devnet sees "sequencer running" even when
/// the file is not shown). Call `poll()` periodically from one thread.
class LogTail {
public:
    /// Adds a file; `show` prints its lines.
    void add(const std::string& name, const std::string& path, bool show);
    /// Reads what was appended since the last call; calls `on_line(name, line)` for each line.
    void poll(const std::function<void(const std::string&, const std::string&)>& on_line = {});
    /// The last `n` lines read from `name` (for error messages).
    std::vector<std::string> last_lines(const std::string& name, size_t n) const;

private:
    struct File {
        std::string name, path;
        bool show = false;
        uint64_t offset = 0;
        std::string partial;
        std::vector<std::string> tail;
    };
    std::vector<File> files_;
};

/// Fails with a message naming `what` (e.g. "--l1-port 8545 (the L1)") when 127.0.0.1:`port` cannot
/// be bound right now.
void check_port_free(uint16_t port, const std::string& what);

}  // namespace fuse::node
