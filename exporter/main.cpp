// arp_health_exporter: finds duplicate IP addresses and neighbour-table trouble.
#include <CLI/CLI.hpp>
#include <iostream>

#include "exporter/version.h"

int main(int argc, char** argv) {
  CLI::App app{"arp_health_exporter: Prometheus exporter for duplicate IPs and ARP trouble"};
  app.set_version_flag("--version", std::string("arp_health_exporter ") + arp::kVersion);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }
  return 0;
}
