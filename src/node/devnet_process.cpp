#include "node/devnet_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace fuse::node {

ChildProcess::ChildProcess(std::string name, std::vector<std::string> argv, std::string log_file,
                           std::vector<std::string> extra_env)
    : name_(std::move(name)),
      argv_(std::move(argv)),
      log_file_(std::move(log_file)),
      extra_env_(std::move(extra_env)) {}

ChildProcess::~ChildProcess() {
    stop(std::chrono::seconds(5));
}

void ChildProcess::start() {
    if (access(argv_.at(0).c_str(), X_OK) != 0)
        throw std::runtime_error(name_ + ": cannot run " + argv_[0] + ": " + std::strerror(errno));
    const int log_fd = ::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0)
        throw std::runtime_error("cannot write " + log_file_ + ": " + std::strerror(errno));
    std::vector<char*> argv;
    for (auto& a : argv_)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) {
        ::close(log_fd);
        throw std::runtime_error(name_ + ": fork failed: " + std::strerror(errno));
    }
    if (pid == 0) {
        // Child: own process group, SIGTERM when the devnet dies, default signal state.
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);  // the devnet died before prctl
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        for (auto& e : extra_env_)
            putenv(e.data());
        execv(argv[0], argv.data());
        dprintf(STDERR_FILENO, "exec %s failed: %s\n", argv[0], std::strerror(errno));
        _exit(127);
    }
    ::close(log_fd);
    setpgid(pid, pid);  // also from the parent, so a signal sent right away finds the group
    pid_ = pid;
    status_.reset();
}

bool ChildProcess::poll() {
    if (pid_ <= 0) return true;
    if (status_) return true;
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        status_ = status;
        return true;
    }
    return false;
}

std::string ChildProcess::exit_description() const {
    if (!status_) return "still running";
    if (WIFEXITED(*status_)) return "exit code " + std::to_string(WEXITSTATUS(*status_));
    if (WIFSIGNALED(*status_)) {
        const char* name = sigabbrev_np(WTERMSIG(*status_));
        return std::string("killed by SIG") + (name ? name : std::to_string(WTERMSIG(*status_)));
    }
    return "status " + std::to_string(*status_);
}

bool ChildProcess::exited_cleanly() const {
    if (!status_) return false;
    if (WIFEXITED(*status_)) return WEXITSTATUS(*status_) == 0;
    return WIFSIGNALED(*status_) && (WTERMSIG(*status_) == SIGTERM || WTERMSIG(*status_) == SIGINT);
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0 || poll()) return;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (std::chrono::steady_clock::now() < deadline) {
        if (poll()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) status_ = status;
}

void LogTail::add(const std::string& name, const std::string& path, bool show) {
    File f;
    f.name = name;
    f.path = path;
    f.show = show;
    files_.push_back(std::move(f));
}

void LogTail::poll(const std::function<void(const std::string&, const std::string&)>& on_line) {
    for (auto& f : files_) {
        std::ifstream in(f.path, std::ios::binary);
        if (!in) continue;
        in.seekg(0, std::ios::end);
        const auto size = static_cast<uint64_t>(in.tellg());
        if (size < f.offset) f.offset = 0;  // truncated: a new run of the child
        if (size == f.offset) continue;
        in.seekg(static_cast<std::streamoff>(f.offset));
        std::string chunk(size - f.offset, '\0');
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        f.offset = size;
        f.partial += chunk;
        size_t start = 0;
        for (size_t nl; (nl = f.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
            std::string line = f.partial.substr(start, nl - start);
            if (f.show) {
                // Lines that already carry the prefix (deploy.mjs writes "[deploy] …") as they are.
                const std::string prefix = "[" + f.name + "]";
                if (line.rfind(prefix, 0) == 0) {
                    std::fprintf(stderr, "%s\n", line.c_str());
                } else {
                    std::fprintf(stderr, "%s %s\n", prefix.c_str(), line.c_str());
                }
            }
            if (on_line) on_line(f.name, line);
            f.tail.push_back(std::move(line));
            if (f.tail.size() > 50) f.tail.erase(f.tail.begin());
        }
        f.partial.erase(0, start);
    }
    std::fflush(stderr);
}

std::vector<std::string> LogTail::last_lines(const std::string& name, size_t n) const {
    for (const auto& f : files_) {
        if (f.name != name) continue;
        std::vector<std::string> out = f.tail;
        if (!f.partial.empty()) out.push_back(f.partial);
        if (out.size() > n) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(n));
        return out;
    }
    return {};
}

void check_port_free(uint16_t port, const std::string& what) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // as the servers bind
    const int r = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    const int err = errno;
    ::close(fd);
    if (r != 0) {
        throw std::runtime_error("port " + std::to_string(port) + " (" + what +
                                 ") is already in use on 127.0.0.1" +
                                 (err == EADDRINUSE ? "" : std::string(": ") + std::strerror(err)) +
                                 ": stop what listens there or choose another port");
    }
}

}  // namespace fuse::node
