// The RpcClient over https against a local Boost.Beast TLS server on 127.0.0.1 whose
// certificate (self-signed, for "localhost") is generated at test time with the openssl CLI.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <thread>

#include "l1/rpc_client.hpp"

namespace fuse::l1 {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

/// A self-signed P-256 certificate for CN=localhost, SAN DNS:localhost only.
struct TestCert {
    std::filesystem::path dir, cert, key;
    TestCert() {
        char tmpl[] = "/tmp/fuse-tls-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir = tmpl;
        cert = dir / "cert.pem";
        key = dir / "key.pem";
        const std::string cmd =
            "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
            "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout " +
            key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0 || !std::filesystem::exists(cert))
            throw std::runtime_error("openssl req failed (is the openssl CLI installed?)");
    }
    ~TestCert() { std::filesystem::remove_all(dir); }
};

/// Answers eth_chainId with 0x7a (122) over TLS, one connection at a time, keep-alive.
class TlsRpcServer {
public:
    explicit TlsRpcServer(const TestCert& cert)
        : ctx_(net::ssl::context::tls_server),
          acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
        ctx_.use_certificate_chain_file(cert.cert.string());
        ctx_.use_private_key_file(cert.key.string(), net::ssl::context::pem);
        SSL_CTX_set_tlsext_servername_callback(ctx_.native_handle(), &TlsRpcServer::on_sni);
        SSL_CTX_set_tlsext_servername_arg(ctx_.native_handle(), this);
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { serve(); });
    }
    ~TlsRpcServer() {
        stop_ = true;
        beast::error_code ec;
        tcp::socket wake(ioc_);
        wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
        wake.close(ec);
        thread_.join();
    }
    uint16_t port() const { return port_; }
    int accepted() const { return accepted_; }
    int handshakes() const { return handshakes_; }
    std::string sni() const {
        std::lock_guard lock(mu_);
        return sni_;
    }

private:
    static int on_sni(SSL* ssl, int*, void* arg) {
        auto* self = static_cast<TlsRpcServer*>(arg);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard lock(self->mu_);
        self->sni_ = name ? name : "";
        return SSL_TLSEXT_ERR_OK;
    }

    void serve() {
        while (!stop_) {
            beast::error_code ec;
            tcp::socket sock(ioc_);
            acceptor_.accept(sock, ec);
            if (ec || stop_) continue;
            ++accepted_;
            beast::ssl_stream<tcp::socket> s(std::move(sock), ctx_);
            s.handshake(net::ssl::stream_base::server, ec);
            if (ec) continue;
            ++handshakes_;
            beast::flat_buffer buf;
            for (;;) {
                http::request<http::string_body> req;
                http::read(s, buf, req, ec);
                if (ec) break;
                const auto j = nlohmann::json::parse(req.body(), nullptr, false);
                nlohmann::json res = {{"jsonrpc", "2.0"}, {"id", j.value("id", 0)}};
                if (j.value("method", "") == "eth_chainId")
                    res["result"] = "0x7a";
                else
                    res["error"] = {{"code", -32601}, {"message", "method not found"}};
                http::response<http::string_body> out{http::status::ok, 11};
                out.set(http::field::content_type, "application/json");
                out.keep_alive(req.keep_alive());
                out.body() = res.dump();
                out.prepare_payload();
                http::write(s, out, ec);
                if (ec || !req.keep_alive()) break;
            }
        }
    }

    net::io_context ioc_;
    net::ssl::context ctx_;
    tcp::acceptor acceptor_;
    uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<int> accepted_{0}, handshakes_{0};
    mutable std::mutex mu_;
    std::string sni_;
};

RpcClientConfig https_config(const std::string& host, uint16_t port) {
    RpcClientConfig c;
    c.url = "https://" + host + ":" + std::to_string(port) + "/rpc";
    c.max_attempts = 3;
    c.backoff_initial = std::chrono::milliseconds(10);
    return c;
}

// Default verification against the system CA store refuses the self-signed certificate, at once
// (not retried) and with a clear message.
TEST(L1Https, UntrustedCertificateIsRefusedClearly) {
    TestCert cert;
    TlsRpcServer server(cert);
    RpcClient rpc(https_config("localhost", server.port()));
    EXPECT_EQ(rpc.endpoint(), "https://localhost:" + std::to_string(server.port()));
    try {
        rpc.chain_id();
        ADD_FAILURE() << "an untrusted certificate must be refused";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kTls);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("certificate verification failed"), std::string::npos) << msg;
        EXPECT_NE(msg.find("self"), std::string::npos) << msg;  // "self-signed certificate"
        EXPECT_NE(msg.find("eth_chainId"), std::string::npos) << msg;
        std::cout << "  message: " << msg << "\n";
    }
    EXPECT_EQ(rpc.connections_opened(), 0u);
    EXPECT_EQ(server.handshakes(), 0);
}

// With the certificate trusted explicitly: works, sends SNI, keeps the connection alive.
TEST(L1Https, TrustedCertificateWorksWithSni) {
    TestCert cert;
    TlsRpcServer server(cert);
    auto cfg = https_config("localhost", server.port());
    cfg.tls_ca_file = cert.cert.string();
    RpcClient rpc(cfg);
    EXPECT_EQ(rpc.chain_id(), 122u);
    EXPECT_EQ(rpc.chain_id(), 122u);
    EXPECT_EQ(rpc.connections_opened(), 1u);
    EXPECT_EQ(server.sni(), "localhost");
    // A JSON-RPC error over TLS is still final and reported as such.
    try {
        rpc.block_number();
        ADD_FAILURE();
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kJsonRpc);
    }
}

// A trusted certificate for another name (here: the IP literal, which the cert does not list)
// is refused: host name verification is on.
TEST(L1Https, HostNameMismatchIsRefused) {
    TestCert cert;
    TlsRpcServer server(cert);
    auto cfg = https_config("127.0.0.1", server.port());
    cfg.tls_ca_file = cert.cert.string();
    RpcClient rpc(cfg);
    try {
        rpc.chain_id();
        ADD_FAILURE() << "a certificate for another name must be refused";
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kTls);
        EXPECT_NE(std::string(e.what()).find("mismatch"), std::string::npos) << e.what();
    }
    EXPECT_EQ(server.sni(), "");  // no SNI for an IP literal (RFC 6066 §3)
}

TEST(L1Https, VerificationOffAndConfigErrors) {
    TestCert cert;
    TlsRpcServer server(cert);
    auto cfg = https_config("localhost", server.port());
    cfg.tls_verify = false;
    RpcClient rpc(cfg);
    EXPECT_EQ(rpc.chain_id(), 122u);

    RpcClientConfig fuse;
    fuse.url = "https://rpc.fuse.io";  // no request is made
    EXPECT_EQ(RpcClient(fuse).endpoint(), "https://rpc.fuse.io:443");
    RpcClientConfig bad;
    bad.url = "ftp://rpc.fuse.io";
    EXPECT_THROW(RpcClient{bad}, L1Error);
    bad.url = "https://localhost:1";
    bad.tls_ca_file = (cert.dir / "missing.pem").string();
    try {
        RpcClient c(bad);
        ADD_FAILURE();
    } catch (const L1Error& e) {
        EXPECT_EQ(e.kind, L1Error::Kind::kConfig);
        EXPECT_NE(std::string(e.what()).find("missing.pem"), std::string::npos);
    }
}

}  // namespace
}  // namespace fuse::l1
