#include <gtest/gtest.h>

#include "core/hash.hpp"
#include "core/hex.hpp"
#include "core/secp256k1.hpp"
#include "state/transition.hpp"
#include "tracing/tracer.hpp"

using namespace fuse;
using namespace fuse::state;
using tracing::Json;

namespace {

Address addr(std::string_view hex) {
    return address_from_hex(hex).value();
}

Bytes code(std::string_view hex) {
    return from_hex(hex).value();
}

/// A: SSTORE(0, 5); SLOAD(0); CALL(B); MSTORE(0, 0x2a); RETURN(0, 32).
/// B: LOG0(0, 0); STOP.
struct TracingTest : ::testing::Test {
    Hash32 key =
        hash_from_hex("0x45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8").value();
    Address sender = address_from_private_key(key).value();
    Address a = addr("0x00000000000000000000000000000000000000aa");
    Address b = addr("0x00000000000000000000000000000000000000bb");
    InMemoryState base;
    BlockEnv block;

    void SetUp() override {
        base.put_account(sender, Account{0, uint256{1'000'000'000'000'000'000ull}, kEmptyCodeHash});
        const Bytes code_a = code(
            "0x600560005560005450600060006000600060007300000000000000000000000000000000000000bb5af1"
            "50"
            "602a60005260206000f3");
        const Bytes code_b = code("0x60006000a000");
        base.put_account(a, Account{1, uint256{}, keccak256(code_a)}, code_a);
        base.put_account(b, Account{1, uint256{}, keccak256(code_b)}, code_b);
        block.coinbase = addr("0x2adc25665018aa1fe0e6bc666dac8fc2697ff9ba");
        block.gas_limit = 30'000'000;
        block.base_fee = 10;
        block.number = 1;
    }

    Transaction call_a() {
        Transaction t;
        t.type = TxType::kDynamicFee;
        t.chain_id = 1;
        t.max_fee_per_gas = 20;
        t.gas_limit = 100'000;
        t.to = a;
        EXPECT_TRUE(sign_transaction(t, key).has_value());
        return t;
    }

    /// Runs call_a() with `tracer` (may be null); returns the result and the state diff.
    std::pair<TxResult, StateDiff> run(tracing::JsonTracer* tracer) {
        ExecState st(base);
        TxHooks hooks;
        hooks.tracer = tracer;
        auto r = apply_transaction(
            st, block, evm::Revision::kCancun, call_a(), sender, block.gas_limit,
            [](int64_t) { return Hash32{}; }, &hooks);
        EXPECT_TRUE(r.has_value());
        return {r.value(), st.diff()};
    }

    static tracing::Clock::time_point later() {
        return tracing::Clock::now() + std::chrono::hours(1);
    }
};

}  // namespace

TEST_F(TracingTest, StructLoggerRecordsEveryStepWithGethsFields) {
    auto t = tracing::make_struct_logger({}, later());
    const auto [res, diff] = run(t.get());
    const Json j = t->result();
    EXPECT_EQ(j["gas"], res.gas_used);
    EXPECT_EQ(j["failed"], false);
    EXPECT_EQ(j["returnValue"],
              "0x000000000000000000000000000000000000000000000000000000000000002a");
    const Json& logs = j["structLogs"];
    ASSERT_GT(logs.size(), 20u);
    EXPECT_EQ(logs[0]["pc"], 0);
    EXPECT_EQ(logs[0]["op"], "PUSH1");
    EXPECT_EQ(logs[0]["gas"], 100'000 - 21'000);
    EXPECT_EQ(logs[0]["gasCost"], 3);
    EXPECT_EQ(logs[0]["depth"], 1);
    EXPECT_EQ(logs[0]["stack"], Json::array());
    EXPECT_FALSE(logs[0].contains("memory"));  // enableMemory is off by default

    size_t sstore = 0, call = 0, log0 = 0;
    for (size_t i = 0; i < logs.size(); ++i) {
        if (logs[i]["op"] == "SSTORE") sstore = i;
        if (logs[i]["op"] == "CALL") call = i;
        if (logs[i]["op"] == "LOG0") log0 = i;
    }
    const std::string slot0 = "0x0000000000000000000000000000000000000000000000000000000000000000";
    EXPECT_EQ(logs[sstore]["gasCost"], 22'100);  // cold, 0 -> 5
    EXPECT_EQ(logs[sstore]["storage"][slot0],
              "0x0000000000000000000000000000000000000000000000000000000000000005");
    EXPECT_EQ(logs[sstore]["stack"], (Json{"0x5", "0x0"}));
    EXPECT_EQ(logs[log0]["depth"], 2);
    // The CALL's cost is geth's: warm access 100 + cold surcharge 2500 + the gas handed over.
    const int64_t given = logs[call + 1]["gas"].get<int64_t>();
    EXPECT_EQ(logs[call]["gasCost"].get<int64_t>(), 2600 + given);
    // Gas is continuous: a step's gas minus its cost is the next step's gas in the same frame
    // (for the CALL, plus what the callee gives back).
    int64_t child_left = 0;
    for (size_t i = call + 1; logs[i]["depth"] == 2; ++i)
        child_left = logs[i]["gas"].get<int64_t>() - logs[i]["gasCost"].get<int64_t>();
    for (size_t i = 0; i + 1 < logs.size(); ++i) {
        if (logs[i]["depth"] != 1) continue;
        size_t next = i + 1;
        while (logs[next]["depth"] != 1)
            ++next;
        const int64_t expect = logs[i]["gas"].get<int64_t>() - logs[i]["gasCost"].get<int64_t>() +
                               (i == call ? child_left : 0);
        EXPECT_EQ(logs[next]["gas"].get<int64_t>(), expect) << "after step " << i;
    }
}

TEST_F(TracingTest, StructLoggerOptions) {
    tracing::LoggerConfig cfg;
    cfg.disable_stack = true;
    cfg.disable_storage = true;
    cfg.enable_memory = true;
    auto t = tracing::make_struct_logger(cfg, later());
    run(t.get());
    const Json j = t->result();
    bool memory_seen = false;
    for (const Json& s : j["structLogs"]) {
        EXPECT_FALSE(s.contains("stack"));
        EXPECT_FALSE(s.contains("storage"));
        if (s.contains("memory")) {
            memory_seen = true;
            EXPECT_EQ(s["memory"][0].get<std::string>().size(), 66u);
        }
    }
    EXPECT_TRUE(memory_seen);

    tracing::LoggerConfig limited;
    limited.limit = 1;  // bytes of JSON: one step is recorded, then recording stops
    auto t2 = tracing::make_struct_logger(limited, later());
    run(t2.get());
    EXPECT_EQ(t2->result()["structLogs"].size(), 1u);
}

TEST_F(TracingTest, CallTracerNestsFramesAndLogs) {
    auto t = tracing::make_call_tracer({false, true}, later());
    const auto [res, diff] = run(t.get());
    const Json j = t->result();
    EXPECT_EQ(j["type"], "CALL");
    EXPECT_EQ(j["from"], to_hex(sender.view()));
    EXPECT_EQ(j["to"], to_hex(a.view()));
    EXPECT_EQ(j["gas"], "0x186a0");
    EXPECT_EQ(j["gasUsed"], uint256(res.gas_used).to_hex());
    EXPECT_EQ(j["value"], "0x0");
    EXPECT_EQ(j["input"], "0x");
    EXPECT_EQ(j["output"], "0x000000000000000000000000000000000000000000000000000000000000002a");
    ASSERT_EQ(j["calls"].size(), 1u);
    const Json& c = j["calls"][0];
    EXPECT_EQ(c["type"], "CALL");
    EXPECT_EQ(c["from"], to_hex(a.view()));
    EXPECT_EQ(c["to"], to_hex(b.view()));
    EXPECT_EQ(c["gasUsed"], "0x17d");  // PUSH1 3 + PUSH1 3 + LOG0 375 + STOP 0
    ASSERT_EQ(c["logs"].size(), 1u);
    EXPECT_EQ(c["logs"][0]["address"], to_hex(b.view()));
    EXPECT_EQ(c["logs"][0]["index"], "0x0");
    EXPECT_EQ(c["logs"][0]["position"], "0x0");
    EXPECT_EQ(c["logs"][0]["data"], "0x");

    auto top = tracing::make_call_tracer({true, false}, later());
    run(top.get());
    EXPECT_FALSE(top->result().contains("calls"));
}

TEST_F(TracingTest, PrestateTracerAndDiffMode) {
    auto t = tracing::make_prestate_tracer({}, later());
    run(t.get());
    const Json pre = t->result();
    const std::string slot0 = "0x0000000000000000000000000000000000000000000000000000000000000000";
    ASSERT_TRUE(pre.contains(to_hex(sender.view())));
    EXPECT_EQ(pre[to_hex(sender.view())]["balance"], "0xde0b6b3a7640000");
    EXPECT_FALSE(pre[to_hex(sender.view())].contains("nonce"));  // 0 is omitted
    const Json& pa = pre[to_hex(a.view())];
    EXPECT_EQ(pa["nonce"], 1);
    EXPECT_EQ(pa["storage"][slot0],
              "0x0000000000000000000000000000000000000000000000000000000000000000");
    EXPECT_TRUE(pa.contains("code"));
    EXPECT_TRUE(pre.contains(to_hex(b.view())));
    EXPECT_FALSE(pre.contains(to_hex(block.coinbase.view())));  // did not exist: left out

    tracing::PrestateConfig diff_cfg;
    diff_cfg.diff_mode = true;
    auto d = tracing::make_prestate_tracer(diff_cfg, later());
    run(d.get());
    const Json j = d->result();
    const Json& post = j["post"];
    EXPECT_EQ(post[to_hex(a.view())]["storage"][slot0],
              "0x0000000000000000000000000000000000000000000000000000000000000005");
    EXPECT_FALSE(j["pre"][to_hex(a.view())].contains("storage"));  // zero before: left out
    EXPECT_EQ(post[to_hex(sender.view())]["nonce"], 1);
    EXPECT_FALSE(post.contains(to_hex(b.view())));  // unchanged
    EXPECT_FALSE(j["pre"].contains(to_hex(b.view())));
}

TEST_F(TracingTest, TracingDoesNotChangeExecution) {
    const auto [plain, plain_diff] = run(nullptr);
    for (auto* make : {+[] { return tracing::make_struct_logger({}, later()); },
                       +[] { return tracing::make_call_tracer({}, later()); },
                       +[] { return tracing::make_prestate_tracer({true}, later()); }}) {
        auto t = make();
        const auto [traced, traced_diff] = run(t.get());
        EXPECT_EQ(traced.gas_used, plain.gas_used);
        EXPECT_EQ(traced.status, plain.status);
        EXPECT_EQ(traced.logs.size(), plain.logs.size());
        InMemoryState x, y;
        x.apply(plain_diff);
        y.apply(traced_diff);
        EXPECT_EQ(x.state_root(), y.state_root());
    }
}

TEST_F(TracingTest, DeadlineStopsExecution) {
    auto t = tracing::make_struct_logger({}, tracing::Clock::now() - std::chrono::seconds(1));
    const auto [res, diff] = run(t.get());
    EXPECT_TRUE(t->timed_out());
    EXPECT_NE(res.status, evm::Status::kSuccess);
}

TEST(TraceOptions, ParsesGethsConfig) {
    using namespace std::chrono_literals;
    EXPECT_EQ(tracing::parse_go_duration("5s"), std::chrono::nanoseconds(5s));
    EXPECT_EQ(tracing::parse_go_duration("1m30s"), std::chrono::nanoseconds(90s));
    EXPECT_EQ(tracing::parse_go_duration("300ms"), std::chrono::nanoseconds(300ms));
    EXPECT_EQ(tracing::parse_go_duration("1.5h"), std::chrono::nanoseconds(5400s));
    EXPECT_EQ(tracing::parse_go_duration("0"), std::chrono::nanoseconds(0));
    EXPECT_FALSE(tracing::parse_go_duration("5"));
    EXPECT_FALSE(tracing::parse_go_duration("s"));
    EXPECT_FALSE(tracing::parse_go_duration("5x"));

    const auto d = tracing::parse_trace_options(Json());
    EXPECT_EQ(d.tracer, "");
    EXPECT_EQ(d.timeout, std::chrono::nanoseconds(5s));
    const auto c = tracing::parse_trace_options(
        Json{{"tracer", "callTracer"},
             {"timeout", "10s"},
             {"tracerConfig", {{"onlyTopCall", true}, {"withLog", true}}}});
    EXPECT_EQ(c.tracer, "callTracer");
    EXPECT_TRUE(c.call.only_top_call);
    EXPECT_TRUE(c.call.with_log);
    EXPECT_EQ(c.timeout, std::chrono::nanoseconds(10s));
    const auto l = tracing::parse_trace_options(
        Json{{"enableMemory", true}, {"disableStack", true}, {"limit", 10}});
    EXPECT_TRUE(l.logger.enable_memory);
    EXPECT_TRUE(l.logger.disable_stack);
    EXPECT_EQ(l.logger.limit, 10u);
    EXPECT_THROW(tracing::parse_trace_options(Json{{"tracer", "nope"}}), std::invalid_argument);
    EXPECT_THROW(tracing::parse_trace_options(Json{{"timeout", "soon"}}), std::invalid_argument);
    EXPECT_THROW(tracing::parse_trace_options(
                     Json{{"tracer", "prestateTracer"},
                          {"tracerConfig", {{"diffMode", true}, {"includeEmpty", true}}}}),
                 std::invalid_argument);
}

TEST(TraceNames, GethsOpcodeNamesAndErrors) {
    EXPECT_EQ(tracing::op_name(0x01), "ADD");
    EXPECT_EQ(tracing::op_name(0x44), "DIFFICULTY");
    EXPECT_EQ(tracing::op_name(0x5f), "PUSH0");
    EXPECT_EQ(tracing::op_name(0x0c), "opcode 0xc not defined");
    EXPECT_EQ(tracing::error_text(evm::Status::kRevert), "execution reverted");
    EXPECT_EQ(tracing::error_text(evm::Status::kBadJumpDestination), "invalid jump destination");
}

TEST_F(TracingTest, CallRefusedForBalanceIsAFailedFrame) {
    // C: CALL(gas, B, value 1, no input) with no balance, then STOP.
    const Address cc = addr("0x00000000000000000000000000000000000000cc");
    const Bytes code_c = code("0x6000600060006000600173" + std::string(38, '0') + "bb5af100");
    base.put_account(cc, Account{1, uint256{}, keccak256(code_c)}, code_c);
    Transaction t = call_a();
    t.to = cc;
    ASSERT_TRUE(sign_transaction(t, key).has_value());
    auto run_c = [&](tracing::JsonTracer* tracer) {
        ExecState st(base);
        TxHooks hooks;
        hooks.tracer = tracer;
        auto r = apply_transaction(
            st, block, evm::Revision::kCancun, t, sender, block.gas_limit,
            [](int64_t) { return Hash32{}; }, &hooks);
        ASSERT_TRUE(r.has_value());
    };
    auto ct = tracing::make_call_tracer({}, later());
    run_c(ct.get());
    const Json j = ct->result();
    ASSERT_EQ(j["calls"].size(), 1u);
    EXPECT_EQ(j["calls"][0]["error"], "insufficient balance for transfer");
    EXPECT_EQ(j["calls"][0]["to"], to_hex(b.view()));
    EXPECT_EQ(j["calls"][0]["value"], "0x1");
    EXPECT_EQ(j["calls"][0]["gasUsed"], "0x0");

    auto sl = tracing::make_struct_logger({}, later());
    run_c(sl.get());
    const Json res = sl->result();
    const Json& logs = res["structLogs"];
    size_t call = 0;
    while (logs[call]["op"] != "CALL")
        ++call;
    // cost 100 + 2500 (cold) + 9000 (value) + 25000 (new account? no: B exists) + the gas the
    // callee would have had; the next step gets that gas and the stipend back.
    const int64_t gas = logs[call]["gas"].get<int64_t>();
    const int64_t avail = gas - 11'600;
    const int64_t handed = avail - avail / 64;
    EXPECT_EQ(logs[call]["gasCost"].get<int64_t>(), 11'600 + handed);
    EXPECT_EQ(logs[call + 1]["gas"].get<int64_t>(), gas - 11'600 + 2300);
}

TEST_F(TracingTest, CallTracerNamesGethsOperandsInFrameErrors) {
    // D: ADD on an empty stack; E: byte 0x0c (undefined).
    const Address d = addr("0x00000000000000000000000000000000000000dd");
    const Address e = addr("0x00000000000000000000000000000000000000ee");
    const Bytes code_d = code("0x01");
    const Bytes code_e = code("0x0c");
    base.put_account(d, Account{1, uint256{}, keccak256(code_d)}, code_d);
    base.put_account(e, Account{1, uint256{}, keccak256(code_e)}, code_e);
    for (const auto& [to, want] : {std::pair{d, "stack underflow (0 <=> 2)"},
                                   std::pair{e, "invalid opcode: opcode 0xc not defined"}}) {
        Transaction t = call_a();
        t.to = to;
        ASSERT_TRUE(sign_transaction(t, key).has_value());
        auto ct = tracing::make_call_tracer({}, later());
        ExecState st(base);
        TxHooks hooks;
        hooks.tracer = ct.get();
        ASSERT_TRUE(apply_transaction(
                        st, block, evm::Revision::kCancun, t, sender, block.gas_limit,
                        [](int64_t) { return Hash32{}; }, &hooks)
                        .has_value());
        EXPECT_EQ(ct->result()["error"], want);
    }
}
