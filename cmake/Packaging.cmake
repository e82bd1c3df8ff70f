# The Debian package: `cpack` in the build directory writes arp-health-exporter_<version>_<arch>.deb
# (cpack -G DEB; needs dpkg-dev and file for dpkg-shlibdeps). tests/packaging installs it on a
# bare Debian 12 root.
#
# Paths follow Debian's habits for bookworm: units in /lib/systemd/system (where debhelper puts
# them), documentation and examples in /usr/share/doc/<package>, the one conffile in /etc/default.

set(ARP_DEB_PACKAGE arp-health-exporter)
set(ARP_DOC_DIR share/doc/${ARP_DEB_PACKAGE})
set(ARP_DEBIAN_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)

# The man page, gzip'ed at build time (Debian policy 12.1); -n keeps the file name and time out of
# the archive, so the package is the same when rebuilt.
find_program(ARP_GZIP gzip REQUIRED)
set(ARP_MAN_PAGE ${PROJECT_SOURCE_DIR}/docs/arp_health_exporter.1)
set(ARP_MAN_PAGE_GZ ${CMAKE_CURRENT_BINARY_DIR}/packaging/arp_health_exporter.1.gz)
add_custom_command(
  OUTPUT ${ARP_MAN_PAGE_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/packaging
  COMMAND ${ARP_GZIP} -9 -n -c ${ARP_MAN_PAGE} > ${ARP_MAN_PAGE_GZ}
  DEPENDS ${ARP_MAN_PAGE}
  COMMENT "gzip man page")
add_custom_target(arp_man_page ALL DEPENDS ${ARP_MAN_PAGE_GZ})

install(FILES ${ARP_MAN_PAGE_GZ} DESTINATION share/man/man1)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/arp_health_exporter.service
        DESTINATION /lib/systemd/system)
install(FILES ${ARP_DEBIAN_DIR}/default DESTINATION /etc/default RENAME arp_health_exporter)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
              ${PROJECT_SOURCE_DIR}/docs/metrics.md ${PROJECT_SOURCE_DIR}/docs/runbook.md
              ${ARP_DEBIAN_DIR}/copyright
        DESTINATION ${ARP_DOC_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/arp_health_exporter.conf.example
              ${PROJECT_SOURCE_DIR}/alerts/arp_health.rules.yml
              ${PROJECT_SOURCE_DIR}/dashboards/arp_health.json
              ${PROJECT_SOURCE_DIR}/deploy/alertmanager/alertmanager.yml
        DESTINATION ${ARP_DOC_DIR}/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${ARP_DEB_PACKAGE})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "arp_health_exporter maintainers <maintainers@users.noreply.r-seed-b272123d.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Prometheus exporter for duplicate IP addresses and ARP trouble")
set(CPACK_PACKAGE_DESCRIPTION
    "Captures ARP on every interface, tracks which MAC claims which IP address, verifies a change\n"
    "of claimant with RFC 5227 probes and reads the kernel's neighbour tables. It exports live\n"
    "conflicts (two machines answering for one address), this host's address claimed by a\n"
    "foreign MAC and neighbour tables near overflow for Prometheus, with a status page.\n"
    "Comes with a hardened systemd unit, alert rules and a Grafana dashboard.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries (libpcap, libnl, prometheus-cpp, civetweb, ...) as dpkg-shlibdeps finds
# them, the IEEE registry the vendor names come from, and procps for the unit's /bin/kill.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ieee-data, procps")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${ARP_DEBIAN_DIR}/conffiles ${ARP_DEBIAN_DIR}/postinst ${ARP_DEBIAN_DIR}/prerm
    ${ARP_DEBIAN_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
