# SPDX-License-Identifier: GPL-3.0-or-later
# CPack: the Debian packages `oomscope` (GUI, CLI, desktop integration) and `oomscope-agent`
# (agent and its systemd unit), plus a relocatable .tar.gz of everything.
# Included at the end of the top-level CMakeLists.txt, after every target exists.
#
#   cmake --build build && (cd build && cpack -G DEB)   # oomscope_<ver>-1_<arch>.deb, oomscope-agent_…
#   (cd build && cpack -G TGZ)                          # oomscope-<ver>-Linux.tar.gz
#
# Components: the executables' install() rules name no COMPONENT, so they land in CMake's default
# component. That component becomes the `oomscope` package whatever it is called ("Unspecified"
# unless the top level sets CMAKE_INSTALL_DEFAULT_COMPONENT_NAME). The agent's rule must say
# `COMPONENT agent`; the packaging test checks that the agent ends up in its own package.

include_guard(GLOBAL)

if(CMAKE_INSTALL_DEFAULT_COMPONENT_NAME)
  set(OOMSCOPE_MAIN_COMPONENT "${CMAKE_INSTALL_DEFAULT_COMPONENT_NAME}")
else()
  set(OOMSCOPE_MAIN_COMPONENT Unspecified)
endif()
set(OOMSCOPE_AGENT_COMPONENT agent)
string(TOUPPER "${OOMSCOPE_MAIN_COMPONENT}" _oomscope_main_uc)
string(TOUPPER "${OOMSCOPE_AGENT_COMPONENT}" _oomscope_agent_uc)

# Relative, so the .tar.gz stays relocatable; the .deb's prefix is /usr, so the unit lands in
# /usr/lib/systemd/system, the vendor unit directory systemd always searches.
set(OOMSCOPE_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the oomscope-agent systemd unit is installed, relative to the prefix")

set(OOMSCOPE_PACKAGE_AGENT OFF)
if(TARGET oomscope-agent)
  set(OOMSCOPE_PACKAGE_AGENT ON)
  install(FILES "${PROJECT_SOURCE_DIR}/installers/systemd/oomscope-agent.service"
          DESTINATION "${OOMSCOPE_SYSTEMD_UNIT_DIR}" COMPONENT ${OOMSCOPE_AGENT_COMPONENT})
endif()

# ---- Common metadata --------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME oomscope)
set(CPACK_PACKAGE_VENDOR "The OOMScope developers")
set(CPACK_PACKAGE_CONTACT "OOMScope developers <oomscope@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Explain why the Linux OOM killer chose its victim")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/oomscope/oomscope") # placeholder until published
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "OOMScope")
# Packages carry no debug info, whatever the build type; the build tree keeps the unstripped files.
set(CPACK_STRIP_FILES ON)
if(NOT CPACK_GENERATOR)
  set(CPACK_GENERATOR TGZ)
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    find_program(OOMSCOPE_DPKG_DEB dpkg-deb)
    if(OOMSCOPE_DPKG_DEB)
      list(PREPEND CPACK_GENERATOR DEB)
    endif()
  endif()
endif()
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/CPackProjectConfig.cmake")
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/" "/\\\\.cache/" "~$")

# ---- Components --------------------------------------------------------------------------------
set(CPACK_COMPONENTS_ALL ${OOMSCOPE_MAIN_COMPONENT})
if(OOMSCOPE_PACKAGE_AGENT)
  list(APPEND CPACK_COMPONENTS_ALL ${OOMSCOPE_AGENT_COMPONENT})
endif()
# The archive holds everything in one tree; only the Debian packages are split.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

set(CPACK_COMPONENT_${_oomscope_main_uc}_DISPLAY_NAME "OOMScope workbench")
set(CPACK_COMPONENT_${_oomscope_main_uc}_DESCRIPTION
    "Explain why the Linux OOM killer chose its victim
OOMScope imports saved Linux kernel logs (dmesg, journalctl, kern.log, also
gzip-compressed), finds every out-of-memory killer report in them and explains
each kill decision: it recomputes the badness score of every listed task with
the formula of the kernel version that wrote the log and ranks the candidates.
.
This package contains the desktop application (oomscope) and the command-line
tool (oomscope-cli) with stable JSON output for scripts and CI.")
set(CPACK_COMPONENT_${_oomscope_agent_uc}_DISPLAY_NAME "OOMScope agent")
set(CPACK_COMPONENT_${_oomscope_agent_uc}_DESCRIPTION
    "Memory cgroup sampler and kernel OOM log follower for OOMScope
oomscope-agent samples the memory cgroups of this node and follows the kernel
log, and serves both to the OOMScope workbench, live or replayed.
.
The systemd unit oomscope-agent.service listens on 127.0.0.1:9464 only and runs
as a dynamic user with CAP_SYSLOG. It is installed but not enabled: run
  systemctl enable --now oomscope-agent")

# ---- Debian --------------------------------------------------------------------------------------
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${CPACK_PACKAGE_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps turns the linked libraries (Qt, QCustomPlot, zlib, xxhash, libsystemd, libstdc++) into
# versioned Depends, so `apt install ./oomscope_*.deb` pulls them on a fresh system.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_${_oomscope_main_uc}_PACKAGE_NAME oomscope)
set(CPACK_DEBIAN_${_oomscope_main_uc}_PACKAGE_SECTION utils)
# Loaded with dlopen, so dpkg-shlibdeps cannot see it: without a platform plugin the GUI cannot
# start (libqt6gui6 only recommends it).
if(OOMSCOPE_BUILD_GUI)
  set(CPACK_DEBIAN_${_oomscope_main_uc}_PACKAGE_DEPENDS "qt6-qpa-plugins")
endif()
set(CPACK_DEBIAN_${_oomscope_main_uc}_PACKAGE_SUGGESTS "oomscope-agent")

set(CPACK_DEBIAN_${_oomscope_agent_uc}_PACKAGE_NAME oomscope-agent)
set(CPACK_DEBIAN_${_oomscope_agent_uc}_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_${_oomscope_agent_uc}_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/installers/debian/agent/postinst"
    "${PROJECT_SOURCE_DIR}/installers/debian/agent/prerm"
    "${PROJECT_SOURCE_DIR}/installers/debian/agent/postrm")

# ---- Windows and macOS: configured for completeness, not built or tested here ---------------------
# The Qt runtime would have to be bundled first (windeployqt / macdeployqt as an install(CODE)
# step); until someone does that on those systems these packages would not start.
if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
  set(CPACK_NSIS_DISPLAY_NAME "OOMScope")
  set(CPACK_NSIS_PACKAGE_NAME "OOMScope ${PROJECT_VERSION}")
  set(CPACK_NSIS_URL_INFO_ABOUT "${CPACK_PACKAGE_HOMEPAGE_URL}")
  set(CPACK_PACKAGE_EXECUTABLES oomscope OOMScope) # Start menu entry
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  set(CPACK_NSIS_MODIFY_PATH ON) # offers to put oomscope-cli on PATH
  set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY "OOMScope")
elseif(APPLE)
  set(CPACK_GENERATOR DragNDrop)
  set(CPACK_DMG_VOLUME_NAME "OOMScope ${PROJECT_VERSION}")
  set(CPACK_DMG_FORMAT UDZO)
  set(CPACK_BUNDLE_NAME OOMScope)
endif()

include(CPack)

cpack_add_component(${OOMSCOPE_MAIN_COMPONENT}
  DISPLAY_NAME "${CPACK_COMPONENT_${_oomscope_main_uc}_DISPLAY_NAME}" REQUIRED)
if(OOMSCOPE_PACKAGE_AGENT)
  cpack_add_component(${OOMSCOPE_AGENT_COMPONENT}
    DISPLAY_NAME "${CPACK_COMPONENT_${_oomscope_agent_uc}_DISPLAY_NAME}")
endif()
