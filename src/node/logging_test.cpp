#include "node/logging.hpp"

#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>

#include <nlohmann/json.hpp>

namespace fuse::node {
namespace {

TEST(Logging, JsonFormatterWritesOneEscapedObjectPerLine) {
    auto f = make_json_formatter();
    spdlog::details::log_msg msg(spdlog::source_loc{}, "fusel2", spdlog::level::warn,
                                 "a \"quoted\"\nline\x01 \\ end");
    spdlog::memory_buf_t out;
    f->format(msg, out);
    const std::string line(out.data(), out.size());
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);  // exactly one line
    const auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["level"], "warning");
    EXPECT_EQ(j["logger"], "fusel2");
    EXPECT_EQ(j["msg"], "a \"quoted\"\nline\x01 \\ end");
    const std::string ts = j["ts"];
    EXPECT_EQ(ts.size(), 27u) << ts;  // 2026-11-24T01:02:03.456789Z
    EXPECT_EQ(ts.back(), 'Z');
    EXPECT_EQ(ts[10], 'T');
}

TEST(Logging, RejectsUnknownLevelAndFormat) {
    EXPECT_THROW(setup_logging("loud", "text"), std::invalid_argument);
    EXPECT_THROW(setup_logging("info", "xml"), std::invalid_argument);
    EXPECT_NO_THROW(setup_logging("off", "json"));
    EXPECT_NO_THROW(setup_logging("info", "text"));
}

}  // namespace
}  // namespace fuse::node
