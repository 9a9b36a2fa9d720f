# Finds libpfm4 (Debian: libpfm4-dev), which ships no pkg-config or CMake file.
#
# Defines Pfm4_FOUND, Pfm4_INCLUDE_DIR, Pfm4_LIBRARY and the imported target Pfm4::pfm.
find_path(Pfm4_INCLUDE_DIR NAMES perfmon/pfmlib_perf_event.h)
find_library(Pfm4_LIBRARY NAMES pfm)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Pfm4 REQUIRED_VARS Pfm4_LIBRARY Pfm4_INCLUDE_DIR)

if(Pfm4_FOUND AND NOT TARGET Pfm4::pfm)
  add_library(Pfm4::pfm UNKNOWN IMPORTED)
  set_target_properties(Pfm4::pfm PROPERTIES
    IMPORTED_LOCATION "${Pfm4_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Pfm4_INCLUDE_DIR}")
endif()
mark_as_advanced(Pfm4_INCLUDE_DIR Pfm4_LIBRARY)
