# gradlab_add_test(<name> SOURCES <files...> [LIBS <targets...>] [WILL_FAIL]
#                  [LABELS <labels...>] [MPI_NP <n>])
# One GoogleTest + RapidCheck executable, registered with CTest as one test.
# The executable sees GRADLAB_TEST_DATA_DIR (tests/data, golden files) and
# GRADLAB_SOURCE_DIR as compile definitions.
# MPI_NP <n> [<m> ...]: the test runs the executable as n ranks under
# MPIEXEC_EXECUTABLE (FindMPI), with the flags in GRADLAB_MPIEXEC_FLAGS and the
# environment in GRADLAB_MPIEXEC_ENV, both set by the caller
# (tests/dist/CMakeLists.txt); each further count m adds the test <name>_np<m>.
function(gradlab_add_test name)
  cmake_parse_arguments(T "WILL_FAIL" "" "SOURCES;LIBS;LABELS;MPI_NP" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE gradlab::gradlab GTest::gtest GTest::gtest_main
    rapidcheck rapidcheck_gtest gradlab_warnings ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    GRADLAB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    GRADLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  set(tests ${name})
  if(T_MPI_NP)
    set(tests)
    foreach(np IN LISTS T_MPI_NP)
      set(test ${name})
      if(tests)
        set(test ${name}_np${np})
      endif()
      add_test(NAME ${test} COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${np}
        ${GRADLAB_MPIEXEC_FLAGS} $<TARGET_FILE:${name}> --gtest_brief=1)
      set_tests_properties(${test} PROPERTIES PROCESSORS ${np}
        ENVIRONMENT "${GRADLAB_MPIEXEC_ENV}")
      list(APPEND tests ${test})
    endforeach()
  else()
    add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  endif()
  # A suite that runs zero tests must not pass: gtest prints
  # "[  PASSED  ] 0 tests" in that case.
  set_tests_properties(${tests} PROPERTIES FAIL_REGULAR_EXPRESSION "PASSED  \\] 0 tests")
  if(T_WILL_FAIL)
    set_tests_properties(${tests} PROPERTIES WILL_FAIL TRUE)
  endif()
  if(T_LABELS)
    set_tests_properties(${tests} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
