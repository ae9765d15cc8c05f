# cmake/Install.cmake — `cmake --install` and the CMake package.
#
# Installs (component gradlab_development):
#   include/gradlab/gradlab.h              the umbrella header
#   include/gradlab/<folder>/*.h           core, losses, layers, optim, datasets
#                                          (never <folder>/detail/: private)
#   lib/libgradlab_<folder>.a (or .so)     one library per folder
#   lib/cmake/gradlab/                     gradlabConfig.cmake, version, targets
# so that a consumer needs only
#   find_package(gradlab CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE gradlab::gradlab)
# and writes `#include <gradlab.h>` (include/gradlab is on the exported include
# path, which also makes the in-tree spelling "core/tensor.h" work).
#
# Included from the top-level CMakeLists.txt after every library target exists.
include(CMakePackageConfigHelpers)

set(GRADLAB_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/gradlab"
    CACHE STRING "Where gradlabConfig.cmake is installed, relative to the prefix")
set(_gradlab_component gradlab_development)

# ---- which library folders exist ---------------------------------------------
set(_gradlab_export_targets gradlab)
set(_gradlab_folders)
foreach(dir core losses layers optim datasets)
  if(TARGET gradlab_${dir})
    list(APPEND _gradlab_export_targets gradlab_${dir})
    list(APPEND _gradlab_folders ${dir})
  endif()
endforeach()

# ---- headers -------------------------------------------------------------------
install(FILES "${PROJECT_SOURCE_DIR}/gradlab.h"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/gradlab"
  COMPONENT ${_gradlab_component})
# Only folders that build a library: a header without its library would compile
# in a consumer and then fail to link.
foreach(dir IN LISTS _gradlab_folders)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/${dir}/"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/gradlab/${dir}"
    COMPONENT ${_gradlab_component}
    FILES_MATCHING PATTERN "*.h"
    PATTERN "detail" EXCLUDE)
endforeach()

# ---- libraries and the exported targets ----------------------------------------
# Exported as gradlab::gradlab (the INTERFACE target linking them all) and
# gradlab::gradlab_<folder>. gradlab_warnings is linked only through
# $<BUILD_INTERFACE:...>, so it is not part of the export.
install(TARGETS ${_gradlab_export_targets}
  EXPORT gradlabTargets
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT ${_gradlab_component}
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT ${_gradlab_component}
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT ${_gradlab_component})
install(EXPORT gradlabTargets
  NAMESPACE gradlab::
  FILE gradlabTargets.cmake
  DESTINATION "${GRADLAB_INSTALL_CMAKEDIR}"
  COMPONENT ${_gradlab_component})

# ---- dependencies the exported targets refer to --------------------------------
# Read from the targets' link libraries, so that a folder adding, say,
# spdlog::spdlog to its PUBLIC (or, for static libraries, PRIVATE) links is
# covered without editing this file. Each entry: <target prefix>|<find_dependency
# arguments>. Plain library paths (OpenBLAS's libopenblas.so) need nothing.
set(_gradlab_known_deps
  "OpenMP::|OpenMP COMPONENTS CXX"
  "Threads::|Threads"
  "ZLIB::|ZLIB"
  "Eigen3::|Eigen3 3.4 NO_MODULE"
  "BLAS::|BLAS"
  "spdlog::|spdlog CONFIG"
  "fmt::|fmt CONFIG"
  "nlohmann_json::|nlohmann_json 3 CONFIG"
  "CLI11::|CLI11 CONFIG"
  "DNNL::|dnnl 2.6 CONFIG")
set(_gradlab_links "")
foreach(tgt IN LISTS _gradlab_export_targets)
  get_target_property(_type ${tgt} TYPE)
  set(_props INTERFACE_LINK_LIBRARIES)
  if(NOT _type STREQUAL "INTERFACE_LIBRARY")
    list(APPEND _props LINK_LIBRARIES)  # private links matter for static libraries
  endif()
  foreach(prop IN LISTS _props)
    get_target_property(_libs ${tgt} ${prop})
    if(_libs)
      string(APPEND _gradlab_links ";${_libs}")
    endif()
  endforeach()
endforeach()
set(GRADLAB_FIND_DEPENDENCIES "")
foreach(entry IN LISTS _gradlab_known_deps)
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 _prefix)
  list(GET entry 1 _args)
  string(FIND "${_gradlab_links}" "${_prefix}" _pos)
  if(_pos GREATER_EQUAL 0)
    string(APPEND GRADLAB_FIND_DEPENDENCIES "find_dependency(${_args})\n")
  endif()
endforeach()

# ---- gradlabConfig.cmake and gradlabConfigVersion.cmake ------------------------
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/gradlabConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/gradlabConfig.cmake"
  INSTALL_DESTINATION "${GRADLAB_INSTALL_CMAKEDIR}")
# 0.x: minor versions may break the API, so only the same minor is compatible.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/gradlabConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/gradlabConfig.cmake"
  "${PROJECT_BINARY_DIR}/gradlabConfigVersion.cmake"
  DESTINATION "${GRADLAB_INSTALL_CMAKEDIR}"
  COMPONENT ${_gradlab_component})
