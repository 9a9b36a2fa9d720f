#include "workloads/channel.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <thread>

#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

TEST(Channel, HoldsExactlyItsCapacityInOrder) {
  Channel<int> channel(3, WaitPolicy::spin);
  EXPECT_EQ(channel.capacity(), 3u);
  EXPECT_TRUE(channel.try_push(1));
  EXPECT_TRUE(channel.try_push(2));
  EXPECT_TRUE(channel.try_push(3));
  EXPECT_FALSE(channel.try_push(4));
  int value = 0;
  for (int expected : {1, 2, 3}) {
    ASSERT_TRUE(channel.try_pop(value));
    EXPECT_EQ(value, expected);
  }
  EXPECT_FALSE(channel.try_pop(value));
}

TEST(Channel, KeepsOrderAcrossManyWrapArounds) {
  Channel<int> channel(5, WaitPolicy::spin);
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 200; ++round) {
    const int batch = 1 + round % 5;
    for (int i = 0; i < batch; ++i) ASSERT_TRUE(channel.try_push(next_in++));
    for (int i = 0; i < batch; ++i) {
      int value = -1;
      ASSERT_TRUE(channel.try_pop(value));
      ASSERT_EQ(value, next_out++);
    }
  }
}

// A message bigger than a cache line: one slot per line (or more lines per slot).
struct Wide {
  std::uint64_t words[12] = {};
};

TEST(Channel, CarriesMessagesWiderThanACacheLine) {
  Channel<Wide> channel(2, WaitPolicy::spin);
  for (std::uint64_t round = 0; round < 50; ++round) {
    Wide in;
    for (std::uint64_t& w : in.words) w = round;
    ASSERT_TRUE(channel.try_push(in));
    ASSERT_TRUE(channel.try_push(in));
    EXPECT_FALSE(channel.try_push(in));
    for (int i = 0; i < 2; ++i) {
      Wide out;
      ASSERT_TRUE(channel.try_pop(out));
      EXPECT_EQ(out.words[0], round);
      EXPECT_EQ(out.words[11], round);
    }
    EXPECT_FALSE(channel.try_pop(in));
  }
}

// The re-checks a sleeper makes (has_message on the consumer's side, has_room on the
// producer's) agree with what try_pop and try_push do, lap after lap.
TEST(Channel, RechecksAgreeWithTheRing) {
  Channel<int> channel(2, WaitPolicy::block);
  for (int round = 0; round < 20; ++round) {
    EXPECT_FALSE(channel.has_message());
    EXPECT_TRUE(channel.has_room());
    ASSERT_TRUE(channel.try_push(round));
    EXPECT_TRUE(channel.has_message());
    EXPECT_TRUE(channel.has_room());
    ASSERT_TRUE(channel.try_push(round));
    EXPECT_FALSE(channel.has_room());
    int value = -1;
    ASSERT_TRUE(channel.try_pop(value));
    EXPECT_TRUE(channel.has_room());
    EXPECT_TRUE(channel.has_message());
    ASSERT_TRUE(channel.try_pop(value));
    EXPECT_EQ(value, round);
  }
}

// A hop moves one line: a message and the sequence number that says it is there share a
// line, and two of refbench's messages fit in one (no slot straddles two lines).
TEST(ChannelLayout, AMessageAndItsSequenceNumberShareHalfALine) {
  using channel_layout::Slot;
  using channel_layout::SlotLine;
  EXPECT_EQ(sizeof(Slot<Message>), kCacheLine / 2);
  EXPECT_EQ(alignof(Slot<Message>), kCacheLine / 2);
  EXPECT_EQ(SlotLine<Message>::kSlots, 2u);
  EXPECT_EQ(sizeof(SlotLine<Message>), kCacheLine);
  EXPECT_EQ(SlotLine<Wide>::kSlots, 1u);
  EXPECT_EQ(sizeof(SlotLine<Wide>) % kCacheLine, 0u);
  EXPECT_EQ(SlotLine<int>::kSlots, 8u);
}

TEST(Channel, RejectsZeroCapacity) {
  EXPECT_THROW(Channel<int>(0, WaitPolicy::spin), std::invalid_argument);
}

std::string policy_name(const testing::TestParamInfo<WaitPolicy>& param) {
  return std::string(name(param.param));
}

class ChannelUnderThreads : public testing::TestWithParam<WaitPolicy> {};

// Sum in == sum out, nothing lost, duplicated or reordered, through a channel small enough
// to be full and empty over and over.
TEST_P(ChannelUnderThreads, ConservesEveryMessage) {
  constexpr std::uint64_t kMessages = 200'000;
  Channel<std::uint64_t> channel(7, GetParam());
  std::uint64_t received_sum = 0;
  std::uint64_t received = 0;
  bool in_order = true;
  std::thread consumer([&] {
    std::uint64_t value = 0;
    while (channel.pop(value) && value != 0) {
      in_order = in_order && value == received + 1;
      received_sum += value;
      ++received;
    }
  });
  std::uint64_t sent_sum = 0;
  for (std::uint64_t v = 1; v <= kMessages; ++v) {
    ASSERT_TRUE(channel.push(v));
    sent_sum += v;
  }
  ASSERT_TRUE(channel.push(0));
  consumer.join();
  EXPECT_EQ(received, kMessages);
  EXPECT_EQ(received_sum, sent_sum);
  EXPECT_TRUE(in_order);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, ChannelUnderThreads,
                         testing::Values(WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::block),
                         policy_name);

class ChannelClose : public testing::TestWithParam<WaitPolicy> {};

TEST_P(ChannelClose, WakesAWaitingConsumer) {
  Channel<int> channel(4, GetParam());
  bool popped = true;
  std::thread consumer([&] {
    int value = 0;
    popped = channel.pop(value);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  channel.close();
  consumer.join();
  EXPECT_FALSE(popped);
}

TEST_P(ChannelClose, WakesAWaitingProducer) {
  Channel<int> channel(1, GetParam());
  ASSERT_TRUE(channel.try_push(1));
  bool pushed = true;
  std::thread producer([&] { pushed = channel.push(2); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  channel.close();
  producer.join();
  EXPECT_FALSE(pushed);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, ChannelClose,
                         testing::Values(WaitPolicy::spin, WaitPolicy::yield, WaitPolicy::block),
                         policy_name);

}  // namespace
}  // namespace refbench::workloads
