// Owners for libpcap's C handles, so every exit path closes them.
#pragma once

#include <pcap/pcap.h>

#include <memory>

namespace arp {

struct PcapCloser {
  void operator()(pcap_t* handle) const noexcept { pcap_close(handle); }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

// A compiled BPF program; pcap_setfilter copies it into the kernel, so it may die right after.
class BpfProgram {
 public:
  BpfProgram() = default;
  BpfProgram(const BpfProgram&) = delete;
  BpfProgram& operator=(const BpfProgram&) = delete;
  ~BpfProgram() {
    if (compiled_) pcap_freecode(&program_);
  }
  // Returns pcap_compile's result; on success the program is freed with this object.
  int compile(pcap_t* handle, const char* expression) {
    const int result = pcap_compile(handle, &program_, expression, 1, PCAP_NETMASK_UNKNOWN);
    compiled_ = result == 0;
    return result;
  }
  bpf_program* get() { return &program_; }

 private:
  bpf_program program_{};
  bool compiled_ = false;
};

}  // namespace arp
