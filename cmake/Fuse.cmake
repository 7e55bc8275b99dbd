# Project-wide compile options and the one helper every library folder uses.

add_library(fuse_options INTERFACE)
target_compile_options(fuse_options INTERFACE -Wall -Wextra -Wno-unknown-pragmas)
if(FUSE_WERROR)
  target_compile_options(fuse_options INTERFACE -Werror)
endif()
target_include_directories(fuse_options INTERFACE ${CMAKE_SOURCE_DIR}/src)
if(FUSE_SANITIZE STREQUAL "thread")
  # ThreadSanitizer (preset tsan); cannot be combined with ASan.
  target_compile_options(fuse_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(fuse_options INTERFACE -fsanitize=thread)
  # GCC warns (-Wtsan) that TSan does not model std::atomic_thread_fence, which Boost.Asio's
  # std_fenced_block issues around handler calls. Asio's scheduler hands handlers between
  # threads under a mutex, which TSan does model, so the fence hides no happens-before edge;
  # silenced for Asio's users only (everything that links Boost::headers).
  set_property(TARGET Boost::headers APPEND PROPERTY INTERFACE_COMPILE_OPTIONS -Wno-tsan)
elseif(FUSE_SANITIZE)
  target_compile_options(fuse_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                -fno-sanitize-recover=undefined)
  target_link_options(fuse_options INTERFACE -fsanitize=address,undefined)
endif()
if(FUSE_FUZZ)
  # Coverage feedback for libFuzzer in every library (the fuzz preset; clang only). The
  # fuzzer's own main is linked into the *_fuzz targets alone.
  target_compile_options(fuse_options INTERFACE -fsanitize=fuzzer-no-link)
  add_custom_target(fuzz_all)  # every *_fuzz target (scripts/fuzz.sh builds this)
endif()

# fuse_library(<name> [DEPS <targets>...])
#
# Builds library `fuse_<name>` from every *.cpp in the calling folder (recursively) that is not
# a test (*_test.cpp), a fuzz target (*_fuzz.cpp) or a program (*_main.cpp), and one GoogleTest
# binary `<name>_test` from the *_test.cpp files beside the sources (STYLE.md: tests mirror sources).
function(fuse_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS;FUZZ_DEPS" ${ARGN})
  file(GLOB_RECURSE all_sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  set(lib_sources "")
  set(test_sources "")
  set(fuzz_sources "")
  foreach(src ${all_sources})
    if(src MATCHES "_test\\.cpp$")
      list(APPEND test_sources ${src})
    elseif(src MATCHES "_fuzz\\.cpp$")
      list(APPEND fuzz_sources ${src})
    elseif(src MATCHES "_main\\.cpp$")
      # built by the folder's own rules
    else()
      list(APPEND lib_sources ${src})
    endif()
  endforeach()
  if(lib_sources)
    add_library(fuse_${name} STATIC ${lib_sources})
    target_link_libraries(fuse_${name} PUBLIC fuse_options ${ARG_DEPS})
  else()
    add_library(fuse_${name} INTERFACE)
    target_link_libraries(fuse_${name} INTERFACE fuse_options ${ARG_DEPS})
  endif()
  if(test_sources)
    add_executable(${name}_test ${test_sources})
    target_link_libraries(${name}_test PRIVATE fuse_${name} ${ARG_TEST_DEPS} GTest::gtest_main GTest::gmock)
    gtest_discover_tests(${name}_test TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 60
                         PROPERTIES LABELS unit)  # select one library with ctest -R "^<name>\\."
  endif()
  # Each <stem>_fuzz.cpp becomes libFuzzer target <name>_<stem>_fuzz (fuzz preset only), linked
  # to this library and FUZZ_DEPS; scripts/fuzz.sh runs every one of them.
  if(FUSE_FUZZ)
    foreach(src ${fuzz_sources})
      get_filename_component(stem ${src} NAME_WE)
      set(target ${name}_${stem})
      if(stem STREQUAL "${name}_fuzz")
        set(target ${stem})
      endif()
      add_executable(${target} ${src})
      target_link_libraries(${target} PRIVATE fuse_${name} ${ARG_FUZZ_DEPS})
      target_link_options(${target} PRIVATE -fsanitize=fuzzer)
      add_dependencies(fuzz_all ${target})
    endforeach()
  endif()
endfunction()
