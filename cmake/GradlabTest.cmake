# gradlab_add_test(<name> SOURCES <files...> [LIBS <targets...>] [WILL_FAIL]
#                  [LABELS <labels...>])
# One GoogleTest + RapidCheck executable, registered with CTest as one test.
# The executable sees GRADLAB_TEST_DATA_DIR (tests/data, golden files) and
# GRADLAB_SOURCE_DIR as compile definitions.
function(gradlab_add_test name)
  cmake_parse_arguments(T "WILL_FAIL" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE gradlab::gradlab GTest::gtest GTest::gtest_main
    rapidcheck rapidcheck_gtest gradlab_warnings ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    GRADLAB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    GRADLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  # A suite that runs zero tests must not pass: gtest prints
  # "[  PASSED  ] 0 tests" in that case.
  set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "PASSED  \\] 0 tests")
  if(T_WILL_FAIL)
    set_tests_properties(${name} PROPERTIES WILL_FAIL TRUE)
  endif()
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
