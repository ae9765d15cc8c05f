# cmake/GradlabLab.cmake — how one lab phase is built (DESIGN.md §3).
#
#   gradlab_lab(<NN_topic> SUITE <suite .cpp, relative to the repo root>)
#
# A phase folder labs/NN_topic/ holds lab.h, reference.cpp, starter/*.cpp and
# bugs/*.cpp. The suite includes only "labs/NN_topic/lab.h" (+ gradlab, gtest,
# rapidcheck), so it is compiled ONCE and linked against each implementation:
#
#   labNN_suite_obj          OBJECT library: the compiled suite
#   labNN_impl_<impl>        OBJECT library per implementation:
#                              reference (reference.cpp), starter (starter/*.cpp
#                              except my_tests.cpp), bug_<name> (bugs/<name>.cpp)
#   labNN_reference          suite + reference  -> ctest, must pass
#   labNN_starter            suite + starter    -> ctest, must fail (stubs throw)
#   labNN_bug_<name>         suite + one bug    -> ctest, must fail
#
# "Must fail" tests pass only when gtest reports at least one failed test
# ("[  FAILED  ]" in the output). That is stricter than CTest's WILL_FAIL,
# under which a crash or a suite that runs zero tests would also count as
# "caught". They carry the label `expected_fail`.
#
# A student editing one starter file recompiles that file and relinks one
# executable: seconds, not minutes (`gradlab lab check NN`).
#
# Student-written tests (phase 02): if starter/my_tests.cpp exists it is not
# part of the starter implementation but a test file of its own, linked
# against the reference and every bug (no suite):
#   labNN_mytests_obj        OBJECT library: starter/my_tests.cpp
#   labNN_mytests_reference  my tests + reference (must pass)
#   labNN_mytests_bug_<name> my tests + one bug   (should fail: bug caught)
# These are built with everything else (so the skeleton must compile) but are
# not CTest tests: their outcome depends on what the student wrote.
#
# For `gradlab grade`, each phase also gets <build>/labs/grade/labNN.json
# (object files, executables, the phase's paths) and, once labNN_reference
# is built, the exact compile and link commands CMake used for it, recorded by
# labs/common/record_command.sh (RULE_LAUNCH_COMPILE / RULE_LAUNCH_LINK):
#   labNN_compile_impl.cmd   compile of reference.cpp (replayed for a student's files)
#   labNN_compile_suite.cmd  compile of the suite (replayed for extra tests and my_tests)
#   labNN_link.cmd           link of labNN_reference (replayed with the student's objects)
# Each file: the working directory on the first line, then one argument per line.

set(GRADLAB_LAB_RECORDER "${PROJECT_SOURCE_DIR}/labs/common/record_command.sh")

# Links that every lab executable and object library needs.
function(_gradlab_lab_link target)
  target_link_libraries(${target} PRIVATE gradlab::gradlab GTest::gtest rapidcheck
    rapidcheck_gtest)
  target_compile_definitions(${target} PRIVATE
    GRADLAB_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
    GRADLAB_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endfunction()

# An OBJECT library of one implementation (or test file). STUDENT: the code is
# the student's to edit, so warnings are shown but never errors.
function(_gradlab_lab_objects target)
  cmake_parse_arguments(O "STUDENT" "" "SOURCES" ${ARGN})
  add_library(${target} OBJECT ${O_SOURCES})
  _gradlab_lab_link(${target})
  target_link_libraries(${target} PRIVATE gradlab_warnings)
  if(O_STUDENT)
    target_compile_options(${target} PRIVATE -Wno-error)
  endif()
endfunction()

# An executable made of object libraries, registered with CTest unless NO_TEST.
function(_gradlab_lab_exe name)
  cmake_parse_arguments(E "EXPECT_FAIL;NO_TEST" "" "OBJECTS;LABELS" ${ARGN})
  set(sources)
  foreach(obj IN LISTS E_OBJECTS)
    list(APPEND sources $<TARGET_OBJECTS:${obj}>)
  endforeach()
  add_executable(${name} ${sources})
  _gradlab_lab_link(${name})
  target_link_libraries(${name} PRIVATE GTest::gtest_main)
  if(E_NO_TEST)
    return()
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES LABELS "lab;${E_LABELS}" TIMEOUT 300)
  if(E_EXPECT_FAIL)
    # Passes only if at least one test ran and failed.
    set_tests_properties(${name} PROPERTIES PASS_REGULAR_EXPRESSION "\\[  FAILED  \\]")
  else()
    # As gradlab_add_test: a suite that runs zero tests must not pass.
    set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "PASSED  \\] 0 tests")
  endif()
endfunction()

# `"a","b"` for a JSON array of the objects of an OBJECT library.
function(_gradlab_json_objects out target)
  set(${out} "\"$<JOIN:$<TARGET_OBJECTS:${target}>,\"$<COMMA>\">\"" PARENT_SCOPE)
endfunction()

function(gradlab_lab phase)
  cmake_parse_arguments(L "" "SUITE" "" ${ARGN})
  if(NOT phase MATCHES "^([0-9][0-9])_[a-z0-9_]+$")
    message(FATAL_ERROR "gradlab_lab: phase '${phase}' is not NN_topic")
  endif()
  set(lab "lab${CMAKE_MATCH_1}")
  set(dir "${PROJECT_SOURCE_DIR}/labs/${phase}")
  set(suite "${PROJECT_SOURCE_DIR}/${L_SUITE}")
  if(NOT L_SUITE OR NOT EXISTS "${suite}")
    message(FATAL_ERROR "gradlab_lab(${phase}): suite '${L_SUITE}' not found")
  endif()
  set(grade_dir "${PROJECT_BINARY_DIR}/labs/grade")
  set(labels "${lab}")

  # ---- the suite, compiled once ------------------------------------------------
  _gradlab_lab_objects(${lab}_suite_obj SOURCES "${suite}")
  set_target_properties(${lab}_suite_obj PROPERTIES RULE_LAUNCH_COMPILE
    "sh ${GRADLAB_LAB_RECORDER} ${grade_dir}/${lab}_compile_suite.cmd")

  # ---- reference ---------------------------------------------------------------
  _gradlab_lab_objects(${lab}_impl_reference SOURCES "${dir}/reference.cpp")
  set_target_properties(${lab}_impl_reference PROPERTIES RULE_LAUNCH_COMPILE
    "sh ${GRADLAB_LAB_RECORDER} ${grade_dir}/${lab}_compile_impl.cmd")
  _gradlab_lab_exe(${lab}_reference OBJECTS ${lab}_suite_obj ${lab}_impl_reference
    LABELS ${labels})
  set_target_properties(${lab}_reference PROPERTIES RULE_LAUNCH_LINK
    "sh ${GRADLAB_LAB_RECORDER} ${grade_dir}/${lab}_link.cmd")

  # ---- starter (what the student edits) ----------------------------------------
  file(GLOB starter_sources CONFIGURE_DEPENDS "${dir}/starter/*.cpp")
  list(FILTER starter_sources EXCLUDE REGEX "/my_tests\\.cpp$")
  set(starter_json "null")
  if(starter_sources)
    _gradlab_lab_objects(${lab}_impl_starter STUDENT SOURCES ${starter_sources})
    _gradlab_lab_exe(${lab}_starter EXPECT_FAIL OBJECTS ${lab}_suite_obj ${lab}_impl_starter
      LABELS "${labels};expected_fail")
    set(starter_json "\"$<TARGET_FILE:${lab}_starter>\"")
  else()
    message(WARNING "gradlab_lab(${phase}): no starter/*.cpp")
  endif()

  # ---- bug zoo -----------------------------------------------------------------
  file(GLOB bug_sources CONFIGURE_DEPENDS "${dir}/bugs/*.cpp")
  set(bugs_json "")
  set(bug_names)
  foreach(src IN LISTS bug_sources)
    get_filename_component(bug "${src}" NAME_WE)
    list(APPEND bug_names ${bug})
    _gradlab_lab_objects(${lab}_impl_bug_${bug} SOURCES "${src}")
    _gradlab_lab_exe(${lab}_bug_${bug} EXPECT_FAIL
      OBJECTS ${lab}_suite_obj ${lab}_impl_bug_${bug} LABELS "${labels};expected_fail")
    _gradlab_json_objects(objs ${lab}_impl_bug_${bug})
    if(bugs_json)
      string(APPEND bugs_json ",")
    endif()
    string(APPEND bugs_json "\n    \"${bug}\": {\"objects\": [${objs}], "
      "\"exe\": \"$<TARGET_FILE:${lab}_bug_${bug}>\"}")
  endforeach()

  # ---- the student's own tests (phase 02) --------------------------------------
  set(mytests_json "null")
  if(EXISTS "${dir}/starter/my_tests.cpp")
    _gradlab_lab_objects(${lab}_mytests_obj STUDENT SOURCES "${dir}/starter/my_tests.cpp")
    _gradlab_lab_exe(${lab}_mytests_reference NO_TEST
      OBJECTS ${lab}_mytests_obj ${lab}_impl_reference)
    set(mytests_bugs "")
    foreach(bug IN LISTS bug_names)
      _gradlab_lab_exe(${lab}_mytests_bug_${bug} NO_TEST
        OBJECTS ${lab}_mytests_obj ${lab}_impl_bug_${bug})
      if(mytests_bugs)
        string(APPEND mytests_bugs ", ")
      endif()
      string(APPEND mytests_bugs "\"${bug}\": \"$<TARGET_FILE:${lab}_mytests_bug_${bug}>\"")
    endforeach()
    string(CONCAT mytests_json "{\"source\": \"starter/my_tests.cpp\", "
      "\"reference_exe\": \"$<TARGET_FILE:${lab}_mytests_reference>\", "
      "\"bug_exes\": {${mytests_bugs}}}")
  endif()

  # ---- what the grader and `gradlab lab` need to know --------------------------
  _gradlab_json_objects(suite_objs ${lab}_suite_obj)
  _gradlab_json_objects(ref_objs ${lab}_impl_reference)
  file(GENERATE OUTPUT "${grade_dir}/${lab}.json" CONTENT "{
  \"phase\": \"${phase}\",
  \"lab\": \"${lab}\",
  \"source_dir\": \"${PROJECT_SOURCE_DIR}\",
  \"build_dir\": \"${PROJECT_BINARY_DIR}\",
  \"phase_dir\": \"${dir}\",
  \"suite_source\": \"${suite}\",
  \"suite_objects\": [${suite_objs}],
  \"reference_objects\": [${ref_objs}],
  \"reference_exe\": \"$<TARGET_FILE:${lab}_reference>\",
  \"starter_exe\": ${starter_json},
  \"bugs\": {${bugs_json}
  },
  \"my_tests\": ${mytests_json},
  \"compile_impl_cmd\": \"${grade_dir}/${lab}_compile_impl.cmd\",
  \"compile_suite_cmd\": \"${grade_dir}/${lab}_compile_suite.cmd\",
  \"link_cmd\": \"${grade_dir}/${lab}_link.cmd\"
}
")
endfunction()
