#include "arbos/genesis.hpp"

#include <gtest/gtest.h>

#include "core/hex.hpp"
#include "core/secp256k1.hpp"

using namespace fuse;
using namespace fuse::arbos;

namespace {

/// What ethers v6 `HDNodeWallet.fromPhrase("test … junk", undefined, "m/44'/60'/0'/0/i")`
/// derives (the same list anvil and Hardhat print at startup).
const char* const kExpected[10][2] = {
    {"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
     "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"},
    {"0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
     "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"},
    {"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
     "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"},
    {"0x90F79bf6EB2c4f870365E785982E1f101E93b906",
     "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"},
    {"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
     "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"},
    {"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
     "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba"},
    {"0x976EA74026E726554dB657fA54763abd0C3a0aa9",
     "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e"},
    {"0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
     "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356"},
    {"0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
     "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97"},
    {"0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
     "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6"},
};

TEST(DevKeys, TenAccountsMatchEthersAndAnvil) {
    const auto& accounts = dev_accounts();
    ASSERT_EQ(accounts.size(), 10u);
    for (size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(accounts[i].address, address_from_hex(kExpected[i][0]).value()) << i;
        EXPECT_EQ(accounts[i].private_key, hash_from_hex(kExpected[i][1]).value()) << i;
        EXPECT_EQ(address_from_private_key(accounts[i].private_key), accounts[i].address);
    }
}

TEST(DevKeys, GenericDerivationAgreesAndRejectsBadPaths) {
    const char* m = "test test test test test test test test test test test junk";
    EXPECT_EQ(derive_private_key(m, "m/44'/60'/0'/0/7"), dev_accounts()[7].private_key);
    EXPECT_NE(derive_private_key(m, "m/44'/60'/0'/1/0"), dev_accounts()[0].private_key);
    EXPECT_FALSE(derive_private_key(m, "44'/60'"));
    EXPECT_FALSE(derive_private_key(m, "m/44'//0"));
    EXPECT_FALSE(derive_private_key(m, "m/x"));
    EXPECT_FALSE(derive_private_key(m, "m/4294967296"));
}

TEST(Genesis, DevGenesisFundsTenAccounts) {
    const Genesis g = dev_genesis(412346);
    EXPECT_EQ(g.chain_id, 412346u);
    ASSERT_EQ(g.alloc.size(), 10u);
    const uint256 ten_k_eth = uint256::from_dec("10000000000000000000000").value();
    for (const auto& d : dev_accounts())
        EXPECT_EQ(g.alloc.at(d.address).balance, ten_k_eth);
    EXPECT_NE(g.fees.network_fee_account, g.fees.l1_fee_account);
    EXPECT_EQ(g.fees.l1_fee_account,
              address_from_hex("0xA4B000000000000000000073657175656e636572").value());
}

TEST(Genesis, JsonRoundTrip) {
    Genesis g = dev_genesis(5);
    g.timestamp = 1'700'000'000;
    g.fees.min_base_fee = uint256(123'456'789);
    GenesisAccount contract;
    contract.balance = uint256(7);
    contract.nonce = 1;
    contract.code = {0x60, 0x00, 0xf3};
    contract.storage[uint256(1)] = uint256(0xabcdef);
    contract.storage[uint256::max()] = uint256(2);
    g.alloc[address_from_hex("0x00000000000000000000000000000000000000aa").value()] = contract;
    const std::string text = to_json(g);
    auto back = parse_genesis(text);
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(*back, g);
    EXPECT_EQ(to_json(*back), text);
}

TEST(Genesis, AcceptsDecimalAndHexNumbers) {
    auto g = parse_genesis(R"({
      "chainId": "0x10", "arbosVersion": 2, "timestamp": "1000",
      "fees": {"minBaseFee": "100", "speedLimitPerSecond": 7000000,
               "backlogToleranceSeconds": 10, "pricingInertia": 102,
               "blockGasLimit": 32000000, "maxTxGasLimit": "0x1e84800", "l1GasPerByte": 16,
               "networkFeeAccount": "0x0000000000000000000000000000000000000001",
               "l1FeeAccount": "0x0000000000000000000000000000000000000002"},
      "alloc": {"0x0000000000000000000000000000000000000003": {"balance": "0x10"}}})");
    ASSERT_TRUE(g) << g.error();
    EXPECT_EQ(g->chain_id, 16u);
    EXPECT_EQ(g->timestamp, 1000u);
    EXPECT_EQ(g->fees.min_base_fee, uint256(100));
    EXPECT_EQ(g->fees.max_tx_gas_limit, 32'000'000u);
    EXPECT_EQ(g->alloc.begin()->second.balance, uint256(16));
}

/// Each broken document fails with an error that names the field.
TEST(Genesis, ErrorsNameTheField) {
    const std::string fees =
        R"("fees": {"minBaseFee": "1", "speedLimitPerSecond": 1, "backlogToleranceSeconds": 1,
           "pricingInertia": 1, "blockGasLimit": 30000000, "maxTxGasLimit": 30000000,
           "l1GasPerByte": 16, "networkFeeAccount": "0x0000000000000000000000000000000000000001",
           "l1FeeAccount": "0x0000000000000000000000000000000000000002"})";
    const std::pair<std::string, std::string> cases[] = {
        {"not json", "not valid JSON"},
        {"[]", "expected a JSON object"},
        {"{" + fees + "}", "\"chainId\": missing"},
        {R"({"chainId": -1, )" + fees + "}", "\"chainId\""},
        {R"({"chainId": 0, )" + fees + "}", "\"chainId\": must not be 0"},
        {R"({"chainId": 1})", "\"fees\": missing"},
        {R"({"chainId": 1, "bogus": 1, )" + fees + "}", "\"bogus\": unknown field"},
        {R"({"chainId": 1, "fees": {}})", "\"fees.minBaseFee\": missing"},
        {R"({"chainId": "0x1g", )" + fees + "}", "\"chainId\": not a number"},
        {R"({"chainId": "0x10000000000000000", )" + fees + "}", "does not fit in 64 bits"},
        {R"({"chainId": 1, )" + fees + R"(, "alloc": {"0x12": {}}})",
         "\"alloc.0x12\": bad address"},
        {R"({"chainId": 1, )" + fees +
             R"(, "alloc": {"0x0000000000000000000000000000000000000003": {"balance": true}}})",
         "alloc.0x0000000000000000000000000000000000000003.balance"},
        {R"({"chainId": 1, )" + fees +
             R"(, "alloc": {"0x0000000000000000000000000000000000000003": {"code": "0xzz"}}})",
         ".code\": bad hex"},
        {R"({"chainId": 1, )" + fees +
             R"(, "alloc": {"0x0000000000000000000000000000000000000003": {"nonse": 1}}})",
         ".nonse\": unknown field"},
    };
    for (const auto& [doc, needle] : cases) {
        auto r = parse_genesis(doc);
        ASSERT_FALSE(r) << doc;
        EXPECT_NE(r.error().find(needle), std::string::npos) << r.error() << " | wanted " << needle;
    }
}

}  // namespace
