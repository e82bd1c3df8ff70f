# The Debian package: `cpack` in the build directory writes arp-health-exporter_<version>_<arch>.deb
# (cpack -G DEB; needs dpkg-dev and file for dpkg-shlibdeps). tests/packaging installs it on a
# bare Debian 12 root.
#
# Paths follow Debian's habits for bookworm: units in /lib/systemd/system (where debhelper puts
# them), documentation and examples in /usr/share/doc/<package>, the one conffile in /etc/default.

set(ARP_DEB_PACKAGE arp-health-exporter)
set(ARP_DOC_DIR share/doc/${ARP_DEB_PACKAGE})
set(ARP_DEBIAN_DIR ${PROJECT_SOURCE_DIR}/deploy/debian)

# The man page and the changelog, gzip'ed at build time (Debian policy 12.1, 12.7); -n keeps the
# file name and time out of the archive, so the package is the same when rebuilt.
find_program(ARP_GZIP gzip REQUIRED)
set(ARP_PACKAGING_BINARY_DIR ${CMAKE_CURRENT_BINARY_DIR}/packaging)
set(ARP_MAN_PAGE ${PROJECT_SOURCE_DIR}/docs/arp_health_exporter.1)
set(ARP_MAN_PAGE_GZ ${ARP_PACKAGING_BINARY_DIR}/arp_health_exporter.1.gz)
set(ARP_CHANGELOG ${ARP_DEBIAN_DIR}/changelog)
set(ARP_CHANGELOG_GZ ${ARP_PACKAGING_BINARY_DIR}/changelog.gz)
foreach(pair "${ARP_MAN_PAGE}|${ARP_MAN_PAGE_GZ}" "${ARP_CHANGELOG}|${ARP_CHANGELOG_GZ}")
  string(REPLACE "|" ";" pair "${pair}")
  list(GET pair 0 source)
  list(GET pair 1 compressed)
  add_custom_command(
    OUTPUT ${compressed}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${ARP_PACKAGING_BINARY_DIR}
    COMMAND ${ARP_GZIP} -9 -n -c ${source} > ${compressed}
    DEPENDS ${source}
    COMMENT "gzip ${source}")
endforeach()
add_custom_target(arp_man_page ALL DEPENDS ${ARP_MAN_PAGE_GZ} ${ARP_CHANGELOG_GZ})

# The changelog's newest entry is the release being packaged: one version, said twice, checked.
file(STRINGS ${ARP_CHANGELOG} ARP_CHANGELOG_TOP LIMIT_COUNT 1)
if(NOT ARP_CHANGELOG_TOP MATCHES "^${ARP_DEB_PACKAGE} \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "deploy/debian/changelog starts with '${ARP_CHANGELOG_TOP}', not version "
                      "${PROJECT_VERSION} of project(): add an entry for it")
endif()

install(FILES ${ARP_MAN_PAGE_GZ} DESTINATION share/man/man1)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/arp_health_exporter.service
        DESTINATION /lib/systemd/system)
install(FILES ${ARP_DEBIAN_DIR}/default DESTINATION /etc/default RENAME arp_health_exporter)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/architecture.md
              ${PROJECT_SOURCE_DIR}/docs/metrics.md ${PROJECT_SOURCE_DIR}/docs/runbook.md
              ${ARP_DEBIAN_DIR}/copyright ${ARP_CHANGELOG_GZ}
        DESTINATION ${ARP_DOC_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/deploy/arp_health_exporter.conf.example
              ${PROJECT_SOURCE_DIR}/deploy/web-config.yml.example
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
    "Captures ARP on every interface, tracks which MAC claims which IP address,\n"
    "verifies a change of claimant with RFC 5227 probes and reads the kernel's\n"
    "neighbour tables. It exports live conflicts (two machines answering for one\n"
    "address), this host's address claimed by a foreign MAC and neighbour tables\n"
    "near overflow for Prometheus, with a status page. Comes with a hardened\n"
    "systemd unit, alert rules and a Grafana dashboard.")
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
