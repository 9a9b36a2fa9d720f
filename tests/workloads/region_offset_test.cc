// References in messages as offsets from the point's region (workloads/region_offset.h):
// the address itself without a region; with one, the distance from where this process maps
// it, which names the same object in a second mapping of the same memory.
#include "workloads/region_offset.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>

#include "workloads/region_channel.h"
#include "workloads/runtime.h"
#include "workloads/shared_region.h"
#include "workloads/strategies.h"

namespace refbench::workloads {
namespace {

std::uintptr_t address(const void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(RegionOffset, WithoutARegionAnOffsetIsTheAddress) {
  int x = 7;
  const RegionOffset<int> at(&x);
  EXPECT_EQ(at.offset(), address(&x));
  EXPECT_EQ(at.get(), &x);
  EXPECT_EQ(RegionOffset<int>().get(), nullptr);
  EXPECT_EQ(RegionOffset<int>(nullptr).get(), nullptr);
}

// One memfd mapped twice in this process: an offset taken in one mapping finds the same
// int in the other, as an interpreter process that mapped the region elsewhere would.
TEST(RegionOffset, NamesTheSameObjectWhereverTheRegionIsMapped) {
  constexpr std::size_t kBytes = 1 << 16;
  const int fd = memfd_create("refbench-region-offset-test", MFD_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, kBytes), 0);
  void* first = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  void* second = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  ASSERT_NE(first, MAP_FAILED);
  ASSERT_NE(second, MAP_FAILED);
  ASSERT_NE(first, second);

  RegionOffset<int> sent, none;
  {
    const RegionBase::Scope mapped_at(address(first), kBytes);
    int* in_first = static_cast<int*>(first) + 1000;
    *in_first = 42;
    sent = RegionOffset<int>(in_first);
    none = RegionOffset<int>(nullptr);
    EXPECT_EQ(sent.offset(), 1000 * sizeof(int));
    EXPECT_EQ(sent.get(), in_first);
  }
  {
    const RegionBase::Scope mapped_at(address(second), kBytes);
    EXPECT_EQ(sent.get(), static_cast<int*>(second) + 1000);
    EXPECT_EQ(*sent.get(), 42);
    EXPECT_EQ(none.get(), nullptr) << "null stays null whatever the base";
  }
  EXPECT_EQ(RegionBase::get(), 0u) << "the scopes put the base back";
  munmap(first, kBytes);
  munmap(second, kBytes);
}

// A point built in a region, as a process-mode point is before it forks: in its channels
// and queues a message holds offsets into the region, and comes out as the same pointers.
TEST(RegionOffset, APointsChannelsAndQueuesHoldOffsetsIntoItsRegion) {
  SharedRegion region(64 << 20);
  const RegionBase::Scope messages_from(region.base(), region.size());
  const SharedRegion::Scope allocating_in(region);
  PointConfig config;
  config.strategy = Strategy::civ;
  config.objects = 1;
  config.payload_bytes = 16;
  config.messages = 1;
  auto runtime = std::make_unique<Runtime>(config, 2, false, &CivStrategy::drop_heap_reference);
  for (unsigned i = 0; i < 2; ++i) runtime->make_heap(i, [](auto) {});
  Interpreter& sender = runtime->interpreter(0);
  Object& object = sender.heap().pooled(0);
  const Message sent = Message::of(object, sender);

  const MessageInRegion stored = MessageInRegion::of(sent);
  EXPECT_EQ(stored.object.offset(), address(&object) - region.base());
  EXPECT_EQ(stored.sender.offset(), address(&sender) - region.base());
  EXPECT_LT(stored.object.offset(), region.size());
  EXPECT_EQ(stored.payload_bytes, sent.payload_bytes);

  auto channel = std::make_unique<RegionChannel>(4, WaitPolicy::spin);
  EXPECT_TRUE(region.contains(channel.get()));
  ASSERT_TRUE(channel->try_push(sent));
  ASSERT_TRUE(channel->try_push(Message{}));  // a phase's end: null stays null
  Message received;
  ASSERT_TRUE(channel->try_pop(received));
  EXPECT_EQ(received.object, &object);
  EXPECT_EQ(received.sender, &sender);
  EXPECT_EQ(received.buffer().data(), payload_of(object));
  ASSERT_TRUE(channel->pop(received));
  EXPECT_EQ(received.object, nullptr);
  EXPECT_FALSE(channel->try_pop(received));

  PendingQueue queue;
  ASSERT_EQ(queue.post(object), PendingQueue::Posted::queued);
  PendingQueue::Request request;
  ASSERT_TRUE(queue.take_one(request));
  EXPECT_EQ(request.object_at.offset(), stored.object.offset());
  EXPECT_EQ(request.object(), &object);
  channel.reset();  // in the region's scope, as a point's channels and runtime go
  runtime.reset();
}

// What a process that maps the region elsewhere reads from a channel's slot: the same
// message, its pointers into its own mapping.
TEST(RegionOffset, AStoredMessageNamesTheSameObjectInAnotherMapping) {
  alignas(64) static std::byte first[4096];
  alignas(64) static std::byte second[4096];
  MessageInRegion stored;
  {
    const RegionBase::Scope mapped_at(address(first), sizeof first);
    stored = MessageInRegion::of(
        {reinterpret_cast<Object*>(first + 256), reinterpret_cast<Interpreter*>(first + 1024), 16});
  }
  const RegionBase::Scope mapped_at(address(second), sizeof second);
  const Message m = stored.message();
  EXPECT_EQ(address(m.object), address(second + 256));
  EXPECT_EQ(address(m.sender), address(second + 1024));
  EXPECT_EQ(m.payload_bytes, 16u);
}

TEST(RegionOffsetDeathTest, AMessageNamingWhatIsOutsideTheRegionIsRefusedWhenChecked) {
  if (!kChecked)
    GTEST_SKIP() << "asserts are compiled out (NDEBUG); scripts/build checked runs them";
  static char region[4096];
  static int outside = 0;
  const RegionBase::Scope mapped_at(address(region), sizeof region);
  EXPECT_DEATH(RegionOffset<int>{&outside}, "a message names only what lies in the point's region");
}

}  // namespace
}  // namespace refbench::workloads
