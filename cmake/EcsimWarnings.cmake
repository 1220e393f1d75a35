# Warnings are errors for ecsim's own code; third-party headers come in as SYSTEM includes.
function(ecsim_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-align -Wnull-dereference -Wimplicit-fallthrough -Werror)
  # GCC 12 at -O2/-O3 reports -Wrestrict on ordinary std::string concatenation inside libstdc++
  # (GCC bug 105651, fixed in GCC 13). It is a false positive in library code, not ours.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
endfunction()
