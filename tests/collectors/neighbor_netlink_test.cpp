// parse_neighbor_message on messages built the way the kernel builds them (neigh_fill_info):
// what an entry is read as, and which messages are refused. It runs once per entry of every
// dump (100k times a scrape at the bench's size), so it walks the attributes itself; these
// cases pin what it must agree with libnl's nlmsg_parse on.
#include "collectors/neighbor_netlink.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <memory>
#include <vector>

namespace arp {
namespace {

struct MessageDeleter {
  void operator()(nl_msg* message) const noexcept { nlmsg_free(message); }
};
using Message = std::unique_ptr<nl_msg, MessageDeleter>;

Message neighbor_message(int type, int family, std::uint16_t state, std::uint8_t flags,
                         int ifindex) {
  Message message(nlmsg_alloc_simple(type, NLM_F_MULTI));
  ndmsg header{};
  header.ndm_family = static_cast<std::uint8_t>(family);
  header.ndm_state = state;
  header.ndm_flags = flags;
  header.ndm_ifindex = ifindex;
  EXPECT_EQ(nlmsg_append(message.get(), &header, sizeof header, NLMSG_ALIGNTO), 0);
  return message;
}

void put_destination(nl_msg* message, int family, const char* text) {
  std::vector<std::uint8_t> bytes(family == AF_INET6 ? 16 : 4);
  ASSERT_EQ(inet_pton(family, text, bytes.data()), 1) << text;
  ASSERT_EQ(nla_put(message, NDA_DST, static_cast<int>(bytes.size()), bytes.data()), 0);
}

void put_lladdr(nl_msg* message, std::vector<std::uint8_t> bytes) {
  ASSERT_EQ(nla_put(message, NDA_LLADDR, static_cast<int>(bytes.size()), bytes.data()), 0);
}

// What the kernel adds after the address and MAC, which the parser must step over.
void put_kernel_extras(nl_msg* message) {
  ASSERT_EQ(nla_put_u32(message, NDA_PROBES, 3), 0);
  nda_cacheinfo cache{};
  cache.ndm_used = 100;
  ASSERT_EQ(nla_put(message, NDA_CACHEINFO, sizeof cache, &cache), 0);
}

TEST(NeighborNetlinkTest, APermanentIPv4Entry) {
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_PERMANENT, 0, 7);
  put_destination(message.get(), AF_INET, "192.0.2.10");
  put_lladdr(message.get(), {0x02, 0x5c, 0x00, 0x01, 0x02, 0x0a});
  put_kernel_extras(message.get());
  const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->key.ifindex, 7);
  EXPECT_EQ(entry->key.family, NeighborFamily::inet);
  EXPECT_EQ(address_text(entry->key), "192.0.2.10");
  EXPECT_EQ(entry->state, NudState::permanent);
  ASSERT_TRUE(entry->lladdr);
  EXPECT_EQ(entry->lladdr->to_string(), "02:5c:00:01:02:0a");
  EXPECT_FALSE(entry->externally_managed);
}

TEST(NeighborNetlinkTest, AnIncompleteIPv6EntryHasNoMac) {
  const auto message = neighbor_message(RTM_DELNEIGH, AF_INET6, NUD_INCOMPLETE, 0, 3);
  put_kernel_extras(message.get());  // attribute order is not fixed
  put_destination(message.get(), AF_INET6, "2001:db8::5");
  const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->key.family, NeighborFamily::inet6);
  EXPECT_EQ(address_text(entry->key), "2001:db8::5");
  EXPECT_EQ(entry->state, NudState::incomplete);
  EXPECT_FALSE(entry->lladdr);
}

TEST(NeighborNetlinkTest, ExternallyManagedByEitherFlag) {
  {  // NTF_EXT_LEARNED in the header
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, NTF_EXT_LEARNED, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
    ASSERT_TRUE(entry);
    EXPECT_TRUE(entry->externally_managed);
  }
  {  // NTF_EXT_EXT_VALIDATED (1 << 2) in NDA_FLAGS_EXT
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_STALE, 0, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    ASSERT_EQ(nla_put_u32(message.get(), NDA_FLAGS_EXT, 1U << 2U), 0);
    const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
    ASSERT_TRUE(entry);
    EXPECT_TRUE(entry->externally_managed);
  }
  {  // another extended flag alone is not
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_STALE, 0, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    ASSERT_EQ(nla_put_u32(message.get(), NDA_FLAGS_EXT, 1U << 1U), 0);
    const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
    ASSERT_TRUE(entry);
    EXPECT_FALSE(entry->externally_managed);
  }
  {  // a short NDA_FLAGS_EXT counts as none
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_STALE, 0, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    const std::uint8_t one_byte = 0xff;
    ASSERT_EQ(nla_put(message.get(), NDA_FLAGS_EXT, 1, &one_byte), 0);
    const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
    ASSERT_TRUE(entry);
    EXPECT_FALSE(entry->externally_managed);
  }
}

TEST(NeighborNetlinkTest, AnAttributeGivenTwiceCountsTheLastTime) {
  // As nla_parse keeps it.
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
  put_destination(message.get(), AF_INET, "192.0.2.1");
  put_destination(message.get(), AF_INET, "192.0.2.2");
  const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(entry);
  EXPECT_EQ(address_text(entry->key), "192.0.2.2");
}

TEST(NeighborNetlinkTest, AMacOfAnotherLengthIsNone) {
  // An InfiniBand or tunnel link-layer address: the entry counts, with no MAC of ours.
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
  put_destination(message.get(), AF_INET, "192.0.2.1");
  put_lladdr(message.get(), {192, 0, 2, 9});
  const auto entry = parse_neighbor_message(nlmsg_hdr(message.get()));
  ASSERT_TRUE(entry);
  EXPECT_FALSE(entry->lladdr);
}

TEST(NeighborNetlinkTest, RefusesWhatIsNotAnEntryOfOurs) {
  {  // not a neighbour message
    const auto message = neighbor_message(RTM_NEWLINK, AF_INET, NUD_REACHABLE, 0, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    EXPECT_FALSE(parse_neighbor_message(nlmsg_hdr(message.get())));
  }
  {  // a bridge FDB entry
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_BRIDGE, NUD_REACHABLE, 0, 2);
    put_lladdr(message.get(), {0x02, 0, 0, 0, 0, 1});
    EXPECT_FALSE(parse_neighbor_message(nlmsg_hdr(message.get())));
  }
  {  // a proxy entry
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_NONE, NTF_PROXY, 2);
    put_destination(message.get(), AF_INET, "192.0.2.1");
    EXPECT_FALSE(parse_neighbor_message(nlmsg_hdr(message.get())));
  }
  {  // no address
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
    put_lladdr(message.get(), {0x02, 0, 0, 0, 0, 1});
    EXPECT_FALSE(parse_neighbor_message(nlmsg_hdr(message.get())));
  }
  {  // an IPv6-sized address in an IPv4 message
    const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
    put_destination(message.get(), AF_INET6, "2001:db8::1");
    EXPECT_FALSE(parse_neighbor_message(nlmsg_hdr(message.get())));
  }
}

TEST(NeighborNetlinkTest, AHeaderCutShortIsRefused) {
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
  put_destination(message.get(), AF_INET, "192.0.2.1");
  auto* header = nlmsg_hdr(message.get());
  header->nlmsg_len = NLMSG_HDRLEN + 6;  // half an ndmsg
  EXPECT_FALSE(parse_neighbor_message(header));
}

TEST(NeighborNetlinkTest, AnAttributeRunningPastTheMessageEndsTheWalk) {
  // The address comes after an attribute whose length points beyond the message: like
  // nla_parse, the walk stops there, and without an address there is no entry.
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
  ASSERT_EQ(nla_put_u32(message.get(), NDA_PROBES, 1), 0);
  put_destination(message.get(), AF_INET, "192.0.2.1");
  auto* header = nlmsg_hdr(message.get());
  auto* probes = static_cast<nlattr*>(nlmsg_attrdata(header, sizeof(ndmsg)));
  probes->nla_len = 200;
  EXPECT_FALSE(parse_neighbor_message(header));
}

TEST(NeighborNetlinkTest, AMessageCutInsideAnAttributeKeepsWhatFits) {
  // The message ends inside the MAC: the address before it still counts, the MAC does not.
  const auto message = neighbor_message(RTM_NEWNEIGH, AF_INET, NUD_REACHABLE, 0, 2);
  put_destination(message.get(), AF_INET, "192.0.2.1");
  put_lladdr(message.get(), {0x02, 0, 0, 0, 0, 1});
  auto* header = nlmsg_hdr(message.get());
  header->nlmsg_len -= 4;
  const auto entry = parse_neighbor_message(header);
  ASSERT_TRUE(entry);
  EXPECT_EQ(address_text(entry->key), "192.0.2.1");
  EXPECT_FALSE(entry->lladdr);
}

}  // namespace
}  // namespace arp
