# tests/consumer/run_consumer.cmake — cmake -P script behind the
# consumer_project test. Steps, each reported and stopped on failure:
#   1. cmake --install <GRADLAB_BUILD_DIR> --prefix <WORK_DIR>/prefix
#   2. configure CONSUMER_SOURCE_DIR with CMAKE_PREFIX_PATH=<prefix> only
#   3. check that find_package found gradlab in <prefix>, not elsewhere
#   4. build it, 5. run it (it checks its own numbers and exits non-zero on
#      a mismatch)
# WORK_DIR is wiped first, so every run starts from a fresh install tree.
foreach(var GRADLAB_BUILD_DIR WORK_DIR CONSUMER_SOURCE_DIR GENERATOR CXX_COMPILER BUILD_TYPE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

set(prefix "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

# Runs one step; on failure prints its output and stops with the step's name.
function(step name)
  message(STATUS "consumer_project: ${name}")
  execute_process(COMMAND ${ARGN}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "consumer_project: step '${name}' failed (${rc})\n"
      "command: ${cmd}\n--- stdout ---\n${out}\n--- stderr ---\n${err}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# 1. Install only the development component (headers, libraries, package).
step("install into ${prefix}"
  ${CMAKE_COMMAND} --install "${GRADLAB_BUILD_DIR}" --prefix "${prefix}"
    --component gradlab_development)
if(NOT EXISTS "${prefix}/include/gradlab/gradlab.h")
  message(FATAL_ERROR "consumer_project: ${prefix}/include/gradlab/gradlab.h not installed")
endif()

# 2. Configure. The package registries are off so that only the fresh prefix
# can satisfy find_package(gradlab).
set(consumer_args)
if(DEFINED EXPECTED_VERSION)
  list(APPEND consumer_args "-DGRADLAB_EXPECTED_VERSION=${EXPECTED_VERSION}")
endif()
if(WERROR)
  list(APPEND consumer_args "-DCONSUMER_WERROR=ON")
endif()
step("configure consumer"
  ${CMAKE_COMMAND} -S "${CONSUMER_SOURCE_DIR}" -B "${build}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
    "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}"
    "-DCMAKE_PREFIX_PATH=${prefix}"
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
    ${consumer_args})

# 3. It must have used the fresh install tree.
file(STRINGS "${build}/CMakeCache.txt" gradlab_dir_line REGEX "^gradlab_DIR:")
string(REGEX REPLACE "^gradlab_DIR:[A-Z]+=" "" gradlab_dir "${gradlab_dir_line}")
file(REAL_PATH "${gradlab_dir}" gradlab_dir)
file(REAL_PATH "${prefix}" real_prefix)
string(FIND "${gradlab_dir}" "${real_prefix}/" pos)
if(NOT pos EQUAL 0)
  message(FATAL_ERROR "consumer_project: gradlab was found at '${gradlab_dir}', "
    "not under the fresh prefix '${real_prefix}'")
endif()
message(STATUS "consumer_project: gradlab_DIR = ${gradlab_dir}")

# 4. Build, 5. run.
step("build consumer" ${CMAKE_COMMAND} --build "${build}")
step("run consumer" "${build}/gradlab_consumer")
message("${step_output}")
message("consumer_project: OK")
