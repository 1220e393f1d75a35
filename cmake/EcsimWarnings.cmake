# Warnings are errors for ecsim's own code; third-party headers come in as SYSTEM includes.
function(ecsim_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-align -Wnull-dereference -Wimplicit-fallthrough -Werror)
endfunction()
