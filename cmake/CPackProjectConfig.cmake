# SPDX-License-Identifier: GPL-3.0-or-later
# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE), after CPackConfig.cmake.
#
# CPack's DEB generator (3.25) prepends CPACK_PACKAGE_DESCRIPTION_SUMMARY to every component's
# description unless the summary is CPack's default; each component's description already starts
# with its own summary line, so for DEB the summary is reset to that default and skipped.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()
